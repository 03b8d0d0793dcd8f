// Delivers the outbox. Intents are leased from the store (so a crashed delivery is retried after its lease),
// each destination keeps its own pace, and per (alert, destination) versions go out in order (the store's claim).
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { Metrics } from '../ports/metrics.js';
import type { DeliveryHealth, DeliveryResult, Notifier } from '../ports/notifier.js';
import type { SendPacing } from '../ports/replicas.js';
import type { Intent, Store } from '../ports/store.js';
import { type BackoffPolicy, backoffDelay } from './backoff.js';
import { LocalPacing } from './pacing.js';

/** How far back a starting dispatcher looks for the previous run's last posts: longer than any destination's pace. */
const PACE_MEMORY_MS = 60_000;

export interface DispatcherOptions {
  store: Store;
  notifiers: Notifier[];
  /** Destinations not known up front (a chat channel subscribed with /belvo-status): built on first use. */
  resolveNotifier?: (destination: string) => Notifier | undefined;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  backoff: BackoffPolicy;
  leaseMs: number;
  /** Idle re-check of the outbox (retries that came due, crashed leases); a commit wakes it sooner. */
  idleMs?: number;
  /** A delivery that has not answered by then is retried later (flagged maybe-delivered). Default 60 s. */
  deliveryTimeoutMs?: number;
  /** Told of deliveries given up and made, so a destination that keeps refusing becomes an alert of its own. */
  health?: DeliveryHealth;
  batch?: number;
  /** Each destination's pace; in memory by default, shared through the database by replicas. */
  pacing?: SendPacing;
}

export class Dispatcher {
  private readonly notifiers: Map<string, Notifier>;
  private readonly pacing: SendPacing;
  /**
   * Each destination's deliveries under way in this process, one chain per destination. While one runs, its
   * destination is not claimed again, and the others go on: a hung chat call never delays a page.
   */
  private readonly busy = new Map<string, Promise<void>>();
  private timer?: NodeJS.Timeout;
  private loop?: Promise<void>;
  private woken = false;
  /** wake() does nothing until start(); drain() can also be driven directly (tests, the demo). */
  private started = false;
  private stopRequested = false;

  constructor(private readonly opts: DispatcherOptions) {
    this.notifiers = new Map(opts.notifiers.map((n) => [n.destination, n]));
    this.pacing = opts.pacing ?? new LocalPacing();
  }

  /** Takes over the outbox: what a previous holder left in flight is retried soon, not after its lease. */
  async start(): Promise<void> {
    // A request the previous run sent may still land (Slack applying a post late): wait that long before reading back.
    const settle = Math.max(0, ...[...this.notifiers.values()].map((n) => n.settleMs ?? 0));
    // What the previous run had in flight may have reached its channel the moment it died: paced from now.
    const inFlight = this.opts.pacing ? [] : await this.opts.store.listIntents({ status: 'in_flight' });
    const recovered = await this.opts.store.recoverInFlight(this.opts.clock.now() + settle);
    if (recovered > 0)
      this.opts.logger.warn({ recovered }, 'deliveries left in flight by a previous run: retrying them');
    if (!this.opts.pacing) {
      // The pace is kept in memory: a run that died a moment ago may have just posted to a channel, and its next post
      // must still wait its interval from then. (Replicas share their pace through the database instead.)
      const now = this.opts.clock.now();
      for (const [destination, at] of await this.opts.store.lastDeliveries(now - PACE_MEMORY_MS)) {
        await this.pacing.sent(destination, 0, at);
      }
      for (const destination of new Set(inFlight.map((i) => i.destination)))
        await this.pacing.sent(destination, 0, now);
    }
    this.started = true;
    this.stopRequested = false;
    this.wake();
  }

  /** Stops claiming, and waits for the deliveries under way (each ends by the delivery timeout at the latest). */
  async stop(): Promise<void> {
    this.started = false;
    this.stopRequested = true;
    clearTimeout(this.timer);
    await this.loop;
    await Promise.all(this.busy.values());
  }

  /** Something was queued, or a destination is free again: claim now rather than at the next idle check. */
  wake(): void {
    if (!this.started) return;
    if (this.loop) {
      this.woken = true;
      return;
    }
    clearTimeout(this.timer);
    this.loop = this.claimAndStart()
      .then(() => undefined)
      .catch((err: unknown) => this.opts.logger.error({ err }, 'dispatcher pass failed'))
      .finally(() => {
        this.loop = undefined;
        if (!this.started) return;
        if (this.woken) {
          this.woken = false;
          this.wake();
        } else {
          this.timer = setTimeout(() => this.wake(), this.opts.idleMs ?? 250);
        }
      });
  }

  /**
   * Delivers until nothing is due and no delivery is under way. Returns the number of intents handled (tests and
   * the demo drive it directly; a started dispatcher claims on its own).
   */
  async drain(): Promise<number> {
    let handled = 0;
    for (;;) {
      handled += await this.claimAndStart();
      if (this.busy.size === 0) return handled;
      // A destination that is free again may have its next version due.
      await Promise.race(this.busy.values());
    }
  }

  /** Claims what is due for the destinations not busy here and starts their deliveries, without waiting for them. */
  private async claimAndStart(): Promise<number> {
    let claimedCount = 0;
    for (;;) {
      const claimed = await this.opts.store.claimIntents({
        now: this.opts.clock.now(),
        limit: this.opts.batch ?? 50,
        leaseMs: this.opts.leaseMs,
        skipDestinations: [...this.busy.keys()],
      });
      if (claimed.length === 0) return claimedCount;
      // Within a destination, in order (its pace, and the store's per-alert version order, hold).
      const byDestination = new Map<string, Intent[]>();
      for (const intent of claimed) {
        const list = byDestination.get(intent.destination) ?? [];
        list.push(intent);
        byDestination.set(intent.destination, list);
      }
      for (const [destination, intents] of byDestination) this.startDeliveries(destination, intents);
      claimedCount += claimed.length;
      if (this.stopRequested) return claimedCount;
    }
  }

