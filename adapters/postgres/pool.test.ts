// A database restart or a DBA's pg_terminate_backend can drop a connection while the bot has it checked out (between
// two statements of a transaction). The replica must survive it: the next statement fails, the pool replaces the
// connection, and the process goes on (an unheard 'error' event on the client would end it).
import { afterAll, describe, expect, it } from 'vitest';
import { PG_URL, uniqueSchema, withAdmin } from '../../test/support/postgres.js';
import { createPool } from './pool.js';

describe('the PostgreSQL pool when the server drops a connection', () => {
  const applicationName = uniqueSchema('pooldrop');
  const pool = createPool({ url: PG_URL, schema: 'public', poolSize: 2, applicationName });
  afterAll(() => pool.end());

  it('a connection dropped while checked out fails its next statement; the process and the pool go on', async () => {
    const client = await pool.connect();
    await client.query('SELECT 1');
    const dropped = new Promise<void>((resolve) => client.once('end', () => resolve()));
    const terminated = await withAdmin(
      async (c) =>
        (
          await c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [
            applicationName,
          ])
        ).rowCount,
    );
    expect(terminated).toBe(1);
    await dropped;
    await expect(client.query('SELECT 1')).rejects.toThrow();
    client.release(true);

    const { rows } = await pool.query<{ answer: number }>('SELECT 42 AS answer');
    expect(rows).toEqual([{ answer: 42 }]);
  });
});
