// Belvo webhook ids stay unique on SQLite through the store's window of the last 24 hours (no UNIQUE index): across
// a restart inside that horizon a retry is still a duplicate; later than it, the retry is stored again (README).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { BelvoWebhookRecord } from '../../src/ports/belvo-links.js';
import type { Store } from '../../src/ports/store.js';
import { createSqliteStore } from './sqlite-store.js';

const T0 = Date.UTC(2026, 11, 4, 12);
const root = mkdtempSync(join(tmpdir(), 'belvo-webhook-ids-'));
let files = 0;
const freshPath = () => join(root, `case-${++files}`, 'bot.db');

afterAll(() => rmSync(root, { recursive: true, force: true }));

let ids = 0;
/** A random-looking 32-hex id, as Belvo's are. */
function tokenRequired(linkId: string, receivedAt: number): BelvoWebhookRecord {
  const webhookId = `${(++ids * 2654435761).toString(16)}`.padStart(32, '0');
  return {
    environment: 'production',
    webhookId,
    type: 'LINK',
    code: 'token_required',
    linkId,
    receivedAt,
    body: JSON.stringify({ webhook_id: webhookId, webhook_type: 'LINK', webhook_code: 'token_required' }),
  };
}

const open: Store[] = [];
afterEach(async () => {
  for (const store of open.splice(0)) await store.close();
});

async function storeAt(path: string, now: number): Promise<Store> {
  const store = createSqliteStore({ path, clock: { now: () => now } });
  await store.init();
  open.push(store);
  return store;
}

async function restart(store: Store, path: string, now: number): Promise<Store> {
  await store.close();
  open.splice(open.indexOf(store), 1);
  return storeAt(path, now);
}

describe('SQLite webhook ids', () => {
  it('refuses a retry after a restart within the horizon, and applies its link change once', async () => {
    const path = freshPath();
    const first = await storeAt(path, T0);
    const webhook = tokenRequired('link-4', T0);
    await expect(first.recordBelvoWebhooks([webhook])).resolves.toMatchObject({ linkTransitions: 1 });

    const again = await restart(first, path, T0 + 23 * 3600_000);
    const retry = { ...webhook, receivedAt: T0 + 23 * 3600_000 };
    await expect(again.recordBelvoWebhooks([retry])).resolves.toMatchObject({
      outcomes: ['duplicate'],
      linkTransitions: 0,
    });
    expect(await again.listBelvoWebhooks()).toHaveLength(1);
  });

  it('tells a new id from a stored one among many, within one batch and across batches', async () => {
    const path = freshPath();
    const store = await storeAt(path, T0);
    const batch = Array.from({ length: 300 }, (_, i) => tokenRequired(`link-${i}`, T0 + i));
    expect((await store.recordBelvoWebhooks(batch)).inserted).toBe(300);
    const mixed = [batch[7]!, tokenRequired('link-new', T0 + 400), batch[299]!, batch[7]!];
    expect((await store.recordBelvoWebhooks(mixed)).outcomes).toEqual([
      'duplicate',
      'inserted',
      'duplicate',
      'duplicate',
    ]);
  });

  it('loads a large window a chunk at a time from the restart on, the event loop running between, and misses none', async () => {
    const path = freshPath();
    const first = await storeAt(path, T0);
    const all: BelvoWebhookRecord[] = [];
    for (let b = 0; b < 12; b++) {
      const batch = Array.from({ length: 1001 }, (_, i) => tokenRequired(`link-${b}-${i}`, T0 + b * 1001 + i));
      await first.recordBelvoWebhooks(batch);
      all.push(...batch);
    }
    let turns = 0;
    let done = false;
    const count = () => {
      if (done) return;
      turns++;
      setImmediate(count);
    };
    setImmediate(count);
    const again = await restart(first, path, T0 + 3600_000); // the window loads from here on
    const retries = [all[0]!, all[6000]!, all[all.length - 1]!];
    const result = await again.recordBelvoWebhooks(retries);
    done = true;
    expect(result.outcomes).toEqual(['duplicate', 'duplicate', 'duplicate']);
    expect(turns).toBeGreaterThanOrEqual(2); // 12,012 rows: three chunks, two yields between them
    expect(await again.listBelvoWebhooks({ limit: 20_000 })).toHaveLength(12_012);
  });

  it('stores again a retry that comes later than the horizon (the bound README states)', async () => {
    const path = freshPath();
    const first = await storeAt(path, T0);
    const webhook = tokenRequired('link-8', T0);
    await first.recordBelvoWebhooks([webhook]);

    const dayLater = await restart(first, path, T0 + 26 * 3600_000);
    const late = { ...webhook, receivedAt: T0 + 26 * 3600_000 };
    await expect(dayLater.recordBelvoWebhooks([late])).resolves.toMatchObject({ outcomes: ['inserted'] });
  });
});
