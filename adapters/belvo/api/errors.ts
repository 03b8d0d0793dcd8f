// Every way a Belvo call can fail, turned into one BelvoApiError with a `kind` callers can act on. Belvo's errors come
// in several shapes (Belvo's developer docs "Error responses"): a JSON array of
// `{code, message, request_id, field?}`, an object `{detail}` on some 401s, codes without a message, and, for its rate
// limit, an HTML 403 page from the edge proxy that must never be read as "your keys are wrong".
import { INSTITUTION_ERROR_CODES, LINK_ERROR_CODES } from '../../../src/domain/belvo-error-codes.js';
import { classifyHttpStatus } from '../../../src/domain/http-outcome.js';
import { oneLine } from '../../../src/domain/text.js';
import { BelvoApiError, type BelvoErrorKind } from '../../../src/ports/belvo.js';

const MESSAGE_CHARS = 200;

/** What was asked, for messages and logs: never the keys, never the host's userinfo. */
export interface CallContext {
  environment: string;
  method: string;
  /** Path and query, e.g. `/api/links/?page_size=1&status=invalid`. */
  path: string;
}

/** The parts of an error body worth keeping, whatever its shape; all undefined when the body had none. */
export interface BelvoErrorBody {
  code?: string;
  message?: string;
  requestId?: string;
  field?: string;
  /** The body was JSON (array or object), as opposed to an HTML page or plain text. */
  json: boolean;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function fromEntry(entry: Record<string, unknown>): Omit<BelvoErrorBody, 'json'> {
  const out: Omit<BelvoErrorBody, 'json'> = {};
  const code = text(entry['code']);
  const message = text(entry['message']) ?? text(entry['detail']);
  const requestId = text(entry['request_id']);
  const field = text(entry['field']);
  if (code) out.code = code;
  if (message) out.message = message;
  if (requestId) out.requestId = requestId;
  if (field) out.field = field;
  return out;
}

/** Reads an error body in any of Belvo's shapes; never throws. */
export function readErrorBody(body: string): BelvoErrorBody {
  const trimmed = body.replace(/^\uFEFF/, '').trim();
  if (!/^[[{]/.test(trimmed)) return { json: false };
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    return { json: false };
  }
  // The array shape lists one entry per problem; the first names the code the call failed with.
  const first = Array.isArray(parsed) ? parsed[0] : parsed;
  if (first === null || typeof first !== 'object' || Array.isArray(first)) return { json: true };
  return { json: true, ...fromEntry(first as Record<string, unknown>) };
}

/**
 * Belvo's 428 means the link asks its user for something (a token, an activation): the body is not always the usual
 * array, and `{"detail": "Token Required"}` has no code at all. Without a code it is the token_required condition.
 */
const PRECONDITION_REQUIRED = 428;
const TOKEN_REQUIRED = 'token_required';

/**
 * The kind for an HTTP status and the body read from it: Belvo's own meanings first, then the shared classification
 * every outbound client uses (src/domain/http-outcome.ts).
 */
export function kindOf(status: number, body: BelvoErrorBody): BelvoErrorKind {
  if (status === PRECONDITION_REQUIRED) return 'link';
  // Belvo's rate limit answers with the edge proxy's HTML page, not JSON: it says nothing about the keys.
  if (status === 403 && !body.json) return 'rate_limited';
  if (status === 404) return 'not_found';
  switch (classifyHttpStatus(status).kind) {
    case 'auth':
      return status === 401 ? 'auth' : 'access';
    case 'rate_limited':
      return 'rate_limited';
    case 'server':
    case 'timeout':
      return 'belvo';
    case 'client':
      if (body.code === undefined) return 'unexpected';
      if (INSTITUTION_ERROR_CODES.has(body.code)) return 'institution';
      if (LINK_ERROR_CODES.has(body.code)) return 'link';
      return 'request';
    default:
      return 'unexpected';
  }
}

function describeBody(kind: BelvoErrorKind, body: BelvoErrorBody, raw: string): string {
  if (kind === 'rate_limited' && !body.json) return 'rate limited (HTML 403 page: over 80 requests in 30 s)';
  if (body.code || body.message) return [body.code, body.message].filter(Boolean).join(': ');
  if (!body.json && raw.trim() !== '') {
    const html = /^\s*</.test(raw);
    return html ? 'an HTML page instead of JSON' : `not JSON: ${oneLine(raw, MESSAGE_CHARS)}`;
  }
  return 'no error details in the body';
}

/** A BelvoApiError for an HTTP answer that was not a success. `raw` is the (size-limited) body as text. */
export function httpError(ctx: CallContext, status: number, raw: string): BelvoApiError {
  const read = readErrorBody(raw);
  const body = status === PRECONDITION_REQUIRED && read.code === undefined ? { ...read, code: TOKEN_REQUIRED } : read;
  const kind = kindOf(status, body);
  const requestId = body.requestId ? ` (request_id ${body.requestId})` : '';
  const field = body.field ? ` [field ${body.field}]` : '';
  const message = `Belvo ${ctx.environment}: ${ctx.method} ${ctx.path} -> HTTP ${status} ${oneLine(describeBody(kind, body, raw), MESSAGE_CHARS)}${field}${requestId}`;
  return new BelvoApiError({
    kind,
    status,
    message,
    ...(body.code !== undefined && { code: body.code }),
    ...(body.requestId !== undefined && { requestId: body.requestId }),
  });
}

export function timeoutError(ctx: CallContext, timeoutMs: number): BelvoApiError {
  return new BelvoApiError({
    kind: 'timeout',
    message: `Belvo ${ctx.environment}: ${ctx.method} ${ctx.path} -> no complete answer within ${timeoutMs} ms`,
  });
}

export function networkError(ctx: CallContext, cause: unknown): BelvoApiError {
  const code = (cause as { code?: unknown } | null)?.code;
  const name = typeof code === 'string' ? code : cause instanceof Error ? cause.name : 'error';
  const detail = cause instanceof Error ? oneLine(cause.message, MESSAGE_CHARS) : oneLine(String(cause), MESSAGE_CHARS);
  return new BelvoApiError({
    kind: 'network',
    message: `Belvo ${ctx.environment}: ${ctx.method} ${ctx.path} -> ${name}: ${detail}`,
  });
}

/** A 2xx whose body is not what Belvo sends (not JSON, not a page): nothing a retry would fix. */
export function unexpectedBody(ctx: CallContext, status: number, what: string): BelvoApiError {
  return new BelvoApiError({
    kind: 'unexpected',
    status,
    message: `Belvo ${ctx.environment}: ${ctx.method} ${ctx.path} -> HTTP ${status} ${oneLine(what, MESSAGE_CHARS)}`,
  });
}
