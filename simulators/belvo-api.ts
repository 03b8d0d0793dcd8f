// A fake Belvo API on a local port, for tests that point the Belvo client (or the institution-health poller, or the
// link reconciliation) at something that answers the way Belvo does (Belvo's developer docs):
// - HTTP Basic auth with one key pair; bad keys get 401 `[{code:'authentication_failed', message, request_id}]`
//   (or, on request, the `{detail}` object some 401s use);
// - `GET /api/`, `/api/institutions/` and `/api/links/` (plus `/{id}/`) with Belvo's filters and its pagination:
//   `count`, absolute `next`/`previous` URLs that carry the filters, 1-based `page`, `page_size` default 100
//   clamped to 1000;
// - the per-IP rate limit (80 requests in 30 s) answered with the edge proxy's HTML 403 page;
// - faults on command for the next N requests (error arrays, `{detail}`, codes without message, HTML 403, 5xx with
//   or without JSON, no answer at all), and a log of every request.
// Institutions and links are seeded and changed through helpers, so a test states what Belvo holds and asserts what
// the bot saw.

import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listen, trackSockets } from '../src/http/listen.js';

// ---------------------------------------------------------------------------------------------------------------------
// Public types

/** An institution as Belvo puts it on the wire (snake_case); extra fields are there so clients learn to ignore them. */
export interface FakeBelvoInstitution {
  id: number;
  name: string;
  display_name: string;
  type: string;
  country_codes: string[];
  status: string;
  website: string | null;
  primary_color: string;
  logo: string | null;
  integration_type: string;
  resources: string[];
  features: { name: string; description: string }[];
  form_fields: unknown[];
  [extra: string]: unknown;
}

export interface FakeBelvoLink {
  id: string;
  institution: string;
  status: string;
  access_mode: string | null;
  created_at: string;
  last_accessed_at: string | null;
  external_id: string | null;
  institution_user_id: string | null;
  created_by: string;
  refresh_rate: string | null;
  [extra: string]: unknown;
}

/** How an injected error body looks. */
export type FakeBelvoErrorShape =
  /** `[{code, message, request_id}]`: Belvo's usual shape. */
  | 'array'
  /** `[{code, request_id}]`: a code without a message. */
  | 'code-only'
  /** `{detail: message}`: some 401s. */
  | 'detail'
  /** The edge proxy's "403 Forbidden" HTML page (Belvo's rate limit). */
  | 'html'
  /** `text/plain` body, e.g. a bare 502 from a load balancer. */
  | 'text'
  /** No body at all. */
  | 'empty';

export interface FakeBelvoFault {
  status?: number;
  /** Default `array`; a 403 without `code` defaults to `html` (the rate-limit page). */
  shape?: FakeBelvoErrorShape;
  code?: string;
  message?: string;
  /** Default: a fresh 32-hex id. */
  requestId?: string;
  /** Sent as Retry-After. */
  retryAfter?: number | string;
  /** Never answer: the client's timeout fires. Closed when the fake closes. */
  hang?: boolean;
  /** Only requests whose path starts with this are affected (e.g. `/api/links/`); default every path. */
  path?: string;
}

export interface FakeBelvoRequest {
  /** Epoch ms of arrival. */
  at: number;
  method: string;
  /** Path without query, e.g. `/api/links/`. */
  path: string;
  query: Record<string, string>;
  /** Whether the Authorization header carried the right keys. */
  authorized: boolean;
  /** What answered it. */
  outcome: 'ok' | 'auth_failed' | 'rate_limited' | 'fault' | 'not_found' | 'hung';
  /** HTTP status sent; undefined for a hung request. */
  status: number | undefined;
  /** The request_id of an error answer. */
  requestId?: string;
}

export interface FakeBelvoRateLimit {
  enabled: boolean;
  /** Requests allowed per window from one IP. Belvo: 80. */
  limit: number;
  /** Belvo: 30 s. */
  windowMs: number;
}

