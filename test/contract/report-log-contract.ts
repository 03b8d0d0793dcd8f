// Contract of ReportLog: every store (SQLite, PostgreSQL) passes it.
import { describe, expect, it } from 'vitest';
import type { ReportLog } from '../../src/ports/report-log.js';

const SLOT = Date.UTC(2026, 0, 5, 15, 0);
const DAY = 86_400_000;

export function describeReportLogContract(log: () => ReportLog): void {
  describe('report log', () => {
    it('a report is claimed once: a second claim of the same schedule and slot is refused', async () => {
      const l = log();
      expect(await l.claimReport('config:0 0 9 * * 1-5 UTC', SLOT, SLOT)).toBe(true);
      expect(await l.claimReport('config:0 0 9 * * 1-5 UTC', SLOT, SLOT + 60_000)).toBe(false);
    });

    it('schedules and slots are apart from one another', async () => {
      const l = log();
      expect(await l.claimReport('a', SLOT, SLOT)).toBe(true);
      expect(await l.claimReport('b', SLOT, SLOT)).toBe(true);
      expect(await l.claimReport('a', SLOT + DAY, SLOT + DAY)).toBe(true);
    });

    it('claimed many times at once, a report goes to exactly one caller', async () => {
      const l = log();
      const answers = await Promise.all(Array.from({ length: 10 }, () => l.claimReport('same', SLOT, SLOT)));
      expect(answers.filter(Boolean)).toHaveLength(1);
    });

    it('a released claim can be made again', async () => {
      const l = log();
      expect(await l.claimReport('a', SLOT, SLOT)).toBe(true);
      await l.releaseReport('a', SLOT);
      expect(await l.lastReport('a', SLOT + DAY)).toBeUndefined();
      expect(await l.claimReport('a', SLOT, SLOT + 1)).toBe(true);
    });

    it('the last report of a schedule is its latest slot before the one asked about', async () => {
      const l = log();
      expect(await l.lastReport('a', SLOT)).toBeUndefined();
      await l.claimReport('a', SLOT - 3 * DAY, SLOT);
      await l.claimReport('a', SLOT - DAY, SLOT);
      await l.claimReport('a', SLOT, SLOT);
      await l.claimReport('b', SLOT - 60_000, SLOT);
      expect(await l.lastReport('a', SLOT)).toBe(SLOT - DAY);
      expect(await l.lastReport('a', SLOT + 1)).toBe(SLOT);
      expect(await l.lastReport('a', SLOT - DAY)).toBe(SLOT - 3 * DAY);
    });

    it('pruning forgets the claims of reports due before the cut, of every schedule, and keeps the rest', async () => {
      const l = log();
      await l.claimReport('old', SLOT - 200 * DAY, SLOT - 200 * DAY);
      await l.claimReport('a', SLOT - 190 * DAY, SLOT - 190 * DAY);
      await l.claimReport('a', SLOT - DAY, SLOT - DAY);
      await l.claimReport('a', SLOT, SLOT);
      expect(await l.pruneReports(SLOT - DAY)).toBe(2);
      expect(await l.lastReport('old', SLOT)).toBeUndefined();
      expect(await l.lastReport('a', SLOT - DAY)).toBeUndefined();
      expect(await l.lastReport('a', SLOT)).toBe(SLOT - DAY);
      // What stays is still claimed: pruning never lets a kept report be sent again.
      expect(await l.claimReport('a', SLOT - DAY, SLOT + 1)).toBe(false);
      expect(await l.claimReport('a', SLOT, SLOT + 1)).toBe(false);
      expect(await l.pruneReports(SLOT - DAY)).toBe(0);
    });
  });
}
