// The SQLite store commits Belvo's webhooks on a writer thread when it is a file: the event loop is not stopped while
// a commit waits (for the disk, or for another writer's lock), a commit still ends before the call resolves, and a
// failure of the thread is the failure of that batch only.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { BelvoWebhookRecord } from '../../src/ports/belvo-links.js';
import type { Store } from '../../src/ports/store.js';
import { createSqliteStore } from './sqlite-store.js';
import { WebhookWriterThread } from './webhook-writer.js';

const T0 = Date.UTC(2026, 11, 4, 12);
const root = mkdtempSync(join(tmpdir(), 'belvo-webhook-writer-'));
let files = 0;
const freshPath = () => join(root, `case-${++files}`, 'bot.db');

afterAll(() => rmSync(root, { recursive: true, force: true }));

let ids = 0;
function tokenRequired(linkId: string): BelvoWebhookRecord {
  const webhookId = (++ids).toString(16).padStart(32, '0');
  return {
    environment: 'production',
    webhookId,
    type: 'LINK',
    code: 'token_required',
    linkId,
    receivedAt: T0 + ids,
    body: JSON.stringify({ webhook_id: webhookId, webhook_type: 'LINK', webhook_code: 'token_required' }),
  };
}

/** Turns of the event loop: each one a timer phase and a check phase. */
async function loopTurns(n: number): Promise<number> {
  let turns = 0;
  for (let i = 0; i < n; i++) {
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
    await new Promise<void>((resolve) => setImmediate(resolve));
    turns++;
  }
  return turns;
}

const open: Store[] = [];
const others: BetterSqlite3.Database[] = [];
afterEach(async () => {
  for (const db of others.splice(0)) if (db.open) db.close();
  for (const store of open.splice(0)) await store.close();
});

async function fileStore(busyTimeoutMs: number): Promise<{ store: Store; path: string }> {
  const path = freshPath();
  const store = createSqliteStore({ path, busyTimeoutMs, clock: { now: () => T0 } });
  await store.init();
  open.push(store);
  return { store, path };
}

/** Another writer on the same file (the CLI, say) holding the write lock until it commits. */
function lockHolder(path: string): BetterSqlite3.Database {
  const other = new BetterSqlite3(path);
  others.push(other);
  other.exec('BEGIN IMMEDIATE');
  return other;
}

describe('SQLite webhook writer thread', () => {
  it('keeps the event loop serving while a webhook commit waits, and resolves only once the batch is stored', async () => {
    const { store, path } = await fileStore(60_000);
    await store.recordBelvoWebhooks([tokenRequired('link-warm')]); // the thread is started and has committed once
    const other = lockHolder(path);

    let outcome: string | undefined;
    const pending = store.recordBelvoWebhooks([tokenRequired('link-1')]).then((r) => {
      outcome = r.outcomes[0];
      return r;
    });
    // On the store's own connection the same call would hold the loop until the lock is released, which only this
    // loop can do: the turns below would never run. The store's reads go on meanwhile (WAL).
    expect(await loopTurns(20)).toBe(20);
    expect((await store.listBelvoWebhooks()).map((w) => w.linkId)).toEqual(['link-warm']);
    expect(outcome).toBeUndefined();

    other.exec('COMMIT');
    const result = await pending;
    expect(result).toMatchObject({ outcomes: ['inserted'], inserted: 1, linkTransitions: 1 });
    // Resolved means committed: the store's own connection sees the webhook and the link's new status at once.
    expect((await store.listBelvoWebhooks()).map((w) => w.linkId).sort()).toEqual(['link-1', 'link-warm']);
    expect(await store.getBelvoLink('production', 'link-1')).toMatchObject({ status: 'token_required' });
  });

  it('fails a batch that cannot get the lock in time, stores none of it, and stores the next batch', async () => {
    const { store, path } = await fileStore(50);
    await store.recordBelvoWebhooks([tokenRequired('link-warm')]);
    const other = lockHolder(path);

    const failed = store.recordBelvoWebhooks([tokenRequired('link-2'), tokenRequired('link-3')]);
    await expect(failed).rejects.toMatchObject({ code: 'SQLITE_BUSY', message: 'database is locked' });
    other.exec('ROLLBACK');
    expect(await store.getBelvoLink('production', 'link-2')).toBeUndefined();

    const again = tokenRequired('link-2');
    await expect(store.recordBelvoWebhooks([again])).resolves.toMatchObject({ outcomes: ['inserted'] });
    // A retry of what was stored is known as such (the thread and the store's connection see one database).
    await expect(store.recordBelvoWebhooks([again])).resolves.toMatchObject({ outcomes: ['duplicate'] });
  });

  it('keeps what it committed across a restart: a retry afterwards is a duplicate', async () => {
    const { store, path } = await fileStore(5000);
    const webhook = tokenRequired('link-4');
    await store.recordBelvoWebhooks([webhook]);
    await store.close();
    open.splice(open.indexOf(store), 1);

    const reopened = createSqliteStore({ path, clock: { now: () => T0 } });
    await reopened.init();
    open.push(reopened);
    await expect(reopened.recordBelvoWebhooks([webhook])).resolves.toMatchObject({ outcomes: ['duplicate'] });
    expect(await reopened.getBelvoLink('production', 'link-4')).toMatchObject({ status: 'token_required' });
  });

  it('stores again a retry that comes later than the dedup horizon (the bound README states)', async () => {
    const { store, path } = await fileStore(5000);
    const webhook = tokenRequired('link-8');
    await store.recordBelvoWebhooks([webhook]);
    await store.close();
    open.splice(open.indexOf(store), 1);

    const dayLater = createSqliteStore({ path, clock: { now: () => webhook.receivedAt + 26 * 3600_000 } });
    await dayLater.init();
    open.push(dayLater);
    await expect(dayLater.recordBelvoWebhooks([webhook])).resolves.toMatchObject({ outcomes: ['inserted'] });
  });

  it('refuses webhooks once the store is closed', async () => {
    const { store } = await fileStore(5000);
    await store.recordBelvoWebhooks([tokenRequired('link-5')]);
    await store.close();
    open.splice(open.indexOf(store), 1);
    await expect(store.recordBelvoWebhooks([tokenRequired('link-6')])).rejects.toThrow(/not open/);
  });

  it('rejects each batch with the reason when the thread cannot open the database, and tries again next time', async () => {
    const path = freshPath();
    mkdirSync(dirname(path), { recursive: true });
    new BetterSqlite3(path).close(); // a file without the bot's tables (never migrated)
    const writer = new WebhookWriterThread({ path, busyTimeoutMs: 100, now: () => T0 });
    try {
      await expect(writer.record([tokenRequired('link-7')])).rejects.toThrow(/no such table: belvo_/);
      await expect(writer.record([tokenRequired('link-7')])).rejects.toThrow(/no such table: belvo_/);
    } finally {
      await writer.close();
    }
  });
});
