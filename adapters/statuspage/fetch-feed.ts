// One conditional GET of a status-page feed URL, bounded in time and size. Never throws: every outcome is a value,
// so a broken feed becomes a failed poll (and the source's health alert), never an exception in the poller.

import { type Dispatcher, request } from 'undici';
import { classifyHttpStatus } from '../../src/domain/http-outcome.js';
import type { FeedCursor, SourceFailure } from '../../src/ports/source.js';

/** Sent on every poll so Statuspage/CDN operators can tell who polls. */
export const FEED_USER_AGENT = 'belvo-status-bot';
const ACCEPT_JSON = 'application/json';
const ACCEPT_XML = 'application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.8';
/** Enough of an error response to quote in a message (we quote at most SNIPPET_CHARS of it). */
const ERROR_BODY_BYTES = 1024;
const SNIPPET_CHARS = 100;

export type FeedExpectation = 'json' | 'xml';

export interface FetchFeedOptions {
  url: string;
  /** Validators from the last 200; only pass one whose body the caller can still read (memory or cursor). */
  cursor?: Pick<FeedCursor, 'etag' | 'lastModified'>;
  /** Whole-request deadline: connect, headers and body together. */
  timeoutMs: number;
  maxBodyBytes: number;
  /** What the body should be; defaults to `json` for a `.json` URL and `xml` otherwise. */
  expect?: FeedExpectation;
  dispatcher?: Dispatcher;
  /** Aborts the request (shutdown, or the poller's own deadline). */
  signal?: AbortSignal;
}

export type FetchFeedResult =
  | { kind: 'not_modified' }
  | { kind: 'ok'; body: string; etag?: string; lastModified?: string }
  | { kind: 'failed'; error: SourceFailure };

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

