import { describe, expect, it } from 'vitest';
import {
  type BelvoCall,
  CallWindows,
  classifyCall,
  DEFAULT_ERROR_RATIO_CONFIG,
  errorRatioSignals,
} from '../../../src/detect/error-ratios.js';

const MIN = 60_000;
const NOW = Date.UTC(2026, 10, 27, 12);

/** `perMinute(m)` = [calls, failures] in minute m before now (0 = the current minute). */
function traffic(perMinute: (m: number) => [number, number], failure: Partial<BelvoCall> = {}): CallWindows {
  const w = new CallWindows(2 * 60 * MIN);
  for (let m = 0; m < 60; m++) {
    const [calls, failures] = perMinute(m);
    for (let i = 0; i < calls; i++) {
      const bad = i < failures;
      w.add({
        ts: NOW - m * MIN - 1000 - i,
        method: 'POST',
        path: '/api/links/',
        status: bad ? 500 : 201,
        ...(bad && { code: 'unexpected_error', requestId: `req-${m}-${i}` }),
        institution: 'erebor_mx_retail',
        durationMs: 300,
        ...(bad ? failure : {}),
      });
    }
  }
  return w;
}

function verdict(w: CallWindows) {
  const signals = errorRatioSignals({
    windows: w,
    source: 'belvo-calls',
    config: DEFAULT_ERROR_RATIO_CONFIG,
    institutions: new Map([
      ['erebor_mx_retail', { name: 'erebor_mx_retail', displayName: 'Banco Erebor MX', country: 'MX' }],
    ]),
    now: NOW,
  });
  return signals;
}

describe('error ratios (long and short window both above the threshold)', () => {
  it.each<[string, (m: number) => [number, number], 'bad' | 'ok' | 'none']>([
    ['no errors: nothing to say', () => [10, 0], 'none'],
    ['a steady 2% of Belvo errors: under 5%', (m) => [10, m % 5 === 0 ? 1 : 0], 'ok'],
    ['a burst: 50% failing for the last 10 minutes (long window 8%): fires', (m) => [10, m < 10 ? 5 : 0], 'bad'],
    [
      'a blip: 5 minutes of 100% an hour ago, fine since: the short window says no',
      (m) => [10, m >= 50 && m < 55 ? 10 : 0],
      'ok',
    ],
    [
      'recovered: failing 30-10 minutes ago, fine in the last 5: resolves',
      (m) => [10, m >= 10 && m < 30 ? 6 : 0],
      'ok',
    ],
    ['a handful of calls, all failing: under the minimum volume', (m) => (m < 3 ? [2, 2] : [0, 0]), 'ok'],
  ])('%s', (_, perMinute, expected) => {
    const signals = verdict(traffic(perMinute)).filter((s) => s.kind === 'belvo.error-ratio.belvo');
    expect(signals[0]?.observation ?? 'none').toBe(expected);
  });

  it('the alert lists the top codes and the request_ids to send to Belvo support, newest first', () => {
    const [signal] = verdict(traffic((m) => [10, m < 10 ? 5 : 0]));
    expect(signal).toMatchObject({
      fingerprint: 'belvo/calls/errors/belvo/erebor_mx_retail',
      title: 'Banco Erebor MX: 8.3% belvo errors',
      severity: 'major',
      institution: { name: 'erebor_mx_retail' },
    });
    expect(signal?.evidence?.topCodes).toEqual(['unexpected_error x50']);
    const ids = signal?.evidence?.requestIds as string[];
    expect(ids).toHaveLength(10);
    expect(ids[0]).toMatch(/^req-0-/);
    expect(String(signal?.evidence?.rule)).toBe(
      'belvo errors 8.3% of 600 calls in 60m and 50.0% of 50 in 5m (fires at 5.0% in both, 50+ and 10+ calls)',
    );
  });

  it.each<[Partial<BelvoCall>, string | undefined]>([
    [{ status: 201 }, undefined],
    [{ status: 400, code: 'institution_down' }, 'institution'],
    [{ status: 400, code: 'login_error' }, 'link'],
    [{ status: 428, code: 'token_required' }, 'link'],
    [{ status: 400, code: 'too_many_sessions' }, 'link'],
    [{ status: 500, code: 'unexpected_error' }, 'belvo'],
    [{ status: 408, code: 'request_timeout' }, 'belvo'],
    [{ status: 400, code: 'invalid' }, 'request'],
    [{ status: 401, code: 'authentication_failed' }, 'request'],
    [{ status: 0, timeout: true }, 'timeout'],
  ])('classifies %o as %s', (call, kind) => {
    expect(classifyCall({ status: 200, ...call })).toBe(kind);
  });
});

describe('error ratios resolve promptly and speak of their figure', () => {
  /** 20 calls a minute for the last hour; every call failing until `stopAt`, none after. */
  function failingUntil(stopAt: number): CallWindows {
    const w = new CallWindows(2 * 60 * MIN);
    for (let t = NOW - 60 * MIN; t < NOW; t += 3000) {
      const bad = t < stopAt;
      w.add({
        ts: t,
        method: 'GET',
        path: '/api/accounts/',
        status: bad ? 500 : 200,
        ...(bad && { code: 'unexpected_error', requestId: `req-${t}` }),
        institution: 'erebor_mx_retail',
        durationMs: 100,
      });
    }
    return w;
  }
  const belvoKind = (w: CallWindows, now = NOW) =>
    errorRatioSignals({
      windows: w,
      source: 'belvo-calls',
      config: DEFAULT_ERROR_RATIO_CONFIG,
      institutions: new Map(),
      now,
    }).find((s) => s.kind === 'belvo.error-ratio.belvo');

  it('clears as soon as the short window holds no more errors: 5 min and 15 s after they stopped, not a minute later', () => {
    // Judged 50 s into a minute, errors having stopped 5 min 15 s before: the short window holds none of them.
    const now = NOW + 50_000;
    expect(belvoKind(failingUntil(now - 5 * MIN - 15_000), now)?.observation).toBe('ok');
    // 4 min 45 s before: still inside the short window.
    expect(belvoKind(failingUntil(now - 4 * MIN - 45_000), now)?.observation).toBe('bad');
  });

  it('the ratio is a figure (quiet edits, a reply at a quarter, half, three quarters), not part of the status', () => {
    const s = belvoKind(failingUntil(NOW));
    expect(s?.status).toBe('above the threshold');
    expect(s?.figure).toEqual({ value: 1, steps: [0.05, 0.25, 0.5, 0.75], text: '100.0% of 1200 calls in 60m' });
    expect(s?.revision).toBeUndefined();
  });
});
