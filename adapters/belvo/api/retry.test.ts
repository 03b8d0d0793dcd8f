import { describe, expect, it } from 'vitest';
import { BelvoApiError, type BelvoApiErrorInfo } from '../../../src/ports/belvo.js';
import { DEFAULT_RETRY, decideRetry } from './retry.js';

const error = (info: Omit<BelvoApiErrorInfo, 'message'>) => new BelvoApiError({ ...info, message: 'x' });
const history = (tries: number, transportFailures = 0, rateLimited = 0) => ({ tries, transportFailures, rateLimited });

describe("Belvo's retry advice", () => {
  it('5xx: 3 s, 6 s, 12 s, 24 s, then stop after the 5th try', () => {
    const e = error({ kind: 'belvo', status: 503, code: 'service_unavailable' });
    const delays = [1, 2, 3, 4, 5].map((t) => decideRetry(e, history(t), DEFAULT_RETRY));
    expect(delays).toEqual([
      { retry: true, delayMs: 3000 },
      { retry: true, delayMs: 6000 },
      { retry: true, delayMs: 12_000 },
      { retry: true, delayMs: 24_000 },
      { retry: false },
    ]);
  });

  it('unexpected_error: 3 tries at most; 408 request_timeout: none', () => {
    const e = error({ kind: 'belvo', status: 500, code: 'unexpected_error' });
    expect(decideRetry(e, history(2), DEFAULT_RETRY).retry).toBe(true);
    expect(decideRetry(e, history(3), DEFAULT_RETRY).retry).toBe(false);
    expect(decideRetry(error({ kind: 'belvo', status: 408 }), history(1), DEFAULT_RETRY).retry).toBe(false);
  });

  it('4xx: never, except too_many_sessions', () => {
    for (const kind of ['auth', 'access', 'request', 'not_found', 'unexpected'] as const) {
      expect(decideRetry(error({ kind, status: 400 }), history(1), DEFAULT_RETRY)).toEqual({ retry: false });
    }
    expect(
      decideRetry(error({ kind: 'link', status: 400, code: 'login_error' }), history(1), DEFAULT_RETRY).retry,
    ).toBe(false);
    expect(
      decideRetry(error({ kind: 'link', status: 400, code: 'too_many_sessions' }), history(1), DEFAULT_RETRY),
    ).toEqual({
      retry: true,
      delayMs: 3000,
    });
  });

  it('rate limited: hold the bucket for the window (or a longer Retry-After); timeouts once', () => {
    const limited = error({ kind: 'rate_limited', status: 403 });
    expect(decideRetry(limited, history(1, 0, 1), DEFAULT_RETRY)).toEqual({ retry: true, holdMs: 30_000 });
    expect(decideRetry(limited, history(1, 0, 1), DEFAULT_RETRY, 45_000)).toEqual({ retry: true, holdMs: 45_000 });
    expect(decideRetry(limited, history(3, 0, 3), DEFAULT_RETRY).retry).toBe(false);
    const timeout = error({ kind: 'timeout' });
    expect(decideRetry(timeout, history(1, 1), DEFAULT_RETRY)).toEqual({ retry: true, delayMs: 0 });
    expect(decideRetry(timeout, history(2, 2), DEFAULT_RETRY).retry).toBe(false);
  });
});
