// Keeps the alert tables from growing without end: alerts resolved longer ago than `retention.alerts` are forgotten
// a few times a day, with their delivered outbox rows and message references, and so are the report log's claims of
// reports due that long ago. The store works in small batches and lets webhooks and commands in between them.
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { PrunedAlerts, Store } from '../ports/store.js';
import type { Pollable } from './scheduler.js';

export class AlertRetention implements Pollable {
  readonly id = 'alert-retention';

  constructor(
    private readonly deps: { store: Pick<Store, 'pruneResolvedAlerts' | 'pruneReports'>; clock: Clock; logger: Logger },
    private readonly retentionMs: number,
  ) {}

  async poll(): Promise<PrunedAlerts & { reports: number }> {
    const before = this.deps.clock.now() - this.retentionMs;
    const pruned = await this.deps.store.pruneResolvedAlerts(before);
    if (pruned.alerts > 0) {
      this.deps.logger.info({ ...pruned, before: new Date(before).toISOString() }, 'old resolved alerts pruned');
    }
    const reports = await this.deps.store.pruneReports(before);
    if (reports > 0) {
      this.deps.logger.info({ reports, before: new Date(before).toISOString() }, 'old scheduled reports forgotten');
    }
    return { ...pruned, reports };
  }
}
