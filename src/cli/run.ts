// `belvo-status run`: the bot itself, until SIGINT or SIGTERM stops it cleanly (in-flight deliveries finish first).
import { parseArgs } from 'node:util';
import { configPath, EXIT, loadOrExit } from './load-config.js';

export async function runCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { config: { type: 'string', short: 'c' } }, allowPositionals: false });
  const loaded = loadOrExit(configPath(values.config));
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
