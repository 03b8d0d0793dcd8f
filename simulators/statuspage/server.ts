// Serves a SimulatedPage over node:http the way Statuspage does (JSON API v2, history.rss, history.atom, conditional
// GET), records every request, and fails on command. Used by the demo, the tests and the benchmark.

import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http';
import { gzipSync } from 'node:zlib';
import { listen, trackSockets } from '../../src/http/listen.js';
import { FaultControl, type FaultKind, type FaultSpec } from './faults.js';
import type { SimulatedPage } from './model.js';
import { type RenderOptions, renderDocument } from './render.js';
import { httpDate } from './time.js';

export interface RecordedRequest {
  method: string;
  /** Pathname, without the query string. */
  path: string;
  /** The query string including `?`, or `''`. */
  query: string;
  /** Every request header, lower-cased (`if-none-match`, `if-modified-since`, `user-agent`, ...). */
  headers: Record<string, string>;
  /** Status answered; undefined while unanswered (a hang, a reset, or still in flight). */
  status: number | undefined;
  /** The fault that answered it, if any. */
  fault: FaultKind | undefined;
  /** Wall-clock arrival, epoch ms. */
  at: number;
  /** Wall-clock time to the end of the response, when it ended. */
  durationMs: number | undefined;
}

export interface StartSimulatedStatusPageOptions {
  page: SimulatedPage;
  host?: string;
  port?: number;
  /** Gzip bodies for clients that send `Accept-Encoding: gzip`, as the real pages do. Default false. */
  compression?: boolean;
  /** Keep only the newest N recorded requests (benchmarks). Default: unlimited. */
  maxRecorded?: number;
  render?: RenderOptions;
}

export interface SimulatedStatusPageServer {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  url: string;
  port: number;
  page: SimulatedPage;
  requests: RecordedRequest[];
  faults: FaultControl;
  /** Stops listening and destroys every open connection, hanging ones included. */
  close(): Promise<void>;
}

interface CachedDocument {
  version: number;
  body: Buffer;
  gzipped: Buffer | undefined;
  hash: string;
  contentType: string;
  /** Whole seconds, strictly increasing per path so If-Modified-Since never hides a change. */
  lastModified: number;
}

const CACHE_CONTROL = 'max-age=0, private, must-revalidate';
const CHUNK = Buffer.alloc(64 * 1024, 'x');

export async function startSimulatedStatusPage(
  options: StartSimulatedStatusPageOptions,
): Promise<SimulatedStatusPageServer> {
  const { page } = options;
  const host = options.host ?? '127.0.0.1';
  const faults = new FaultControl();
  const requests: RecordedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const cache = new Map<string, CachedDocument>();
  let renderOptions: RenderOptions = { ...options.render };

  function documentFor(path: string): CachedDocument | undefined {
    const cached = cache.get(path);
    if (cached && cached.version === page.version) return cached;
    const doc = renderDocument(page, path, renderOptions);
    if (!doc) return undefined;
    const body = Buffer.from(doc.body, 'utf8');
    const hash = createHash('sha256').update(body).digest('base64url').slice(0, 32);
    if (cached && cached.hash === hash) {
      cached.version = page.version;
      return cached;
    }
    const changedAt = Math.floor(page.updatedAt / 1000) * 1000;
    const lastModified = cached ? Math.max(changedAt, cached.lastModified + 1000) : changedAt;
    const next: CachedDocument = {
      version: page.version,
      body,
      gzipped: undefined,
      hash,
      contentType: doc.contentType,
      lastModified,
    };
    cache.set(path, next);
    return next;
  }

  function record(req: IncomingMessage, pathname: string, query: string): RecordedRequest {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    }
    const entry: RecordedRequest = {
      method: req.method ?? 'GET',
      path: pathname,
      query,
      headers,
      status: undefined,
      fault: undefined,
      at: Date.now(),
      durationMs: undefined,
    };
    requests.push(entry);
    if (options.maxRecorded !== undefined && requests.length > options.maxRecorded) {
      requests.splice(0, requests.length - options.maxRecorded);
    }
    return entry;
  }

  function answer(
    entry: RecordedRequest,
    res: ServerResponse,
    code: number,
    headers: Record<string, string | number>,
    body?: Buffer | string,
  ): void {
    entry.status = code;
    res.writeHead(code, headers);
    res.end(entry.method === 'HEAD' ? undefined : body);
  }

  function serveNormally(req: IncomingMessage, res: ServerResponse, entry: RecordedRequest): void {
    if (entry.method !== 'GET' && entry.method !== 'HEAD') {
      answer(
        entry,
        res,
        405,
        { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' },
        'Method Not Allowed',
      );
      return;
    }
    const doc = documentFor(entry.path);
    if (!doc) {
      answer(entry, res, 404, { 'content-type': 'text/html; charset=utf-8' }, errorPage(404));
      return;
    }
    const gzip = options.compression === true && /\bgzip\b/i.test(entry.headers['accept-encoding'] ?? '');
    const etag = gzip ? `"${doc.hash}-gzip"` : `"${doc.hash}"`;
    const validators: Record<string, string> = {
      etag,
      'last-modified': httpDate(doc.lastModified),
      'cache-control': CACHE_CONTROL,
    };
    if (options.compression) validators['vary'] = 'Accept-Encoding';
    if (isNotModified(req, doc)) {
      answer(entry, res, 304, validators);
      return;
    }
    let body = doc.body;
    const headers: Record<string, string | number> = { ...validators, 'content-type': doc.contentType };
    if (gzip) {
      doc.gzipped ??= gzipSync(doc.body);
      body = doc.gzipped;
      headers['content-encoding'] = 'gzip';
    }
    headers['content-length'] = body.length;
    answer(entry, res, 200, headers, body);
  }

  function serveFault(spec: FaultSpec, req: IncomingMessage, res: ServerResponse, entry: RecordedRequest): void {
    switch (spec.kind) {
      case 'status': {
        const body = spec.body ?? errorPage(spec.code);
        const headers: Record<string, string | number> = { 'content-type': guessType(body), ...spec.headers };
        headers['content-length'] = Buffer.byteLength(body);
        answer(entry, res, spec.code, headers, body);
        return;
      }
      case 'hang':
        return; // the socket stays open until the client gives up or close() destroys it
      case 'reset':
        req.socket.destroy();
        return;
      case 'html': {
        const body = spec.body ?? LOGIN_WALL;
        answer(
          entry,
          res,
          200,
          { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(body) },
          body,
        );
        return;
      }
      case 'slow': {
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (!res.destroyed) serveNormally(req, res, entry);
        }, spec.ms);
        timers.add(timer);
        return;
      }
      case 'truncate': {
        const doc = documentFor(entry.path);
        if (!doc) {
          answer(entry, res, 404, { 'content-type': 'text/html; charset=utf-8' }, errorPage(404));
          return;
        }
        const half = doc.body.subarray(0, Math.floor(doc.body.length / 2));
        const length = spec.abort ? doc.body.length : half.length;
        entry.status = 200;
        res.writeHead(200, { 'content-type': doc.contentType, 'content-length': length });
        if (spec.abort) {
          res.write(half, () => res.destroy());
        } else {
          res.end(half);
        }
        return;
      }
      case 'huge': {
        const headers: Record<string, string | number> = { 'content-type': 'application/json; charset=utf-8' };
        if (spec.contentLength) headers['content-length'] = spec.bytes;
        entry.status = 200;
        res.writeHead(200, headers);
        void streamPadding(res, spec.bytes);
        return;
      }
    }
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://simulator.invalid');
    const entry = record(req, url.pathname, url.search);
    res.on('finish', () => {
      entry.durationMs = Date.now() - entry.at;
    });
    const spec = faults.take(url.pathname);
    entry.fault = spec?.kind;
    try {
      if (spec) serveFault(spec, req, res, entry);
      else serveNormally(req, res, entry);
    } catch (error) {
      // A bug in the simulator should show up as a 500 in the test, not as a hung request.
      if (!res.headersSent) answer(entry, res, 500, { 'content-type': 'text/plain' }, String(error));
      else res.destroy();
    }
  });
  const sockets = trackSockets(server);
  const { port, url } = await listen(server, options.port ?? 0, host);
  renderOptions = { url, ...options.render };

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    page,
    requests,
    faults,
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
        for (const s of sockets) s.destroy();
      });
      return closing;
    },
  };
}

