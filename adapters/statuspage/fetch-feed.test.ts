import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fixture } from '../../test/fixtures/statuspage/load.js';
import { startServer, type TestServer } from '../../test/fixtures/statuspage/server.js';
import { FEED_USER_AGENT, type FetchFeedResult, fetchFeed } from './fetch-feed.js';

const MB = 1024 * 1024;
const SUMMARY = fixture('summary.json');

let server: TestServer;
// A dispatcher per test file keeps stalled test connections out of the process-wide pool.
const dispatcher = new Agent({ keepAliveTimeout: 10 });

beforeAll(async () => {
  server = await startServer();
});
afterEach(() => {
  server.requests.length = 0;
});
afterAll(async () => {
  await server.close();
  await dispatcher.close();
});

const get = (path: string, extra: Partial<Parameters<typeof fetchFeed>[0]> = {}) =>
  fetchFeed({ url: `${server.base}${path}`, timeoutMs: 2000, maxBodyBytes: 1 * MB, dispatcher, ...extra });

function failure(result: FetchFeedResult) {
  if (result.kind !== 'failed') throw new Error(`expected a failure, got ${result.kind}`);
  return result.error;
}

describe('fetchFeed', () => {
  it('returns the body and validators, sending our User-Agent and Accept', async () => {
    server.handle((_req, res) => {
      res.writeHead(200, {
        'content-type': 'application/json; charset=utf-8',
        etag: 'W/"summary-v1"',
        'last-modified': 'Tue, 18 Feb 2025 17:10:42 GMT',
      });
      res.end(SUMMARY);
    });
    const result = await get('/api/v2/summary.json');
    expect(result).toEqual({
      kind: 'ok',
      body: SUMMARY,
      etag: 'W/"summary-v1"',
      lastModified: 'Tue, 18 Feb 2025 17:10:42 GMT',
    });
    const sent = server.requests[0]!;
    expect(sent.headers['user-agent']).toBe(FEED_USER_AGENT);
    expect(sent.headers.accept).toContain('application/json');
    expect(sent.headers['if-none-match']).toBeUndefined();
    expect(sent.headers['if-modified-since']).toBeUndefined();
  });

  it('sends the validators and reports not_modified on 304', async () => {
    server.handle((req, res) => {
      const fresh = req.headers['if-none-match'] === 'W/"summary-v1"';
      res.writeHead(fresh ? 304 : 200, { etag: 'W/"summary-v1"' });
      res.end(fresh ? undefined : SUMMARY);
    });
    const result = await get('/api/v2/summary.json', {
      cursor: { etag: 'W/"summary-v1"', lastModified: 'Tue, 18 Feb 2025 17:10:42 GMT' },
    });
    expect(result).toEqual({ kind: 'not_modified' });
    const sent = server.requests[0]!;
    expect(sent.headers['if-none-match']).toBe('W/"summary-v1"');
    expect(sent.headers['if-modified-since']).toBe('Tue, 18 Feb 2025 17:10:42 GMT');
  });

  it('asks for RSS/Atom on a feed URL', async () => {
    server.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml' });
      res.end(fixture('history.rss'));
    });
    const result = await get('/history.rss');
    expect(result.kind).toBe('ok');
    expect(server.requests[0]?.headers.accept).toContain('application/rss+xml');
  });

  it('reports a 500 as http_status with at most a short quote of the body', async () => {
    const longBody = `Internal error ${'x'.repeat(5000)} END-OF-BODY`;
    server.handle((_req, res) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(longBody);
    });
    const error = failure(await get('/api/v2/summary.json'));
    expect(error.code).toBe('http_status');
    expect(error.status).toBe(500);
    expect(error.message).toContain('HTTP 500');
    expect(error.message).toContain('Internal error');
    expect(error.message).not.toContain('END-OF-BODY');
    expect(error.message.length).toBeLessThan(200);
  });

  it('reports a 404 as http_status 404', async () => {
    server.handle((_req, res) => {
      res.writeHead(404);
      res.end('Not Found');
    });
    const error = failure(await get('/api/v2/incidents.json'));
    expect(error).toMatchObject({ code: 'http_status', status: 404 });
  });

  it('reports a 429 as rate_limited with Retry-After', async () => {
    server.handle((_req, res) => {
      res.writeHead(429, { 'retry-after': '30' });
      res.end('slow down');
    });
    const error = failure(await get('/api/v2/summary.json'));
    expect(error).toMatchObject({ code: 'rate_limited', status: 429 });
    expect(error.message).toContain('retry after 30');
  });

  it('does not follow a redirect: it is a status failure naming the target', async () => {
    server.handle((_req, res) => {
      res.writeHead(301, { location: 'https://elsewhere.example/api/v2/summary.json' });
      res.end();
    });
    const error = failure(await get('/api/v2/summary.json'));
    expect(error).toMatchObject({ code: 'http_status', status: 301 });
    expect(error.message).toContain('elsewhere.example');
  });

  it('times out a server that never answers, in well under a second', async () => {
    server.handle(() => {
      /* never answers */
    });
    const started = performance.now();
    const error = failure(await get('/api/v2/summary.json', { timeoutMs: 150 }));
    expect(error.code).toBe('timeout');
    expect(performance.now() - started).toBeLessThan(900);
  });

  it('times out a body that stalls after the headers', async () => {
    server.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"page":{');
    });
    const started = performance.now();
    const error = failure(await get('/api/v2/summary.json', { timeoutMs: 150 }));
    expect(error.code).toBe('timeout');
    expect(performance.now() - started).toBeLessThan(900);
  });

  it('stops at once when the declared length is over the limit (10 MB)', async () => {
    server.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(10 * MB) });
      res.end(Buffer.alloc(10 * MB, 0x20));
    });
    const error = failure(await get('/api/v2/summary.json'));
    expect(error.code).toBe('too_large');
  });

  it('stops streaming an undeclared body past the limit, without the server sending it all', async () => {
    const total = 64 * MB;
    let written = 0;
    let stoppedEarly = false;
    server.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = () => {
        while (written < total) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('close', () => {
        stoppedEarly = written < total;
      });
      res.write('{');
      pump();
    });
    const error = failure(await get('/api/v2/summary.json', { maxBodyBytes: 1 * MB }));
    expect(error.code).toBe('too_large');
    await expect.poll(() => stoppedEarly, { timeout: 2000 }).toBe(true);
  });

  it('reports an HTML page where JSON was expected as malformed, quoting at most 100 characters', async () => {
    const page = `<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>${'y'.repeat(3000)}</body></html>`;
    server.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=UTF-8' });
      res.end(page);
    });
    const error = failure(await get('/api/v2/summary.json'));
    expect(error.code).toBe('malformed');
    expect(error.message).toContain('HTML');
    expect(error.message).toContain('Just a moment');
    expect(error.message.length).toBeLessThan(250);
  });

  it('reports an HTML page where a feed was expected as malformed', async () => {
    server.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml' });
      res.end('\n  <html><body>maintenance</body></html>');
    });
    const error = failure(await get('/history.rss'));
    expect(error.code).toBe('malformed');
  });

  it('reports a connection that dies mid-body as a network failure', async () => {
    server.handle((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '5000' });
      res.write('{"page":', () => req.socket.destroy());
    });
    const error = failure(await get('/api/v2/summary.json'));
    expect(error.code).toBe('network');
  });

  it('reports a refused connection as a network failure', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = failure(
      await fetchFeed({ url: `http://127.0.0.1:${port}/history.rss`, timeoutMs: 2000, maxBodyBytes: MB, dispatcher }),
    );
    expect(error.code).toBe('network');
  });

  it('stops when the caller aborts', async () => {
    server.handle(() => {
      /* never answers */
    });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = failure(await get('/api/v2/summary.json', { timeoutMs: 5000, signal: controller.signal }));
    expect(error.code).toBe('timeout');
    expect(error.message).toContain('aborted');
  });
});
