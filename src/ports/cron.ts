// Time-of-day schedules (cron expressions on a local clock), behind a port: the bot uses node-cron, tests a scheduler
// they fire by hand.

export interface CronTask {
  stop(): void;
}

export interface CronScheduler {
  /**
   * Calls `run(slot)` at every minute `cron` names on the clock of `tz`, `slot` being that minute (ms since the
   * epoch), until the task is stopped.
   */
  schedule(cron: string, tz: string, run: (slot: number) => void): CronTask;
  /** The latest minute `cron` names in `tz` at or before `at`, looking back no further than `withinMs`. */
  lastSlot(cron: string, tz: string, at: number, withinMs: number): number | undefined;
}
