// `belvo-status status`: what is open right now, read from the store a running bot writes. The same answer as
// `/belvo-status status` in chat, as plain text.
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { belvoBaseUrl } from '../../adapters/belvo/api/base-url.js';
import { createSqliteStore } from '../../adapters/sqlite/sqlite-store.js';
import { handleCommand } from '../commands/handlers.js';
import { toPlainText } from '../commands/reply.js';
import { storedBelvoView } from '../commands/stored-belvo-view.js';
import { configPath, loadOrExit } from './load-config.js';

export async function statusCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { config: { type: 'string', short: 'c' } } });
  const { config } = loadOrExit(configPath(values.config));
  if (config.storage.path !== ':memory:' && !existsSync(config.storage.path)) {
    process.stderr.write(`no store at ${config.storage.path}: has the bot run with this config?\n`);
    return 1;
  }
  const store = createSqliteStore({ path: config.storage.path });
  await store.init();
  const belvo = storedBelvoView(config, store, belvoBaseUrl);
  try {
    const reply = await handleCommand(
      { kind: 'status', public: false },
      {
        store,
        now: Date.now(),
        channel: { platform: 'slack', id: 'cli', destination: 'cli' },
        user: { id: 'cli' },
        ...(belvo && { belvo }),
        // A read-only command: nothing to commit.
        commitEvents: async () => {},
      },
    );
    const waiting = await store.outboxDepth();
    process.stdout.write(
      `${toPlainText(reply)}\n${waiting > 0 ? `${waiting} message(s) waiting to be delivered.\n` : ''}`,
    );
    return 0;
  } finally {
    await store.close();
  }
}
