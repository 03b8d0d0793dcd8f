import { describe, expect, it } from 'vitest';
import { classifyHttpError, classifyHttpStatus, parseRetryAfter } from '../../src/domain/http-outcome.js';

describe('HTTP outcome classification', () => {
  it.each([
    [200, 'ok', false],
    [204, 'ok', false],
    [304, 'ok', false],
    [400, 'client', false],
    [404, 'client', false],
    [401, 'auth', false],
    [403, 'auth', false],
    [408, 'timeout', true],
    [429, 'rate_limited', true],
    [500, 'server', true],
    [503, 'server', true],
  ] as const)('%i is %s (retryable: %s)', (status, kind, retryable) => {
    expect(classifyHttpStatus(status)).toMatchObject({ kind, status, retryable });
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-11-27T10:00:00Z');
    expect(parseRetryAfter('30', now)).toBe(30_000);
    expect(parseRetryAfter('1.5', now)).toBe(1500);
    expect(parseRetryAfter('Fri, 27 Nov 2026 10:01:00 GMT', now)).toBe(60_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(classifyHttpStatus(429, '7').retryAfterMs).toBe(7000);
    expect(classifyHttpStatus(503, '2').retryAfterMs).toBe(2000);
  });

  it('network failures and timeouts are worth another try', () => {
    expect(classifyHttpError(true)).toEqual({ kind: 'timeout', retryable: true });
    expect(classifyHttpError(false)).toEqual({ kind: 'network', retryable: true });
  });
});