export interface StartFakeBelvoOptions {
  host?: string;
  secretKeyId?: string;
  secretKeyPassword?: string;
  /** Shape of a 401 for bad keys; default `array`. */
  authErrorShape?: 'array' | 'detail';
  /** Default: enabled, 80 per 30 s, as Belvo. */
  rateLimit?: Partial<FakeBelvoRateLimit>;
  /**
   * The origin written into `next`/`previous` links; default the fake's own URL. Set it to another host to play a
   * misconfigured proxy that hands out links elsewhere.
   */
  linkOrigin?: string;
  now?: () => number;
}

export interface FakeBelvo {
  /** `http://127.0.0.1:<port>`: the client's base URL. */
  url: string;
  secretKeyId: string;
  secretKeyPassword: string;
  /** Every request, in arrival order. Clear with `requests.length = 0`. */
  readonly requests: FakeBelvoRequest[];
  /** Adds institutions; omitted fields get realistic values. Returns them as stored. */
  addInstitution(institution: Partial<FakeBelvoInstitution> & { name: string }): FakeBelvoInstitution;
  /** `healthy`, `down`, or any other string Belvo may one day send. */
  setInstitutionStatus(name: string, status: string): void;
  institutions(): FakeBelvoInstitution[];
  /**
   * Adds `count` links at an institution; `fields` (an object, or a function of the index) overrides the generated
   * ones. Thousands are cheap. Returns the links added.
   */
  addLinks(
    count: number,
    fields: Partial<FakeBelvoLink> | ((index: number) => Partial<FakeBelvoLink>),
  ): FakeBelvoLink[];
  /** Sets the status of the links with these ids, or of those a predicate picks; returns how many changed. */
  setLinkStatus(which: string[] | ((link: FakeBelvoLink) => boolean), status: string): number;
  links(): FakeBelvoLink[];
  /** Deletes the links with these ids (a user or the team deleted them); returns how many were there. */
  removeLinks(ids: string[]): number;
  /** Answers the next requests (those matching each fault's `path`) with these, in order. */
  fail(...faults: FakeBelvoFault[]): void;
  /** Faults not yet used. */
  pendingFaults(): number;
  setRateLimit(limit: Partial<FakeBelvoRateLimit>): void;
  setAuthErrorShape(shape: 'array' | 'detail'): void;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------------------------
// Belvo's constants

const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 1000;
const BELVO_RATE_LIMIT: FakeBelvoRateLimit = { enabled: true, limit: 80, windowMs: 30_000 };

/** What openresty in front of Belvo answers over the limit: HTML, not JSON. */
export const RATE_LIMIT_PAGE = `<html>
<head><title>403 Forbidden</title></head>
<body>
<center><h1>403 Forbidden</h1></center>
<hr><center>openresty</center>
</body>
</html>
`;

const DEFAULT_MESSAGES: Record<string, string> = {
  authentication_failed: 'Invalid Secret Keys',
  access_to_production_denied: 'Your account does not have access to the production environment',
  unexpected_error:
    'Belvo is unable to process the request due to an internal system issue or to an unsupported response from an institution',
  service_unavailable: 'Service unavailable',
  too_many_sessions: 'Impossible to login, a session is already opened with the institution for these credentials',
  institution_down: 'The financial institution is down, try again later',
  not_found: 'Not found.',
  invalid: 'This field is invalid.',
};

const DEFAULT_CODES: Record<number, string> = {
  400: 'invalid',
  401: 'authentication_failed',
  403: 'access_to_production_denied',
  404: 'not_found',
  408: 'request_timeout',
  428: 'token_required',
  500: 'unexpected_error',
  503: 'service_unavailable',
};

/** Which query parameter filters which field, per endpoint; `__in` takes a comma-separated list. */
const INSTITUTION_FILTERS: Record<string, (i: FakeBelvoInstitution) => string | string[]> = {
  status: (i) => i.status,
  country_code: (i) => i.country_codes,
  name: (i) => i.name,
  display_name: (i) => i.display_name,
  type: (i) => i.type,
};
const LINK_FILTERS: Record<string, (l: FakeBelvoLink) => string | string[] | null> = {
  status: (l) => l.status,
  institution: (l) => l.institution,
  access_mode: (l) => l.access_mode,
  external_id: (l) => l.external_id,
  institution_user_id: (l) => l.institution_user_id,
  id: (l) => l.id,
};

// ---------------------------------------------------------------------------------------------------------------------
// The server

/** What the fake sends back for one request. */
interface Answer {
  status: number;
  body: string | unknown;
  outcome: FakeBelvoRequest['outcome'];
  headers?: Record<string, string>;
  /** The request_id in an error body, recorded in the request log. */
  requestId?: string;
}

export async function startFakeBelvo(options: StartFakeBelvoOptions = {}): Promise<FakeBelvo> {
  const clock = options.now ?? Date.now;
  const secretKeyId = options.secretKeyId ?? 'fake-secret-key-id-0123';
  const secretKeyPassword = options.secretKeyPassword ?? 'fake-secret-key-password-abcdefghijklmnop';
  const expectedAuth = `Basic ${Buffer.from(`${secretKeyId}:${secretKeyPassword}`).toString('base64')}`;
  let authErrorShape = options.authErrorShape ?? 'array';
  const rateLimit: FakeBelvoRateLimit = { ...BELVO_RATE_LIMIT, ...options.rateLimit };
  /** Arrival times of the requests counted against the limit, oldest first. */
  const window: number[] = [];
  const requests: FakeBelvoRequest[] = [];
  const faults: FakeBelvoFault[] = [];
  const institutions: FakeBelvoInstitution[] = [];
  const links: FakeBelvoLink[] = [];
  let nextInstitutionId = 1;
  const linkOrigin = options.linkOrigin;

  /** Sliding window over the last `windowMs`: over the limit, the proxy answers before Belvo sees the request. */
  function overLimit(now: number): boolean {
    if (!rateLimit.enabled) return false;
    while (window.length > 0 && (window[0] ?? 0) <= now - rateLimit.windowMs) window.shift();
    if (window.length >= rateLimit.limit) return true;
    window.push(now);
    return false;
  }

  function takeFault(path: string): FakeBelvoFault | undefined {
    const index = faults.findIndex((f) => f.path === undefined || path.startsWith(f.path));
    return index === -1 ? undefined : faults.splice(index, 1)[0];
  }

  /** An error answer in the asked shape, with a fresh request_id unless the fault names one. */
  function errorAnswer(
    status: number,
    shape: FakeBelvoErrorShape,
    outcome: FakeBelvoRequest['outcome'],
    fault: FakeBelvoFault = {},
  ): Answer {
    const requestId = fault.requestId ?? newRequestId();
    const answer: Answer = { status, body: errorBody(status, shape, { ...fault, requestId }), outcome };
    if (shape !== 'html' && shape !== 'text' && shape !== 'empty') answer.requestId = requestId;
    if (fault.retryAfter !== undefined) answer.headers = { 'retry-after': String(fault.retryAfter) };
    return answer;
  }

  /** What Belvo (and the proxy in front of it) answers; undefined for a request left hanging. */
  function decide(req: IncomingMessage, url: URL, now: number, authorized: boolean): Answer | undefined {
    if (overLimit(now)) return errorAnswer(403, 'html', 'rate_limited');
    if (!authorized) {
      // DRF's wording when no credentials came at all; Belvo's own when they were wrong.
      const message = req.headers.authorization ? undefined : 'Authentication credentials were not provided.';
      return errorAnswer(401, authErrorShape, 'auth_failed', message ? { message } : {});
    }
    const fault = takeFault(url.pathname);
    if (fault?.hang) return undefined;
    if (fault) {
      // A 403 without a code is the rate-limit page unless a shape is asked for.
      const shape = fault.shape ?? (fault.status === 403 && !fault.code ? 'html' : 'array');
      return errorAnswer(fault.status ?? 500, shape, 'fault', fault);
    }
    if (req.method !== 'GET') {
      return errorAnswer(405, 'detail', 'not_found', { message: `Method "${req.method}" not allowed.` });
    }
    const routed = route(url);
    if (routed === undefined)
      return errorAnswer(404, 'array', 'not_found', { code: 'not_found', message: 'Not found.' });
    return { status: 200, body: routed, outcome: 'ok' };
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const now = clock();
    const url = new URL(req.url ?? '/', 'http://fake');
    const authorized = req.headers.authorization === expectedAuth;
    const record: FakeBelvoRequest = {
      at: now,
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      authorized,
      outcome: 'hung',
      status: undefined,
    };
    requests.push(record);
    const answer = decide(req, url, now, authorized);
    if (!answer) return; // left open; close() ends it
    record.status = answer.status;
    record.outcome = answer.outcome;
    if (answer.requestId) record.requestId = answer.requestId;
    send(res, answer.status, answer.body, answer.headers);
  }

  /** The JSON for a GET, or undefined for a 404. */
  function route(url: URL): unknown {
    const path = url.pathname;
    if (path === '/api/') {
      const root = linkOrigin ?? fakeUrl;
      return { institutions: `${root}/api/institutions/`, links: `${root}/api/links/` };
    }
    if (path === '/api/institutions/')
      return paginate(url, filter(institutions, url.searchParams, INSTITUTION_FILTERS));
    if (path === '/api/links/') return paginate(url, filter(links, url.searchParams, LINK_FILTERS));
    const one = /^\/api\/(institutions|links)\/([^/]+)\/$/.exec(path);
    if (one) {
      const list: Array<{ id: number | string }> = one[1] === 'institutions' ? institutions : links;
      return list.find((item) => String(item.id) === one[2]);
    }
    return undefined;
  }

  /** Django REST framework's PageNumberPagination as Belvo configures it. A page past the end is a 404. */
  function paginate<T>(url: URL, items: T[]): unknown {
    const asked = Number(url.searchParams.get('page_size'));
    const pageSize = Number.isInteger(asked) && asked > 0 ? Math.min(asked, MAX_PAGE_SIZE) : DEFAULT_PAGE_SIZE;
    const askedPage = url.searchParams.get('page');
    const page = askedPage === null ? 1 : Number(askedPage);
    const pages = Math.max(1, Math.ceil(items.length / pageSize));
    if (!Number.isInteger(page) || page < 1 || page > pages) return undefined;
    const link = (target: number) => {
      const next = new URL(url.pathname + url.search, linkOrigin ?? fakeUrl);
      // DRF drops `page` from the link to the first page.
      if (target === 1) next.searchParams.delete('page');
      else next.searchParams.set('page', String(target));
      return next.href;
    };
    return {
      count: items.length,
      next: page < pages ? link(page + 1) : null,
      previous: page > 1 ? link(page - 1) : null,
      results: items.slice((page - 1) * pageSize, page * pageSize),
    };
  }

  const server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch {
      if (!res.headersSent) send(res, 500, errorBody(500, 'array', { requestId: newRequestId() }));
    }
  });
  const sockets = trackSockets(server);
  const { url: fakeUrl } = await listen(server, 0, options.host ?? '127.0.0.1');
  let closing: Promise<void> | undefined;

  return {
    url: fakeUrl,
    secretKeyId,
    secretKeyPassword,
    requests,
    addInstitution(fields) {
      const institution = makeInstitution(nextInstitutionId++, fields);
      institutions.push(institution);
      return institution;
    },
    setInstitutionStatus(name, status) {
      const found = institutions.find((i) => i.name === name);
      if (!found) throw new Error(`fake Belvo: no institution named ${name}`);
      found.status = status;
    },
    institutions: () => institutions.map((i) => structuredClone(i)),
    addLinks(count, fields) {
      const added: FakeBelvoLink[] = [];
      for (let i = 0; i < count; i++) {
        const link = makeLink(links.length, typeof fields === 'function' ? fields(i) : fields);
        links.push(link);
        added.push(link);
      }
      return added;
    },
    setLinkStatus(which, status) {
      const pick = Array.isArray(which) ? (l: FakeBelvoLink) => which.includes(l.id) : which;
      let changed = 0;
      for (const link of links) {
        if (pick(link) && link.status !== status) {
          link.status = status;
          changed++;
        }
      }
      return changed;
    },
    links: () => links.map((l) => structuredClone(l)),
    removeLinks(ids) {
      let removed = 0;
      for (let i = links.length - 1; i >= 0; i--) {
        if (ids.includes(links[i]!.id)) {
          links.splice(i, 1);
          removed++;
        }
      }
      return removed;
    },
    fail(...more) {
      faults.push(...more);
    },
    pendingFaults: () => faults.length,
    setRateLimit(limit) {
      Object.assign(rateLimit, limit);
      window.length = 0;
    },
    setAuthErrorShape(shape) {
      authErrorShape = shape;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const s of sockets) s.destroy();
      });
      return closing;
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// Helpers

