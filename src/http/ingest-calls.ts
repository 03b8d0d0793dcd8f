// `POST /ingest/belvo-calls`: the team's app reports its Belvo calls (the reporter module batches them). A bearer
// token guards it; a batch is validated whole, so a malformed one is refused (400, naming the bad items) and counts
// nothing. Accepted calls go into the error-ratio windows in memory; evaluation runs on its own schedule.
import { z } from 'zod';
import type { BelvoCall } from '../detect/error-ratios.js';
import type { Logger } from '../ports/logger.js';
import type { ReportedCallMetrics } from './reported-calls-metrics.js';
import type { Router } from './router.js';
import { sameSecret } from './same-secret.js';

/** A batch larger than this is refused: the reporter sends 100 at a time; a huge one is a bug or an attack. */
export const MAX_CALLS_PER_BATCH = 5000;

/**
 * Calls are accepted from this far back (the error-ratio windows never look further; a reporter that was offline
 * longer sends history no alert can use) to this far ahead (clock skew). Anything else would sit in memory for ever.
 */
export const CALLS_ACCEPTED_BACK_MS = 24 * 60 * 60_000;
export const CALLS_ACCEPTED_AHEAD_MS = 5 * 60_000;

const timestamp = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const ms = typeof v === 'number' ? v : Date.parse(v);
  if (!Number.isFinite(ms)) {
    ctx.addIssue({ code: 'custom', message: 'ts: epoch milliseconds or an ISO 8601 time' });
    return z.NEVER;
  }
  return ms;
});

const call = z.object({
  ts: timestamp,
  method: z.string().min(1).max(10),
  path: z.string().min(1).max(2000),
  status: z.number().int().min(0).max(599),
  code: z.string().max(100).optional(),
  request_id: z.string().max(100).optional(),
  institution: z.string().max(200).optional(),
  link_id: z.string().max(100).optional(),
  duration_ms: z.number().min(0),
  timeout: z.boolean().optional(),
});

/** An array of calls, or `{ calls: [...] }`. */
const batch = z.preprocess(
  (b) => (b !== null && typeof b === 'object' && !Array.isArray(b) && 'calls' in b ? b.calls : b),
  z.array(call, { error: 'expected an array of calls, or { calls: [...] }' }),
);

/** What is wrong with a call's time, if anything: outside the window, or seconds where milliseconds were meant. */
export function callTimeProblem(ts: number, now: number): string | undefined {
  const inWindow = (t: number) => t >= now - CALLS_ACCEPTED_BACK_MS && t <= now + CALLS_ACCEPTED_AHEAD_MS;
  if (inWindow(ts)) return undefined;
  if (inWindow(ts * 1000)) return 'ts: looks like seconds since the epoch; send milliseconds (or an ISO 8601 time)';
  return "ts: outside the accepted window (from 24 hours ago to 5 minutes ahead of the bot's clock)";
}

export interface IngestDeps {
  /** The bot's clock: calls far from it are refused. Default Date.now. */
  now?: () => number;
  token: string;
  accept: (calls: BelvoCall[]) => void;
  logger: Logger;
  metrics?: ReportedCallMetrics;
}

export function mountCallsIngest(router: Router, deps: IngestDeps): void {
  router.add('POST', '/ingest/belvo-calls', async ({ req, body }) => {
    const auth = req.headers.authorization ?? '';
    const presented = auth.startsWith('Bearer ') ? auth.slice(7) : '';
    if (!sameSecret(presented, deps.token)) {
      return { status: 401, headers: { 'www-authenticate': 'Bearer' }, body: { error: 'unauthorized' } };
    }
    const raw = await body(); // over the limit: 413 from the server, not a JSON error
    let doc: unknown;
    try {
      doc = JSON.parse(raw.toString('utf8'));
    } catch {
      return { status: 400, body: { error: 'malformed_json' } };
    }
    const parsed = batch.safeParse(doc);
    if (!parsed.success) {
      const problems = parsed.error.issues.slice(0, 20).map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`);
      return { status: 400, body: { error: 'invalid_calls', problems } };
    }
    if (parsed.data.length > MAX_CALLS_PER_BATCH) {
      return { status: 413, body: { error: 'too_many_calls', max: MAX_CALLS_PER_BATCH } };
    }
    const now = (deps.now ?? Date.now)();
    const late = parsed.data.flatMap((c, i) => {
      const problem = callTimeProblem(c.ts, now);
      return problem ? [`${i}.${problem}`] : [];
    });
    if (late.length > 0) {
      return { status: 400, body: { error: 'calls_out_of_time', problems: late.slice(0, 20), refused: late.length } };
    }
    const calls: BelvoCall[] = parsed.data.map((c) => ({
      ts: c.ts,
      method: c.method,
      path: c.path,
      status: c.status,
      durationMs: c.duration_ms,
      ...(c.code !== undefined && { code: c.code }),
      ...(c.request_id !== undefined && { requestId: c.request_id }),
      ...(c.institution !== undefined && { institution: c.institution }),
      ...(c.link_id !== undefined && { linkId: c.link_id }),
      ...(c.timeout !== undefined && { timeout: c.timeout }),
    }));
    deps.accept(calls);
    deps.metrics?.ingested(calls);
    deps.logger.debug({ calls: parsed.data.length }, 'belvo calls ingested');
    return { status: 202, body: { accepted: parsed.data.length } };
  });
}
