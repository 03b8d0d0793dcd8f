// pino JSON logs on standard error (standard output belongs to the console destination), with secrets redacted by
// key path and, as a second guard, by value: a known secret that slips into a message is replaced before writing.
import pino from 'pino';
import type { Logger } from './ports/logger.js';

export const REDACT_PATHS = [
  'secret',
  'token',
  'password',
  'authorization',
  'Authorization',
  '*.secret',
  '*.token',
  '*.password',
  '*.authorization',
  '*.Authorization',
  '*.headers.authorization',
  '*.headers.Authorization',
  '*.headers["x-slack-signature"]',
  'req.headers.authorization',
];

export interface LoggerOptions {
  level: string;
  /** Secret values to scrub wherever they appear. */
  secrets?: Iterable<string>;
  destination?: pino.DestinationStream;
}

function scrubber(secrets: string[]) {
  if (secrets.length === 0) return undefined;
  // Lines are JSON: a secret with a quote or a backslash appears escaped. Longest first, so a secret that starts
  // with another one is replaced whole.
  const forms = [...new Set(secrets.flatMap((s) => [s, JSON.stringify(s).slice(1, -1)]))].sort(
    (a, b) => b.length - a.length,
  );
  const escaped = forms.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const pattern = new RegExp(escaped.join('|'), 'g');
  return (line: string) => line.replace(pattern, '[Redacted]');
}

export function createLogger(opts: LoggerOptions): Logger {
  const secrets = [...(opts.secrets ?? [])].filter((s) => s.length >= 4);
  const scrub = scrubber(secrets);
  const base = opts.destination ?? pino.destination({ fd: 2, sync: true });
  const destination: pino.DestinationStream = scrub ? { write: (line: string) => base.write(scrub(line)) } : base;
  return pino(
    {
      level: opts.level,
      base: { app: 'belvo-status-bot' },
      redact: { paths: REDACT_PATHS, censor: '[Redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  ) as unknown as Logger;
}
