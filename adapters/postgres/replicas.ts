// The leader lease and the destinations' pace, kept in PostgreSQL for every replica.
import type pg from 'pg';
import type { LeaderLease, SendPacing } from '../../src/ports/replicas.js';
import { DB_NOW_MS } from './postgres-store.js';

/**
 * One row per lease. Taken when free or expired (by the database's clock, the one clock all replicas share), renewed
 * by its holder; a new holder gets the next token, which commits carry and the store checks (fencing).
 */
export function createPgLeaderLease(pool: () => pg.Pool, holder: string, name = 'leader'): LeaderLease {
  return {
    async tryAcquire(ttlMs) {
      const { rows } = await pool().query<{ token: number }>(
        `INSERT INTO leases (name, holder, token, expires_at) VALUES ($1, $2, 1, ${DB_NOW_MS} + $3)
         ON CONFLICT (name) DO UPDATE SET
           token = CASE WHEN leases.holder = excluded.holder AND leases.expires_at > ${DB_NOW_MS}
             THEN leases.token ELSE leases.token + 1 END,
           holder = excluded.holder,
           expires_at = excluded.expires_at
         WHERE leases.holder = excluded.holder OR leases.expires_at <= ${DB_NOW_MS}
         RETURNING token`,
        [name, holder, ttlMs],
      );
      return rows[0]?.token;
    },
    async release() {
      await pool().query(`UPDATE leases SET expires_at = 0 WHERE name = $1 AND holder = $2`, [name, holder]);
    },
  };
}

/** The pace of each destination, reserved in one statement so two replicas never both get the same slot. */
export function createPgPacing(pool: () => pg.Pool): SendPacing {
  return {
    async reserve(destination, minIntervalMs, now) {
      const interval = Math.max(0, minIntervalMs);
      for (;;) {
        // FOR UPDATE in the sub-select: a replica reserving at the same moment is waited for and its slot seen.
        const { rows } = await pool().query<{ ready_at: number }>(
          `UPDATE destination_pace d SET next_send_at = CASE
             WHEN GREATEST(old.next_send_at, old.paused_until) <= $2 THEN $2::bigint + $3 ELSE old.next_send_at END
           FROM (SELECT destination, next_send_at, paused_until FROM destination_pace WHERE destination = $1
             FOR UPDATE) old
           WHERE d.destination = old.destination
           RETURNING GREATEST(old.next_send_at, old.paused_until) AS ready_at`,
          [destination, now, interval],
        );
        if (rows[0]) return Math.max(now, rows[0].ready_at);
        const first = await pool().query(
          `INSERT INTO destination_pace (destination, next_send_at) VALUES ($1, $2::bigint + $3)
           ON CONFLICT (destination) DO NOTHING`,
          [destination, now, interval],
        );
        if (first.rowCount === 1) return now;
      }
    },
    async sent(destination, minIntervalMs, at) {
      if (minIntervalMs <= 0) return;
      await pool().query(
        `UPDATE destination_pace SET next_send_at = GREATEST(next_send_at, $2::bigint + $3) WHERE destination = $1`,
        [destination, at, minIntervalMs],
      );
    },
    async pause(destination, until) {
      await pool().query(
        `INSERT INTO destination_pace (destination, next_send_at, paused_until) VALUES ($1, 0, $2)
         ON CONFLICT (destination) DO UPDATE SET paused_until = GREATEST(destination_pace.paused_until, $2)`,
        [destination, until],
      );
    },
  };
}
