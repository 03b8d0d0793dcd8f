// When to try a failed GET again, following Belvo's advice (Belvo's developer docs, "Error responses"):
// 5xx with exponential backoff from 3 s, at most 5 tries (`unexpected_error` at most 3);
// never a 4xx, except `too_many_sessions`, which clears once the institution closes the other session. The HTML 403
// (rate limited) waits for the pacing bucket to refill; a timeout or a dropped connection is tried once more.
import type { BelvoApiError } from '../../../src/ports/belvo.js';

export interface RetryOptions {
  /** First backoff delay; each next one doubles. Belvo advises 3 s. */
  baseDelayMs: number;
  /** Tries in all (the first included) for a 5xx. */
  maxTries: number;
  /** Tries in all for `unexpected_error`, which Belvo advises retrying less. */
  unexpectedErrorMaxTries: number;
  /** Tries in all for `too_many_sessions`. */
  tooManySessionsMaxTries: number;
  /** Extra tries after a timeout or a network error. */
  transportRetries: number;
  /** Extra tries after the HTML 403, each after the bucket refilled. */
  rateLimitedRetries: number;
  /** How long the bucket stays empty after an HTML 403 without Retry-After: Belvo's 30 s window. */
  rateLimitedWaitMs: number;
}

export const DEFAULT_RETRY: RetryOptions = {
  baseDelayMs: 3000,
  maxTries: 5,
  unexpectedErrorMaxTries: 3,
  tooManySessionsMaxTries: 3,
  transportRetries: 1,
  rateLimitedRetries: 2,
  rateLimitedWaitMs: 30_000,
};

/** What has happened to one call so far. */
export interface AttemptHistory {
  /** Tries made, the failed one included. */
  tries: number;
  /** Of which ended in a timeout or a network error. */
  transportFailures: number;
  /** Of which got the HTML 403. */
  rateLimited: number;
}

export type RetryDecision =
  | { retry: false }
  /** Sleep `delayMs`, then take a token as usual. */
  | { retry: true; delayMs: number }
  /** Empty the bucket for `holdMs` (every call of this client waits), then take a token. */
  | { retry: true; holdMs: number };

const NO: RetryDecision = { retry: false };

function backoff(options: RetryOptions, tries: number, maxTries: number): RetryDecision {
  if (tries >= maxTries) return NO;
  return { retry: true, delayMs: options.baseDelayMs * 2 ** (tries - 1) };
}

export function decideRetry(
  error: BelvoApiError,
  history: AttemptHistory,
  options: RetryOptions,
  retryAfterMs?: number,
): RetryDecision {
  switch (error.kind) {
    case 'timeout':
      // The answer may only have been slow: try again at once, but only once (each try costs a whole timeout).
      return history.transportFailures <= options.transportRetries ? { retry: true, delayMs: 0 } : NO;
    case 'network':
      return history.transportFailures <= options.transportRetries ? { retry: true, delayMs: options.baseDelayMs } : NO;
    case 'rate_limited':
      return history.rateLimited <= options.rateLimitedRetries
        ? { retry: true, holdMs: Math.max(retryAfterMs ?? 0, options.rateLimitedWaitMs) }
        : NO;
    case 'link':
      return error.code === 'too_many_sessions' ? backoff(options, history.tries, options.tooManySessionsMaxTries) : NO;
    case 'belvo': {
      // 408 request_timeout: Belvo advises a narrower query, which a retry of the same GET is not.
      if (error.status === undefined || error.status < 500) return NO;
      const max = error.code === 'unexpected_error' ? options.unexpectedErrorMaxTries : options.maxTries;
      return backoff(options, history.tries, max);
    }
    default:
      return NO;
  }
}
