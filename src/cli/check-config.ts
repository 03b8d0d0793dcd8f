// `belvo-status check-config`: validates a config file the way `run` would, prints what it would watch and where it
// would post, and (with --online) tries each Belvo environment's keys.
import { Command } from 'commander';
import type { Config } from '../config/schema.js';
import { type Done, examples } from './define.js';
import { configPath, EXIT, loadOrExit } from './load-config.js';
import { dataDirectoryProblem, portProblem } from './preflight.js';

export function checkConfigCommand(done: Done): Command {
  return new Command('check-config')
    .summary('validate a config file')
    .description(
      'validate a config file: every problem at once (exit 2), or what the bot would watch and where it would post',
    )
    .argument('[file]', 'the config file (default: $BELVO_STATUS_CONFIG, else config/default.yaml)')
    .option('--online', "also try each Belvo environment's keys against Belvo (exit 1 if one is refused)")
    .addHelpText(
      'after',
      examples('belvo-status check-config my-config.yaml', 'belvo-status check-config my-config.yaml --online'),
    )
    .action(async (file: string | undefined, opts: { online?: boolean }) => done(await checkConfig(file, opts)));
}

/** What would stop `run` on this machine, or make it forget what it did. */
async function machineRisks(config: Config): Promise<string[]> {
  const risks = [await portProblem(config.server.host, config.server.port), dataDirectoryProblem(config.storage.path)];
  if (config.storage.path === ':memory:') {
    risks.push('storage.path is :memory:: a restart forgets every alert and message, and posts them again');
  }
  return risks.filter((r): r is string => r !== undefined);
}

async function checkConfig(explicit: string | undefined, values: { online?: boolean }): Promise<number> {
  const file = configPath(explicit);
  const { config, secrets } = loadOrExit(file);
  const lines = [
    `${file}: ok`,
    `  sources: ${config.sources.map((s) => `${s.id} (${s.type} ${s.format}, ${s.url}, every ${s.interval / 1000}s)`).join('; ') || 'none'}`,
    `  destinations: ${config.destinations.map((d) => `${d.id} (${d.type})`).join(', ') || 'none'}`,
    `  subscriptions: ${config.subscriptions.length}, silences: ${config.silences.length}`,
    `  store: ${config.storage.driver === 'postgres' ? `postgres schema ${config.storage.schema}` : `sqlite at ${config.storage.path}`}; http on ${config.server.host}:${config.server.port}`,
  ];
  if (config.sources.length === 0) lines.push('  warning: no sources: the bot would watch nothing');
  if (config.subscriptions.length === 0)
    lines.push('  warning: no subscriptions: alerts would be recorded but sent nowhere');
  for (const risk of await machineRisks(config)) lines.push(`  warning: ${risk}`);
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
