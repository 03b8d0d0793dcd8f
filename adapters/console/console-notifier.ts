// The default destination: alert events printed on standard output, one short block each.
import { writeSync } from 'node:fs';
import type { DeliveryRequest, DeliveryResult, Notifier } from '../../src/ports/notifier.js';
import { renderConsole } from './render.js';

export interface ConsoleDestinationConfig {
  id: string;
  color: 'auto' | 'always' | 'never';
  timeZone?: string | undefined;
}

export interface ConsoleNotifierOptions {
  /** File descriptor to write to (1 = standard output). */
  fd?: number;
  /** Whether that descriptor is a terminal (colours in `auto`). */
  isTTY?: boolean;
  env?: Record<string, string | undefined>;
  timeZone?: string;
}

export function useColor(
  mode: ConsoleDestinationConfig['color'],
  isTTY: boolean,
  env: Record<string, string | undefined>,
): boolean {
  if (mode !== 'auto') return mode === 'always';
  // https://no-color.org and FORCE_COLOR, as most terminal tools honour them.
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR === '0' || env.FORCE_COLOR === 'false') return false;
  if (env.FORCE_COLOR !== undefined) return true;
  return isTTY;
}

/** writeSync on a non-blocking pipe can hit EAGAIN when the reader is slow: wait and carry on with the rest. */
function writeFully(fd: number, text: string): void {
  let buf = Buffer.from(text);
  while (buf.length > 0) {
    try {
      buf = buf.subarray(writeSync(fd, buf));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    }
  }
}

export function createConsoleNotifier(config: ConsoleDestinationConfig, opts: ConsoleNotifierOptions = {}): Notifier {
  const fd = opts.fd ?? 1;
  const color = useColor(config.color, opts.isTTY ?? process.stdout.isTTY === true, opts.env ?? process.env);
  return {
    destination: config.id,
    minIntervalMs: 0,
    async deliver(req: DeliveryRequest): Promise<DeliveryResult> {
      const timeZone = opts.timeZone ?? config.timeZone;
      const lines = renderConsole(req.event, { color, ...(timeZone && { timeZone }) });
      // A synchronous write: the line is out before the outbox records it delivered, with no await in between,
      // so a crash can hardly fall between the two.
      if (lines.length > 0) writeFully(fd, `${lines.join('\n')}\n`);
      return { outcome: 'delivered' };
    },
  };
}
