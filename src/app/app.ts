// The running bot as its callers (the CLI, the demo, the tests) hold it.
import type { Config } from '../config/schema.js';
import type { Dispatcher } from '../delivery/dispatcher.js';
import type { Alert, AlertEvent } from '../domain/alert.js';
import type { PolicyTicker } from '../poll/policy-ticker.js';
import type { StatusPagePoller } from '../poll/poll-status-page.js';
import type { ReportScheduler } from '../poll/report-scheduler.js';
import type { Pollable, PollScheduler } from '../poll/scheduler.js';
import type { Clock } from '../ports/clock.js';
import type { CronScheduler } from '../ports/cron.js';
import type { Logger } from '../ports/logger.js';
import type { Store } from '../ports/store.js';

export interface AppOptions {
  clock?: Clock;
  logger?: Logger;
  /** Where console destinations write (1 = standard output). */
  consoleFd?: number;
  /** What runs the reports' cron schedules (node-cron when absent; tests fire them by hand). */
  cron?: CronScheduler;
}

export interface App {
  readonly config: Config;
  readonly store: Store;
  readonly logger: Logger;
  readonly scheduler: PollScheduler;
  readonly dispatcher: Dispatcher;
  readonly ticker: PolicyTicker;
  /** Subscriptions' reports at their cron times. */
  readonly reports: ReportScheduler;
  /** Commits alert changes made outside a poll (chat commands) through the policy and routing. */
  readonly commitEvents: (events: AlertEvent[], alerts: Alert[]) => Promise<void>;
  readonly pollers: StatusPagePoller[];
  /** Everything the scheduler polls: status pages, the Belvo account, the reported calls, the retentions. */
  readonly pollTargets: Pollable[];
  start(): Promise<{ port: number }>;
  stop(): Promise<void>;
}
