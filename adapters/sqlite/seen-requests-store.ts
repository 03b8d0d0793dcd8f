// The SQLite side of SeenRequests (table of migration 6): one upsert per signed request, expired keys pruned as
// new ones arrive.
import type BetterSqlite3 from 'better-sqlite3';
import type { SeenRequests } from '../../src/ports/seen-requests.js';

export function prepareSeenStatements(db: BetterSqlite3.Database) {
  return {
    // Inserted when new; an expired key is taken over (new again); a remembered one changes nothing.
    remember: db.prepare(`
      INSERT INTO seen_requests (key, until) VALUES (@key, @until)
      ON CONFLICT (key) DO UPDATE SET until = excluded.until WHERE seen_requests.until <= @now`),
    prune: db.prepare('DELETE FROM seen_requests WHERE until <= ?'),
  };
}

export type SeenStatements = ReturnType<typeof prepareSeenStatements>;

export function seenRequestMethods(open: () => { db: BetterSqlite3.Database; st: SeenStatements }): SeenRequests {
  return {
    async firstSeen(key, until, now) {
      const { db, st } = open();
      const run = db.transaction(() => {
        st.prune.run(now);
        return st.remember.run({ key, until, now }).changes === 1;
      });
      return run.immediate();
    },
  };
}
