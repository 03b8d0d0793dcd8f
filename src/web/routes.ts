// The web page's routes on the bot's one HTTP server: the page, each incident's permalink, the live-change stream
// (server-sent events), the page's data as JSON, and its style sheet and script. Every answer carries a strict
// Content-Security-Policy (scripts and styles from this server only, nothing inline); with `web.auth` set, every one
// of them answers 401 without the credentials.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { WebConfig } from '../config/schema.js';
import type { RouteResponse, Router } from '../http/router.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import { ASSETS } from './assets.js';
import { webAuth } from './auth.js';
import type { ChangeFeed } from './change-feed.js';
import { escapeHtml } from './html.js';
import { cachedAudit, loadPageData, type PageDeps, sharedAlerts, storedAlerts } from './page-data.js';
import { parsePageQuery } from './page-query.js';
import { webPaths } from './paths.js';
import { renderIncident, renderNotFound } from './render/incident.js';
import { renderPage } from './render/page.js';
import { buildIncidentPage } from './views/incident.js';
import { buildPageView } from './views/page.js';

export interface WebDeps extends PageDeps {
  clock: Clock;
  config: WebConfig;
  secrets: ReadonlyMap<string, string>;
  changes: ChangeFeed;
  logger: Logger;
}

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
};

/** Open live-change streams at once; more get 503 (each holds a socket and a listener). */
export const MAX_STREAMS = 200;
/** A comment this often keeps proxies from closing an idle stream. */
const KEEP_ALIVE_MS = 25_000;
/** How long a browser waits before reconnecting a dropped stream. */
const RECONNECT_MS = 2000;
/** Ids are short (`A12`); anything else is not an incident. */
const ALERT_ID = /^[A-Za-z0-9_-]{1,64}$/;
/** Members shown on an incident's page (a storm can carry hundreds). */
const MEMBERS_SHOWN = 100;

const gzipAsync = promisify(gzip);

/** Large pages go gzipped when the browser accepts it (a thousand institutions compress about tenfold). */
async function encoded(req: IncomingMessage, body: string, type: string, extra: Record<string, string> = {}) {
  const headers: Record<string, string> = {
    ...SECURITY_HEADERS,
    'content-type': type,
    vary: 'accept-encoding',
    ...extra,
  };
  const accepts = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  if (!accepts || body.length < 1024) return { status: 200, headers, body };
  return { status: 200, headers: { ...headers, 'content-encoding': 'gzip' }, body: await gzipAsync(body) };
}

