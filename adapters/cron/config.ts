// A subscription's `report` in the configuration: a cron expression node-cron accepts, and the time zone it is read in.
import { z } from 'zod';
import { timeZone } from '../../src/config/fields.js';
import { cronProblem } from './node-cron-scheduler.js';

export const reportSchedule = z.strictObject({
  /** Five fields: minute hour day-of-month month day-of-week ("0 9 * * 1-5": weekdays at 09:00). */
  cron: z.string().superRefine((expression, ctx) => {
    const problem = cronProblem(expression);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
  /** The clock the cron is read on; the subscription's quiet-hours zone when absent, else UTC. */
  tz: timeZone.optional(),
});