function newRequestId(): string {
  return randomBytes(16).toString('hex');
}

/** Keeps the items every filter of the query accepts; unknown parameters are ignored, as Belvo does. */
function filter<T>(items: T[], query: URLSearchParams, filters: Record<string, (item: T) => unknown>): T[] {
  const tests: Array<(item: T) => boolean> = [];
  for (const [key, value] of query) {
    const list = key.endsWith('__in');
    const field = filters[list ? key.slice(0, -4) : key];
    if (!field) continue;
    const wanted = list ? value.split(',') : [value];
    tests.push((item) => {
      const actual = field(item);
      return Array.isArray(actual) ? actual.some((a) => wanted.includes(String(a))) : wanted.includes(String(actual));
    });
  }
  return tests.length === 0 ? items : items.filter((item) => tests.every((t) => t(item)));
}

function errorBody(
  status: number,
  shape: FakeBelvoErrorShape,
  fault: FakeBelvoFault & { requestId: string },
): string | unknown {
  const code = fault.code ?? DEFAULT_CODES[status] ?? (status >= 500 ? 'unexpected_error' : 'invalid');
  const message = fault.message ?? DEFAULT_MESSAGES[code] ?? code.replace(/_/g, ' ');
  switch (shape) {
    case 'html':
      return RATE_LIMIT_PAGE;
    case 'text':
      return `${status} ${message}`;
    case 'empty':
      return '';
    case 'detail':
      return { detail: message };
    case 'code-only':
      return [{ code, request_id: fault.requestId }];
    default:
      return [{ code, message, request_id: fault.requestId }];
  }
}

