// What every poller is given: the store to read its source's own data, the clock, logs and metrics, and the one
// alert-commit service its outcomes go through.
import type { AlertCommitter } from '../alerts/commit-service.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { Metrics } from '../ports/metrics.js';
import type { Store } from '../ports/store.js';

export interface PollDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  alerts: AlertCommitter;
}

export type { CommitReport } from '../alerts/change.js';
