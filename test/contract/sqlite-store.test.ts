import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { applyMigrations, MIGRATIONS } from '../../adapters/sqlite/migrations.js';
import { createSqliteStore } from '../../adapters/sqlite/sqlite-store.js';
import type { Store } from '../../src/ports/store.js';
import { makeAlert, makeIntent, T0 } from './alert-factory.js';
import { describeStoreContract } from './store-contract.js';

const tmpRoot = mkdtempSync(join(tmpdir(), 'belvo-sqlite-store-'));
let fileCount = 0;
const freshPath = (): string => join(tmpRoot, `case-${++fileCount}`, 'bot.db');

afterAll(() => {
  rmSync(tmpRoot, { recursive: true, force: true });
});

describeStoreContract('sqlite :memory:', async () => createSqliteStore({ path: ':memory:' }));
describeStoreContract('sqlite file (WAL)', async () => createSqliteStore({ path: freshPath() }));

describe('SQLite store specifics', () => {
  async function openStore(path: string): Promise<Store> {
    const store = createSqliteStore({ path, clock: { now: () => T0 } });
    await store.init();
    return store;
  }

  it('creates the missing parent directory of the database file', async () => {
    const path = join(tmpRoot, 'nested', 'deeper', 'data', 'bot.db');
    const store = await openStore(path);
    await store.close();
    expect(existsSync(path)).toBe(true);
  });

  it('remembers a signed request across close and reopen (a replay after a restart is refused)', async () => {
    const path = freshPath();
    const first = await openStore(path);
    expect(await first.firstSeen('slack:v0=sig', T0 + 600_000, T0)).toBe(true);
    await first.close();
    const again = await openStore(path);
    expect(await again.firstSeen('slack:v0=sig', T0 + 600_000, T0 + 1000)).toBe(false);
    await again.close();
  });

  it('keeps alerts, outbox, refs, cursors, subscriptions, silences and the id counter across close and reopen', async () => {
    const path = freshPath();
    const first = await openStore(path);
    const alert = makeAlert({ id: 'new:1', rev: 0 });
    await first.commitAlerts({
      alerts: [alert],
      intents: [
        { ...makeIntent(alert, 'slack-oncall', { version: 1 }), alertId: 'new:1' },
        { ...makeIntent(alert, 'slack-oncall', { version: 2 }), alertId: 'new:1' },
      ],
      cursors: [{ key: 'sp/summary', etag: '"e1"', fetchedAt: T0 }],
      sourceState: { source: 'sp', consecutiveFailures: 0, firstSuccessAt: T0 },
    });
    const [claimed] = await first.claimIntents({ now: T0, limit: 10, leaseMs: 30_000 });
    await first.completeIntent(claimed!.id, {
      status: 'delivered',
      at: T0,
      parent: { alertId: alert.id, destination: 'slack-oncall', messageId: 'ts-1' },
    });
    await first.addSubscription({ id: 'sub-1', destination: 'console', filter: {}, createdAt: T0 });
    await first.addSilence({
      id: 's1',
      matcher: { source: 'sp' },
      startsAt: T0,
      endsAt: T0 + 1000,
      createdBy: 'u',
      reason: 'r',
    });
    await first.close();

    const second = await openStore(path);
    expect(await second.getAlert(alert.id)).toEqual(alert);
    expect(await second.getMessageRef(alert.id, 'slack-oncall')).toMatchObject({ messageId: 'ts-1' });
    expect(await second.outboxDepth()).toBe(1);
    expect((await second.claimIntents({ now: T0, limit: 10, leaseMs: 1000 })).map((i) => i.version)).toEqual([2]);
    expect(await second.getCursor('sp/summary')).toMatchObject({ etag: '"e1"' });
    expect(await second.getSourceState('sp')).toMatchObject({ firstSuccessAt: T0 });
    expect(await second.listSubscriptions()).toHaveLength(1);
    expect(await second.listSilences()).toHaveLength(1);
    // The counter lives in the file: an id handed out before the restart is never handed out again.
    const { ids } = await second.commitAlerts({
      alerts: [makeAlert({ id: 'new:1', rev: 0 })],
      intents: [],
      cursors: [],
    });
    expect([alert.id, ids.get('new:1')]).toEqual(['A1', 'A2']);
    await second.close();
  });

  it('opens a file database in WAL mode', async () => {
    const path = freshPath();
    const store = await openStore(path);
    // journal_mode=WAL is persistent in the file, so a second connection sees it.
    const peek = new BetterSqlite3(path, { readonly: true });
    try {
      expect(peek.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      peek.close();
      await store.close();
    }
  });

  it('records each migration once; re-running them applies nothing and keeps the data', async () => {
    const path = freshPath();
    const store = await openStore(path);
    await store.commitAlerts({ alerts: [makeAlert({ id: 'A1' })], intents: [], cursors: [] });
    await store.close();

    // Re-opening runs migrations again at init.
    const reopened = await openStore(path);
    await reopened.close();

    const db = new BetterSqlite3(path);
    try {
      const ledger = db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as {
        version: number;
      }[];
      expect(ledger.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
      expect(applyMigrations(db)).toEqual([]);
      expect(db.prepare('SELECT COUNT(*) AS n FROM alerts').get()).toEqual({ n: 1 });
    } finally {
      db.close();
    }
  });

  it('applies only the migrations not yet recorded, in order', () => {
    const db = new BetterSqlite3(':memory:');
    try {
      expect(applyMigrations(db)).toEqual(MIGRATIONS.map((m) => m.version));
      // Versions need not be contiguous (one can be reserved for a change that lands later).
      const version = Math.max(...MIGRATIONS.map((m) => m.version)) + 1;
      const next = [...MIGRATIONS, { version, name: 'add note', sql: 'ALTER TABLE alerts ADD COLUMN note TEXT' }];
      expect(applyMigrations(db, next)).toEqual([version]);
      expect(applyMigrations(db, next)).toEqual([]);
      const cols = db.prepare('PRAGMA table_info(alerts)').all() as { name: string }[];
      expect(cols.map((c) => c.name)).toContain('note');
    } finally {
      db.close();
    }
  });

  it('rolls back every migration of a run when one fails', () => {
    const db = new BetterSqlite3(':memory:');
    try {
      const version = Math.max(...MIGRATIONS.map((m) => m.version)) + 1;
      const broken = [...MIGRATIONS, { version, name: 'broken', sql: 'THIS IS NOT SQL' }];
      expect(() => applyMigrations(db, broken)).toThrow();
      const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'alerts'`).all();
      expect(tables).toEqual([]);
    } finally {
      db.close();
    }
  });

  it('refuses a database written by a newer schema', async () => {
    const path = freshPath();
    const store = await openStore(path);
    await store.close();
    const db = new BetterSqlite3(path);
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(999, 'future', T0);
    db.close();

    const again = createSqliteStore({ path });
    await expect(again.init()).rejects.toThrow(/newer/);
    expect(again.isOpen()).toBe(false);
  });

  it('never hands the same intent to two connections on one file', async () => {
    const path = freshPath();
    const a = await openStore(path);
    const b = await openStore(path);
    const alerts = ['A1', 'A2', 'A3', 'A4'].map((id) => makeAlert({ id }));
    await a.commitAlerts({ alerts, intents: alerts.map((al) => makeIntent(al, 'console')), cursors: [] });

    const fromA = await a.claimIntents({ now: T0, limit: 2, leaseMs: 30_000 });
    const fromB = await b.claimIntents({ now: T0, limit: 10, leaseMs: 30_000 });
    expect([...fromA, ...fromB].map((i) => i.alertId).sort()).toEqual(['A1', 'A2', 'A3', 'A4']);
    expect(fromB.map((i) => i.alertId)).toEqual(['A3', 'A4']);
    await a.close();
    await b.close();
  });

  it('reports a store used before init instead of crashing obscurely', async () => {
    const store = createSqliteStore({ path: ':memory:' });
    expect(store.isOpen()).toBe(false);
    await expect(store.getAlert('A1')).rejects.toThrow(/init/);
  });
});
