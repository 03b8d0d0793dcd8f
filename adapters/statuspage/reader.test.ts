import type { IncomingMessage, ServerResponse } from 'node:http';
import { Agent } from 'undici';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CursorAccess, FeedCursor, StatusPageReadResult } from '../../src/ports/source.js';
import { type FixtureName, fixture, jsonFixture } from '../../test/fixtures/statuspage/load.js';
import { startServer, type TestServer } from '../../test/fixtures/statuspage/server.js';
import { parseFeed } from './parse-feed.js';
import { parseIncidents, parseMaintenances, parseSummary } from './parse-json.js';
import { createStatusPageReader, type StatusPageFormat } from './reader.js';

// Count parses: a 304 (or the same bytes) must cost none.
vi.mock('./parse-json.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('./parse-json.js')>();
  return {
    ...actual,
    parseSummary: vi.fn(actual.parseSummary),
    parseIncidents: vi.fn(actual.parseIncidents),
    parseMaintenances: vi.fn(actual.parseMaintenances),
  };
});
vi.mock('./parse-feed.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('./parse-feed.js')>();
  return { ...actual, parseFeed: vi.fn(actual.parseFeed) };
});

const SUMMARY = '/api/v2/summary.json';
const INCIDENTS = '/api/v2/incidents.json';
const MAINTENANCES = '/api/v2/scheduled-maintenances.json';
const NOW = Date.parse('2025-02-18T17:15:00Z');

/** What the fake page serves per path; ETag support can be switched off to mimic a server without validators. */
interface Served {
  body?: string;
  etag?: string;
  status?: number;
  hang?: boolean;
  contentType?: string;
}

let server: TestServer;
let served: Map<string, Served>;
let honourValidators: boolean;
const dispatcher = new Agent({ keepAliveTimeout: 10 });

function serve(path: string, what: Served) {
  served.set(path, what);
}

function serveFixture(path: string, name: FixtureName, etag: string) {
  serve(path, { body: fixture(name), etag });
}

function handler(req: IncomingMessage, res: ServerResponse) {
  const path = (req.url ?? '').split('?')[0] ?? '';
  const what = served.get(path);
  if (!what) {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('Not Found');
    return;
  }
  if (what.hang) return;
  if (honourValidators && what.etag && req.headers['if-none-match'] === what.etag) {
    res.writeHead(304, { etag: what.etag });
    res.end();
    return;
  }
  res.writeHead(what.status ?? 200, {
    'content-type': what.contentType ?? (path.endsWith('.json') ? 'application/json' : 'application/rss+xml'),
    ...(what.etag && { etag: what.etag }),
  });
  res.end(what.body ?? '');
}

function servePage() {
  serveFixture(SUMMARY, 'summary.json', '"s1"');
  serveFixture(INCIDENTS, 'incidents.json', '"i1"');
  serveFixture(MAINTENANCES, 'scheduled-maintenances.json', '"m1"');
  serveFixture('/history.rss', 'history.rss', '"r1"');
  serveFixture('/history.atom', 'history.atom', '"a1"');
}

function memoryCursors(initial: FeedCursor[] = []): CursorAccess & { store(cursors: FeedCursor[]): void } {
  const map = new Map(initial.map((c) => [c.key, c]));
  return {
    get: async (key) => map.get(key),
    store: (cursors) => {
      for (const c of cursors) map.set(c.key, c);
    },
  };
}

function reader(format: StatusPageFormat, cursors: CursorAccess = memoryCursors(), timeoutMs = 2000) {
  return createStatusPageReader({
    sourceId: 'belvo-institutions',
    baseUrl: `${server.base}/`,
    format,
    timeoutMs,
    maxBodyBytes: 2 * 1024 * 1024,
    cursors,
    dispatcher,
    clock: { now: () => NOW },
  });
}

const read = (r: ReturnType<typeof reader>) => r.read(AbortSignal.timeout(5000));

function ok(result: StatusPageReadResult) {
  if (!result.ok) throw new Error(`expected ok, got ${result.error.code}: ${result.error.message}`);
  return result;
}

function failed(result: StatusPageReadResult) {
  if (result.ok) throw new Error('expected a failed read');
  return result.error;
}

const parses = () => ({
  summary: vi.mocked(parseSummary).mock.calls.length,
  incidents: vi.mocked(parseIncidents).mock.calls.length,
  maintenances: vi.mocked(parseMaintenances).mock.calls.length,
  feed: vi.mocked(parseFeed).mock.calls.length,
});

