// Which scheduled reports went out: a report is sent by whoever claims its (schedule, slot) first, so a restart, a
// late catch-up and a second replica never send it twice.

export interface ReportLog {
  /**
   * Claims the report of `schedule` due at `slot` (ms), atomically: true for exactly one caller, ever; false when it
   * was already claimed (sent, or being sent).
   */
  claimReport(schedule: string, slot: number, at: number): Promise<boolean>;
  /** Gives a claim back when its report could not be queued, so the next attempt may send it. */
  releaseReport(schedule: string, slot: number): Promise<void>;
  /** The latest slot claimed for `schedule` before `before`: where the next report's period starts. */
  lastReport(schedule: string, before: number): Promise<number | undefined>;
  /**
   * Forgets the claims of reports due before `before` (the retention job, with `retention.alerts`), returning how
   * many. A slot that old is far past the hour in which a missed report is still sent, so forgetting its claim can
   * never send it again; the next report of that schedule then covers its default period (history reaches no
   * further back anyway).
   */
  pruneReports(before: number): Promise<number>;
}
