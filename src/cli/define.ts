// What every subcommand shares: the --config option, an "Examples" block in its --help, and how its action hands back
// an exit code (0 ok, 1 a check failed, 2 a usage or config problem).
import { Option } from 'commander';
import { DEFAULT_CONFIG } from './load-config.js';

/** Receives the subcommand's exit code when its action finishes. */
export type Done = (code: number) => void;

export function configOption(): Option {
  return new Option('-c, --config <file>', `the config file (default: $BELVO_STATUS_CONFIG, else ${DEFAULT_CONFIG})`);
}

/** The block `--help` ends with: one or more commands a person can copy. */
export function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  ${l}`).join('\n')}\n`;
}
