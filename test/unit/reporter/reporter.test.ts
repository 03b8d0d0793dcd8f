import { describe, expect, it } from 'vitest';
import { belvoError, createBelvoCallReporter, type ReportedCall } from '../../../src/reporter/index.js';

const call = (i: number): ReportedCall => ({ ts: i, method: 'GET', path: '/api/links/', status: 200, duration_ms: 5 });

function fakeFetch(answer: (body: ReportedCall[]) => number | Error) {
  const received: ReportedCall[][] = [];
  const impl = (async (_url: string | URL | Request, init?: RequestInit) => {
    const body = JSON.parse(String(init?.body)) as ReportedCall[];
    const a = answer(body);
    if (a instanceof Error) throw a;
    received.push(body);
    return new Response(null, { status: a });
  }) as typeof fetch;
  return { impl, received };
}

describe('the call reporter', () => {
  it('ships calls in batches and keeps them while the bot cannot be reached', async () => {
    let up = false;
    const f = fakeFetch(() => (up ? 202 : new Error('ECONNREFUSED')));
    const r = createBelvoCallReporter({ url: 'http://bot/', token: 't', batchSize: 3, fetch: f.impl, log: () => {} });
    for (let i = 0; i < 5; i++) r.record(call(i));
    await r.flush();
    expect(f.received).toEqual([]);
    up = true;
    await r.close();
    expect(f.received.map((b) => b.map((c) => c.ts))).toEqual([
      [0, 1, 2],
      [3, 4],
    ]);
  });

  it('bounds its queue, dropping the oldest, and never throws into the app', async () => {
    const f = fakeFetch(() => new Error('down'));
    const r = createBelvoCallReporter({ url: 'http://bot', token: 't', maxQueue: 10, batchSize: 1000, fetch: f.impl });
    for (let i = 0; i < 25; i++) r.record(call(i));
    expect(r.dropped).toBe(15);
    await expect(r.close()).resolves.toBeUndefined();
  });

  it('a batch the bot refuses as invalid (400) is dropped, not resent forever', async () => {
    const f = fakeFetch(() => 400);
    const r = createBelvoCallReporter({ url: 'http://bot', token: 't', batchSize: 2, fetch: f.impl });
    r.record(call(1));
    r.record(call(2));
    await r.close();
    await r.flush();
    expect(f.received).toHaveLength(1);
  });

  it('reads the code and request_id of Belvo error bodies for clients other than fetch, and nothing else', () => {
    expect(belvoError([{ code: 'token_required', message: 'MFA', request_id: 'abc123' }])).toEqual({
      code: 'token_required',
      request_id: 'abc123',
    });
    expect(belvoError({ code: 'invalid_link', request_id: 'r1' })).toEqual({ code: 'invalid_link', request_id: 'r1' });
    expect(belvoError({ detail: 'Not found.' })).toEqual({});
    expect(belvoError('<html>403</html>')).toEqual({});
    expect(belvoError([{ code: 7, request_id: null }])).toEqual({});
  });

  it('stamps calls with its own clock when given one', async () => {
    const sent = fakeFetch(() => 202);
    const belvo = (async () => new Response('{}', { status: 200 })) as typeof fetch;
    let t = 1_000;
    const r = createBelvoCallReporter({
      url: 'http://bot',
      token: 't',
      now: () => t,
      fetch: async (input, init) =>
        String(input).startsWith('http://bot') ? sent.impl(input, init) : belvo(input, init),
    });
    const pending = r.fetch('https://api.belvo.com/api/links/', { method: 'GET' });
    t += 250;
    await pending;
    await r.close();
    expect(sent.received.flat()).toMatchObject([{ ts: 1_000, method: 'GET', path: '/api/links/', status: 200 }]);
  });
});
