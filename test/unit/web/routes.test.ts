// The page's routes on the bot's HTTP server, over real HTTP: what a browser (or a script) gets, the 401s with
// web.auth, and the live-change stream.
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../../adapters/sqlite/sqlite-store.js';
import type { WebConfig } from '../../../src/config/schema.js';
import type { Alert } from '../../../src/domain/alert.js';
import { HttpServer } from '../../../src/http/server.js';
import { silentLogger } from '../../../src/ports/logger.js';
import type { Store } from '../../../src/ports/store.js';
import { SCRIPT, STYLE } from '../../../src/web/assets.js';
import { ChangeFeed, watchStore } from '../../../src/web/change-feed.js';
import { CONTENT_SECURITY_POLICY, mountWebPage } from '../../../src/web/routes.js';
import { makeAlert } from '../../contract/alert-factory.js';

const NOW = Date.UTC(2026, 10, 27, 9, 0, 0);
const EVIL = '<img src=x onerror=alert(1)>';

function component(over: Partial<Alert> = {}): Alert {
  return makeAlert({
    id: 'A1',
    kind: 'statuspage.component',
    source: 'institutions',
    state: 'firing',
    title: `${EVIL}: major outage`,
    status: 'major_outage',
    institution: { name: 'img_src_x', displayName: EVIL, country: 'MX' },
    maintenance: undefined,
    acknowledged: undefined,
    resolvedAt: undefined,
    evidence: { component: EVIL },
    ...over,
  });
}

interface Served {
  url: string;
  store: Store;
  changes: ChangeFeed;
  close(): Promise<void>;
}

