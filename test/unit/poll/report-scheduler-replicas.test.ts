// Two replicas on one PostgreSQL schema firing the same report at once (an old leader paused past its lease and the
// new one): the report log lets exactly one of them queue it.
import { afterAll, describe, expect, it } from 'vitest';
import { createPostgresStore } from '../../../adapters/postgres/postgres-store.js';
import type { Subscription } from '../../../src/domain/subscription.js';
import { ReportScheduler } from '../../../src/poll/report-scheduler.js';
import { silentLogger } from '../../../src/ports/logger.js';
import type { NewIntent } from '../../../src/ports/store.js';
import { FakeCron } from '../../support/fake-cron.js';
import { dropSchema, PG_URL, uniqueSchema } from '../../support/postgres.js';

const FRIDAY_9 = Date.UTC(2026, 11, 4, 15, 0);
const sub: Subscription = {
  id: 'config:0',
  destination: 'slack:C0REPORTS',
  filter: { report: { cron: '0 9 * * 1-5', tz: 'America/Mexico_City' } },
  createdBy: 'config',
  createdAt: 0,
};

describe('reports with several replicas', () => {
  const schema = uniqueSchema('reports');
  afterAll(() => dropSchema(schema));

  it('both replicas fire the same slot at the same moment: one report is queued', async () => {
    const stores = [0, 1].map(() => createPostgresStore({ url: PG_URL, schema, poolSize: 2 }));
    for (const s of stores) await s.init();
    const queued: NewIntent[] = [];
    const replicas = stores.map((store) => {
      const cron = new FakeCron();
      const scheduler = new ReportScheduler({
        cron,
        clock: { now: () => FRIDAY_9 },
        logger: silentLogger,
        log: store,
        subscriptions: async () => [sub],
        build: async () => ({ title: 'Belvo report', sections: [] }),
        enqueue: async (intent) => {
          queued.push(intent);
        },
      });
      return { cron, scheduler };
    });
    try {
      for (const r of replicas) await r.scheduler.sync();
      for (let round = 0; round < 5; round++) {
        for (const r of replicas) r.cron.runDue(FRIDAY_9 - 60_000, FRIDAY_9);
      }
      await Promise.all(replicas.map((r) => r.scheduler.idle()));
      expect(queued).toHaveLength(1);
    } finally {
      for (const r of replicas) await r.scheduler.stop();
      for (const s of stores) await s.close();
    }
  });
});
