// Figure 5's rows and notes for the report table.

import type { LoadResult } from './load.js';
import { ms } from './stats.js';
import { type Row, verdict } from './table.js';
import type { WebhookBenchOptions, WebhookBenchResult } from './webhooks.js';

export const WEBHOOK_BENCH: WebhookBenchOptions = { rate: 2000, concurrency: 32, durationMs: 4000, warmupMs: 1000 };
const P99_TARGET_MS = 15;

const rps = (r: LoadResult) => `${Math.round(r.rps).toLocaleString('en-US')} req/s`;
const lat = (r: LoadResult) => `p50 ${ms(r.p50)} / p99 ${ms(r.p99)}`;
const statuses = (r: LoadResult) =>
  Object.entries(r.byStatus)
    .map(([code, n]) => `${n}x${code}`)
    .join(' ');
const only200 = (r: LoadResult) => Object.keys(r.byStatus).every((s) => s === '200');

export function webhookRows(w: WebhookBenchResult): Row[] {
  const rate = WEBHOOK_BENCH.rate;
  const ratio = w.bot.max.rps / w.bare.max.rps;
  const reachedRate = (r: LoadResult) => r.rps >= rate * 0.95;
  return [
    {
      figure: `5. Webhooks, max throughput: bot (durable) / bare node:http (${WEBHOOK_BENCH.concurrency} conns)`,
      measured: `${rps(w.bot.max)} / ${rps(w.bare.max)} (${(ratio * 100).toFixed(0)}%)`,
      target: '>= 50% of bare',
      verdict: verdict(ratio >= 0.5 && only200(w.bot.max)),
    },
    {
      figure: '   max throughput latency: bot / bare',
      measured: `${lat(w.bot.max)} / ${lat(w.bare.max)}`,
      target: '',
      verdict: 'info',
    },
    {
      figure: `   at ${rate.toLocaleString('en-US')} req/s: bot latency (achieved ${rps(w.bot.atRate)})`,
      measured: lat(w.bot.atRate),
      target: `p99 < ${P99_TARGET_MS} ms`,
      verdict: verdict(w.bot.atRate.p99 < P99_TARGET_MS && reachedRate(w.bot.atRate) && only200(w.bot.atRate)),
    },
    {
      figure: `   at ${rate.toLocaleString('en-US')} req/s: bare latency (achieved ${rps(w.bare.atRate)})`,
      measured: lat(w.bare.atRate),
      target: 'for comparison',
      verdict: 'info',
    },
    {
      figure: '   bot: 200s answered / rows stored',
      measured: `${w.bot.answered} / ${w.bot.stored}`,
      target: 'equal',
      verdict: verdict(w.bot.answered === w.bot.stored),
    },
  ];
}

export function webhookNotes(w: WebhookBenchResult): string[] {
  return [
    `5: each server in a worker thread, the load generator (undici, closed loop, ${WEBHOOK_BENCH.concurrency} ` +
      `connections, test/bench/load.ts) in the main thread; ${WEBHOOK_BENCH.warmupMs / 1000} s warm-up, then ` +
      `${WEBHOOK_BENCH.durationMs / 1000} s at ${WEBHOOK_BENCH.rate} req/s (latency from when each request was due) ` +
      `and ${WEBHOOK_BENCH.durationMs / 1000} s as fast as answered. Bot: the real route (address and Authorization ` +
      'checks, JSON validation, group commit) on a file-backed SQLite store in a temp dir (WAL, synchronous=FULL); ' +
      'every request a new webhook_id, one in five a LINK token_required (link state and link event written too). ' +
      `Answers: bot ${statuses(w.bot.atRate)} at rate, ${statuses(w.bot.max)} at max; bare ` +
      `${statuses(w.bare.atRate)} / ${statuses(w.bare.max)}. Max latency at rate: bot ${ms(w.bot.atRate.max)}, ` +
      `bare ${ms(w.bare.atRate.max)}.`,
  ];
}