  private startDeliveries(destination: string, intents: Intent[]): void {
    // Chained after any run for this destination (two claims overlapping, drain() beside the loop): never two at once.
    const previous = this.busy.get(destination) ?? Promise.resolve();
    const run: Promise<void> = previous
      .then(() => this.deliverAll(destination, intents))
      .catch((err: unknown) => this.opts.logger.error({ err, destination }, 'delivery pass failed'))
      .finally(() => {
        if (this.busy.get(destination) === run) this.busy.delete(destination);
        this.wake();
      });
    this.busy.set(destination, run);
  }

  private async deliverAll(destination: string, intents: Intent[]): Promise<void> {
    for (const intent of intents) await this.deliverOne(destination, intent);
  }

  /** A hung platform call must not hold the outbox: give up waiting and retry (the notifier checks before re-posting). */
  private withTimeout(delivery: Promise<DeliveryResult>): Promise<DeliveryResult> {
    // Above a notifier's own worst case (Slack: a history read, an edit and a reply, 10 s each).
    const ms = this.opts.deliveryTimeoutMs ?? 60_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<DeliveryResult>((resolve) => {
      // The call may still land: the retry waits as long again before it reads back.
      timer = setTimeout(() => resolve({ outcome: 'retry', error: `no answer within ${ms} ms`, settleMs: ms }), ms);
    });
    return Promise.race([delivery, timeout]).finally(() => clearTimeout(timer));
  }

  private async deliverOne(destination: string, intent: Intent): Promise<void> {
    const { store, clock, logger, metrics, backoff } = this.opts;
    let notifier = this.notifiers.get(destination);
    if (!notifier && this.opts.resolveNotifier) {
      notifier = this.opts.resolveNotifier(destination);
      if (notifier) this.notifiers.set(destination, notifier);
    }
    if (!notifier) {
      await store.completeIntent(intent.id, {
        status: 'failed',
        error: `no destination "${destination}" is configured`,
      });
      logger.error({ destination, intent: intent.id }, 'delivery for an unknown destination dropped');
      metrics.delivery(destination, 'failed');
      // A channel subscribed from chat whose platform is not set up (no bot token) must not fail in silence.
      await this.opts.health?.failed(destination, `no destination "${destination}" is configured`);
      return;
    }
    // Not yet: back in line without counting an attempt. Never sleep here, other destinations are waiting.
    const asked = clock.now();
    const readyAt = await this.pacing.reserve(destination, notifier.minIntervalMs, asked);
    if (readyAt > asked) {
      await store.completeIntent(intent.id, { status: 'defer', nextAttemptAt: readyAt });
      return;
    }
    // Counted now, durably, before the request goes: an attempt the bot dies in is known to the next one.
    const attempt = await store.countAttempt(intent.id);
    let result: DeliveryResult;
    try {
      const refs = await store.listMessageRefs(intent.alertId);
      const parent = refs.find((r) => r.destination === destination);
      const related = refs.filter((r) => r.destination !== destination);
      result = await this.withTimeout(
        notifier.deliver({
          intentId: intent.id,
          destination,
          event: intent.event,
          ...(parent && { parent }),
          ...(related.length > 0 && { related }),
          attempt,
          // A second attempt may follow one that reached the platform before the bot died or timed out.
          maybeDelivered: attempt > 1,
        }),
      );
    } catch (err) {
      result = { outcome: 'retry', error: err instanceof Error ? err.message : String(err) };
    }
    const now = clock.now();
    await this.pacing.sent(destination, notifier.minIntervalMs, now);
    const log = { destination, alert: intent.alertId, version: intent.version, attempt };
    if (result.outcome === 'delivered') {
      await store.completeIntent(intent.id, {
        status: 'delivered',
        at: now,
        ...(result.parent && { parent: result.parent }),
      });
      metrics.delivery(destination, 'delivered');
      logger.debug(log, 'delivered');
      await this.opts.health?.delivered(destination);
    } else if (result.outcome === 'retry' && attempt < backoff.maxAttempts) {
      // A request the platform may still apply (it timed out, or a 5xx) is read back no sooner than it settles.
      const delay = Math.max(result.retryAfterMs ?? 0, result.settleMs ?? 0, backoffDelay(backoff, attempt));
      if (result.retryAfterMs !== undefined) await this.pacing.pause(destination, now + result.retryAfterMs);
      await store.completeIntent(intent.id, { status: 'retry', nextAttemptAt: now + delay, error: result.error });
      metrics.delivery(destination, 'retry');
      logger.warn({ ...log, error: result.error, retryInMs: delay }, 'delivery failed, will retry');
    } else {
      await store.completeIntent(intent.id, { status: 'failed', error: result.error });
      metrics.delivery(destination, 'failed');
      const why =
        result.outcome === 'failed'
          ? `refused: ${result.error} (a person must act: check the channel, the bot's membership and the token)`
          : `still failing after ${attempt} attempts: ${result.error}`;
      logger.error({ ...log, error: result.error }, `delivery to ${destination} given up, ${why}`);
      await this.opts.health?.failed(destination, result.error);
    }
  }
}
