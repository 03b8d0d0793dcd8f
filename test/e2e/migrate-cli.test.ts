// `belvo-status migrate`: applies the store's migrations as a step of its own, once, on SQLite and on PostgreSQL.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PG_MIGRATIONS } from '../../adapters/postgres/migrations.js';
import { MIGRATIONS } from '../../adapters/sqlite/migrations.js';
import { dropSchema, PG_URL, uniqueSchema } from '../support/postgres.js';
import { runCli } from './bot-process.js';

describe('belvo-status migrate', () => {
  const dir = mkdtempSync(join(tmpdir(), 'belvo-migrate-'));
  const schema = uniqueSchema('migrate_cli');
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await dropSchema(schema);
  });

  function configFile(name: string, storage: string): string {
    const file = join(dir, name);
    writeFileSync(file, `storage: ${storage}\ndestinations: [{ id: console, type: console }]\n`);
    return file;
  }

  it('applies what is missing, then finds the store up to date (PostgreSQL, the URL from the environment)', async () => {
    const file = configFile('pg.yaml', `{ driver: postgres, url: { secretEnv: DATABASE_URL }, schema: ${schema} }`);
    const first = await runCli(['migrate', '--config', file], { env: { DATABASE_URL: PG_URL } });
    expect(first.stdout).toBe(
      `applied migrations ${PG_MIGRATIONS.map((m) => m.version).join(', ')} to schema ${schema}\n`,
    );
    expect(first.code).toBe(0);
    const again = await runCli(['migrate', '--config', file], { env: { DATABASE_URL: PG_URL } });
    expect([again.code, again.stdout]).toEqual([0, `schema ${schema} is up to date\n`]);
  });

  it('says which variable is missing instead of connecting anywhere', async () => {
    const file = configFile(
      'pg-missing.yaml',
      `{ driver: postgres, url: { secretEnv: DATABASE_URL }, schema: ${schema} }`,
    );
    const run = await runCli(['migrate', '--config', file], { env: { DATABASE_URL: '' } });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('DATABASE_URL');
  });

  it('applies SQLite migrations to a new file', async () => {
    const path = join(dir, 'data', 'bot.db');
    const file = configFile('sqlite.yaml', `{ driver: sqlite, path: ${path} }`);
    const run = await runCli(['migrate', '--config', file]);
    expect([run.code, run.stdout]).toEqual([
      0,
      `applied migrations ${MIGRATIONS.map((m) => m.version).join(', ')} to ${path}\n`,
    ]);
  });
});
