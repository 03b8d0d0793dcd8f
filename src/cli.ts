#!/usr/bin/env node
// belvo-status: run | check-config | status | demo | institutions | sync-links | register-commands | help
import { parseArgs } from 'node:util';
import { ConfigError, type LoadedConfig, loadConfigFile } from './config/load.js';

export const DEFAULT_CONFIG = 'config/default.yaml';

const USAGE = `belvo-status: watches Belvo's status pages and your integration, and tells your team.

Usage:
  belvo-status run [--config <file>]       start the bot (default config: ${DEFAULT_CONFIG}, or $BELVO_STATUS_CONFIG)
  belvo-status check-config [<file>]       validate a config file; prints every problem, exits 2 if any
               [--online]                  also try each Belvo environment's keys; exits 1 if one is refused
  belvo-status status [--config <file>]    what is open right now, from the bot's store
  belvo-status demo                        a simulated status page and the bot against it (no network needed)
  belvo-status healthcheck [--config <f>]  exit 0 if the bot answers on its /healthz (for container health checks)
  belvo-status institutions [--config <file>]
                                           the institution catalogue: status-page names joined with Belvo's
  belvo-status sync-links [--env <id>] [--config <file>]
                                           list every Belvo link into the store now (normally on count drift)
  belvo-status register-commands [--guild <id>] [--config <file>]
                                           register /belvo-status with Discord, globally or in one server
  belvo-status help

Environment:
  BELVO_STATUS_<KEY>__<KEY>=value          override any config key, e.g. BELVO_STATUS_SERVER__PORT=9090
  <NAME> or <NAME>_FILE                    the secrets a config names with secretEnv: NAME
`;

export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

function configPath(explicit: string | undefined): string {
  return explicit ?? process.env.BELVO_STATUS_CONFIG ?? DEFAULT_CONFIG;
}

function loadOrExit(file: string): LoadedConfig {
  try {
    return loadConfigFile(file);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.report()}\n`);
      process.exit(EXIT.usage);
    }
    throw err;
  }
}

async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { config: { type: 'string', short: 'c' } }, allowPositionals: false });
  const loaded = loadOrExit(configPath(values.config));
  const { buildApp } = await import('./main.js');
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

async function checkConfig(args: string[]): Promise<number> {
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
    const { belvoConfigReport } = await import('../adapters/belvo/api/check-keys.js');
    const report = await belvoConfigReport(config.belvo.environments, secrets, { online: values.online === true });
    lines.push(...report.lines.map((line) => `  ${line}`));
    exit = report.invalid ? EXIT.usage : report.failed ? EXIT.failure : EXIT.ok;
  } else if (values.online) {
    lines.push('  belvo: no environments configured: nothing to check online');
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  return exit;
}

async function status(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { config: { type: 'string', short: 'c' } } });
  const { config } = loadOrExit(configPath(values.config));
  const { printStatus } = await import('./status-report.js');
  return printStatus(config);
}

async function institutions(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { config: { type: 'string', short: 'c' } } });
  const loaded = loadOrExit(configPath(values.config));
  const { printInstitutions } = await import('./institutions-report.js');
  return printInstitutions(loaded);
}

async function syncLinks(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { config: { type: 'string', short: 'c' }, env: { type: 'string' } },
  });
  const loaded = loadOrExit(configPath(values.config));
  const { syncLinksNow } = await import('./sync-links.js');
  return syncLinksNow(loaded, values.env);
}

/** Asks the running bot's /healthz on the port its config names. */
async function healthcheck(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { config: { type: 'string', short: 'c' } } });
  const { config } = loadOrExit(configPath(values.config));
  const host = config.server.host === '0.0.0.0' || config.server.host === '::' ? '127.0.0.1' : config.server.host;
  try {
    const res = await fetch(`http://${host}:${config.server.port}/healthz`, { signal: AbortSignal.timeout(3000) });
    process.stdout.write(`healthz: HTTP ${res.status}\n`);
    return res.ok ? EXIT.ok : EXIT.failure;
  } catch (err) {
    process.stdout.write(`healthz: no answer on ${host}:${config.server.port} (${(err as Error).message})\n`);
    return EXIT.failure;
  }
}

/** Registers /belvo-status with Discord: exit 2 when the config cannot say how, 1 when Discord refuses. */
async function registerCommands(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { config: { type: 'string', short: 'c' }, guild: { type: 'string', short: 'g' } },
  });
  const { config, secrets } = loadOrExit(configPath(values.config));
  const discord = config.discord;
  const problem = !discord
    ? 'register-commands needs the `discord:` section in the config (applicationId, publicKey, botToken)'
    : !discord.botToken
      ? 'register-commands needs `discord.botToken` (the "Bot" page of the application) to call Discord'
      : values.guild !== undefined && !/^\d{17,20}$/.test(values.guild)
        ? `--guild takes a server id (17-20 digits), not "${values.guild}"`
        : undefined;
  if (problem || !discord?.botToken) {
    process.stderr.write(`belvo-status: ${problem}\n`);
    return EXIT.usage;
  }
  const { registerCommands: register } = await import('../adapters/discord/register-commands.js');
  try {
    const done = await register({
      apiUrl: discord.apiUrl,
      token: secrets.get(discord.botToken.secretEnv) ?? '',
      applicationId: discord.applicationId,
      timeoutMs: discord.timeout,
      ...(values.guild && { guildId: values.guild }),
    });
    process.stdout.write(`${done}\n`);
    return EXIT.ok;
  } catch (err) {
    // The adapter's errors quote Discord's answer, never the token or a URL.
    process.stderr.write(`belvo-status: Discord refused the commands: ${(err as Error).message}\n`);
    return EXIT.failure;
  }
}

async function demo(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { fast: { type: 'boolean' } } });
  const { runDemo } = await import('./demo/run-demo.js');
  return runDemo({ fast: values.fast === true });
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'run':
      return run(rest);
    case 'check-config':
      return checkConfig(rest);
    case 'status':
      return status(rest);
    case 'demo':
      return demo(rest);
    case 'healthcheck':
      return healthcheck(rest);
    case 'institutions':
      return institutions(rest);
    case 'sync-links':
      return syncLinks(rest);
    case 'register-commands':
      return registerCommands(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return EXIT.ok;
    default:
      process.stderr.write(`unknown command "${command}"\n\n${USAGE}`);
      return EXIT.usage;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    const e = err as { code?: string; message?: string };
    const usage = e.code?.startsWith('ERR_PARSE_ARGS') === true;
    process.stderr.write(`belvo-status: ${usage ? '' : e.code ? `${e.code}: ` : ''}${e.message ?? String(err)}\n`);
    process.exit(usage ? EXIT.usage : EXIT.failure);
  },
);
