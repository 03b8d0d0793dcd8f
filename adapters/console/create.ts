// The console adapter: each console destination prints alert events on standard output (or the descriptor given).
import type { Adapter, AdapterDeps } from '../../src/ports/adapter.js';
import { PASSIVE } from '../../src/ports/adapter.js';
import { type ConsoleDestination, consoleConfigRules } from './config.js';
import { createConsoleNotifier } from './console-notifier.js';

export interface ConsoleSlice {
  destinations: ConsoleDestination[];
}

export function createConsoleAdapter(slice: ConsoleSlice, _deps: AdapterDeps, opts: { fd?: number } = {}): Adapter {
  return {
    ...PASSIVE,
    notifiers: slice.destinations.map((d) => createConsoleNotifier(d, opts.fd !== undefined ? { fd: opts.fd } : {})),
    destinationKey: consoleConfigRules.destinationKey,
  };
}