beforeAll(async () => {
  server = await startServer();
  server.handle(handler);
});
beforeEach(() => {
  served = new Map();
  honourValidators = true;
  servePage();
  vi.clearAllMocks();
});
afterEach(() => {
  server.requests.length = 0;
});
afterAll(async () => {
  await server.close();
  await dispatcher.close();
});

describe('JSON reader', () => {
  it('reads the three documents in one snapshot and hands back their cursors', async () => {
    const first = ok(await read(reader('json')));
    expect(first.unchanged).toBe(false);
    expect(first.snapshot.components?.map((c) => c.name)).toContain('Banco X MX - Retail');
    expect(first.snapshot.incidents.map((i) => i.id)).toEqual(['n4njzfn1mqy0', 'r7t9v2b5c1xq', 'p0stm0rtem01']);
    expect(first.snapshot.maintenances.map((m) => m.id)).toEqual(['k8m2x0qz7d4p', 's5ch3dul3d01', 'c0mpl3t3d001']);
    expect(first.cursors.map((c) => [c.key, c.etag, c.fetchedAt])).toEqual([
      ['statuspage:belvo-institutions:/api/v2/summary.json', '"s1"', NOW],
      ['statuspage:belvo-institutions:/api/v2/incidents.json', '"i1"', NOW],
      ['statuspage:belvo-institutions:/api/v2/scheduled-maintenances.json', '"m1"', NOW],
    ]);
    expect(first.cursors[0]?.body).toBe(fixture('summary.json'));
    expect(server.requests.map((r) => r.path).sort()).toEqual([INCIDENTS, MAINTENANCES, SUMMARY].sort());
  });

  it('a second poll answered 304 everywhere is unchanged, the same object, and parses nothing', async () => {
    const r = reader('json');
    const first = ok(await read(r));
    const before = parses();
    server.requests.length = 0;
    const second = ok(await read(r));
    expect(second.unchanged).toBe(true);
    expect(second.snapshot).toBe(first.snapshot);
    expect(second.cursors).toEqual([]);
    expect(parses()).toEqual(before);
    expect(server.requests.map((q) => q.headers['if-none-match']).sort()).toEqual(['"i1"', '"m1"', '"s1"']);
  });

  it('treats the same bytes from a server without validators as unchanged, without parsing', async () => {
    honourValidators = false;
    const r = reader('json');
    const first = ok(await read(r));
    const before = parses();
    const second = ok(await read(r));
    expect(second.unchanged).toBe(true);
    expect(second.snapshot).toBe(first.snapshot);
    expect(parses()).toEqual(before);
    // still 200s: their cursors are handed back for storage
    expect(second.cursors).toHaveLength(3);
  });

  it('re-parses only the document that changed', async () => {
    const r = reader('json');
    const first = ok(await read(r));
    const before = parses();
    const doc = jsonFixture('summary.json');
    doc.components[1].status = 'major_outage';
    serve(SUMMARY, { body: JSON.stringify(doc), etag: '"s2"' });
    const second = ok(await read(r));
    expect(second.unchanged).toBe(false);
    expect(second.snapshot).not.toBe(first.snapshot);
    expect(second.snapshot.components?.find((c) => c.id === 'cmpmxbxret01')?.status).toBe('major_outage');
    expect(parses()).toEqual({ ...before, summary: before.summary + 1 });
    expect(second.cursors.map((c) => c.etag)).toEqual(['"s2"']);
  });

  it('after a restart, a 304 is answered from the stored cursor body, parsed once', async () => {
    const cursors = memoryCursors();
    const first = ok(await read(reader('json', cursors)));
    cursors.store(first.cursors);

    vi.clearAllMocks();
    server.requests.length = 0;
    const restarted = reader('json', cursors);
    const afterRestart = ok(await read(restarted));
    expect(server.requests.map((q) => q.headers['if-none-match']).sort()).toEqual(['"i1"', '"m1"', '"s1"']);
    expect(afterRestart.snapshot).toEqual(first.snapshot);
    expect(afterRestart.cursors).toEqual([]);
    expect(parses()).toEqual({ summary: 1, incidents: 1, maintenances: 1, feed: 0 });

    const again = ok(await read(restarted));
    expect(again.unchanged).toBe(true);
    expect(again.snapshot).toBe(afterRestart.snapshot);
    expect(parses()).toEqual({ summary: 1, incidents: 1, maintenances: 1, feed: 0 });
  });

  it('does not send validators for a stored cursor without a body', async () => {
    const cursors = memoryCursors([
      { key: 'statuspage:belvo-institutions:/api/v2/summary.json', etag: '"s1"', fetchedAt: NOW },
    ]);
    ok(await read(reader('json', cursors)));
    const summaryRequest = server.requests.find((q) => q.path === SUMMARY);
    expect(summaryRequest?.headers['if-none-match']).toBeUndefined();
  });

  it('refetches unconditionally when a stored body no longer parses', async () => {
    const cursors = memoryCursors([
      { key: 'statuspage:belvo-institutions:/api/v2/summary.json', etag: '"s1"', body: '{"corrupt', fetchedAt: 1 },
    ]);
    const result = ok(await read(reader('json', cursors)));
    expect(result.snapshot.components).toHaveLength(8);
    const summaryRequests = server.requests.filter((q) => q.path === SUMMARY);
    expect(summaryRequests.map((q) => q.headers['if-none-match'])).toEqual(['"s1"', undefined]);
    expect(result.cursors.map((c) => c.key)).toContain('statuspage:belvo-institutions:/api/v2/summary.json');
  });

  it('fails the whole read when one URL fails, and keeps comparing with the last good snapshot', async () => {
    const r = reader('json');
    const first = ok(await read(r));

    const doc = jsonFixture('summary.json');
    doc.components[1].status = 'operational';
    serve(SUMMARY, { body: JSON.stringify(doc), etag: '"s2"' });
    serve(INCIDENTS, { status: 500, body: 'upstream exploded' });
    const broken = failed(await read(r));
    expect(broken).toMatchObject({ code: 'http_status', status: 500 });

    serveFixture(INCIDENTS, 'incidents.json', '"i1"');
    const recovered = ok(await read(r));
    // the summary changed since the last snapshot the caller saw: not "unchanged"
    expect(recovered.unchanged).toBe(false);
    expect(recovered.snapshot).not.toBe(first.snapshot);
    expect(recovered.snapshot.components?.find((c) => c.id === 'cmpmxbxret01')?.status).toBe('operational');
    expect(recovered.cursors.map((c) => c.etag)).toContain('"s2"');
  });

  it('fails on a truncated JSON body', async () => {
    serve(INCIDENTS, { body: fixture('incidents.json').slice(0, 2000), etag: '"i-trunc"' });
    const error = failed(await read(reader('json')));
    expect(error.code).toBe('malformed');
    expect(error.message).toContain('incidents.json');
  });

  it('fails on an HTML error page', async () => {
    serve(SUMMARY, { body: '<!DOCTYPE html><html><body>We are down</body></html>', contentType: 'text/html' });
    expect(failed(await read(reader('json'))).code).toBe('malformed');
  });

  it('fails with a timeout when one URL hangs, well before the others would matter', async () => {
    serve(MAINTENANCES, { hang: true });
    const started = performance.now();
    const error = failed(await read(reader('json', memoryCursors(), 150)));
    expect(error.code).toBe('timeout');
    expect(performance.now() - started).toBeLessThan(900);
  });

  it('reads on from the summary alone when the two lists are 404', async () => {
    served.delete(INCIDENTS);
    served.delete(MAINTENANCES);
    const r = reader('json');
    const result = ok(await read(r));
    expect(result.snapshot.incidents.map((i) => i.id)).toEqual(['n4njzfn1mqy0']);
    expect(result.snapshot.incidentsComplete).toBe(true);
    expect(result.cursors).toHaveLength(1);
    const again = ok(await read(r));
    expect(again.unchanged).toBe(true);
    expect(again.snapshot).toBe(result.snapshot);
  });

  it('does not tolerate a missing summary', async () => {
    served.delete(SUMMARY);
    expect(failed(await read(reader('json')))).toMatchObject({ code: 'http_status', status: 404 });
  });
});

describe('feed readers', () => {
  it.each<[StatusPageFormat, string]>([
    ['rss', '/history.rss'],
    ['atom', '/history.atom'],
  ])('%s: one URL, JSON ids, and a 304 costs no parse', async (format, path) => {
    const r = reader(format);
    const first = ok(await read(r));
    expect(server.requests.map((q) => q.path)).toEqual([path]);
    expect(first.snapshot.incidents.map((i) => i.id)).toEqual(['n4njzfn1mqy0', 'r7t9v2b5c1xq', 'p0stm0rtem01']);
    expect(first.snapshot.incidentsComplete).toBe(false);
    expect(first.cursors.map((c) => c.key)).toEqual([`statuspage:belvo-institutions:${path}`]);

    const second = ok(await read(r));
    expect(second.unchanged).toBe(true);
    expect(second.snapshot).toBe(first.snapshot);
    expect(vi.mocked(parseFeed)).toHaveBeenCalledTimes(1);
  });

  it('fails a feed that is not a feed', async () => {
    serve('/history.rss', { body: '<?xml version="1.0"?><nothing/>', etag: '"x"' });
    expect(failed(await read(reader('rss'))).code).toBe('malformed');
  });
});