const opened: Served[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

async function serve(config: Partial<WebConfig> = {}, secrets: Record<string, string> = {}): Promise<Served> {
  const dir = mkdtempSync(join(tmpdir(), 'belvo-status-web-'));
  const changes = new ChangeFeed();
  const store = watchStore(createSqliteStore({ path: join(dir, 'state.db'), clock: { now: () => NOW } }), changes);
  await store.init();
  const http = new HttpServer({ host: '127.0.0.1', port: 0, bodyLimitBytes: 1024, logger: silentLogger });
  mountWebPage(http.router, {
    store,
    clock: { now: () => NOW },
    config: { enabled: true, basePath: '', ...config },
    secrets: new Map(Object.entries(secrets)),
    changes,
    logger: silentLogger,
    sources: [{ id: 'institutions', name: 'Institutions', role: 'institutions' }],
    catalogue: () => new Map(),
    configSilences: [],
  });
  const { port } = await http.listen();
  const served = {
    url: `http://127.0.0.1:${port}`,
    store,
    changes,
    async close() {
      await http.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  opened.push(served);
  return served;
}

const commit = (store: Store, alerts: Alert[]) => store.commitEvaluation({ alerts, intents: [], cursors: [] });

describe('the page over HTTP', () => {
  it('serves the page with a strict CSP, its own script and style sheet, and text from pages escaped', async () => {
    const s = await serve();
    await commit(s.store, [component()]);
    const res = await fetch(`${s.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-inline');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await res.text();
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toContain('<img');
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    expect(scripts).toEqual([`<script src="/web/assets/${SCRIPT.name}" defer>`]);

    const js = await fetch(`${s.url}/web/assets/${SCRIPT.name}`);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toContain('immutable');
    expect(await js.text()).toContain('EventSource');
    expect((await fetch(`${s.url}/web/assets/${STYLE.name}`)).headers.get('content-type')).toBe(
      'text/css; charset=utf-8',
    );
    expect((await fetch(`${s.url}/web/assets/page.js`)).status).toBe(404);
  });

  it('each incident has its page; an unknown id is a 404 page, not an error', async () => {
    const s = await serve();
    await commit(s.store, [component()]);
    const res = await fetch(`${s.url}/incidents/A1`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<h1>[A1] &lt;img src=x onerror=alert(1)&gt;: major outage</h1>');
    const missing = await fetch(`${s.url}/incidents/${encodeURIComponent('<b>A99')}`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('No incident &lt;b&gt;A99');
  });

  it('the same data as JSON, and gzip for a browser that accepts it', async () => {
    const s = await serve();
    await commit(s.store, [component()]);
    const data = (await (await fetch(`${s.url}/web/data.json`)).json()) as { now: { incidents: { id: string }[] } };
    expect(data.now.incidents.map((i) => i.id)).toEqual(['A1']);
    const zipped = await new Promise<{ encoding?: string }>((resolve, reject) => {
      request(`${s.url}/`, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
        res.resume();
        resolve({ encoding: res.headers['content-encoding'] });
      })
        .on('error', reject)
        .end();
    });
    expect(zipped.encoding).toBe('gzip');
  });

  it('lives under web.basePath when one is set', async () => {
    const s = await serve({ basePath: '/status' });
    await commit(s.store, [component()]);
    expect((await fetch(`${s.url}/status`)).status).toBe(200);
    expect((await fetch(`${s.url}/status/incidents/A1`)).status).toBe(200);
    expect((await fetch(`${s.url}/`)).status).toBe(404);
    expect(await (await fetch(`${s.url}/status/`)).text()).toContain('href="/status/incidents/A1"');
  });
});

describe('web.auth', () => {
  const routes = ['/', '/incidents/A1', '/web/data.json', `/web/assets/${SCRIPT.name}`, '/web/events'];

  it('bearer: every route answers 401 without the token or with a wrong one, and serves with it', async () => {
    const s = await serve(
      { auth: { type: 'bearer', token: { secretEnv: 'WEB_TOKEN' } } },
      { WEB_TOKEN: 's3cret-token' },
    );
    await commit(s.store, [component()]);
    for (const path of routes) {
      const none = await fetch(`${s.url}${path}`);
      expect(none.status, path).toBe(401);
      expect(none.headers.get('www-authenticate')).toBe('Bearer realm="belvo-status"');
      const body = await none.text();
      expect(body).not.toContain('img');
      expect((await fetch(`${s.url}${path}`, { headers: { authorization: 'Bearer wrong' } })).status, path).toBe(401);
    }
    for (const path of routes.filter((p) => p !== '/web/events')) {
      const ok = await fetch(`${s.url}${path}`, { headers: { authorization: 'Bearer s3cret-token' } });
      expect(ok.status, path).toBe(200);
    }
  });

  it('basic: a browser is asked for the password; user and password must both match', async () => {
    const s = await serve(
      { auth: { type: 'basic', username: 'oncall', password: { secretEnv: 'WEB_PASSWORD' } } },
      { WEB_PASSWORD: 'pa:ss' },
    );
    const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
    const none = await fetch(`${s.url}/`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Basic realm="belvo-status", charset="UTF-8"');
    expect((await fetch(`${s.url}/`, { headers: { authorization: basic('oncall', 'wrong') } })).status).toBe(401);
    expect((await fetch(`${s.url}/`, { headers: { authorization: basic('someone', 'pa:ss') } })).status).toBe(401);
    expect((await fetch(`${s.url}/`, { headers: { authorization: basic('oncall', 'pa:ss') } })).status).toBe(200);
  });
});

describe('live changes', () => {
  it('the stream tells an open page the moment an alert changes, and a change it missed while connecting', async () => {
    const s = await serve();
    const missed = s.changes.revision;
    await commit(s.store, [component()]);
    const events: string[] = [];
    const controller = new AbortController();
    const res = await fetch(`${s.url}/web/events?since=${missed}`, { signal: controller.signal });
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const reader = res.body!.getReader();
    const next = async (): Promise<string> => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        const text = Buffer.from(value).toString();
        const found = text.split('\n\n').filter((e) => e.startsWith('event: change'));
        if (found.length) {
          events.push(...found);
          return found[0]!;
        }
      }
    };
    expect(await next()).toBe(`event: change\ndata: ${s.changes.revision}`);
    await commit(s.store, [component({ severity: 'critical', rev: 1 })]);
    expect(await next()).toMatch(/^event: change\ndata: \d+$/);
    controller.abort();
  });

  it('only what a reader can see counts as a change: a poll that saw the same thing again does not', async () => {
    const s = await serve();
    const a = component();
    await commit(s.store, [a]);
    const after = s.changes.revision;
    await commit(s.store, [{ ...a, rev: 1, lastSeenAt: a.lastSeenAt + 60_000, counters: { bad: 9, ok: 0 } }]);
    expect(s.changes.revision).toBe(after);
    await commit(s.store, [{ ...a, rev: 2, acknowledged: { by: 'ana', at: NOW } }]);
    expect(s.changes.revision).toBe(after + 1);
    await s.store.addSilence({
      id: 'S1',
      matcher: { source: 'institutions' },
      startsAt: 0,
      endsAt: NOW + 1,
      createdBy: 'ana',
      reason: 'x',
    });
    expect(s.changes.revision).toBe(after + 2);
  });
});
