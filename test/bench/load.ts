// A small closed-loop HTTP load generator on undici: `concurrency` connections, each sending its next request when
// the previous one is answered, optionally held to a target rate. At a target rate, latency is counted from when a
// request was due, not when it left (as wrk2 does), so a stalled server cannot hide its queue by slowing the sender.
import { Pool } from 'undici';
import { percentile } from './stats.js';

export interface LoadOptions {
  /** Connections are kept across runs (warm-up, then measures), so no run pays for connecting. */
  pool: Pool;
  path: string;
  headers: Record<string, string>;
  /** The body of the i-th request. */
  body: (i: number) => string;
  concurrency: number;
  durationMs: number;
  /** Requests per second to aim at; as fast as answers come when absent. */
  rate?: number;
}

export interface LoadResult {
  requests: number;
  /** Answered requests per second over the run. */
  rps: number;
  p50: number;
  p99: number;
  max: number;
  byStatus: Record<string, number>;
}

export function loadPool(origin: string, concurrency: number): Pool {
  return new Pool(origin, { connections: concurrency, pipelining: 1 });
}

export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const pool = o.pool;
  const latencies: number[] = [];
  const byStatus: Record<string, number> = {};
  let next = 0;
  const started = performance.now();
  const end = started + o.durationMs;
  const interval = o.rate ? 1000 / o.rate : 0;

  const worker = async () => {
    for (;;) {
      const i = next++;
      const due = o.rate ? started + i * interval : performance.now();
      if (due >= end) return;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      const sentAt = o.rate ? due : performance.now();
      let status = 'error';
      try {
        const res = await pool.request({ path: o.path, method: 'POST', headers: o.headers, body: o.body(i) });
        await res.body.dump();
        status = String(res.statusCode);
      } catch {
        // counted as 'error'
      }
      latencies.push(performance.now() - sentAt);
      byStatus[status] = (byStatus[status] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  const elapsed = performance.now() - started;
  const sorted = latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    rps: (latencies.length / elapsed) * 1000,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
    byStatus,
  };
}
