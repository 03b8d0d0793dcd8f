// For the team's app: wrap its Belvo calls so every failure's request_id is logged (Belvo's integration checklist
// asks for it: support needs the id) and the calls are shipped to the bot's `POST /ingest/belvo-calls` in batches.
// It never blocks the app and never throws into it: reporting is best effort, with a bounded queue.
// Published on its own as `belvo-status-reporter` (npm run build:reporter): Node's built-ins only, no dependencies.
//
//   import { createBelvoCallReporter } from 'belvo-status-reporter';
//   const reporter = createBelvoCallReporter({ url: 'https://status-bot.internal', token: process.env.INGEST_TOKEN });
//   const res = await reporter.fetch('https://api.belvo.com/api/links/', { method: 'POST', ... }, { institution });

export interface ReportedCall {
  ts: number;
  method: string;
  path: string;
  status: number;
  code?: string;
  request_id?: string;
  institution?: string;
  link_id?: string;
  duration_ms: number;
  timeout?: boolean;
}

export interface ReporterOptions {
  /** The bot's base URL (`https://status-bot.internal`). */
  url: string;
  token: string;
  /** Calls per request (default 100) and the longest a call waits to be sent (default 5 s). */
  batchSize?: number;
  flushMs?: number;
  /** Calls kept while the bot cannot be reached; the oldest are dropped beyond it (default 10,000). */
  maxQueue?: number;
  /** Where request_ids of failures are logged (default console.warn). */
  log?: (line: string) => void;
  /** The fetch to use (default the global one). */
  fetch?: typeof fetch;
  /** The clock calls are stamped with (default Date.now): a test or a replay on its own clock. */
  now?: () => number;
}

export interface CallContext {
  institution?: string;
  linkId?: string;
}

export interface BelvoCallReporter {
  /** `fetch` for Belvo calls: same arguments and result, the call reported on the way. */
  fetch(input: string | URL, init?: RequestInit, context?: CallContext): Promise<Response>;
  /** Report a call made some other way (an SDK). */
  record(call: ReportedCall): void;
  flush(): Promise<void>;
  /** Sends what is queued and stops the timer. */
  close(): Promise<void>;
  readonly dropped: number;
}

/**
 * The `code` and `request_id` of Belvo's error body (an array of `{code, message, request_id}`, sometimes one
 * object), for apps whose HTTP client is not fetch (axios, undici.request) and report with `record`.
 */
export function belvoError(body: unknown): { code?: string; request_id?: string } {
  const first = Array.isArray(body) ? body[0] : body;
  if (!first || typeof first !== 'object') return {};
  const f = first as { code?: unknown; request_id?: unknown };
  return {
    ...(typeof f.code === 'string' && { code: f.code }),
    ...(typeof f.request_id === 'string' && { request_id: f.request_id }),
  };
}

async function errorDetails(res: Response): Promise<{ code?: string; requestId?: string }> {
  try {
    const { code, request_id } = belvoError(await res.clone().json());
    return { ...(code && { code }), ...(request_id && { requestId: request_id }) };
  } catch {
    // Not JSON (Belvo's HTML 403 rate-limit page): nothing to read.
    return {};
  }
}

const LOGGED_STATUSES = new Set([400, 401, 500]);

export function createBelvoCallReporter(opts: ReporterOptions): BelvoCallReporter {
  const send = opts.fetch ?? fetch;
  const now = opts.now ?? Date.now;
  const batchSize = opts.batchSize ?? 100;
  const maxQueue = opts.maxQueue ?? 10_000;
  const log = opts.log ?? ((line: string) => console.warn(line));
  const endpoint = `${opts.url.replace(/\/+$/, '')}/ingest/belvo-calls`;
  const queue: ReportedCall[] = [];
  let dropped = 0;
  let sending: Promise<void> | undefined;

  const timer = setInterval(() => void flush(), opts.flushMs ?? 5000);
  timer.unref?.();

  async function flush(): Promise<void> {
    if (sending) return sending;
    sending = (async () => {
      while (queue.length > 0) {
        const batch = queue.slice(0, batchSize);
        try {
          const res = await send(endpoint, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${opts.token}` },
            body: JSON.stringify(batch),
          });
          await res.body?.cancel();
          // A refused batch (400) would be refused again: drop it; anything else, keep and try later.
          if (res.ok || res.status === 400 || res.status === 413) queue.splice(0, batch.length);
          if (!res.ok) return;
        } catch {
          return; // the bot is unreachable: the calls wait in the queue
        }
      }
    })().finally(() => {
      sending = undefined;
    });
    return sending;
  }

  function record(call: ReportedCall): void {
    queue.push(call);
    if (queue.length > maxQueue) {
      queue.shift();
      dropped++;
    }
    if (queue.length >= batchSize) void flush();
  }

  return {
    get dropped() {
      return dropped;
    },
    record,
    flush,
    async close() {
      clearInterval(timer);
      await flush();
    },
    async fetch(input, init, context = {}) {
      const started = now();
      const url = new URL(String(input));
      const method = (init?.method ?? 'GET').toUpperCase();
      const base = {
        ts: started,
        method,
        path: url.pathname,
        ...(context.institution && { institution: context.institution }),
        ...(context.linkId && { link_id: context.linkId }),
      };
      let res: Response;
      try {
        res = await send(input, init);
      } catch (err) {
        const timeout = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
        if (timeout) log(`belvo ${method} ${url.pathname} timed out after ${now() - started} ms`);
        record({ ...base, status: 0, duration_ms: now() - started, ...(timeout && { timeout: true }) });
        throw err;
      }
      const details = res.status >= 400 ? await errorDetails(res) : {};
      if (LOGGED_STATUSES.has(res.status)) {
        log(
          `belvo ${method} ${url.pathname} -> ${res.status}${details.code ? ` ${details.code}` : ''} request_id=${details.requestId ?? 'none'}`,
        );
      }
      record({
        ...base,
        status: res.status,
        duration_ms: now() - started,
        ...(details.code && { code: details.code }),
        ...(details.requestId && { request_id: details.requestId }),
      });
      return res;
    },
  };
}
