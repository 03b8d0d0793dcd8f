// The read-only command context the CLI builds beside a running bot: the store it writes (SQLite WAL allows a reader
// alongside) and the Belvo account as that store holds it. Shared by `status` and `audit`.
import { existsSync } from 'node:fs';
import { belvoBaseUrl } from '../../adapters/belvo/api/base-url.js';
import type { CommandContext } from '../commands/handlers.js';
import { storedBelvoView } from '../commands/stored-belvo-view.js';
import type { Config } from '../config/schema.js';
import type { Store } from '../ports/store.js';

/** Runs `use` with the stored context, or answers 1 when the bot has never written a store at that path. */
export async function withStoredContext(
  config: Config,
  use: (ctx: CommandContext, store: Store) => Promise<number>,
  /** The config's secrets: a PostgreSQL store's URL is one. */
  secrets: Map<string, string> = new Map(),
): Promise<number> {
  if (config.storage.driver === 'sqlite' && config.storage.path !== ':memory:' && !existsSync(config.storage.path)) {
    process.stderr.write(`no store at ${config.storage.path}: has the bot run with this config?\n`);
    return 1;
  }
  const { openStore } = await import('./open-store.js');
  const { store } = await openStore(config, secrets);
  await store.init();
  const view = storedBelvoView(config, store, belvoBaseUrl);
  const belvo = view && (config.belvo?.ingest ? { ...view, callsHeldElsewhere: true } : view);
  try {
    return await use(
      {
        store,
        now: Date.now(),
        channel: { platform: 'slack', id: 'cli', destination: 'cli' },
        user: { id: 'cli' },
        ...(belvo && { belvo }),
        // Read-only commands: nothing to commit.
        commitEvents: async () => {},
      },
      store,
    );
  } finally {
    await store.close();
  }
}
