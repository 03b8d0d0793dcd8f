// A CronScheduler the test fires by hand: `runDue(from, to)` runs every task for each minute in (from, to] its cron
// names on its clock, as node-cron would have (the matching is node-cron's own, through the real adapter).
import { createNodeCronScheduler } from '../../adapters/cron/node-cron-scheduler.js';
import type { CronScheduler } from '../../src/ports/cron.js';

const MINUTE = 60_000;

interface FakeTask {
  cron: string;
  tz: string;
  run: (slot: number) => void;
  stopped: boolean;
}

export class FakeCron implements CronScheduler {
  readonly tasks: FakeTask[] = [];
  private readonly real = createNodeCronScheduler();

  schedule(cron: string, tz: string, run: (slot: number) => void) {
    const task: FakeTask = { cron, tz, run, stopped: false };
    this.tasks.push(task);
    return {
      stop: () => {
        task.stopped = true;
      },
    };
  }

  lastSlot(cron: string, tz: string, at: number, withinMs: number): number | undefined {
    return this.real.lastSlot(cron, tz, at, withinMs);
  }

  /** The live tasks. */
  get live(): FakeTask[] {
    return this.tasks.filter((t) => !t.stopped);
  }

  /** Fires what is due in (from, to]; returns how many times a task ran. */
  runDue(from: number, to: number): number {
    let ran = 0;
    for (let t = Math.floor(from / MINUTE) * MINUTE + MINUTE; t <= to; t += MINUTE) {
      for (const task of this.live) {
        if (this.real.lastSlot(task.cron, task.tz, t, 0) === t) {
          task.run(t);
          ran++;
        }
      }
    }
    return ran;
  }
}
