// The outbox dispatcher as the bot runs it: the delivery settings of the config, the adapters' notifiers (and the
// chat channels they resolve on first use), destination health through the commit service, and the pace shared by
// replicas when there are several.
import type { AlertCommitter } from '../alerts/commit-service.js';
import { createDestinationHealth } from '../alerts/destination-health.js';
import type { Config } from '../config/schema.js';
import { Dispatcher } from '../delivery/dispatcher.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { Metrics } from '../ports/metrics.js';
import type { Notifier } from '../ports/notifier.js';
import type { SendPacing } from '../ports/replicas.js';
import type { Store } from '../ports/store.js';

export interface DeliveryDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  alerts: AlertCommitter;
  notifiers: Notifier[];
  resolveNotifier: (destination: string) => Notifier | undefined;
  /** Several replicas: the pace every replica keeps to. */
  pacing: SendPacing | undefined;
}

export function buildDispatcher(config: Config, deps: DeliveryDeps): Dispatcher {
  const logger = deps.logger.child({ component: 'delivery' });
  return new Dispatcher({
    store: deps.store,
    notifiers: deps.notifiers,
    clock: deps.clock,
    logger,
    metrics: deps.metrics,
    backoff: {
      initialMs: config.delivery.initialBackoff,
      maxMs: config.delivery.maxBackoff,
      maxAttempts: config.delivery.maxAttempts,
    },
    leaseMs: config.delivery.lease,
    health: createDestinationHealth({ store: deps.store, alerts: deps.alerts, logger }),
    resolveNotifier: deps.resolveNotifier,
    ...(deps.pacing && { pacing: deps.pacing }),
  });
}
