import { gunzipSync } from 'node:zlib';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from './clock.js';
import { SimulatedPage } from './model.js';
import { SERVED_PATHS } from './render.js';
import { type SimulatedStatusPageServer, startSimulatedStatusPage } from './server.js';

const SUMMARY = '/api/v2/summary.json';
const started: SimulatedStatusPageServer[] = [];

afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.close()));
});

async function serve(options: { compression?: boolean } = {}) {
  const clock = new ManualClock('2022-02-15T21:37:37.407Z');
  const page = new SimulatedPage({ id: 'kctbh9vrtdwd', name: 'Belvo', now: clock.now });
  const api = page.addComponent({ name: 'API' });
  page.addComponent({ name: 'Banco X MX - Retail', group: 'Mexico' });
  const incident = page.openIncident({ name: 'API errors', impact: 'minor', body: 'Looking.', components: [api] });
  const server = await startSimulatedStatusPage({ page, ...options });
  started.push(server);
  return {
    clock,
    page,
    api,
    incident,
    server,
    get: (path: string, init?: RequestInit) => fetch(server.url + path, init),
  };
}

describe('simulated Statuspage server: documents', () => {
  it('serves every document with its content type, links pointing at itself, and 404/405 otherwise', async () => {
    const { server, get, incident } = await serve();
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    for (const path of SERVED_PATHS) {
      const res = await get(path);
      expect(res.status, path).toBe(200);
      const body = await res.text();
      if (path.endsWith('.json')) {
        expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
        expect(JSON.parse(body).page.url).toBe(server.url);
      } else {
        expect(res.headers.get('content-type')).toMatch(path.endsWith('.rss') ? /rss\+xml/ : /atom\+xml/);
        expect(body).toContain(`${server.url}/incidents/${incident}`);
      }
    }
    expect((await get('/api/v2/nope.json')).status).toBe(404);
    expect((await get(`${SUMMARY}?cache=bust`)).status).toBe(200);
    expect((await get(SUMMARY, { method: 'POST', body: '{}' })).status).toBe(405);
    const head = await get(SUMMARY, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('content-length'))).toBeGreaterThan(100);
    expect(await head.text()).toBe('');
  });

  it('records every request with its headers and the status answered', async () => {
    const { server, get } = await serve();
    await (
      await get(`${SUMMARY}?x=1`, { headers: { 'user-agent': 'belvo-status-bot/test', 'if-none-match': '"x"' } })
    ).text();
    await (await get('/missing')).text();
    expect(server.requests).toHaveLength(2);
    expect(server.requests[0]).toMatchObject({
      method: 'GET',
      path: SUMMARY,
      query: '?x=1',
      status: 200,
      fault: undefined,
      headers: { 'user-agent': 'belvo-status-bot/test', 'if-none-match': '"x"' },
    });
    expect(server.requests[0]?.at).toBeGreaterThan(0);
    expect(server.requests[1]).toMatchObject({ path: '/missing', status: 404 });
  });
});

