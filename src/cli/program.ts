// The `belvo-status` command line, on commander: it gives every subcommand the same --help (options, then examples),
// --version, and a usage answer with a suggestion for a mistyped command or option, instead of a raw error.
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { auditCommand } from './audit.js';
import { checkConfigCommand } from './check-config.js';
import type { Done } from './define.js';
import { demoCommand } from './demo.js';
import { healthcheckCommand } from './healthcheck.js';
import { institutionsCommand } from './institutions.js';
import { migrateCommand } from './migrate.js';
import { registerCommandsCommand } from './register-commands.js';
import { runCommand } from './run.js';
import { statusCommand } from './status.js';
import { syncLinksCommand } from './sync-links.js';

export interface ProgramOutput {
  out(text: string): void;
  err(text: string): void;
}

/** The package's version, read from the package.json beside dist/ (or beside src/ when run from source). */
export function packageVersion(): string {
  for (const up of ['../../../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'belvo-status-bot' && pkg.version) return pkg.version;
    } catch {
      // not at this depth
    }
  }
  return 'unknown';
}

const ENVIRONMENT_HELP = `
Environment:
  BELVO_STATUS_CONFIG                    the config file when --config is not given
  BELVO_STATUS_<KEY>__<KEY>=value        override any config key, e.g. BELVO_STATUS_SERVER__PORT=9090
  <NAME> or <NAME>_FILE                  the secrets a config names with secretEnv: NAME

Run "belvo-status <command> --help" for a command's options and examples.
`;

/**
 * Every subcommand, wired to `done` (its exit code). Parsing errors, --help and --version throw a CommanderError
 * (exitOverride) for the caller to turn into an exit code; nothing here calls process.exit.
 */
export function buildProgram(done: Done, output?: ProgramOutput): Command {
  const program = new Command('belvo-status')
    .description("watches Belvo's status pages and your Belvo integration, and tells your on-call team in chat")
    .version(packageVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show this help')
    .helpCommand('help [command]', 'show the help of a command')
    .addHelpText('after', ENVIRONMENT_HELP)
    .showHelpAfterError()
    .exitOverride();
  if (output) program.configureOutput({ writeOut: output.out, writeErr: output.err });
  for (const sub of [
    runCommand,
    checkConfigCommand,
    statusCommand,
    auditCommand,
    demoCommand,
    healthcheckCommand,
    institutionsCommand,
    syncLinksCommand,
    registerCommandsCommand,
    migrateCommand,
  ]) {
    const command = sub(done)
      .helpOption('-h, --help', 'show this help')
      // A mistake answers with this command's usage (its --help), so the fix is on screen.
      .showHelpAfterError()
      .allowExcessArguments(false)
      .exitOverride();
    if (output) command.configureOutput({ writeOut: output.out, writeErr: output.err });
    program.addCommand(command);
  }
  return program;
}
