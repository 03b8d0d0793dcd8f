import { afterAll, describe, expect, it } from 'vitest';
import { PG_MIGRATIONS } from '../../adapters/postgres/migrations.js';
import { listen } from '../../adapters/postgres/notify.js';
import { createPostgresStore, type PostgresStore } from '../../adapters/postgres/postgres-store.js';
import { createPgLeaderLease, createPgPacing } from '../../adapters/postgres/replicas.js';
import { silentLogger } from '../../src/ports/logger.js';
import { LeadershipLostError, StoreConflictError } from '../../src/ports/store.js';
import { dropSchema, PG_URL, reusableSchema, uniqueSchema, withAdmin } from '../support/postgres.js';
import { makeAlert, makeIntent, T0 } from './alert-factory.js';
import { describeStoreContract } from './store-contract.js';

const schema = reusableSchema('contract');
afterAll(() => schema.drop());

describeStoreContract('postgres', async () => {
  await schema.reset();
  return createPostgresStore({ url: PG_URL, schema: schema.name, poolSize: 3 });
});

describe('PostgreSQL store specifics (several replicas on one schema)', () => {
  const shared = reusableSchema('replicas');
  afterAll(() => shared.drop());

  async function replica(replicaId: string): Promise<PostgresStore> {
    const store = createPostgresStore({ url: PG_URL, schema: shared.name, poolSize: 3, replicaId });
    await store.init();
    return store;
  }

  async function pair(): Promise<[PostgresStore, PostgresStore]> {
    await shared.reset();
    return [await replica('a'), await replica('b')];
  }

  it('migrates once when replicas start together, and refuses a schema written by a newer release', async () => {
    const schema = uniqueSchema('migrate');
    try {
      const stores = [1, 2, 3].map(() => createPostgresStore({ url: PG_URL, schema }));
      await Promise.all(stores.map((s) => s.init()));
      await Promise.all(stores.map((s) => s.close()));
      const ledger = await withAdmin((c) => c.query(`SELECT version FROM "${schema}".schema_migrations`));
      expect(ledger.rows.map((r) => r['version'])).toEqual(PG_MIGRATIONS.map((m) => m.version));

      await withAdmin((c) =>
        c.query(`INSERT INTO "${schema}".schema_migrations (version, name, applied_at) VALUES (999, 'future', 0)`),
      );
      const again = createPostgresStore({ url: PG_URL, schema });
      await expect(again.init()).rejects.toThrow(/newer/);
      expect(again.isOpen()).toBe(false);
    } finally {
      await dropSchema(schema);
    }
  });

  it('never hands one intent to two replicas, and a restart recovers only its own claims', async () => {
    const [a, b] = await pair();
    try {
      const alerts = Array.from({ length: 20 }, (_, i) => makeAlert({ id: `A${i + 1}` }));
      await a.commitAlerts({ alerts, intents: alerts.map((al) => makeIntent(al, 'console')), cursors: [] });
      const claims = await Promise.all([a, b, a, b].map((s) => s.claimIntents({ now: T0, limit: 7, leaseMs: 30_000 })));
      const all = claims.flat().map((i) => i.alertId);
      expect(all).toHaveLength(20);
      expect(new Set(all).size).toBe(20);
      const ofA = claims[0]!.length + claims[2]!.length;
      // A restarted `a` takes back what it held; b's claims stay b's until their lease ends.
      expect(await a.recoverInFlight(T0 + 1)).toBe(ofA);
      expect(await b.recoverInFlight(T0 + 30_000)).toBe(20 - ofA);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('stores a webhook once when two replicas receive it at the same moment', async () => {
    const [a, b] = await pair();
    try {
      const w = {
        environment: 'production',
        webhookId: 'f'.repeat(32),
        type: 'LINK',
        code: 'token_required',
        linkId: 'link-1',
        receivedAt: T0,
        body: '{}',
      };
      const [ra, rb] = await Promise.all([a.recordBelvoWebhooks([w]), b.recordBelvoWebhooks([w])]);
      expect([...ra.outcomes, ...rb.outcomes].sort()).toEqual(['duplicate', 'inserted']);
      expect(ra.linkTransitions + rb.linkTransitions).toBe(1);
      expect(await a.listBelvoWebhooks()).toHaveLength(1);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('lets one of two replicas deciding on the same alert commit; the other is told to decide again', async () => {
    const [a, b] = await pair();
    try {
      await a.commitAlerts({ alerts: [makeAlert({ id: 'A1' })], intents: [], cursors: [] });
      const read = (await a.getAlert('A1'))!;
      const results = await Promise.allSettled([
        a.commitAlerts({ alerts: [{ ...structuredClone(read), title: 'from a' }], intents: [], cursors: [] }),
        b.commitAlerts({ alerts: [{ ...structuredClone(read), title: 'from b' }], intents: [], cursors: [] }),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(lost.reason).toBeInstanceOf(StoreConflictError);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('leads one replica at a time; a new leader gets a new token and the old token can no longer commit', async () => {
    const [a, b] = await pair();
    try {
      const leaseA = createPgLeaderLease(a.pool, a.replicaId);
      const leaseB = createPgLeaderLease(b.pool, b.replicaId);
      const tokenA = await leaseA.tryAcquire(60_000);
      expect(tokenA).toBeDefined();
      expect(await leaseB.tryAcquire(60_000)).toBeUndefined();
      expect(await leaseA.tryAcquire(60_000)).toBe(tokenA);
      await a.commitAlerts({ alerts: [makeAlert({ id: 'A1' })], intents: [], cursors: [], fence: tokenA! });

      // a is partitioned away long enough for its lease to run out: the database's clock says so.
      await withAdmin((c) => c.query(`UPDATE "${shared.name}".leases SET expires_at = 0`));
      const tokenB = await leaseB.tryAcquire(60_000);
      expect(tokenB).toBe(tokenA! + 1);
      expect(await leaseA.tryAcquire(60_000)).toBeUndefined();

      const stale = makeAlert({ id: 'A2' });
      await expect(
        a.commitAlerts({ alerts: [stale], intents: [makeIntent(stale, 'console')], cursors: [], fence: tokenA! }),
      ).rejects.toBeInstanceOf(LeadershipLostError);
      expect(await a.getAlert('A2')).toBeUndefined();
      expect(await a.outboxDepth()).toBe(0);
      await b.commitAlerts({ alerts: [makeAlert({ id: 'A2' })], intents: [], cursors: [], fence: tokenB! });

      // A clean stop hands over at once.
      await leaseB.release();
      expect(await leaseA.tryAcquire(60_000)).toBe(tokenB! + 1);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it("keeps a destination's pace across replicas: one slot per interval, and a pause holds for all", async () => {
    const [a, b] = await pair();
    try {
      const pa = createPgPacing(a.pool);
      const pb = createPgPacing(b.pool);
      const answers = await Promise.all([pa.reserve('slack:C1', 1000, T0), pb.reserve('slack:C1', 1000, T0)]);
      expect(answers.sort()).toEqual([T0, T0 + 1000]);
      expect(await pb.reserve('slack:C2', 1000, T0)).toBe(T0);
      await pa.sent('slack:C1', 1000, T0 + 300);
      expect(await pb.reserve('slack:C1', 1000, T0 + 1000)).toBe(T0 + 1300);
      await pa.pause('slack:C1', T0 + 60_000);
      expect(await pb.reserve('slack:C1', 1000, T0 + 2000)).toBe(T0 + 60_000);
      expect(await pb.reserve('slack:C1', 1000, T0 + 60_000)).toBe(T0 + 60_000);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('wakes every replica when a commit queues deliveries or a webhook arrives', async () => {
    const [a, b] = await pair();
    const heard: string[] = [];
    let wake: () => void = () => undefined;
    const listener = listen(
      { url: PG_URL, schema: shared.name },
      silentLogger,
      (topic) => {
        heard.push(topic);
        wake();
      },
      () => undefined,
    );
    try {
      await listener.ready;
      const until = (n: number) =>
        new Promise<void>((resolve) => {
          wake = () => heard.length >= n && resolve();
          wake();
        });
      const alert = makeAlert({ id: 'A1' });
      await a.commitAlerts({ alerts: [alert], intents: [makeIntent(alert, 'console')], cursors: [] });
      await until(1);
      await b.recordBelvoWebhooks([
        { environment: 'production', webhookId: 'e'.repeat(32), type: 'LINK', code: 'x', receivedAt: T0, body: '{}' },
      ]);
      await until(2);
      expect(heard).toEqual(['intents', 'webhooks']);
    } finally {
      await listener.close();
      await Promise.all([a.close(), b.close()]);
    }
  });
});
