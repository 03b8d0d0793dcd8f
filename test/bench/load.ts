// A small HTTP load generator (test/bench/raw-http.ts underneath): one loop per kept-alive connection.
//   Closed loop (no rate): each loop sends its next request as soon as the previous one is answered: throughput is
//     what the server sustains with as many requests always outstanding as there are connections.
//   Open loop (a rate): request i is due at start + i/rate, whatever happened to the earlier ones; latency is counted
//     from when it was due, not when it left (as wrk2 does), so a stalled server cannot hide its queue by slowing the
//     sender. A request sent a little before it was due (timers are coarse) counts from when it left instead.
// It runs on the same machine as the server it measures and takes CPU from it: the callers say so.
import { percentile } from './stats.js';

export interface LoadOptions {
  /** Kept across runs (warm-up, then measures), so no run pays for connecting; one loop each. */
  connections: readonly { request(text: string): Promise<number> }[];
  /** The full text (head and body) of the i-th request. */
  request: (i: number) => string;
  durationMs: number;
  /** Requests per second to aim at; as fast as answers come when absent. */
  rate?: number;
}

export interface LoadResult {
  requests: number;
  durationMs: number;
  /** Answered requests per second over the run. */
  rps: number;
  p50: number;
  p99: number;
  max: number;
  byStatus: Record<string, number>;
  /** Every latency of the run, ascending (ms): to pool runs. */
  sorted: number[];
}

export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  const byStatus: Record<string, number> = {};
  let next = 0;
  const started = performance.now();
  const end = started + o.durationMs;
  const interval = o.rate ? 1000 / o.rate : 0;

  const loop = async (connection: LoadOptions['connections'][number]) => {
    for (;;) {
      const i = next++;
      const due = o.rate ? started + i * interval : performance.now();
      if (due >= end) return;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      const now = performance.now();
      const sentAt = o.rate ? Math.min(due, now) : now;
      let status = 'error';
      try {
        status = String(await connection.request(o.request(i)));
      } catch {
        // counted as 'error'; the connection reconnects for the next request
      }
      latencies.push(performance.now() - sentAt);
      byStatus[status] = (byStatus[status] ?? 0) + 1;
    }
  };
  await Promise.all(o.connections.map(loop));
  const elapsed = performance.now() - started;
  const sorted = latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    durationMs: elapsed,
    rps: (latencies.length / elapsed) * 1000,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
    byStatus,
    sorted,
  };
}
