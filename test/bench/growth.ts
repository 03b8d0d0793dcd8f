// Figure G: how the store grows. The web page's fixture (30 days of institution incidents, about 50 a day, and
// 100,000 links) is the store's history; webhooks are then stored through the store's own batch write, random ids as
// Belvo's, one in five a LINK token_required (a link event too), and measured in bytes on disk per webhook. A day is
// the profile below; 30 days is what `belvo.retention` (30 days) keeps of webhooks and link events, and alerts are
// kept 180 days, so the store after 30 days is the history plus 30 such days. Pruning is timed as the retention job
// runs it (chunks of 2,000 rows, the event loop running between).
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createSqliteStore } from '../../adapters/sqlite/sqlite-store.js';
import type { BelvoWebhookRecord } from '../../src/ports/belvo-links.js';
import { makeTempDir, removeTempDir } from './fixtures.js';
import { mb } from './stats.js';
import type { Row } from './table.js';
import { buildWebFixture, WEB_DAYS } from './web-fixtures.js';

/** A busy day: 2,000 webhooks a minute for six peak hours, 300 a minute the other eighteen. */
export const GROWTH_DAY = { peakHours: 6, peakPerMinute: 2000, otherPerMinute: 300 };
const WEBHOOKS_PER_DAY =
  GROWTH_DAY.peakHours * 60 * GROWTH_DAY.peakPerMinute + (24 - GROWTH_DAY.peakHours) * 60 * GROWTH_DAY.otherPerMinute;
/** Webhooks actually written and measured (their bytes per webhook give the day's). */
const SAMPLE = 200_000;
/** As the group commit forms them under load. */
const BATCH = 64;

export interface GrowthResult {
  incidents: number;
  historyBytes: number;
  sample: number;
  bytesPerWebhook: number;
  webhooksPerDay: number;
  storeMs: number;
  pruneMs: number;
  pruned: { webhooks: number; linkEvents: number };
}

/** File size once the WAL is folded in (what a backup of the file would copy). */
function sizeOnDisk(path: string): number {
  const db = new Database(path);
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
  return statSync(path).size;
}

export async function benchGrowth(): Promise<GrowthResult> {
  const dir = makeTempDir();
  try {
    const now = Date.now();
    const fixture = await buildWebFixture({ dir, now });
    const { incidents, links } = fixture;
    await fixture.dispose();
    const path = join(dir, 'state.db');
    const historyBytes = sizeOnDisk(path);

    const store = createSqliteStore({ path });
    await store.init();
    const dayStart = now - 24 * 3600_000;
    let n = 0;
    const webhook = (): BelvoWebhookRecord => {
      const webhookId = randomBytes(16).toString('hex');
      const linkId = links[(n * 7919) % links.length]!.id;
      const link = n % 5 === 0;
      const receivedAt = dayStart + Math.floor((n * 24 * 3600_000) / SAMPLE);
      n++;
      const type = link ? 'LINK' : 'TRANSACTIONS';
      const code = link ? 'token_required' : 'new_transactions_available';
      const data = link
        ? '{"error_code":"token_required","error_message":"A MFA token is required","status":428}'
        : '{"new_transactions":3}';
      return {
        environment: 'production',
        webhookId,
        type,
        code,
        linkId,
        requestId: '4363b08b-51eb-4350-9c74-5df5ac92a7f6',
        processType: 'recurrent_update',
        receivedAt,
        body:
          `{"webhook_id":"${webhookId}","webhook_type":"${type}","process_type":"recurrent_update",` +
          `"webhook_code":"${code}","link_id":"${linkId}","request_id":"4363b08b-51eb-4350-9c74-5df5ac92a7f6",` +
          `"data":${data}}`,
      };
    };
    const stored = performance.now();
    while (n < SAMPLE) await store.recordBelvoWebhooks(Array.from({ length: BATCH }, webhook));
    const storeMs = performance.now() - stored;
    await store.close();
    const bytesPerWebhook = (sizeOnDisk(path) - historyBytes) / SAMPLE;

    const again = createSqliteStore({ path });
    await again.init();
    const pruneStart = performance.now();
    const pruned = await again.pruneBelvo({ webhooksBefore: now + 1, linkEventsBefore: now + 1 });
    const pruneMs = performance.now() - pruneStart;
    await again.close();
    return {
      incidents,
      historyBytes,
      sample: SAMPLE,
      bytesPerWebhook,
      webhooksPerDay: WEBHOOKS_PER_DAY,
      storeMs,
      pruneMs,
      pruned,
    };
  } finally {
    removeTempDir(dir);
  }
}

const gb = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(2)} GB`;

export function growthRows(g: GrowthResult): Row[] {
  const perDay = g.webhooksPerDay * g.bytesPerWebhook;
  return [
    {
      figure: `G. Store after 30 days: ${WEB_DAYS} days of incidents (${g.incidents.toLocaleString('en-US')}) and 100,000 links, + 30 busy days of webhooks`,
      measured: `${mb(g.historyBytes)} + ${gb(30 * perDay)} = ${gb(g.historyBytes + 30 * perDay)}`,
      target: 'measured',
      verdict: 'info',
    },
    {
      figure: `   growth per busy day: ${g.webhooksPerDay.toLocaleString('en-US')} webhooks x bytes on disk each`,
      measured: `${g.bytesPerWebhook.toFixed(0)} B x ${g.webhooksPerDay.toLocaleString('en-US')} = ${mb(perDay)} a day`,
      target: 'measured',
      verdict: 'info',
    },
    {
      figure: `   pruning ${g.pruned.webhooks.toLocaleString('en-US')} webhooks and ${g.pruned.linkEvents.toLocaleString('en-US')} link events (retention job)`,
      measured: `${Math.round(g.pruneMs)} ms (a busy day: ~${((g.pruneMs * g.webhooksPerDay) / g.pruned.webhooks / 1000).toFixed(1)} s, in 2,000-row steps)`,
      target: 'in chunks',
      verdict: 'info',
    },
  ];
}

export function growthNotes(g: GrowthResult): string[] {
  return [
    `G: the web page's fixture (${WEB_DAYS} days, ${g.incidents.toLocaleString('en-US')} incidents with their members, deliveries and message references, 100,000 links) is the history, ${mb(g.historyBytes)} on disk; ` +
      `then ${g.sample.toLocaleString('en-US')} webhooks stored in batches of ${BATCH} through the store's own write (random ids as Belvo's, one in five a LINK token_required with its link event) in ${(g.storeMs / 1000).toFixed(1)} s, measured on disk after a WAL checkpoint. ` +
      `A busy day is ${GROWTH_DAY.peakPerMinute.toLocaleString('en-US')} webhooks a minute for ${GROWTH_DAY.peakHours} hours and ${GROWTH_DAY.otherPerMinute} a minute otherwise; belvo.retention keeps 30 days of webhooks and link events (pruned every 6 hours), retention.alerts 180 days of resolved alerts, so after 30 days the store is the history plus 30 such days, and then stays there. ` +
      'SQLite reuses the pages pruning frees: the file stops growing rather than shrinking.',
  ];
}