/** RFC 7232: If-None-Match wins when present (weak comparison); otherwise If-Modified-Since. */
function isNotModified(req: IncomingMessage, doc: CachedDocument): boolean {
  const inm = req.headers['if-none-match'];
  if (inm !== undefined) {
    if (inm.trim() === '*') return true;
    const tags = inm.split(',').map((t) => t.trim().replace(/^W\//, ''));
    return tags.some((t) => t === `"${doc.hash}"` || t === `"${doc.hash}-gzip"`);
  }
  const ims = req.headers['if-modified-since'];
  if (ims === undefined) return false;
  const since = Date.parse(ims);
  return Number.isFinite(since) && doc.lastModified <= since;
}

/** A valid JSON document of exactly `bytes` bytes, written with backpressure so it never sits in memory whole. */
async function streamPadding(res: ServerResponse, bytes: number): Promise<void> {
  const head = bytes >= 15 ? '{"padding":"' : '';
  const tail = bytes >= 15 ? '"}' : '';
  let remaining = bytes - head.length - tail.length;
  const closed = new Promise<void>((resolve) => res.once('close', resolve));
  const write = async (chunk: Buffer | string): Promise<boolean> => {
    if (res.destroyed) return false;
    if (!res.write(chunk)) await Promise.race([new Promise((r) => res.once('drain', r)), closed]);
    return !res.destroyed;
  };
  if (head && !(await write(head))) return;
  while (remaining > 0) {
    const size = Math.min(remaining, CHUNK.length);
    remaining -= size;
    if (!(await write(size === CHUNK.length ? CHUNK : CHUNK.subarray(0, size)))) return;
  }
  if (!res.destroyed) res.end(tail);
}

function guessType(body: string): string {
  const start = body.trimStart()[0];
  if (start === '{' || start === '[') return 'application/json; charset=utf-8';
  if (start === '<') return 'text/html; charset=utf-8';
  return 'text/plain; charset=utf-8';
}

function errorPage(code: number): string {
  const reason = STATUS_CODES[code] ?? 'Error';
  return `<!DOCTYPE html>\n<html><head><title>${code} ${reason}</title></head><body><h1>${code} ${reason}</h1><p>The status page is unavailable. Please try again later.</p></body></html>\n`;
}

const LOGIN_WALL = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Just a moment...</title></head>
<body><h1>Checking your browser before accessing the status page.</h1>
<p>This process is automatic. Your browser will redirect to your requested content shortly.</p></body></html>
`;