function fail(code: SourceFailure['code'], message: string, status?: number): FetchFeedResult {
  const error: SourceFailure = { code, message };
  if (status !== undefined) error.status = status;
  return { kind: 'failed', error };
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** A one-line, short quote of a body for an error message: never the whole body. */
export function snippet(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > SNIPPET_CHARS ? `${line.slice(0, SNIPPET_CHARS)}...` : line;
}

function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.host}${u.pathname}`;
  } catch {
    return 'the feed URL';
  }
}

function looksLikeHtml(head: string): boolean {
  return /^(?:<!--[\s\S]*?-->\s*)*<(?:!doctype\s+html|html[\s>]|head[\s>]|body[\s>])/i.test(head);
}

/** Reads up to `limit` bytes; `overflow` when the body had more (the rest is discarded, never buffered). */
async function readLimited(
  body: Dispatcher.ResponseData['body'],
  limit: number,
): Promise<{ bytes: Buffer; overflow: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      const room = limit - (size - chunk.length);
      if (room > 0) chunks.push(chunk.subarray(0, room));
      body.destroy();
      return { bytes: Buffer.concat(chunks), overflow: true };
    }
    chunks.push(chunk);
  }
  return { bytes: Buffer.concat(chunks), overflow: false };
}

interface Attempt {
  where: string;
  timeoutMs: number;
  timeout: AbortSignal;
  caller: AbortSignal | undefined;
}

function classifyError(error: unknown, attempt: Attempt): FetchFeedResult {
  const { where } = attempt;
  const code = (error as { code?: unknown } | null)?.code;
  if (attempt.timeout.aborted || (typeof code === 'string' && TIMEOUT_CODES.has(code))) {
    return fail('timeout', `${where}: no complete answer within ${attempt.timeoutMs} ms`);
  }
  if (attempt.caller?.aborted) return fail('timeout', `${where}: aborted`);
  const name = error instanceof Error ? (typeof code === 'string' ? code : error.name) : 'error';
  const message = error instanceof Error ? error.message : String(error);
  return fail('network', `${where}: ${name}: ${snippet(message)}`);
}

async function statusFailure(response: Dispatcher.ResponseData, where: string): Promise<FetchFeedResult> {
  const status = response.statusCode;
  const { bytes } = await readLimited(response.body, ERROR_BODY_BYTES).catch(() => ({ bytes: Buffer.alloc(0) }));
  const quote = snippet(bytes.toString('utf8'));
  const suffix = quote ? `: ${quote}` : '';
  const outcome = classifyHttpStatus(status, header(response.headers, 'retry-after'));
  if (outcome.kind === 'rate_limited') {
    const wait = outcome.retryAfterMs !== undefined ? ` (retry after ${Math.ceil(outcome.retryAfterMs / 1000)} s)` : '';
    return {
      kind: 'failed',
      error: {
        code: 'rate_limited',
        message: `${where}: HTTP 429${wait}`,
        status,
        ...(outcome.retryAfterMs !== undefined && { retryAfterMs: outcome.retryAfterMs }),
      },
    };
  }
  if (status >= 300 && status < 400) {
    const location = header(response.headers, 'location');
    return fail('http_status', `${where}: HTTP ${status} redirect to ${snippet(location ?? '?')}`, status);
  }
  return fail('http_status', `${where}: HTTP ${status}${suffix}`, status);
}

/** GETs a feed URL with the cursor's validators; see FetchFeedResult for the outcomes. */
export async function fetchFeed(opts: FetchFeedOptions): Promise<FetchFeedResult> {
  const where = describeUrl(opts.url);
  const expectation = opts.expect ?? (/\.json(?:$|\?)/i.test(opts.url) ? 'json' : 'xml');
  const timeout = AbortSignal.timeout(opts.timeoutMs);
  const signal = opts.signal ? AbortSignal.any([timeout, opts.signal]) : timeout;
  const attempt: Attempt = { where, timeoutMs: opts.timeoutMs, timeout, caller: opts.signal };
  const headers: Record<string, string> = {
    'user-agent': FEED_USER_AGENT,
    accept: expectation === 'json' ? ACCEPT_JSON : ACCEPT_XML,
  };
  if (opts.cursor?.etag) headers['if-none-match'] = opts.cursor.etag;
  if (opts.cursor?.lastModified) headers['if-modified-since'] = opts.cursor.lastModified;

  let response: Dispatcher.ResponseData;
  try {
    response = await request(opts.url, {
      method: 'GET',
      headers,
      signal,
      // The signal bounds the whole exchange; these stop a stalled socket even if a signal were missed.
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
      ...(opts.dispatcher ? { dispatcher: opts.dispatcher } : {}),
    });
  } catch (error) {
    return classifyError(error, attempt);
  }

  try {
    const status = response.statusCode;
    if (status === 304) {
      await response.body.dump().catch(() => undefined);
      return { kind: 'not_modified' };
    }
    if (status < 200 || status >= 300) return await statusFailure(response, where);

    const declared = Number(header(response.headers, 'content-length'));
    if (Number.isFinite(declared) && declared > opts.maxBodyBytes) {
      response.body.destroy();
      return fail('too_large', `${where}: body of ${declared} bytes is over the ${opts.maxBodyBytes}-byte limit`);
    }
    const { bytes, overflow } = await readLimited(response.body, opts.maxBodyBytes);
    if (overflow) return fail('too_large', `${where}: body is over the ${opts.maxBodyBytes}-byte limit`);

    const body = bytes.toString('utf8').replace(/^\uFEFF/, '');
    const head = body.slice(0, 512).trimStart();
    const contentType = header(response.headers, 'content-type') ?? '';
    if (looksLikeHtml(head) || (expectation === 'json' && /text\/html/i.test(contentType))) {
      return fail(
        'malformed',
        `${where}: got an HTML page where ${expectation.toUpperCase()} was expected: ${snippet(head)}`,
      );
    }
    if (expectation === 'json' && !/^[[{]/.test(head)) {
      return fail('malformed', `${where}: not JSON: ${snippet(head)}`);
    }
    if (expectation === 'xml' && !head.startsWith('<')) {
      return fail('malformed', `${where}: not XML: ${snippet(head)}`);
    }

    const result: FetchFeedResult = { kind: 'ok', body };
    const etag = header(response.headers, 'etag');
    const lastModified = header(response.headers, 'last-modified');
    if (etag) result.etag = etag;
    if (lastModified) result.lastModified = lastModified;
    return result;
  } catch (error) {
    response.body.destroy();
    return classifyError(error, attempt);
  }
}
