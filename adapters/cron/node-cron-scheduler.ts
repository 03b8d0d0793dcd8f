// CronScheduler on node-cron: its tasks fire on the clock of a time zone (DST included) and its matcher says which
// minutes an expression names, so the catch-up at start asks the same code that schedules.
import cron, { type ScheduledTask } from 'node-cron';
import type { CronScheduler, CronTask } from '../../src/ports/cron.js';

const MINUTE = 60_000;

/** A task that would take the process to fire (its timers are unref'd: a report never keeps the bot alive). */
export function createNodeCronScheduler(): CronScheduler {
  // A task never started is only a matcher: one per (expression, zone), kept.
  const matchers = new Map<string, ScheduledTask>();
  const matcher = (expression: string, tz: string): ScheduledTask => {
    const key = `${expression}\u0000${tz}`;
    let task = matchers.get(key);
    if (!task) {
      task = cron.createTask(expression, () => undefined, { timezone: tz });
      matchers.set(key, task);
    }
    return task;
  };
  return {
    schedule(expression, tz, run): CronTask {
      const task = cron.schedule(
        expression,
        (ctx) => {
          run(Math.floor(ctx.date.getTime() / MINUTE) * MINUTE);
        },
        // A report missed while the process slept is caught up by the bot's own rule, not node-cron's.
        { timezone: tz, noOverlap: true, unref: true, suppressMissedWarning: true },
      );
      return {
        stop: () => {
          void task.destroy();
        },
      };
    },
    lastSlot(expression, tz, at, withinMs) {
      const task = matcher(expression, tz);
      // Slots are whole minutes (five-field expressions): at most withinMs / 1 min checks.
      for (let t = Math.floor(at / MINUTE) * MINUTE; t >= at - withinMs; t -= MINUTE) {
        if (task.match(new Date(t))) return t;
      }
      return undefined;
    },
  };
}

/**
 * Why `expression` is not a five-field cron expression node-cron runs (naming the field), or undefined when it is.
 * Seconds are refused: a report is a time of day.
 */
export function cronProblem(expression: string): string | undefined {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) {
    return `"${expression}" has ${fields.length} field${fields.length === 1 ? '' : 's'}: a report's cron has five (minute hour day-of-month month day-of-week, e.g. "0 9 * * 1-5")`;
  }
  const check = cron.validateDetailed(expression);
  if (check.valid) return undefined;
  return `"${expression}" is not a cron expression: ${check.errors.map((e) => e.message.replace(' a invalid', ' not a valid')).join('; ')}`;
}
