// Which replica polls and ticks: the one holding the leader lease. Every replica tries to take it at start and every
// third of its time; the holder renews it. A replica that cannot renew in time (the database unreachable, the process
// paused) steps down before its lease can have passed to another, and its commits carry the lease's token, so one
// that wakes up late cannot write anyway. One process alone (SQLite) has no lease and always leads.
import type { Logger } from '../ports/logger.js';
import type { LeaderLease, LeadershipMetrics, Role } from '../ports/replicas.js';

export interface LeadershipOptions {
  lease: LeaderLease;
  ttlMs: number;
  logger: Logger;
  /** Became leader: start polling and ticking. */
  onGain: () => Promise<void> | void;
  /** No longer leader: stop polling and ticking (what runs finishes; its commits are refused by the fence). */
  onLose: () => Promise<void> | void;
  metrics?: LeadershipMetrics;
  now?: () => number;
}

export class Leadership {
  private current: Role = 'follower';
  private token: number | undefined;
  /** When the last successful renewal was asked for: the lease runs from no earlier than then. */
  private renewedAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;

  constructor(private readonly opts: LeadershipOptions) {}

  get role(): Role {
    return this.current;
  }

  get isLeader(): boolean {
    return this.current === 'leader';
  }

  /** The fencing token while leader; commits of leader work carry it. */
  fence(): number | undefined {
    return this.isLeader ? this.token : undefined;
  }

  /** Tries at once, then every third of the lease. Resolves after the first try. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.step();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    if (this.isLeader) {
      await this.demote('stopping');
      // A clean stop hands over at once instead of after the lease.
      await this.opts.lease.release().catch((err: unknown) => this.opts.logger.warn({ err }, 'lease not released'));
    }
  }

  private get now(): number {
    return (this.opts.now ?? Date.now)();
  }

  private step(): Promise<void> {
    this.running = this.tryOnce().finally(() => {
      this.running = undefined;
      if (!this.stopped) this.timer = setTimeout(() => void this.step(), Math.max(100, this.opts.ttlMs / 3));
    });
    return this.running;
  }

  private async tryOnce(): Promise<void> {
    const { lease, ttlMs, logger, metrics } = this.opts;
    const askedAt = this.now;
    let token: number | undefined;
    try {
      token = await lease.tryAcquire(ttlMs);
    } catch (err) {
      const was = this.current;
      // Past its lease without a renewal, a leader may already have a successor: step down.
      if (was === 'leader' && this.now - this.renewedAt >= ttlMs * 0.9) await this.demote('lease not renewed in time');
      if (this.current !== 'leader') this.set('unreachable');
      if (was !== 'unreachable') logger.warn({ err }, 'cannot reach the database for the leader lease');
      return;
    }
    if (this.stopped) return;
    if (token === undefined) {
      if (this.current === 'leader') await this.demote('another replica holds the lease');
      this.set('follower');
      return;
    }
    this.renewedAt = askedAt;
    metrics?.renewed();
    const fresh = this.current !== 'leader' || this.token !== token;
    this.token = token;
    if (!fresh) return;
    this.set('leader');
    logger.info({ term: token }, 'this replica leads: polling and ticking');
    try {
      await this.opts.onGain();
    } catch (err) {
      logger.error({ err }, 'could not start leading');
    }
  }

  private async demote(why: string): Promise<void> {
    this.set('follower');
    this.token = undefined;
    this.opts.metrics?.lost();
    this.opts.logger.warn({ why }, 'this replica no longer leads: another takes polling and ticking');
    try {
      await this.opts.onLose();
    } catch (err) {
      this.opts.logger.error({ err }, 'could not stop leading cleanly');
    }
  }

  private set(role: Role): void {
    this.current = role;
    this.opts.metrics?.role(role);
  }
}
