#!/usr/bin/env node
// belvo-status: run | check-config | status | demo | institutions | sync-links | register-commands | help
// Each subcommand lives in src/cli/, loaded only when asked for.
import { DEFAULT_CONFIG, EXIT } from './cli/load-config.js';

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

const COMMANDS: Record<string, () => Promise<(args: string[]) => Promise<number>>> = {
  run: async () => (await import('./cli/run.js')).runCommand,
  'check-config': async () => (await import('./cli/check-config.js')).checkConfigCommand,
  status: async () => (await import('./cli/status.js')).statusCommand,
  demo: async () => (await import('./cli/demo.js')).demoCommand,
  healthcheck: async () => (await import('./cli/healthcheck.js')).healthcheckCommand,
  institutions: async () => (await import('./cli/institutions.js')).institutionsCommand,
  'sync-links': async () => (await import('./cli/sync-links.js')).syncLinksCommand,
  'register-commands': async () => (await import('./cli/register-commands.js')).registerCommandsCommand,
};

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(USAGE);
    return EXIT.ok;
  }
  const load = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (!load) {
    process.stderr.write(`unknown command "${command}"\n\n${USAGE}`);
    return EXIT.usage;
  }
  return (await load())(rest);
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