describe('simulated Statuspage server: conditional GET', () => {
  it('answers 304 to a matching If-None-Match and 200 with a new strong ETag after a change', async () => {
    const { get, page, api, clock } = await serve();
    const first = await get(SUMMARY);
    const body = await first.text();
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(first.headers.get('last-modified')).toBe('Tue, 15 Feb 2022 21:37:37 GMT');

    const again = await get(SUMMARY, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(again.headers.get('etag')).toBe(etag);
    expect(await again.text()).toBe('');
    expect((await get(SUMMARY, { headers: { 'if-none-match': `"other", W/${etag}` } })).status).toBe(304);

    clock.advance(30_000);
    page.setComponentStatus(api, 'major_outage');
    const changed = await get(SUMMARY, { headers: { 'if-none-match': etag } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
    expect(await changed.text()).not.toBe(body);
  });

  it('answers 304 to If-Modified-Since, and never hides a change made within the same second', async () => {
    const { get, page, api } = await serve();
    const first = await get(SUMMARY);
    await first.text();
    const lastModified = first.headers.get('last-modified')!;
    expect((await get(SUMMARY, { headers: { 'if-modified-since': lastModified } })).status).toBe(304);

    page.setComponentStatus(api, 'degraded_performance'); // the clock has not moved
    const changed = await get(SUMMARY, { headers: { 'if-modified-since': lastModified } });
    expect(changed.status).toBe(200);
    const next = changed.headers.get('last-modified')!;
    expect(Date.parse(next)).toBeGreaterThan(Date.parse(lastModified));
    expect((await get(SUMMARY, { headers: { 'if-modified-since': next } })).status).toBe(304);
  });

  it('lets If-None-Match win over If-Modified-Since', async () => {
    const { get } = await serve();
    const first = await get(SUMMARY);
    await first.text();
    const stale = await get(SUMMARY, {
      headers: { 'if-none-match': '"stale"', 'if-modified-since': first.headers.get('last-modified')! },
    });
    expect(stale.status).toBe(200);
  });

  it('gzips for clients that ask, with its own ETag', async () => {
    const { server } = await serve({ compression: true });
    const plain = await request(server.url + SUMMARY);
    const plainBody = await plain.body.text();
    const zipped = await request(server.url + SUMMARY, { headers: { 'accept-encoding': 'gzip' } });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers['vary']).toBe('Accept-Encoding');
    expect(zipped.headers['etag']).not.toBe(plain.headers['etag']);
    expect(gunzipSync(Buffer.from(await zipped.body.arrayBuffer())).toString('utf8')).toBe(plainBody);
  });
});

describe('simulated Statuspage server: faults', () => {
  it('status(): once on one path, then the real answer; other paths untouched', async () => {
    const { server, get } = await serve();
    const fault = server.faults.status(500, { path: 'summary.json', once: true });
    expect((await get('/api/v2/status.json')).status).toBe(200);
    const failed = await get(SUMMARY);
    expect(failed.status).toBe(500);
    expect(failed.headers.get('content-type')).toMatch(/text\/html/);
    expect((await get(SUMMARY)).status).toBe(200);
    expect(fault.hits).toBe(1);
    expect(fault.active).toBe(false);
    expect(server.requests.map((r) => [r.status, r.fault])).toEqual([
      [200, undefined],
      [500, 'status'],
      [200, undefined],
    ]);
  });

  it('status(): 429 with Retry-After, a 503 HTML page, the positional form, until cleared', async () => {
    const { server, get } = await serve();
    server.faults.status(429, { retryAfter: 30, times: 2 });
    for (let n = 0; n < 2; n++) {
      const res = await get(SUMMARY);
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('30');
    }
    expect((await get(SUMMARY)).status).toBe(200);

    server.faults.status(503, '<html><body>Service Unavailable</body></html>', { 'x-served-by': 'cache' });
    for (let n = 0; n < 3; n++) {
      const res = await get('/history.rss');
      expect(res.status).toBe(503);
      expect(res.headers.get('content-type')).toMatch(/text\/html/);
      expect(res.headers.get('x-served-by')).toBe('cache');
      expect(await res.text()).toContain('Service Unavailable');
    }
    server.faults.clear();
    expect((await get('/history.rss')).status).toBe(200);
  });

  it('html(): 200 with an HTML page where JSON was expected', async () => {
    const { server, get } = await serve();
    server.faults.html({ once: true });
    const res = await get(SUMMARY);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const text = await res.text();
    expect(text).toMatch(/^<!DOCTYPE html>/);
    expect(() => JSON.parse(text)).toThrow();
  });

  it('truncate(): half the real body, a consistent Content-Length, and JSON that does not parse', async () => {
    const { server, get } = await serve();
    const full = await (await get(SUMMARY)).text();
    server.faults.truncate({ once: true });
    const res = await get(SUMMARY);
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(Number(res.headers.get('content-length'))).toBe(Buffer.byteLength(text));
    expect(text).toBe(
      Buffer.from(full)
        .subarray(0, Math.floor(Buffer.byteLength(full) / 2))
        .toString(),
    );
    expect(() => JSON.parse(text)).toThrow();
  });

  it('truncate({abort}): the full length announced, the connection dropped half way', async () => {
    const { server, get } = await serve();
    server.faults.truncate({ abort: true, once: true });
    const res = await get(SUMMARY);
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();
  });

  it('huge(): streams exactly N bytes (10 MB), chunked unless asked for a Content-Length', async () => {
    const { server, get } = await serve();
    const size = 10 * 1024 * 1024;
    server.faults.huge(size, { once: true });
    const res = await get(SUMMARY);
    expect(res.headers.get('content-length')).toBeNull();
    expect(res.headers.get('transfer-encoding')).toBe('chunked');
    let received = 0;
    let first = '';
    let last = '';
    const reader = res.body!.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (received === 0) first = Buffer.from(value.subarray(0, 12)).toString();
      received += value.byteLength;
      last = Buffer.from(value.subarray(-2)).toString();
    }
    expect(received).toBe(size);
    expect(first).toBe('{"padding":"');
    expect(last).toBe('"}');

    server.faults.huge(1_000_000, { once: true, contentLength: true });
    const declared = await get(SUMMARY);
    expect(declared.headers.get('content-length')).toBe('1000000');
    expect((await declared.arrayBuffer()).byteLength).toBe(1_000_000);
  });

  it('huge(): stops streaming when the client gives up', async () => {
    const { server, get } = await serve();
    server.faults.huge(500 * 1024 * 1024, { once: true });
    const controller = new AbortController();
    const res = await get(SUMMARY, { signal: controller.signal });
    const reader = res.body!.getReader();
    await reader.read();
    controller.abort();
    await expect(reader.read()).rejects.toThrow();
    await server.close(); // returns although 500 MB were never sent
  });

  it('slow(): the real answer, late', async () => {
    const { server, get } = await serve();
    server.faults.slow(300, { once: true });
    const t0 = performance.now();
    const res = await get(SUMMARY);
    expect(res.status).toBe(200);
    expect(JSON.parse(await res.text())).toHaveProperty('components');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(290);
  });

  it('hang(): never answers, so the client timeout cuts it', async () => {
    const { server, get } = await serve();
    server.faults.hang({ path: SUMMARY });
    await expect(get(SUMMARY, { signal: AbortSignal.timeout(200) })).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(server.requests.at(-1)).toMatchObject({ path: SUMMARY, status: undefined, fault: 'hang' });
    expect((await get('/api/v2/status.json')).status).toBe(200);
  });

  it('close() returns promptly while a hanging request is still open', async () => {
    const { server, get } = await serve();
    server.faults.hang();
    const pending = get(SUMMARY);
    pending.catch(() => {});
    while (server.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    const t0 = performance.now();
    await server.close();
    expect(performance.now() - t0).toBeLessThan(1000);
    await expect(pending).rejects.toThrow();
  });

  it('reset(): the connection is destroyed without an answer', async () => {
    const { server, get } = await serve();
    server.faults.reset({ once: true });
    await expect(get(SUMMARY)).rejects.toThrow(/fetch failed/);
    expect((await get(SUMMARY)).status).toBe(200);
  });

  it('the newest matching fault wins, and clear(path) removes only that path', async () => {
    const { server, get } = await serve();
    server.faults.status(500);
    server.faults.status(502, { path: SUMMARY });
    expect((await get(SUMMARY)).status).toBe(502);
    expect((await get('/history.atom')).status).toBe(500);
    server.faults.clear(SUMMARY);
    expect((await get(SUMMARY)).status).toBe(500);
    expect(server.faults.active).toHaveLength(1);
  });
});