export function mountWebPage(router: Router, deps: WebDeps): void {
  const paths = webPaths(deps.config.basePath);
  const base = deps.config.basePath.replace(/\/+$/, '');
  const auth = webAuth(deps.config.auth, deps.secrets);
  const cache = deps.config.auth ? 'private' : 'public';
  let streams = 0;
  const shared = {
    audit: cachedAudit(deps.belvo),
    alerts: sharedAlerts(storedAlerts(deps.store), () => deps.changes.revision),
  };

  const guarded =
    (handler: (req: IncomingMessage, params: Record<string, string>) => Promise<RouteResponse> | RouteResponse) =>
    ({ req, params }: { req: IncomingMessage; params: Record<string, string> }) => {
      if (!auth.authorized(req)) {
        return {
          status: 401,
          headers: {
            ...SECURITY_HEADERS,
            'content-type': 'text/plain; charset=utf-8',
            'cache-control': 'no-store',
            ...(auth.challenge && { 'www-authenticate': auth.challenge }),
          },
          body: 'Authentication required: this page is protected by web.auth.\n',
        };
      }
      return handler(req, params);
    };

  const pageHandler = guarded(async (req) => {
    const started = performance.now();
    const query = parsePageQuery(new URL(req.url ?? '/', 'http://localhost').searchParams);
    const revision = deps.changes.revision;
    const data = await loadPageData(deps, deps.clock.now(), query.days, shared);
    const html = renderPage(paths, buildPageView(data, query), query, revision);
    const took = (performance.now() - started).toFixed(1);
    return encoded(req, html, 'text/html; charset=utf-8', {
      'cache-control': 'no-store',
      'server-timing': `page;dur=${took}`,
    });
  });
  router.add('GET', base || '/', pageHandler);

  router.add(
    'GET',
    `${base}/incidents/:id`,
    guarded(async (req, params) => {
      const id = params.id ?? '';
      const now = deps.clock.now();
      const revision = deps.changes.revision;
      const alert = ALERT_ID.test(id) ? await deps.store.getAlert(id) : undefined;
      if (!alert) {
        return {
          status: 404,
          headers: { ...SECURITY_HEADERS, 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
          body: renderNotFound(paths, id.slice(0, 64), now, revision),
        };
      }
      const memberIds = (alert.members ?? []).slice(0, MEMBERS_SHOWN).map((m) => m.id);
      const speakerId = alert.incidentId ?? alert.groupId;
      const [members, speaker, refs, stored] = await Promise.all([
        Promise.all(memberIds.map((m) => deps.store.getAlert(m))),
        speakerId ? deps.store.getAlert(speakerId) : undefined,
        deps.store.listMessageRefs(alert.id),
        deps.store.listSilences(now),
      ]);
      const view = buildIncidentPage({
        alert,
        members: members.filter((m) => m !== undefined),
        ...(speaker && { speaker }),
        destinations: refs.map((r) => r.destination),
        silences: [...deps.configSilences, ...stored],
        now,
      });
      return encoded(req, renderIncident(paths, view, now, revision), 'text/html; charset=utf-8', {
        'cache-control': 'no-store',
      });
    }),
  );

  router.add(
    'GET',
    `${base}/web/data.json`,
    guarded(async (req) => {
      const query = parsePageQuery(new URL(req.url ?? '/', 'http://localhost').searchParams);
      const data = await loadPageData(deps, deps.clock.now(), query.days, shared);
      const body = JSON.stringify({ revision: deps.changes.revision, query, ...buildPageView(data, query) });
      return encoded(req, body, 'application/json; charset=utf-8', { 'cache-control': 'no-store' });
    }),
  );

  router.add(
    'GET',
    `${base}/web/assets/:name`,
    guarded((_req, params) => {
      const asset = ASSETS.get(params.name ?? '');
      if (!asset) {
        return {
          status: 404,
          headers: { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8' },
          body: `no such file: ${escapeHtml(params.name ?? '')}\n`,
        };
      }
      return {
        status: 200,
        headers: {
          ...SECURITY_HEADERS,
          'content-type': asset.type,
          'cache-control': `${cache}, max-age=31536000, immutable`,
        },
        body: asset.body,
      };
    }),
  );

  router.add(
    'GET',
    `${base}/web/events`,
    guarded((req) => {
      if (streams >= MAX_STREAMS) {
        return {
          status: 503,
          headers: { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8', 'retry-after': '30' },
          body: 'too many open pages\n',
        };
      }
      const since = Number(new URL(req.url ?? '/', 'http://localhost').searchParams.get('since'));
      return {
        status: 200,
        headers: {
          ...SECURITY_HEADERS,
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-store',
          // Proxies that buffer responses (nginx) would hold the events back.
          'x-accel-buffering': 'no',
        },
        stream: (res: ServerResponse) => {
          streams++;
          const send = (revision: number) => res.write(`event: change\ndata: ${revision}\n\n`);
          res.write(`retry: ${RECONNECT_MS}\n\n`);
          // A change committed between rendering the page and opening this stream is not lost.
          if (Number.isFinite(since) && deps.changes.revision > since) send(deps.changes.revision);
          const unsubscribe = deps.changes.subscribe(send);
          const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
          keepAlive.unref();
          res.once('close', () => {
            streams--;
            unsubscribe();
            clearInterval(keepAlive);
          });
        },
      };
    }),
  );
  deps.logger.debug({ basePath: paths.home }, 'web page mounted');
}
