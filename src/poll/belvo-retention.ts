// Keeps the Belvo tables from growing without end: webhooks and link events older than the retention are forgotten
// a few times a day. Link states stay (they are the current truth, not history). The spike baseline needs the link
// events of its whole window, so the configuration refuses a retention shorter than that.
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { Store } from '../ports/store.js';
import type { Pollable } from './scheduler.js';

export class BelvoRetention implements Pollable {
  readonly id = 'belvo-retention';

  constructor(
    private readonly deps: { store: Store; clock: Clock; logger: Logger },
    private readonly retentionMs: number,
  ) {}

  async poll(): Promise<{ webhooks: number; linkEvents: number }> {
    const before = this.deps.clock.now() - this.retentionMs;
    const pruned = await this.deps.store.pruneBelvo({ webhooksBefore: before, linkEventsBefore: before });
    if (pruned.webhooks > 0 || pruned.linkEvents > 0) {
      this.deps.logger.info({ ...pruned, before: new Date(before).toISOString() }, 'old Belvo webhooks pruned');
    }
    return pruned;
  }
}
