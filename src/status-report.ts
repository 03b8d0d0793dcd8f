// `belvo-status status`: what is open right now, read from the store a running bot writes. The same answer as
// `/belvo-status status` in chat, as plain text.
import { existsSync } from 'node:fs';
import { createSqliteStore } from '../adapters/sqlite/sqlite-store.js';
import { storedBelvoView } from './belvo-account-view.js';
import { handleCommand } from './commands/handlers.js';
import { toPlainText } from './commands/reply.js';
import type { Config } from './config/schema.js';

export async function printStatus(config: Config): Promise<number> {
  if (config.storage.path !== ':memory:' && !existsSync(config.storage.path)) {
    process.stderr.write(`no store at ${config.storage.path}: has the bot run with this config?\n`);
    return 1;
  }
  const store = createSqliteStore({ path: config.storage.path });
  await store.init();
  const belvo = storedBelvoView(config, store);
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
