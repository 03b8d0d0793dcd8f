// The scheduled reports as the bot runs them: node-cron (or the caller's scheduler), the subscriptions of the config
// and of chat, the report built from the command views, queued in the outbox under the leader's token.
import { createNodeCronScheduler } from '../../adapters/cron/node-cron-scheduler.js';
import type { BelvoAccountView } from '../commands/belvo-view.js';
import { scheduledReport } from '../commands/scheduled-report.js';
import { type Config, destinationKeyOf } from '../config/schema.js';
import type { Subscription } from '../domain/subscription.js';
import { ReportScheduler } from '../poll/report-scheduler.js';
import type { Clock } from '../ports/clock.js';
import type { CronScheduler } from '../ports/cron.js';
import type { Logger } from '../ports/logger.js';
import type { Store } from '../ports/store.js';

export interface ReportDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  belvo: BelvoAccountView | undefined;
  routing: { configSubscriptions: Subscription[] };
  /** Woken once a report is queued. */
  dispatcher: { wake(): void };
  /** Several replicas: the leader's token while this replica leads. Absent: one process. */
  fence: (() => number | undefined) | undefined;
  /** `cron`: what runs the schedules (node-cron when absent). */
  opts: { cron?: CronScheduler };
}

export function buildReports(config: Config, deps: ReportDeps): ReportScheduler {
  const { store, fence } = deps;
  const pagers = new Set(
    config.destinations.flatMap((d) => (d.type === 'pagerduty' ? [d.id, destinationKeyOf(d)] : [])),
  );
  return new ReportScheduler({
    cron: deps.opts.cron ?? createNodeCronScheduler(),
    clock: deps.clock,
    logger: deps.logger.child({ component: 'reports' }),
    log: store,
    subscriptions: async () => [...deps.routing.configSubscriptions, ...(await store.listSubscriptions())],
    build: (sub, since, now) =>
      scheduledReport({
        store,
        ...(deps.belvo && { belvo: deps.belvo }),
        filter: sub.filter,
        // Only subscriptions with a report are scheduled.
        schedule: sub.filter.report!,
        since,
        now,
      }),
    async enqueue(intent) {
      const token = fence?.();
      await store.commitAlerts({
        alerts: [],
        intents: [intent],
        cursors: [],
        ...(token !== undefined && { fence: token }),
      });
      deps.dispatcher.wake();
    },
    ...(fence && { isLeader: () => fence() !== undefined }),
    isPager: (destination) => pagers.has(destination),
  });
}
