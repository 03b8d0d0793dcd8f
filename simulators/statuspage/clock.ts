// A hand-driven clock for scripted scenarios: tests move time explicitly instead of sleeping.
import { toEpochMs } from './time.js';

export class ManualClock {
  private ms: number;

  constructor(start: number | Date | string = '2022-02-15T21:37:37.407Z') {
    this.ms = toEpochMs(start);
  }

  /** Bound, so it can be handed over as `now` directly. */
  readonly now = (): number => this.ms;

  advance(ms: number): number {
    this.ms += ms;
    return this.ms;
  }

  set(time: number | Date | string): void {
    this.ms = toEpochMs(time);
  }
}
