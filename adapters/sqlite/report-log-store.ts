// The SQLite side of ReportLog (table of migration 10): a claim is an insert that only the first caller makes.
import type BetterSqlite3 from 'better-sqlite3';
import type { ReportLog } from '../../src/ports/report-log.js';

export function prepareReportLogStatements(db: BetterSqlite3.Database) {
  return {
    claim: db.prepare(
      'INSERT INTO report_log (schedule, slot, claimed_at) VALUES (?, ?, ?) ON CONFLICT (schedule, slot) DO NOTHING',
    ),
    release: db.prepare('DELETE FROM report_log WHERE schedule = ? AND slot = ?'),
    last: db.prepare('SELECT MAX(slot) AS slot FROM report_log WHERE schedule = ? AND slot < ?'),
    prune: db.prepare('DELETE FROM report_log WHERE slot < ?'),
  };
}

export type ReportLogStatements = ReturnType<typeof prepareReportLogStatements>;

export function reportLogMethods(open: () => ReportLogStatements): ReportLog {
  return {
    async claimReport(schedule, slot, at) {
      return open().claim.run(schedule, slot, at).changes === 1;
    },
    async releaseReport(schedule, slot) {
      open().release.run(schedule, slot);
    },
    async lastReport(schedule, before) {
      const row = open().last.get(schedule, before) as { slot: number | null } | undefined;
      return row?.slot ?? undefined;
    },
    async pruneReports(before) {
      return open().prune.run(before).changes;
    },
  };
}
