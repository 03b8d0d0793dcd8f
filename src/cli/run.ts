// `belvo-status run`: the bot itself, until SIGINT or SIGTERM stops it cleanly (in-flight deliveries finish first).
import { Command } from 'commander';
import { configOption, type Done, examples } from './define.js';
import { configPath, EXIT, loadOrExit } from './load-config.js';
import { portProblem, prepareDataDirectory } from './preflight.js';

export function runCommand(done: Done): Command {
  return new Command('run')
    .summary('start the bot')
    .description('start the bot: poll the sources, take webhooks and commands, deliver alerts')
    .addOption(configOption())
    .addHelpText(
      'after',
      examples(
        'belvo-status run --config my-config.yaml',
        'BELVO_STATUS_SERVER__PORT=9090 belvo-status run   # any config key from the environment',
      ),
    )
    .action(async (opts: { config?: string }) => done(await runBot(opts.config)));
}

async function runBot(file: string | undefined): Promise<number> {
  const loaded = loadOrExit(configPath(file));
  // Before the database is created or migrated: a taken port or an unwritable directory is said at once, by name.
  const { server, storage } = loaded.config;
  const problem = (await portProblem(server.host, server.port)) ?? prepareDataDirectory(storage.path);
  if (problem) {
    process.stderr.write(`belvo-status: cannot start: ${problem}\n`);
    return EXIT.usage;
  }
  const { buildApp } = await import('../main.js');
  const app = await buildApp(loaded);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.logger.info({ signal }, 'stopping');
    await app.stop();
    process.exit(EXIT.ok);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  await app.start();
  return new Promise<number>(() => {}); // runs until a signal
}
