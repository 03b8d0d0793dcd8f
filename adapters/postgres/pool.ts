// One connection pool per store: every connection works in the configured schema, BIGINT columns (times in ms, ids)
// come back as numbers, and a transaction helper that always releases its connection.
import pg from 'pg';
import { quoteIdent } from './migrations.js';

export interface PgConnectionOptions {
  /** `postgres://user@host:5432/db` (a password in it is never logged). */
  url: string;
  /** Every table lives in this schema; created if missing. */
  schema: string;
  /** Connections in the pool. */
  poolSize?: number;
  /** Shown in pg_stat_activity, so a DBA can tell the bot's connections apart (default: `belvo-status:<schema>`). */
  applicationName?: string;
}

/** Our BIGINTs are milliseconds and row ids: well within a double's exact integers. */
const types = {
  getTypeParser(oid: number, format?: string) {
    if (oid === pg.types.builtins.INT8) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

export function connectionConfig(o: PgConnectionOptions): pg.ClientConfig {
  return {
    connectionString: o.url,
    // search_path set at connect time: no statement names the schema, and prepared statements stay valid.
    options: `-c search_path=${quoteIdent(o.schema)}`,
    application_name: o.applicationName ?? `belvo-status:${o.schema}`.slice(0, 63),
    types,
    connectionTimeoutMillis: 5_000,
    // A connection stuck behind a lock or a dead server fails instead of hanging a poll or a webhook for ever.
    query_timeout: 30_000,
  };
}

export function createPool(o: PgConnectionOptions): pg.Pool {
  const pool = new pg.Pool({ ...connectionConfig(o), max: o.poolSize ?? 10, idleTimeoutMillis: 30_000 });
  // An idle connection the server dropped (a restart) errors on the pool, not on a query: the pool replaces it.
  pool.on('error', () => undefined);
  // A connection dropped while checked out (between two statements of a transaction) errors on its client, which the
  // pool stops listening to while it is lent: unheard, that event would end the process. The statement in progress,
  // or the next one, fails as usual and the broken connection is discarded on release.
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
  });
  return pool;
}

/** Runs `fn` in one transaction on one connection; rolls back on any error. */
export async function inTransaction<T>(
  pool: pg.Pool,
  fn: (c: pg.PoolClient) => Promise<T>,
  begin = 'BEGIN',
): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query(begin);
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {
      broken = true;
    });
    throw err;
  } finally {
    // A connection that could not even roll back is not given to the next caller.
    client.release(broken);
  }
}

/** PostgreSQL's SQLSTATE of a failed query, if it was one. */
export function sqlState(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string'
    ? err.code
    : undefined;
}

/** Two writers met: a unique key taken meanwhile, a serialisation failure, a deadlock. Deciding again settles it. */
export function isWriteConflict(err: unknown): boolean {
  const code = sqlState(err);
  return code === '23505' || code === '40001' || code === '40P01';
}
