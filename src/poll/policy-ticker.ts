// Runs what changes with time alone (escalations, reminders, silences ending, quiet-hours digests) every few
// seconds. Each check reads the firing alerts, decides with the pure policy, and commits like a poll does; a check
// that loses a race with a poll (an alert written meanwhile) simply tries again at the next one.
import { applyPolicy } from '../engine/policy.js';
import { policyTick } from '../engine/policy-tick.js';
import { quietDigests } from '../engine/quiet-digest.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import { type NewIntent, type Store, StoreConflictError } from '../ports/store.js';
import { loadPolicyContext, type RoutingSources } from './routing-context.js';

export interface PolicyTickerDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  routing: RoutingSources;
  intervalMs: number;
  onIntents: () => void;
}

/** How far back a digest looks for what changed (a night's window, plus the latest a digest may go out). */
const DIGEST_LOOKBACK_MS = 36 * 3_600_000;

export class PolicyTicker {
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private stopped = true;
  /** Digests already committed by this process: the outbox would ignore them anyway, this saves the write. */
  private readonly digestsDone = new Set<string>();

  constructor(private readonly deps: PolicyTickerDeps) {}

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.check()
        .catch((err: unknown) => this.deps.logger.error({ err }, 'policy check failed'))
        .finally(() => this.schedule());
    }, this.deps.intervalMs);
  }

  /** One check. Returns how many intents it queued (tests drive it directly). */
  async check(): Promise<number> {
    const { store, clock, logger } = this.deps;
    const now = clock.now();
    const [firing, ctx] = await Promise.all([
      store.listAlerts({ states: ['firing'] }),
      loadPolicyContext(store, this.deps.routing, now),
    ]);
    const tick = policyTick(firing, ctx);
    const decided = applyPolicy(tick.events, tick.alerts, ctx);
    let digests: NewIntent[] = [];
    if (ctx.subscriptions.some((s) => s.filter.quietHours)) {
      const changed = await store.listAlerts({ changedSince: now - DIGEST_LOOKBACK_MS });
      digests = quietDigests(ctx.subscriptions, changed, now).filter(
        (d) => !this.digestsDone.has(`${d.alertId}/${d.destination}`),
      );
    }
    const intents = [...decided.intents, ...digests];
    if (decided.alerts.length === 0 && intents.length === 0) return 0;
    try {
      await store.commitEvaluation({ alerts: decided.alerts, intents, cursors: [] });
    } catch (err) {
      if (err instanceof StoreConflictError) {
        logger.debug({}, 'an alert changed during the policy check; checking again next time');
        return 0;
      }
      throw err;
    }
    for (const d of digests) this.digestsDone.add(`${d.alertId}/${d.destination}`);
    for (const e of decided.events) {
      logger.info({ alert: e.alert.id, event: e.type, version: e.version, reason: e.reason }, 'alert event');
    }
    for (const d of digests) logger.info({ destination: d.destination, digest: d.alertId }, 'quiet-hours digest');
    if (intents.length > 0) this.deps.onIntents();
    return intents.length;
  }
}
