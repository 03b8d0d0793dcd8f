// Runs each source's poll on its own interval with jitter, one poll per source at a time. A poll that runs long
// delays the next one instead of overlapping it; `pollNow` (a push webhook) runs one as soon as the current ends.
import type { Logger } from '../ports/logger.js';

export interface Pollable {
  readonly id: string;
  /** May resolve to `{ notBeforeMs }`: how long the source asked to be left alone (a 429's Retry-After). */
  poll(): Promise<unknown>;
}

export interface ScheduleEntry {
  target: Pollable;
  intervalMs: number;
  /** Fraction of the interval added or removed at random, so replicas and sources do not poll in lockstep. */
  jitter: number;
}

interface Slot extends ScheduleEntry {
  timer?: NodeJS.Timeout;
  /** No poll before this time: the source asked for a pause (Retry-After). */
  notBeforeAt?: number;
  running?: Promise<void>;
  again: boolean;
}

export class PollScheduler {
  private readonly slots = new Map<string, Slot>();
  private stopped = true;

  constructor(
    entries: ScheduleEntry[],
    private readonly logger: Logger,
    private readonly random: () => number = Math.random,
  ) {
    for (const e of entries) this.slots.set(e.target.id, { ...e, again: false });
  }

  get scheduled(): number {
    return this.stopped ? 0 : this.slots.size;
  }

  /** How many polls it was built with: all of them are scheduled while it runs. */
  get expected(): number {
    return this.slots.size;
  }

  /** Starts every source: the first poll right away (spread over up to a second), then on its interval. */
  start(): void {
    this.stopped = false;
    for (const slot of this.slots.values()) this.arm(slot, this.random() * Math.min(1000, slot.intervalMs));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const slot of this.slots.values()) clearTimeout(slot.timer);
    await Promise.allSettled([...this.slots.values()].map((s) => s.running));
  }

  /** Polls a source as soon as possible (coalesced with a poll already running). */
  pollNow(id: string): boolean {
    const slot = this.slots.get(id);
    if (!slot || this.stopped) return false;
    if (slot.running) slot.again = true;
    else this.arm(slot, 0);
    return true;
  }

  private delay(slot: Slot): number {
    const spread = slot.intervalMs * slot.jitter;
    return Math.max(0, slot.intervalMs + (this.random() * 2 - 1) * spread);
  }

  private arm(slot: Slot, ms: number): void {
    clearTimeout(slot.timer);
    if (this.stopped) return;
    // A push does not override a source's request to back off.
    const wait = Math.max(ms, (slot.notBeforeAt ?? 0) - Date.now());
    slot.timer = setTimeout(() => this.run(slot), wait);
  }

  private run(slot: Slot): void {
    if (slot.running || this.stopped) return;
    slot.again = false;
    const startedAt = Date.now();
    slot.running = slot.target
      .poll()
      .then(
        (report) => {
          const pause = (report as { notBeforeMs?: number } | undefined)?.notBeforeMs ?? 0;
          slot.notBeforeAt = pause > 0 ? Date.now() + pause : undefined;
        },
        (err: unknown) => {
          // A poll that throws (a store error) is logged and retried on schedule: the bot keeps watching.
          this.logger.error({ source: slot.target.id, err }, 'poll crashed');
        },
      )
      .finally(() => {
        slot.running = undefined;
        // The period runs from start to start: a slow poll does not push every later one back.
        this.arm(slot, slot.again ? 0 : Math.max(0, this.delay(slot) - (Date.now() - startedAt)));
      });
  }
}
