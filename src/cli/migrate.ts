// `belvo-status migrate`: applies the store's migrations and exits, for teams that run schema changes as their own
// step (the bot applies them at start too, unless storage.migrateOnStart is false). Safe beside running replicas:
// PostgreSQL migrations run under an advisory lock, SQLite's in one write transaction.
import { Command } from 'commander';
import { configOption, type Done, examples } from './define.js';
import { configPath, EXIT, loadOrExit } from './load-config.js';

export function migrateCommand(done: Done): Command {
  return new Command('migrate')
    .summary("apply the store's migrations and exit")
    .description("apply the store's schema migrations (SQLite file or PostgreSQL schema) and exit")
    .addOption(configOption())
    .addHelpText(
      'after',
      examples(
        'belvo-status migrate --config my-config.yaml',
        'DATABASE_URL=postgres://bot@db:5432/ops belvo-status migrate --config replicas.yaml',
      ),
    )
    .action(async (opts: { config?: string }) => done(await migrate(opts.config)));
}

async function migrate(file: string | undefined): Promise<number> {
  const { config, secrets } = loadOrExit(configPath(file));
  try {
    const applied =
      config.storage.driver === 'postgres' ? await migratePostgres(config, secrets) : await migrateSqlite(config);
    const where = config.storage.driver === 'postgres' ? `schema ${config.storage.schema}` : config.storage.path;
    process.stdout.write(
      applied.length > 0 ? `applied migrations ${applied.join(', ')} to ${where}\n` : `${where} is up to date\n`,
    );
    return EXIT.ok;
  } catch (err) {
    process.stderr.write(`migrate: ${(err as Error).message}\n`);
    return EXIT.failure;
  }
}

async function migrateSqlite(config: ReturnType<typeof loadOrExit>['config']): Promise<number[]> {
  const { mkdirSync } = await import('node:fs');
  const { dirname } = await import('node:path');
  const { default: BetterSqlite3 } = await import('better-sqlite3');
  const { applyMigrations } = await import('../../adapters/sqlite/migrations.js');
  if (config.storage.path !== ':memory:') mkdirSync(dirname(config.storage.path), { recursive: true });
  const db = new BetterSqlite3(config.storage.path);
  try {
    db.pragma('journal_mode = WAL');
    return applyMigrations(db);
  } finally {
    db.close();
  }
}

async function migratePostgres(
  config: ReturnType<typeof loadOrExit>['config'],
  secrets: Map<string, string>,
): Promise<number[]> {
  const { createPool } = await import('../../adapters/postgres/pool.js');
  const { applyPgMigrations } = await import('../../adapters/postgres/migrations.js');
  const { postgresUrl } = await import('./open-store.js');
  const pool = createPool({ url: postgresUrl(config, secrets), schema: config.storage.schema, poolSize: 1 });
  try {
    const client = await pool.connect();
    try {
      return await applyPgMigrations(client, config.storage.schema);
    } finally {
      client.release();
    }
  } finally {
    await pool.end();
  }
}
