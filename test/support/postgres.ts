// The PostgreSQL tests run against: 127.0.0.1:5432, database `test` (trust auth), or BELVO_TEST_DATABASE_URL. Each
// test file works in schemas of its own, dropped when it ends, so runs side by side never see each other's rows.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { applyPgMigrations, quoteIdent } from '../../adapters/postgres/migrations.js';

export const PG_URL = process.env['BELVO_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A schema name no other run uses. */
export function uniqueSchema(prefix = 't'): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/** One admin connection per call: short, so a test never holds more than it needs. */
export async function withAdmin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 10_000 });
  await client.connect().catch((err: unknown) => {
    throw new Error(
      `PostgreSQL is not answering at ${PG_URL} (start it: pg_ctlcluster --skip-systemctl-redirect 15 main start): ${String(err)}`,
    );
  });
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function dropSchema(schema: string): Promise<void> {
  await withAdmin((c) => c.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`));
}

/**
 * A schema whose tables exist and are empty, as a fresh store would find them: migrated on first use, emptied (ids
 * restarted) on each later one, over one kept connection. Much faster than a new schema per test.
 */
export function reusableSchema(prefix = 't'): { name: string; reset: () => Promise<void>; drop: () => Promise<void> } {
  const name = uniqueSchema(prefix);
  let admin: pg.Client | undefined;
  let emptyAll = '';
  return {
    name,
    async reset() {
      if (!admin) {
        const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 10_000 });
        await c.connect().catch((err: unknown) => {
          throw new Error(`PostgreSQL is not answering at ${PG_URL}: ${String(err)}`);
        });
        await c.query(`SET search_path = ${quoteIdent(name)}`);
        await applyPgMigrations(c as unknown as pg.PoolClient, name);
        const tables = await c.query<{ tablename: string }>(
          `SELECT tablename FROM pg_tables WHERE schemaname = $1 AND tablename <> 'schema_migrations'`,
          [name],
        );
        const sequences = await c.query<{ sequencename: string }>(
          'SELECT sequencename FROM pg_sequences WHERE schemaname = $1',
          [name],
        );
        // DELETE, not TRUNCATE: on tables this small it is far cheaper (no new files, no exclusive locks).
        emptyAll = [
          ...tables.rows.map((r) => `DELETE FROM ${quoteIdent(r.tablename)};`),
          ...sequences.rows.map((r) => `ALTER SEQUENCE ${quoteIdent(r.sequencename)} RESTART;`),
          `INSERT INTO counters (name, value) VALUES ('alert_id', 0);`,
        ].join('\n');
        admin = c;
        return;
      }
      await admin.query(emptyAll);
    },
    async drop() {
      await admin?.end();
      admin = undefined;
      await dropSchema(name);
    },
  };
}
