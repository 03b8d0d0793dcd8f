// Scale figure 3: the cost of one webhook batch at 1,000, 10,000 and 100,000 links (1,000 institutions each time):
// the batch committed (as the webhook route does) and the spike check it wakes (the real links monitor and alert
// committer of buildApp, SQLite in a temp dir). Only the number of links differs between the runs: the event
// history (a week of baseline transitions) and the batches are the same, so a flat figure means O(batch).
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfigText } from '../../src/config/load.js';
import { createLogger } from '../../src/log.js';
import { buildApp } from '../../src/main.js';
import { BelvoLinksMonitor } from '../../src/poll/belvo-links.js';
import type { BelvoLinkListing, BelvoWebhookRecord } from '../../src/ports/belvo-links.js';
import { cleanEnv, makeTempDir, removeTempDir } from './fixtures.js';
import { type Summary, summarize } from './stats.js';

const ENV = 'production';
const INSTITUTIONS = 1000;
const BASELINE_EVENTS = 5000;
const BASELINE_LINKS = 500;
const DAY = 86_400_000;

export interface SpikeScaleOptions {
  links: number[];
  batches: number;
  /** Webhooks per batch, of which `transitions` are LINK token_required on valid links. */
  batchSize: number;
  transitions: number;
}

export interface SpikeScaleRun {
  links: number;
  seedMs: number;
  /** One batch committed (the route's store call). */
  record: Summary;
  /** The spike check it woke, to its commit. */
  check: Summary;
  total: Summary;
  /** Spike alerts open at the end (the batches push a few institutions over the threshold). */
  openAlerts: number;
}

const institution = (i: number) => `inst${String(i % INSTITUTIONS).padStart(4, '0')}_mx_retail`;
const linkId = (i: number) => `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;

let webhookSeq = 0;
function webhook(at: number, link?: { id: string; code: string }): BelvoWebhookRecord {
  webhookSeq++;
  const webhookId = webhookSeq.toString(16).padStart(32, 'b');
  const type = link ? 'LINK' : 'TRANSACTIONS';
  const code = link?.code ?? 'new_transactions_available';
  return {
    environment: ENV,
    webhookId,
    type,
    code,
    linkId: link?.id ?? linkId(0),
    receivedAt: at,
    body: JSON.stringify({ webhook_id: webhookId, webhook_type: type, webhook_code: code, link_id: link?.id }),
  };
}

function configYaml(dbPath: string): string {
  return `
server: { host: 127.0.0.1, port: 0 }
storage: { path: ${JSON.stringify(dbPath)} }
log: { level: silent }
belvo:
  environments:
    - id: ${ENV}
      url: http://127.0.0.1:9
      secretKeyId: { secretEnv: BELVO_ID }
      secretKeyPassword: { secretEnv: BELVO_PASSWORD }
destinations: [{ id: console, type: console, color: never }]
subscriptions: [{ destination: console }]
`;
}

async function runAt(links: number, o: SpikeScaleOptions): Promise<SpikeScaleRun> {
  const dir = makeTempDir();
  const devNull = openSync('/dev/null', 'w');
  const env = { ...cleanEnv(), BELVO_ID: 'bench-id', BELVO_PASSWORD: 'bench-password' };
  const app = await buildApp(parseConfigText(configYaml(join(dir, 'bench.db')), 'bench.yaml', env), {
    logger: createLogger({ level: 'silent' }),
    consoleFd: devNull,
  });
  try {
    const monitor = app.pollTargets.find((t): t is BelvoLinksMonitor => t instanceof BelvoLinksMonitor);
    if (!monitor) throw new Error('bench: no links monitor');
    const now = Date.now();
    const seedStarted = performance.now();
    // The account: every link valid, listed a day ago.
    for (let from = 0; from < links; from += 1000) {
      const chunk: BelvoLinkListing[] = [];
      for (let i = from; i < Math.min(links, from + 1000); i++) {
        chunk.push({ id: linkId(i), status: 'valid', institution: institution(i) });
      }
      await app.store.upsertLinks(ENV, chunk, now - DAY);
    }
    // A week of usual transitions on the first links, toggling token_required / invalid so each one is a change.
    for (let from = 0; from < BASELINE_EVENTS; from += 1000) {
      const batch: BelvoWebhookRecord[] = [];
      for (let k = from; k < from + 1000; k++) {
        const round = Math.floor(k / BASELINE_LINKS);
        const at = now - 7 * DAY + Math.floor((k / BASELINE_EVENTS) * 6 * DAY);
        batch.push(
          webhook(at, {
            id: linkId(k % BASELINE_LINKS),
            code: round % 2 === 0 ? 'token_required' : 'invalid_credentials',
          }),
        );
      }
      await app.store.recordBelvoWebhooks(batch);
    }
    // The links monitor has read Belvo once (first sight is over): a woken check judges at once.
    await app.store.commitAlerts({
      alerts: [],
      intents: [],
      cursors: [],
      sourceState: { source: monitor.id, consecutiveFailures: 0, firstSuccessAt: now - DAY, lastSuccessAt: now },
    });
    const seedMs = performance.now() - seedStarted;

    const record: number[] = [];
    const check: number[] = [];
    const total: number[] = [];
    let next = BASELINE_LINKS;
    for (let b = 0; b < o.batches; b++) {
      const at = Date.now();
      const batch: BelvoWebhookRecord[] = [];
      for (let k = 0; k < o.batchSize; k++) {
        // The transitions fall on a few institutions, as a real spike does (and as the alerts it opens are counted).
        batch.push(
          k < o.transitions ? webhook(at, { id: linkId(next++ % links), code: 'token_required' }) : webhook(at),
        );
      }
      const t0 = performance.now();
      const result = await app.store.recordBelvoWebhooks(batch);
      const t1 = performance.now();
      if (result.linkTransitions > 0) monitor.wake();
      await monitor.idle();
      const t2 = performance.now();
      record.push(t1 - t0);
      check.push(t2 - t1);
      total.push(t2 - t0);
    }
    const openAlerts = (await app.store.listAlerts({ states: ['firing', 'pending'] })).length;
    return {
      links,
      seedMs,
      record: summarize(record),
      check: summarize(check),
      total: summarize(total),
      openAlerts,
    };
  } finally {
    await app.stop();
    closeSync(devNull);
    removeTempDir(dir);
  }
}

export async function benchSpikeScale(o: SpikeScaleOptions): Promise<SpikeScaleRun[]> {
  const runs: SpikeScaleRun[] = [];
  for (const links of o.links) runs.push(await runAt(links, o));
  return runs;
}
