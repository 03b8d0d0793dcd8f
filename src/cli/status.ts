// `belvo-status status`: what is open right now, read from the store a running bot writes. The same answer as
// `/belvo-status status` in chat, as plain text.
import { Command } from 'commander';
import { handleCommand } from '../commands/handlers.js';
import { toPlainText } from '../commands/reply.js';
import { configOption, type Done, examples } from './define.js';
import { configPath, loadOrExit } from './load-config.js';
import { withStoredContext } from './stored-context.js';

export function statusCommand(done: Done): Command {
  return new Command('status')
    .summary("what is open right now (from the bot's store)")
    .description('what is open right now, read from the store of the bot running with this config')
    .addOption(configOption())
    .addHelpText('after', examples('belvo-status status --config my-config.yaml'))
    .action(async (opts: { config?: string }) => done(await printStatus(opts.config)));
}

async function printStatus(file: string | undefined): Promise<number> {
  const { config, secrets } = loadOrExit(configPath(file));
  return withStoredContext(
    config,
    async (ctx, store) => {
      const reply = await handleCommand({ kind: 'status', public: false }, ctx);
      const waiting = await store.outboxDepth();
      process.stdout.write(
        `${toPlainText(reply)}\n${waiting > 0 ? `${waiting} message(s) waiting to be delivered.\n` : ''}`,
      );
      return 0;
    },
    secrets,
  );
}
