// The report schedule against a fake cron and a real store: sent at its time, caught up once at start when less than
// an hour late, never twice (a restart, a second replica, a late timer), only by the leader.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../../adapters/sqlite/sqlite-store.js';
import type { ReportBody } from '../../../src/domain/report.js';
import type { Subscription } from '../../../src/domain/subscription.js';
import { ReportScheduler, type ReportSchedulerDeps } from '../../../src/poll/report-scheduler.js';
import { silentLogger } from '../../../src/ports/logger.js';
import type { NewIntent, Store } from '../../../src/ports/store.js';
import { FakeCron } from '../../support/fake-cron.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
/** Friday 4 December 2026, 09:00 in Mexico City (15:00 UTC). */
const FRIDAY_9 = Date.UTC(2026, 11, 4, 15, 0);
const MONDAY_9 = FRIDAY_9 + 3 * DAY;

const weekdays: Subscription = {
  id: 'config:0',
  destination: 'slack:C0REPORTS',
  filter: { report: { cron: '0 9 * * 1-5', tz: 'America/Mexico_City' } },
  createdBy: 'config',
  createdAt: 0,
};

describe('reports on a schedule', () => {
  let store: Store;
  let now: number;
  let queued: NewIntent[];
  let periods: { since: number; now: number }[];
  const running: ReportScheduler[] = [];

  beforeEach(async () => {
    store = createSqliteStore({ path: ':memory:' });
    await store.init();
    queued = [];
    periods = [];
  });

  afterEach(async () => {
    for (const s of running.splice(0)) await s.stop();
    await store.close();
  });

  /** One run of the bot (a restart is a new one on the same store). */
  function bot(subs: Subscription[] = [weekdays], overrides: Partial<ReportSchedulerDeps> = {}) {
    const cron = new FakeCron();
    const scheduler = new ReportScheduler({
      cron,
      clock: { now: () => now },
      logger: silentLogger,
      log: store,
      subscriptions: async () => subs,
      build: async (_sub, since, at): Promise<ReportBody> => {
        periods.push({ since, now: at });
        return { title: 'Belvo report', sections: [] };
      },
      enqueue: async (intent) => {
        queued.push(intent);
      },
      ...overrides,
    });
    running.push(scheduler);
    return { cron, scheduler };
  }

  it('sends the report at its cron time on its clock, to its destination, once', async () => {
    now = FRIDAY_9 - 10 * MIN;
    const { cron, scheduler } = bot();
    await scheduler.start();
    expect(queued).toEqual([]);
    now = FRIDAY_9;
    expect(cron.runDue(FRIDAY_9 - 10 * MIN, FRIDAY_9 + 5 * MIN)).toBe(1);
    await scheduler.idle();
    expect(queued).toHaveLength(1);
    expect(queued[0]).toMatchObject({ destination: 'slack:C0REPORTS', version: 1 });
    expect(queued[0]!.event).toMatchObject({ noPage: true, report: { title: 'Belvo report' } });
    // The first report of a weekday schedule looks back a day.
    expect(periods).toEqual([{ since: FRIDAY_9 - DAY, now: FRIDAY_9 }]);
  });

  it('the next report covers the time since the previous one (Monday: since Friday)', async () => {
    const { cron, scheduler } = bot();
    now = FRIDAY_9 - MIN;
    await scheduler.start();
    now = FRIDAY_9;
    cron.runDue(FRIDAY_9 - MIN, FRIDAY_9);
    now = MONDAY_9;
    // Saturday and Sunday fire nothing.
    expect(cron.runDue(FRIDAY_9, MONDAY_9)).toBe(1);
    await scheduler.idle();
    expect(periods.map((p) => p.since)).toEqual([FRIDAY_9 - DAY, FRIDAY_9]);
  });

  it('a report missed while the bot was down is sent at start when 30 minutes late', async () => {
    now = FRIDAY_9 + 30 * MIN;
    await bot().scheduler.start();
    expect(queued).toHaveLength(1);
    expect(queued[0]!.alertId).toBe('report-config-0-20261204T1500');
    expect(periods).toEqual([{ since: FRIDAY_9 - DAY, now: FRIDAY_9 + 30 * MIN }]);
  });

  it('is not sent when 2 hours late, nor exactly an hour late: old news', async () => {
    now = FRIDAY_9 + 2 * HOUR;
    await bot().scheduler.start();
    now = FRIDAY_9 + HOUR;
    await bot().scheduler.start();
    expect(queued).toEqual([]);
  });

  it('is never sent twice: not by a restart, not by a late timer, not by a second replica', async () => {
    now = FRIDAY_9;
    const first = bot();
    await first.scheduler.start();
    first.cron.runDue(FRIDAY_9 - MIN, FRIDAY_9);
    await first.scheduler.idle();
    expect(queued).toHaveLength(1);
    await first.scheduler.stop();
    // Restarted 20 minutes later: the catch-up finds it sent.
    now = FRIDAY_9 + 20 * MIN;
    const restarted = bot();
    await restarted.scheduler.start();
    // And a second replica firing the same slot.
    const other = bot();
    await other.scheduler.start();
    other.cron.runDue(FRIDAY_9 - MIN, FRIDAY_9);
    await other.scheduler.idle();
    expect(queued).toHaveLength(1);
  });

  it('a config file reordered, or a subscription added above, is not a new schedule: restarted, nothing is resent', async () => {
    const finance: Subscription = { ...weekdays, destination: 'slack:C0FINANCE' };
    now = FRIDAY_9;
    const first = bot([weekdays]);
    await first.scheduler.start();
    first.cron.runDue(FRIDAY_9 - MIN, FRIDAY_9);
    await first.scheduler.idle();
    await first.scheduler.stop();
    expect(queued.map((q) => q.destination)).toEqual(['slack:C0REPORTS']);
    // Restarted 20 minutes later with a new subscription at the top of the file: the old one is now `config:1`.
    now = FRIDAY_9 + 20 * MIN;
    await bot([
      { ...finance, id: 'config:0' },
      { ...weekdays, id: 'config:1' },
    ]).scheduler.start();
    // The new one gets its report (missed while down); the one already sent is not sent again.
    expect(queued.map((q) => q.destination)).toEqual(['slack:C0REPORTS', 'slack:C0FINANCE']);
  });

  it('only the leader sends; a replica that takes over sends what the old leader did not', async () => {
    now = FRIDAY_9;
    let leads = false;
    const follower = bot([weekdays], { isLeader: () => leads });
    await follower.scheduler.start();
    follower.cron.runDue(FRIDAY_9 - MIN, FRIDAY_9);
    await follower.scheduler.idle();
    expect(queued).toEqual([]);
    now = FRIDAY_9 + 5 * MIN;
    leads = true;
    expect(await follower.scheduler.catchUp()).toBe(1);
    expect(await follower.scheduler.catchUp()).toBe(0);
    expect(queued).toHaveLength(1);
  });

  it('a report that could not be queued is given back, and sent by the next attempt', async () => {
    now = FRIDAY_9 + 10 * MIN;
    const failing = bot([weekdays], {
      enqueue: async () => {
        throw new Error('database is locked');
      },
    });
    await failing.scheduler.start();
    await failing.scheduler.stop();
    expect(queued).toEqual([]);
    now = FRIDAY_9 + 15 * MIN;
    await bot().scheduler.start();
    expect(queued).toHaveLength(1);
  });

  it('a channel that subscribed after the slot is not sent that slot', async () => {
    now = FRIDAY_9 + 20 * MIN;
    const chat: Subscription = { ...weekdays, id: 'sub-1', createdBy: 'ana', createdAt: FRIDAY_9 + 10 * MIN };
    await bot([chat]).scheduler.start();
    expect(queued).toEqual([]);
  });

  it('follows the subscriptions: a new one is armed, a removed one stops', async () => {
    now = FRIDAY_9 - HOUR;
    const subs: Subscription[] = [];
    const { cron, scheduler } = bot(subs);
    await scheduler.start();
    expect(cron.live).toHaveLength(0);
    subs.push({ ...weekdays, id: 'sub-2', createdBy: 'ana', createdAt: now });
    await scheduler.sync();
    expect(cron.live.map((t) => [t.cron, t.tz])).toEqual([['0 9 * * 1-5', 'America/Mexico_City']]);
    subs.pop();
    await scheduler.sync();
    expect(cron.live).toHaveLength(0);
  });

  it('never schedules a report for a pager', async () => {
    now = FRIDAY_9 + 5 * MIN;
    const { cron, scheduler } = bot([{ ...weekdays, destination: 'pagerduty' }], {
      isPager: (d) => d === 'pagerduty',
    });
    await scheduler.start();
    expect(cron.live).toHaveLength(0);
    expect(queued).toEqual([]);
  });
});
