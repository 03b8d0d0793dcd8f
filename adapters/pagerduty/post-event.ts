// One POST to the Events API, bounded in time, turned into a delivery outcome. Never throws and never retries: the
// outbox owns retries, backoff and Retry-After pauses. The routing key travels in the body only and is scrubbed
// from every error string, since those end up in logs, the store and chat (a destination "keeps refusing" alert).
import { type Dispatcher, request } from 'undici';
import { classifyHttpStatus } from '../../src/domain/http-outcome.js';
import { clip, oneLine } from '../../src/domain/text.js';
import type { DeliveryResult } from '../../src/ports/notifier.js';

export interface PostEventOptions {
  url: string;
  /** The full event, routing key included. */
  body: Record<string, unknown>;
  /** Scrubbed from anything this returns. */
  routingKey: string;
  /** Whole exchange: connect, headers and body together. */
  timeoutMs: number;
  dispatcher?: Dispatcher;
}

export type PostEventResult =
  | Exclude<DeliveryResult, { outcome: 'delivered' }>
  | { outcome: 'delivered'; status: number };

export const PAGERDUTY_USER_AGENT = 'belvo-status-bot';
/** Enough of an error answer to quote PagerDuty's message and errors; the rest is discarded unread. */
const ERROR_BODY_BYTES = 4096;
const ERROR_CHARS = 300;
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

export async function postEvent(opts: PostEventOptions): Promise<PostEventResult> {
  const where = describeUrl(opts.url);
  const timeout = AbortSignal.timeout(opts.timeoutMs);
  const scrub = (text: string) => redact(text, opts.routingKey);
  let response: Dispatcher.ResponseData;
  try {
    response = await request(opts.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', 'user-agent': PAGERDUTY_USER_AGENT },
      body: JSON.stringify(opts.body),
      signal: timeout,
      // The signal bounds the whole exchange; these stop a stalled socket even if the signal were missed.
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
      ...(opts.dispatcher && { dispatcher: opts.dispatcher }),
    });
  } catch (error) {
    return { outcome: 'retry', error: scrub(transportError(error, where, timeout.aborted, opts.timeoutMs)) };
  }

  const status = response.statusCode;
  try {
    if (status >= 200 && status < 300) {
      // A timeout while reading the 202's body still means PagerDuty took the event.
      await response.body.dump().catch(() => undefined);
      return { outcome: 'delivered', status };
    }
    const quote = await readErrorBody(response.body);
    return scrubbed(statusFailure(status, header(response.headers, 'retry-after'), where, quote), scrub);
  } catch (error) {
    response.body.destroy();
    return { outcome: 'retry', error: scrub(transportError(error, where, timeout.aborted, opts.timeoutMs)) };
  }
}

function statusFailure(status: number, retryAfter: string | undefined, where: string, quote: string): PostEventResult {
  const said = quote ? `: ${quote}` : '';
  const outcome = classifyHttpStatus(status, retryAfter);
  const wait = outcome.retryAfterMs !== undefined ? { retryAfterMs: outcome.retryAfterMs } : {};
  if (status >= 300 && status < 400) {
    return { outcome: 'failed', error: `${where}: HTTP ${status} redirect (check the events URL)` };
  }
  switch (outcome.kind) {
    case 'rate_limited':
      return {
        outcome: 'retry',
        error: `${where}: HTTP 429, PagerDuty is throttling this routing key${said}`,
        ...wait,
      };
    case 'server':
    case 'timeout':
      return { outcome: 'retry', error: `${where}: HTTP ${status}${said}`, ...wait };
    case 'auth':
      return { outcome: 'failed', error: `${where}: HTTP ${status}, check the routing key and events URL${said}` };
    default:
      if (status === 404) return { outcome: 'failed', error: `${where}: HTTP 404, check the events URL${said}` };
      // 400: the event itself is invalid; sending it again cannot succeed.
      return { outcome: 'failed', error: `${where}: HTTP ${status}, PagerDuty rejected the event${said}` };
  }
}

/** PagerDuty's `{status, message, errors[]}` as one short line; any other body quoted as text. */
async function readErrorBody(body: Dispatcher.ResponseData['body']): Promise<string> {
  const text = await readLimited(body, ERROR_BODY_BYTES).catch(() => '');
  let quote = text;
  try {
    const parsed = JSON.parse(text) as { message?: unknown; errors?: unknown };
    const errors = Array.isArray(parsed.errors) ? parsed.errors.map(String) : [];
    const message = typeof parsed.message === 'string' ? parsed.message : '';
    if (message || errors.length > 0) quote = [message, errors.join('; ')].filter(Boolean).join(': ');
  } catch {
    // Not JSON (an HTML error page from a proxy): quote its start.
  }
  return clip(oneLine(quote), ERROR_CHARS, 'ellipsis');
}

async function readLimited(body: Dispatcher.ResponseData['body'], limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= limit) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, limit).toString('utf8');
}

function transportError(error: unknown, where: string, timedOut: boolean, timeoutMs: number): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (timedOut || (typeof code === 'string' && TIMEOUT_CODES.has(code))) {
    return `${where}: no answer within ${timeoutMs} ms`;
  }
  const name = typeof code === 'string' ? code : error instanceof Error ? error.name : 'error';
  const message = error instanceof Error ? error.message : String(error);
  return `${where}: ${name}: ${clip(oneLine(message), ERROR_CHARS, 'ellipsis')}`;
}

function scrubbed(result: PostEventResult, scrub: (text: string) => string): PostEventResult {
  return result.outcome === 'delivered' ? result : { ...result, error: scrub(result.error) };
}

/** Replaces the secret wherever it appears (PagerDuty may echo a bad key back in its error). */
export function redact(text: string, secret: string): string {
  return secret ? text.split(secret).join('[routing key]') : text;
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Host and path only: a URL's query string or credentials must not reach a log. */
function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `PagerDuty ${u.host}${u.pathname}`;
  } catch {
    return 'PagerDuty (unreadable events URL)';
  }
}
