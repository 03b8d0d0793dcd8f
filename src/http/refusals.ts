// Requests the bot refuses (4xx: unsigned, replayed, malformed, too large, unknown paths): counted by route and
// reason, and logged at most once a minute per (route, reason) with how many were refused since. A scanner or a
// misconfigured sender must not turn the log into one warning per request.
import { Counter, type Registry } from 'prom-client';
import type { Logger } from '../ports/logger.js';

export interface Refusals {
  /** `route` is the route pattern (never the path: a path can carry a secret token); `reason` a fixed code. */
  refused(route: string, reason: string, status: number, detail?: string): void;
}

export const noRefusals: Refusals = { refused() {} };

/** One warning per (route, reason) per this long; the ones in between are counted into the next warning. */
export const REFUSAL_LOG_EVERY_MS = 60_000;

export function createRefusals(
  registry: Registry,
  logger: Logger,
  now: () => number = Date.now,
  everyMs: number = REFUSAL_LOG_EVERY_MS,
): Refusals {
  const counter = new Counter({
    name: 'belvo_status_http_refused_total',
    help: 'Requests refused with a 4xx, by route pattern and reason (invalid_signature, replayed_request, ...).',
    labelNames: ['route', 'reason'],
    registers: [registry],
  });
  const lastLogged = new Map<string, { at: number; since: number }>();
  return {
    refused(route, reason, status, detail) {
      counter.inc({ route, reason });
      const key = `${route} ${reason}`;
      const seen = lastLogged.get(key);
      const at = now();
      if (seen && at - seen.at < everyMs) {
        seen.since += 1;
        return;
      }
      lastLogged.set(key, { at, since: 0 });
      const more = seen && seen.since > 0 ? { refusedSinceLastLine: seen.since } : {};
      logger.warn({ route, reason, status, ...(detail && { detail }), ...more }, `refused a request to ${route}`);
    },
  };
}
