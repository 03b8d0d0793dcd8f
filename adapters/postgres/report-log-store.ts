// The PostgreSQL side of ReportLog (table of migration 10): the primary key decides which replica's claim wins.
import type pg from 'pg';
import type { ReportLog } from '../../src/ports/report-log.js';

export function reportLogMethods(open: () => pg.Pool): ReportLog {
  return {
    async claimReport(schedule, slot, at) {
      const { rowCount } = await open().query(
        'INSERT INTO report_log (schedule, slot, claimed_at) VALUES ($1, $2, $3) ON CONFLICT (schedule, slot) DO NOTHING',
        [schedule, slot, at],
      );
      return rowCount === 1;
    },
    async releaseReport(schedule, slot) {
      await open().query('DELETE FROM report_log WHERE schedule = $1 AND slot = $2', [schedule, slot]);
    },
    async lastReport(schedule, before) {
      const { rows } = await open().query<{ slot: string | null }>(
        'SELECT MAX(slot) AS slot FROM report_log WHERE schedule = $1 AND slot < $2',
        [schedule, before],
      );
      const slot = rows[0]?.slot;
      return slot === null || slot === undefined ? undefined : Number(slot);
    },
    async pruneReports(before) {
      const { rowCount } = await open().query('DELETE FROM report_log WHERE slot < $1', [before]);
      return rowCount ?? 0;
    },
  };
}
