// One classification of an HTTP exchange for every outbound client (status pages, Slack, Discord, PagerDuty, Belvo),
// so "retry or not, and when" is decided the same way everywhere (Alertmanager's notify/util.go Retrier). Each
// adapter adds only its platform's own codes (Slack's `ok: false` errors, Discord's unknown message, Belvo's 428 and
// HTML 403) before falling back on this.

export type HttpOutcomeKind = 'ok' | 'rate_limited' | 'auth' | 'client' | 'server' | 'network' | 'timeout';

export interface HttpOutcome {
  kind: HttpOutcomeKind;
  status?: number;
  /** Worth another try later (rate limits, 5xx, network, timeouts); never for a 4xx that cannot succeed. */
  retryable: boolean;
  /** From Retry-After, when the server said. */
  retryAfterMs?: number;
}

/** `Retry-After`: delta-seconds or an HTTP-date (RFC 9110 §10.2.3). Undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export function classifyHttpStatus(status: number, retryAfter?: string, now?: number): HttpOutcome {
  const retryAfterMs = parseRetryAfter(retryAfter, now);
  const withRetry = retryAfterMs === undefined ? {} : { retryAfterMs };
  if (status >= 200 && status < 400) return { kind: 'ok', status, retryable: false };
  if (status === 429) return { kind: 'rate_limited', status, retryable: true, ...withRetry };
  if (status === 401 || status === 403) return { kind: 'auth', status, retryable: false };
  // 408 Request Timeout: the server gave up waiting, trying again is legitimate.
  if (status === 408) return { kind: 'timeout', status, retryable: true };
  if (status >= 500) return { kind: 'server', status, retryable: true, ...withRetry };
  return { kind: 'client', status, retryable: false };
}

export function classifyHttpError(timedOut: boolean): HttpOutcome {
  return timedOut ? { kind: 'timeout', retryable: true } : { kind: 'network', retryable: true };
}
