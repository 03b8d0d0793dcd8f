// `belvo-status check-config`: validates a config file the way `run` would, prints what it would watch and where it
// would post, and (with --online) tries each Belvo environment's keys.
import { parseArgs } from 'node:util';
import { configPath, EXIT, loadOrExit } from './load-config.js';

export async function checkConfigCommand(args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { online: { type: 'boolean' } },
  });
  const file = configPath(positionals[0]);
  const { config, secrets } = loadOrExit(file);
  const lines = [
    `${file}: ok`,
    `  sources: ${config.sources.map((s) => `${s.id} (${s.type} ${s.format}, ${s.url}, every ${s.interval / 1000}s)`).join('; ') || 'none'}`,
    `  destinations: ${config.destinations.map((d) => `${d.id} (${d.type})`).join(', ') || 'none'}`,
    `  subscriptions: ${config.subscriptions.length}, silences: ${config.silences.length}`,
    `  store: ${config.storage.driver} at ${config.storage.path}; http on ${config.server.host}:${config.server.port}`,
  ];
  if (config.sources.length === 0) lines.push('  warning: no sources: the bot would watch nothing');
  if (config.subscriptions.length === 0)
    lines.push('  warning: no subscriptions: alerts would be recorded but sent nowhere');
  let exit: number = EXIT.ok;
  if (config.belvo) {
    const { belvoConfigReport } = await import('../../adapters/belvo/api/check-keys.js');
    const report = await belvoConfigReport(config.belvo.environments, secrets, { online: values.online === true });
    lines.push(...report.lines.map((line) => `  ${line}`));
    exit = report.invalid ? EXIT.usage : report.failed ? EXIT.failure : EXIT.ok;
  } else if (values.online) {
    lines.push('  belvo: no environments configured: nothing to check online');
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  return exit;
}
