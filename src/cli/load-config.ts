// How every subcommand finds and loads its config: --config, else $BELVO_STATUS_CONFIG, else the shipped default. A
// config that does not load is reported whole (every problem at once) with exit code 2, before anything runs.
import { ConfigError, type LoadedConfig, loadConfigFile } from '../config/load.js';

export const DEFAULT_CONFIG = 'config/default.yaml';

export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

export function configPath(explicit: string | undefined): string {
  return explicit ?? process.env.BELVO_STATUS_CONFIG ?? DEFAULT_CONFIG;
}

export function loadOrExit(file: string): LoadedConfig {
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