function send(res: ServerResponse, status: number, body: string | unknown, headers: Record<string, string> = {}): void {
  if (res.destroyed) return;
  const isText = typeof body === 'string';
  const html = isText && body.startsWith('<html>');
  const type = isText ? (html ? 'text/html' : 'text/plain') : 'application/json';
  res.writeHead(status, { 'content-type': type, ...headers });
  res.end(isText ? body : JSON.stringify(body));
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');
}

function makeInstitution(id: number, fields: Partial<FakeBelvoInstitution> & { name: string }): FakeBelvoInstitution {
  const country = (/_([a-z]{2})_/.exec(fields.name)?.[1] ?? 'mx').toUpperCase();
  const bank = fields.name.split('_')[0] ?? fields.name;
  return {
    id,
    display_name: `${bank.charAt(0).toUpperCase()}${bank.slice(1)} ${country}`,
    type: 'bank',
    country_codes: [country],
    status: 'healthy',
    website: `https://www.${slug(bank)}.example`,
    primary_color: '#056dae',
    logo: null,
    integration_type: 'credentials',
    resources: ['ACCOUNTS', 'TRANSACTIONS', 'OWNERS', 'BALANCES'],
    features: [],
    form_fields: [{ name: 'username', type: 'text', label: 'Username' }],
    ...fields,
  };
}

function makeLink(index: number, fields: Partial<FakeBelvoLink>): FakeBelvoLink {
  // Belvo's microsecond timestamps, one minute apart, so ordering and parsing are exercised.
  const created = `${new Date(Date.UTC(2024, 0, 1) + index * 60_000).toISOString().slice(0, 19)}.412917Z`;
  return {
    id: randomUUID(),
    institution: 'erebor_mx_retail',
    status: 'valid',
    access_mode: 'recurrent',
    created_at: created,
    last_accessed_at: created,
    external_id: `customer-${index + 1}`,
    institution_user_id: randomBytes(33).toString('base64'),
    created_by: randomUUID(),
    refresh_rate: '24h',
    ...fields,
  };
}
