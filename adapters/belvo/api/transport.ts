// One paced, retried, logged GET against one Belvo environment. Everything above it (endpoints, pages, parsing) sees
// either a 2xx body or a BelvoApiError. The keys travel only in the Authorization header of requests to the
// configured origin; they are in no URL, log line or error message.
import { type Dispatcher, request } from 'undici';
import { parseRetryAfter } from '../../../src/domain/http-outcome.js';
import type { BelvoApiError } from '../../../src/ports/belvo.js';
import type { Logger } from '../../../src/ports/logger.js';
import { type CallContext, httpError, networkError, timeoutError, unexpectedBody } from './errors.js';
import { sleep, type TokenBucket } from './pace.js';
import { type AttemptHistory, decideRetry, type RetryDecision, type RetryOptions } from './retry.js';

export const BELVO_USER_AGENT = 'belvo-status-bot';
/** Enough for Belvo's error array and a proxy's HTML page; the rest is discarded unread. */
const ERROR_BODY_BYTES = 16 * 1024;
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);
/** Query parameters whose values are never logged (Belvo's list filters carry none, but a `next` URL might). */
const SECRET_PARAM = /secret|password|token|key|auth|session/i;

export interface TransportOptions {
  environment: string;
  authorization: string;
  timeoutMs: number;
  maxBodyBytes: number;
  logger: Logger;
  bucket: TokenBucket;
  retry: RetryOptions;
  dispatcher?: Dispatcher;
}

type Outcome = { ok: true; status: number; body: string } | { ok: false; error: BelvoApiError; retryAfterMs?: number };

/** Path and query for messages and logs, with the values of secret-looking parameters replaced. */
export function describePath(url: URL): string {
  const params = new URLSearchParams(url.search);
  for (const key of [...params.keys()]) if (SECRET_PARAM.test(key)) params.set(key, '[redacted]');
  const query = params.toString();
  return query ? `${url.pathname}?${query}` : url.pathname;
}

async function readLimited(
  body: Dispatcher.ResponseData['body'],
  limit: number,
): Promise<{ text: string; overflow: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      body.destroy();
      return { text: Buffer.concat(chunks).toString('utf8'), overflow: true };
    }
    chunks.push(chunk);
  }
  return { text: Buffer.concat(chunks).toString('utf8'), overflow: false };
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function createTransport(options: TransportOptions) {
  const { environment, logger, bucket, retry } = options;

  /** One try: never throws a BelvoApiError (it is returned), only the caller's abort reason. */
  async function once(url: URL, ctx: CallContext, signal: AbortSignal | undefined): Promise<Outcome> {
    const timeout = AbortSignal.timeout(options.timeoutMs);
    const combined = signal ? AbortSignal.any([timeout, signal]) : timeout;
    const failed = (error: unknown): Outcome => {
      if (signal?.aborted) throw signal.reason;
      const code = (error as { code?: unknown } | null)?.code;
      const timedOut = timeout.aborted || (typeof code === 'string' && TIMEOUT_CODES.has(code));
      return { ok: false, error: timedOut ? timeoutError(ctx, options.timeoutMs) : networkError(ctx, error) };
    };
    let response: Dispatcher.ResponseData;
    try {
      response = await request(url, {
        method: 'GET',
        headers: { authorization: options.authorization, accept: 'application/json', 'user-agent': BELVO_USER_AGENT },
        signal: combined,
        // The signal bounds the whole exchange; these stop a stalled socket even if a signal were missed.
        headersTimeout: options.timeoutMs,
        bodyTimeout: options.timeoutMs,
        ...(options.dispatcher && { dispatcher: options.dispatcher }),
      });
    } catch (error) {
      return failed(error);
    }
    const status = response.statusCode;
    try {
      if (status >= 200 && status < 300) {
        const { text, overflow } = await readLimited(response.body, options.maxBodyBytes);
        if (overflow) {
          return { ok: false, error: unexpectedBody(ctx, status, `body over the ${options.maxBodyBytes}-byte limit`) };
        }
        return { ok: true, status, body: text };
      }
      // A redirect is not followed: it would carry the keys wherever it points.
      const { text } = await readLimited(response.body, ERROR_BODY_BYTES);
      const retryAfterMs = parseRetryAfter(header(response.headers, 'retry-after'));
      return { ok: false, error: httpError(ctx, status, text), ...(retryAfterMs !== undefined && { retryAfterMs }) };
    } catch (error) {
      response.body.destroy();
      return failed(error);
    }
  }

  function logFailure(ctx: CallContext, error: BelvoApiError, tries: number, decision: RetryDecision): void {
    const retryInMs = !decision.retry ? undefined : 'holdMs' in decision ? decision.holdMs : decision.delayMs;
    const fields = {
      environment,
      method: ctx.method,
      path: ctx.path,
      kind: error.kind,
      ...(error.status !== undefined && { status: error.status }),
      ...(error.code !== undefined && { code: error.code }),
      // Belvo support asks for this id: every failed call logs it (Belvo's integration checklist).
      ...(error.requestId !== undefined && { requestId: error.requestId }),
      attempt: tries,
      ...(retryInMs !== undefined ? { retryInMs } : { givingUp: true }),
    };
    logger.warn(fields, error.kind === 'timeout' ? 'Belvo API call timed out' : 'Belvo API call failed');
  }

  /** GETs `url` until it succeeds or Belvo's advice says to stop; resolves with the 2xx body. */
  async function get(url: URL, signal?: AbortSignal): Promise<{ status: number; body: string }> {
    const ctx: CallContext = { environment, method: 'GET', path: describePath(url) };
    const history: AttemptHistory = { tries: 0, transportFailures: 0, rateLimited: 0 };
    for (;;) {
      await bucket.take(signal);
      history.tries += 1;
      const outcome = await once(url, ctx, signal);
      if (outcome.ok) return { status: outcome.status, body: outcome.body };
      const { error } = outcome;
      if (error.kind === 'timeout' || error.kind === 'network') history.transportFailures += 1;
      if (error.kind === 'rate_limited') history.rateLimited += 1;
      const decision = decideRetry(error, history, retry, outcome.retryAfterMs);
      logFailure(ctx, error, history.tries, decision);
      if (!decision.retry) throw error;
      if ('holdMs' in decision) bucket.holdFor(decision.holdMs);
      else if (decision.delayMs > 0) await sleep(decision.delayMs, signal);
    }
  }

  return { get };
}
