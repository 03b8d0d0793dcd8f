// Sends each subscription's report at its cron time: one cron task per schedule, re-read from the subscriptions every
// minute (a channel subscribes in chat while the bot runs). A report is claimed in the report log before it is
// queued, so a restart's catch-up, a second replica or a late timer never sends it twice; only the leader sends.
import type { ReportBody, ReportSchedule } from '../domain/report.js';
import { defaultReportPeriodMs, MISSED_REPORT_GRACE_MS, reportEvent, reportScheduleKey } from '../domain/report.js';
import type { Subscription } from '../domain/subscription.js';
import type { Clock } from '../ports/clock.js';
import type { CronScheduler, CronTask } from '../ports/cron.js';
import type { Logger } from '../ports/logger.js';
import type { NewIntent } from '../ports/outbox.js';
import type { ReportLog } from '../ports/report-log.js';

export interface ReportSchedulerDeps {
  cron: CronScheduler;
  clock: Clock;
  logger: Logger;
  log: ReportLog;
  /** Every subscription: the config's and the ones made in chat. */
  subscriptions: () => Promise<Subscription[]>;
  /** The report of one subscription for the period [since, now]. */
  build: (sub: Subscription, since: number, now: number) => Promise<ReportBody>;
  /** Queues the report's delivery (the outbox), under the leader's token when there are replicas. */
  enqueue: (intent: NewIntent) => Promise<void>;
  /** Several replicas: whether this one leads (only the leader sends). Absent: one process, always. */
  isLeader?: () => boolean;
  /** Pagers never get a report. */
  isPager?: (destination: string) => boolean;
  /** How often the schedules are re-read from the subscriptions. */
  resyncMs?: number;
}

interface Armed {
  sub: Subscription;
  schedule: ReportSchedule;
  task: CronTask;
}

const RESYNC_MS = 60_000;

export class ReportScheduler {
  private readonly armed = new Map<string, Armed>();
  private timer: NodeJS.Timeout | undefined;
  /** Reports being sent: `stop` waits for them. */
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(private readonly deps: ReportSchedulerDeps) {}

  /**
   * Arms every schedule and sends, once, a report missed while the bot was down if it is less than an hour late;
   * then re-reads the schedules and catches up every minute.
   */
  async start(): Promise<void> {
    await this.sync();
    await this.catchUp();
    const every = this.deps.resyncMs ?? RESYNC_MS;
    // Each round also catches up: a replica that took over the lead sends what the old leader missed (the log keeps
    // it from sending what was sent).
    this.timer = setInterval(() => {
      this.track(
        this.sync()
          .then(() => this.catchUp())
          .catch((err) => this.deps.logger.error({ err }, 'reading report schedules failed')),
      );
    }, every);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const a of this.armed.values()) a.task.stop();
    this.armed.clear();
    await Promise.allSettled([...this.inFlight]);
  }

  /** The schedules of the subscriptions now: new ones armed, removed or changed ones stopped. */
  async sync(): Promise<void> {
    const wanted = new Map<string, { sub: Subscription; schedule: ReportSchedule }>();
    for (const sub of await this.deps.subscriptions()) {
      const schedule = sub.filter.report;
      if (!schedule || this.deps.isPager?.(sub.destination)) continue;
      wanted.set(reportScheduleKey(sub, schedule), { sub, schedule });
    }
    for (const [key, a] of this.armed) {
      if (wanted.has(key)) continue;
      a.task.stop();
      this.armed.delete(key);
    }
    for (const [key, { sub, schedule }] of wanted) {
      const known = this.armed.get(key);
      if (known) {
        known.sub = sub;
        continue;
      }
      const task = this.deps.cron.schedule(schedule.cron, schedule.tz, (slot) => {
        const armed = this.armed.get(key);
        if (armed) this.track(this.send(armed.sub, armed.schedule, slot));
      });
      this.armed.set(key, { sub, schedule, task });
    }
  }

  /** Each schedule's latest slot, when it is less than an hour old: sent now unless it was sent already. */
  async catchUp(): Promise<number> {
    const now = this.deps.clock.now();
    let sent = 0;
    for (const { sub, schedule } of this.armed.values()) {
      // Strictly less than an hour late: a slot exactly an hour old is old news.
      const slot = this.deps.cron.lastSlot(schedule.cron, schedule.tz, now, MISSED_REPORT_GRACE_MS - 1);
      if (slot === undefined) continue;
      // A channel that subscribed after the slot was not due that report (config subscriptions date from the start).
      if (sub.createdBy !== 'config' && slot < sub.createdAt) continue;
      if (await this.send(sub, schedule, slot)) sent++;
    }
    return sent;
  }

  /** Sends the report of `slot` unless this replica does not lead or the report was claimed already. */
  async send(sub: Subscription, schedule: ReportSchedule, slot: number): Promise<boolean> {
    const { log, logger, clock } = this.deps;
    if (this.deps.isLeader && !this.deps.isLeader()) return false;
    const key = reportScheduleKey(sub, schedule);
    const now = clock.now();
    try {
      if (!(await log.claimReport(key, slot, now))) return false;
    } catch (err) {
      logger.error({ err, subscription: sub.id, slot }, 'could not record the scheduled report; not sent');
      return false;
    }
    try {
      const since = (await log.lastReport(key, slot)) ?? slot - defaultReportPeriodMs(schedule.cron);
      const body = await this.deps.build(sub, since, now);
      const event = reportEvent(sub.id, slot, body, now);
      await this.deps.enqueue({
        alertId: event.alert.id,
        version: 1,
        destination: sub.destination,
        event,
        notBefore: now,
      });
      logger.info(
        { subscription: sub.id, destination: sub.destination, slot: new Date(slot).toISOString() },
        'scheduled report queued',
      );
      return true;
    } catch (err) {
      // Not queued: the claim is given back so the next attempt (a restart within the hour) may send it.
      logger.error({ err, subscription: sub.id, slot }, 'scheduled report failed; not sent');
      await log.releaseReport(key, slot).catch(() => undefined);
      return false;
    }
  }

  /** Resolves once the reports fired so far are queued (or failed). */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  private track(p: Promise<unknown>): void {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }
}
