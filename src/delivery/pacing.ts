// Each destination's pace kept in memory: right for one process; replicas share theirs through the database.
import type { SendPacing } from '../ports/replicas.js';

export class LocalPacing implements SendPacing {
  private readonly lastSend = new Map<string, number>();
  /** A destination that said "wait" (Retry-After) is left alone until then, whichever message is next. */
  private readonly pausedUntil = new Map<string, number>();

  async reserve(destination: string, minIntervalMs: number, now: number): Promise<number> {
    const last = this.lastSend.get(destination);
    const paced = last === undefined || minIntervalMs <= 0 ? 0 : last + minIntervalMs;
    const readyAt = Math.max(paced, this.pausedUntil.get(destination) ?? 0);
    return Math.max(readyAt, now);
  }

  async sent(destination: string, _minIntervalMs: number, at: number): Promise<void> {
    this.lastSend.set(destination, at);
  }

  async pause(destination: string, until: number): Promise<void> {
    this.pausedUntil.set(destination, until);
  }
}
