// Figure 5's rows and notes for the report table.

import type { LoadResult } from './load.js';
import { ms, percentile } from './stats.js';
import { type Row, verdict } from './table.js';
import type { Phase, ServerFigures, ServerKind, WebhookBenchOptions, WebhookBenchResult } from './webhooks.js';

export const WEBHOOK_BENCH: WebhookBenchOptions = {
  rate: 2000,
  connections: 128,
  rounds: 3,
  phaseMs: 3000,
  warmupMs: 2000,
  postgres: true,
};
const SHARE_TARGET = 0.5;
const P99_TARGET_MS = 15;
/** Cores other processes may use during the phases before the run is called noisy. */
const QUIET_CORES = 0.25;

const median = (xs: readonly number[]) =>
  percentile(
    [...xs].sort((a, b) => a - b),
    50,
  );
const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
const cores = (x: number | undefined) => (x === undefined ? 'n/a' : x.toFixed(2));
const perSecond = (x: number) => `${Math.round(x).toLocaleString('en-US')} req/s`;
const list = (xs: readonly string[]) => xs.join(' / ');
const statuses = (r: LoadResult) =>
  Object.entries(r.byStatus)
    .map(([code, n]) => `${n}x${code}`)
    .join(' ');
const only200 = (phases: readonly Phase[]) =>
  phases.every((p) => Object.keys(p.load.byStatus).every((s) => s === '200'));

/** The phase whose value is the median (so its other figures are from one real run, not a mix). */
function medianPhase(phases: readonly Phase[], value: (p: Phase) => number): Phase {
  const sorted = [...phases].sort((a, b) => value(a) - value(b));
  return sorted[Math.ceil(sorted.length / 2) - 1]!;
}

function pooledP99(phases: readonly Phase[]): number {
  return percentile(
    phases.flatMap((p) => p.load.sorted).sort((a, b) => a - b),
    99,
  );
}

interface Summary {
  botMax: number;
  bareMax: number;
  share: number;
  shares: number[];
  botP99: number;
  bareP99: number;
}

export function summarizeWebhooks(w: WebhookBenchResult): Summary {
  const botMax = median(w.bot.max.map((p) => p.load.rps));
  const bareMax = median(w.bare.max.map((p) => p.load.rps));
  return {
    botMax,
    bareMax,
    share: botMax / bareMax,
    shares: w.bot.max.map((p, i) => p.load.rps / w.bare.max[i]!.load.rps),
    botP99: median(w.bot.atRate.map((p) => p.load.p99)),
    bareP99: median(w.bare.atRate.map((p) => p.load.p99)),
  };
}

const sumOf = (p: Phase, cores: readonly number[] | undefined) =>
  cores && p.machine.perCore ? cores.reduce((a, c) => a + (p.machine.perCore?.[c] ?? Number.NaN), 0) : Number.NaN;
/** Cores the servers were pinned to: how busy they were in all (the server, other processes, the database's). */
const serverCoresBusy = (p: Phase, w: WebhookBenchResult) => sumOf(p, w.pinning.serverCores);
const loadCoresBusy = (p: Phase, w: WebhookBenchResult) => sumOf(p, w.pinning.loadCores);

/**
 * Pinned: the other processes' share of the servers' cores and of the load generator's, in the bare and bot phases
 * (a PostgreSQL server's backends run on any core: they would count as others here).
 */
function othersByCore(w: WebhookBenchResult): Row {
  const phases = [w.bare, w.bot].flatMap((f) => [...f.max, ...f.atRate]);
  const onServers = phases.map((p) => Math.max(0, serverCoresBusy(p, w) - p.server.cpu));
  const onLoad = phases.map((p) => Math.max(0, loadCoresBusy(p, w) - p.loadGenCpu));
  return {
    figure: "   of which on the servers' core(s) / the load generator's, bare and bot phases: median / max",
    measured:
      `${cores(median(onServers))} / ${cores(Math.max(...onServers))}; ` +
      `${cores(median(onLoad))} / ${cores(Math.max(...onLoad))}`,
    target: '',
    verdict: 'info',
  };
}

/** Medians over the max phases: server process CPU / its event loop(s) / load generator CPU / its loop / others. */
function coresAtMax(f: ServerFigures): string {
  const at = (pick: (p: Phase) => number | undefined) => cores(median(f.max.map((p) => pick(p) ?? Number.NaN)));
  return [
    at((p) => p.server.cpu),
    at((p) => p.server.busy),
    at((p) => p.loadGenCpu),
    at((p) => p.loadGenBusy),
    at((p) => p.machine.others),
  ].join(' / ');
}

function commitLine(phases: readonly Phase[]): string {
  const p = medianPhase(phases, (x) => x.load.rps);
  const c = p.server.commits;
  if (!c || c.batches === 0) return 'n/a';
  return (
    `${(c.rows / c.batches).toFixed(0)} rows/commit, commit p50 ${ms(c.p50Ms)} / p99 ${ms(c.p99Ms)}, ` +
    `${pct(c.totalMs / p.load.durationMs)} of the time`
  );
}

export function webhookRows(w: WebhookBenchResult): Row[] {
  const o = w.options;
  const s = summarizeWebhooks(w);
  const reachedRate = w.bot.atRate.every((p) => p.load.rps >= o.rate * 0.95);
  return [
    {
      figure:
        `5. Webhooks, max throughput: bot on SQLite (durable) / bare node:http, ${o.connections} conns each, ` +
        `median of ${o.rounds}`,
      measured: `${perSecond(s.botMax)} / ${perSecond(s.bareMax)} (${pct(s.share)})`,
      target: `>= ${pct(SHARE_TARGET)} of bare`,
      verdict: verdict(s.share >= SHARE_TARGET && only200(w.bot.max)),
    },
    {
      figure: '   where it ran: load generator / each server, every thread',
      measured: w.pinning.short,
      target: 'own cores',
      verdict: w.pinning.serverCores ? 'info' : 'n/a',
    },
    {
      figure: '   bot / bare, round by round',
      measured: list(s.shares.map(pct)),
      target: '',
      verdict: 'info',
    },
    {
      figure: '   max throughput latency (median round): bot / bare',
      measured: (() => {
        const bot = medianPhase(w.bot.max, (p) => p.load.rps).load;
        const bare = medianPhase(w.bare.max, (p) => p.load.rps).load;
        return `p50 ${ms(bot.p50)} / p99 ${ms(bot.p99)}; p50 ${ms(bare.p50)} / p99 ${ms(bare.p99)}`;
      })(),
      target: '',
      verdict: 'info',
    },
    {
      figure: '   bot at max: group commits (median round)',
      measured: commitLine(w.bot.max),
      target: '',
      verdict: 'info',
    },
    {
      figure:
        '   cores busy at max: server process / its event loop / load generator process / its event loop / others',
      measured: `bot ${coresAtMax(w.bot)}; bare ${coresAtMax(w.bare)}`,
      target: `of ${w.bot.max[0]?.machine.cores ?? '?'}`,
      verdict: 'info',
    },
    ...(w.pinning.serverCores && w.pinning.loadCores
      ? [
          {
            figure: "   cores busy at max, whoever kept them busy: the servers' / the load generator's",
            measured:
              `bot ${cores(median(w.bot.max.map((p) => serverCoresBusy(p, w))))} / ` +
              `${cores(median(w.bot.max.map((p) => loadCoresBusy(p, w))))}; bare ` +
              `${cores(median(w.bare.max.map((p) => serverCoresBusy(p, w))))} / ` +
              `${cores(median(w.bare.max.map((p) => loadCoresBusy(p, w))))}`,
            target: `of ${w.pinning.serverCores.length} / ${w.pinning.loadCores.length}`,
            verdict: 'info' as const,
          },
        ]
      : []),
    {
      figure: `   at ${o.rate.toLocaleString('en-US')} req/s (open loop): bot p99, median of ${o.rounds} rounds`,
      measured: `${ms(s.botP99)} (rounds ${list(w.bot.atRate.map((p) => ms(p.load.p99)))})`,
      target: `p99 < ${P99_TARGET_MS} ms`,
      verdict: verdict(s.botP99 < P99_TARGET_MS && reachedRate && only200(w.bot.atRate)),
    },
    {
      figure: `   at ${o.rate.toLocaleString('en-US')} req/s: bot p50 / all rounds' p99 / max`,
      measured:
        `${ms(median(w.bot.atRate.map((p) => p.load.p50)))} / ${ms(pooledP99(w.bot.atRate))} / ` +
        `${ms(Math.max(...w.bot.atRate.map((p) => p.load.max)))}`,
      target: '',
      verdict: 'info',
    },
    {
      figure: `   at ${o.rate.toLocaleString('en-US')} req/s: bare p99, median (p50 / all rounds' p99 / max)`,
      measured:
        `${ms(s.bareP99)} (${ms(median(w.bare.atRate.map((p) => p.load.p50)))} / ` +
        `${ms(pooledP99(w.bare.atRate))} / ${ms(Math.max(...w.bare.atRate.map((p) => p.load.max)))})`,
      target: 'for comparison',
      verdict: 'info',
    },
    (() => {
      const others = servers(w)
        .flatMap(({ f }) => [...f.max, ...f.atRate])
        .map((p) => p.machine.others);
      const known = others.filter((x): x is number => x !== undefined);
      const mid = known.length > 0 ? median(known) : undefined;
      return {
        figure: '   other processes on the machine during the phases: median / max cores',
        measured:
          mid === undefined
            ? 'not known (no /proc)'
            : `${cores(mid)} / ${cores(Math.max(...known))}` +
              (mid > QUIET_CORES ? ': busy machine, not a clean measurement' : ''),
        target: `quiet: < ${QUIET_CORES}`,
        verdict: 'info',
      };
    })(),
    ...(w.pinning.serverCores ? [othersByCore(w)] : []),
    ...perServerRows(w),
    {
      figure: `   200s answered / rows stored: ${durable(w)
        .map((d) => d.label)
        .join('; ')}`,
      measured: durable(w)
        .map(({ f }) => `${f.answered} / ${f.stored}`)
        .join('; '),
      target: 'equal',
      verdict: verdict(durable(w).every(({ f }) => f.answered === f.stored)),
    },
  ];
}

const LABELS: Record<ServerKind, string> = {
  bare: 'bare node:http',
  bot: 'SQLite',
  pg1: 'PostgreSQL, 1 replica',
  pg2: 'PostgreSQL, 2 replicas',
};

/** The servers measured, in the table's order. */
function servers(w: WebhookBenchResult): { kind: ServerKind; label: string; f: ServerFigures }[] {
  return (['bare', 'bot', 'pg1', 'pg2'] as const).flatMap((kind) => {
    const f = w[kind];
    return f ? [{ kind, label: LABELS[kind], f }] : [];
  });
}

const durable = (w: WebhookBenchResult) => servers(w).filter((s) => s.kind !== 'bare');

function commitShort(p: Phase): string {
  const c = p.server.commits;
  if (!c || c.batches === 0) return 'no commits';
  return `${(c.rows / c.batches).toFixed(1)} rows/commit (commit p50 ${ms(c.p50Ms)} / p99 ${ms(c.p99Ms)})`;
}

/** Every server side by side: the same connections, the same load generator, the same rounds. */
function perServerRows(w: WebhookBenchResult): Row[] {
  const o = w.options;
  const bareMax = median(w.bare.max.map((p) => p.load.rps));
  const rows: Row[] = [
    {
      figure: `   side by side, max throughput (median round): req/s (of bare), p50 / p99, commits`,
      measured: '',
      target: '',
      verdict: 'info',
    },
  ];
  for (const { kind, label, f } of servers(w)) {
    const p = medianPhase(f.max, (x) => x.load.rps);
    const rps = median(f.max.map((x) => x.load.rps));
    rows.push({
      figure: `     ${label}`,
      measured:
        `${perSecond(rps)}${kind === 'bare' ? '' : ` (${pct(rps / bareMax)})`}, p50 ${ms(p.load.p50)} / ` +
        `p99 ${ms(p.load.p99)}${kind === 'bare' ? '' : `, ${commitShort(p)}`}`,
      target: '',
      verdict: kind === 'bare' || only200(f.max) ? 'info' : 'MISS',
    });
  }
  rows.push({
    figure: `   side by side at ${o.rate.toLocaleString('en-US')} req/s (open loop, medians of ${o.rounds}): achieved, p50 / p99`,
    measured: '',
    target: '',
    verdict: 'info',
  });
  for (const { kind, label, f } of servers(w)) {
    const p = medianPhase(f.atRate, (x) => x.load.p99);
    rows.push({
      figure: `     ${label}`,
      measured:
        `${perSecond(median(f.atRate.map((x) => x.load.rps)))}, p50 ${ms(median(f.atRate.map((x) => x.load.p50)))} / ` +
        `p99 ${ms(median(f.atRate.map((x) => x.load.p99)))}${kind === 'bare' ? '' : `, ${commitShort(p)}`}`,
      target: '',
      verdict: kind === 'bare' || only200(f.atRate) ? 'info' : 'MISS',
    });
  }
  for (const { kind, label, f } of servers(w)) {
    if (kind !== 'pg1' && kind !== 'pg2') continue;
    const db = f.max.map((p) => p.server.database);
    rows.push({
      figure: `   ${label} at max: cores busy, replica process(es) / their event loops / its PostgreSQL backends`,
      measured:
        `${cores(median(f.max.map((p) => p.server.cpu)))} / ${cores(median(f.max.map((p) => p.server.busy)))} / ` +
        `${db.every((x) => x !== undefined) ? cores(median(db)) : 'n/a'}`,
      target: `of ${f.max[0]?.machine.cores ?? '?'}`,
      verdict: 'info',
    });
  }
  if (w.postgresSkipped)
    rows.push({ figure: '   PostgreSQL, 1 and 2 replicas', measured: 'not measured', target: '', verdict: 'n/a' });
  return rows;
}

const BOUND = 0.9;

/**
 * What limited a server's max phases: its own core(s) or event loop (the figure is the server's), the load
 * generator's, or (a store that commits off the event loop: PostgreSQL) its commits, one in flight at a time per
 * replica, always in flight. Pinned, a process using its cores' worth of CPU is bound by them whatever its event
 * loop shows; unpinned, only the event loops tell.
 */
function boundBy(name: string, f: ServerFigures, w: WebhookBenchResult): string {
  const serverCores = w.pinning.serverCores?.length;
  const loadCores = w.pinning.loadCores?.length;
  // Per process: two replicas' event loops each near 100% are each the bound.
  const loop = median(f.max.map((p) => p.server.busy / p.server.processes));
  const cpu = median(f.max.map((p) => p.server.cpu));
  const loadLoop = median(f.max.map((p) => p.loadGenBusy));
  const loadCpu = median(f.max.map((p) => p.loadGenCpu));
  const committing = f.max.every((p) => p.server.commits)
    ? median(f.max.map((p) => (p.server.commits?.totalMs ?? 0) / (p.load.durationMs * p.server.processes)))
    : undefined;
  const coreBusy = median(f.max.map((p) => serverCoresBusy(p, w)));
  const s = serverCores === 1 ? '' : 's';
  const by =
    serverCores !== undefined && cpu >= BOUND * serverCores
      ? `its core${s}`
      : serverCores !== undefined && coreBusy >= BOUND * serverCores
        ? `its core${s}, other processes taking ${cores(Math.max(0, coreBusy - cpu))} of ${serverCores === 1 ? 'it' : 'them'}`
        : loop >= BOUND
          ? 'its own event loop'
          : (loadCores !== undefined && loadCpu >= BOUND * loadCores) || loadLoop >= BOUND
            ? 'the load generator (the server had room)'
            : committing !== undefined && committing >= BOUND
              ? 'its commits (the database)'
              : 'neither';
  const commits = committing === undefined ? '' : `, a commit in flight ${pct(committing)} of the time`;
  const core = Number.isNaN(coreBusy) ? '' : `, its core${s} ${cores(coreBusy)} busy in all`;
  return (
    `${name} by ${by} (server ${cores(cpu)} cores${core}, event loop ${pct(loop)} busy; load generator ` +
    `${cores(loadCpu)} cores, event loop ${pct(loadLoop)}${commits}; medians)`
  );
}

function atRateCommits(p: Phase): string {
  const c = p.server.commits;
  const commits = c && c.batches > 0 ? `${(c.rows / c.batches).toFixed(1)}, ${ms(c.p99Ms)} / ${ms(c.maxMs)}` : 'n/a';
  const written = p.machine.writtenMB;
  const disk = written ? `${written.thisProcess.toFixed(0)} / ${written.all.toFixed(0)} MB` : 'n/a';
  return `[${commits}, ${cores(p.machine.others)}, ${disk}]`;
}

export function webhookNotes(w: WebhookBenchResult): string[] {
  const o = w.options;
  const rounds = (f: ServerFigures, pick: (p: Phase) => string, phases: 'max' | 'atRate') => list(f[phases].map(pick));
  return [
    `5: ${w.pinning.description}. Each server is a node process of its own (test/bench/webhook-server.ts, run with ` +
      `the node flags npm start uses), the load generator (test/bench/load.ts over raw-http.ts) this process; ` +
      `${w.pinning.serverCores ? 'so the load generator takes no CPU from the server it measures (every server alike)' : "all share this machine's cores, so the load generator takes CPU the server could use (every server alike)"}. ` +
      `Where the threads were allowed to run at the end, from /proc: load generator: ${w.affinity.loadGenerator ?? 'not known'}; ` +
      `${(Object.entries(w.affinity.servers) as [ServerKind, string][]).map(([k, a]) => `${LABELS[k]}: ${a}`).join('; ')}. ` +
      "A server's CPU is its whole process's (every thread), its event loop's busy share beside it; other processes " +
      `on the machine show in the "cores busy" row. Every server gets exactly the same load: ${o.connections} ` +
      `kept-alive connections each; max throughput is a closed loop (${o.connections} requests always outstanding, ` +
      `as many concurrent senders as Belvo may use), the rate phase an open loop at ${o.rate} req/s with latency ` +
      `counted from when each request was due (wrk2's way). ${o.warmupMs / 1000} s warm-up each, then ${o.rounds} ` +
      `rounds of ${o.phaseMs / 1000} s phases, each round measuring every server at max then every one at the rate, ` +
      `the first server rotating (${w.firstOfRound.join(', ')}); medians over the rounds. ` +
      `${(w.wallMs / 1000).toFixed(0)} s in all.`,
    '5: bot = the real route (address and Authorization checks, JSON validation, group commit, Prometheus metrics) ' +
      'on a file-backed SQLite store in a temp dir (WAL, synchronous=FULL: an fsync before each 200); every request ' +
      'a new webhook_id, one in five a LINK token_required (link state and link event written too). bare = node:http ' +
      'reading the body and answering 200.',
    `5: what bounded each max: ${boundBy('bot', w.bot, w)}; ${boundBy('bare', w.bare, w)} (CPU above ${pct(BOUND)} of the cores a ` +
      `process was pinned to, whoever used it, an event loop busy or a commit in flight per replica above ${pct(BOUND)} of the phase, is the bound).`,
    `5: max, round by round: bot ${rounds(w.bot, (p) => perSecond(p.load.rps), 'max')}; bare ` +
      `${rounds(w.bare, (p) => perSecond(p.load.rps), 'max')}. Other processes (cores) during the max phases: bot ` +
      `${rounds(w.bot, (p) => cores(p.machine.others), 'max')}; bare ${rounds(w.bare, (p) => cores(p.machine.others), 'max')}.`,
    `5: at ${o.rate} req/s, round by round: bot achieved ${rounds(w.bot, (p) => perSecond(p.load.rps), 'atRate')}, ` +
      `max latency ${rounds(w.bot, (p) => ms(p.load.max), 'atRate')}, answers ` +
      `${rounds(w.bot, (p) => statuses(p.load), 'atRate')}; bare p99 ` +
      `${rounds(w.bare, (p) => ms(p.load.p99), 'atRate')}. Bot answers at max: ` +
      `${rounds(w.bot, (p) => statuses(p.load), 'max')}.`,
    `5: the bot's commits at ${o.rate} req/s, round by round (rows/commit, commit p99 / max: the fsync is most of ` +
      `it), other processes' cores, MB written to disk by this process / by all: ` +
      `${rounds(w.bot, (p) => atRateCommits(p), 'atRate')}.`,
    ...postgresNotes(w),
  ];
}

const durableSettings = (settings: string | undefined) =>
  settings !== undefined && /\bfsync=on\b/.test(settings) && /\bsynchronous_commit=on\b/.test(settings);

function postgresNotes(w: WebhookBenchResult): string[] {
  if (w.postgresSkipped) return [`5: PostgreSQL not measured: ${w.postgresSkipped}.`];
  const o = w.options;
  const pgs = servers(w).filter((s) => s.kind === 'pg1' || s.kind === 'pg2');
  const perRound = (pick: (p: Phase) => string, phases: 'max' | 'atRate') =>
    pgs.map(({ label, f }) => `${label} ${list(f[phases].map(pick))}`).join('; ');
  return [
    '5: PostgreSQL = the same route on the PostgreSQL store (adapters/postgres), a pool of 10 connections per ' +
      `replica (the default; a replica's group commit holds one at a time), the server on this machine ` +
      `(${w.postgresSettings ?? 'settings unknown'}): ${durableSettings(w.postgresSettings) ? "a 200 means the row's WAL is flushed to disk, as SQLite's FULL" : 'NOT durable settings (fsync or synchronous_commit off): the figure overstates durable ingestion'}. ` +
      `"2 replicas" = two server processes, each with its own HTTP server, route, ` +
      `pool and group commit, on one schema; the ${o.connections} connections alternate between them (${o.connections / 2} each), as a ` +
      'round-robin load balancer spreads them. Each PostgreSQL server has a schema of its own (fresh, dropped after).',
    '5: the PostgreSQL backends serving a server are processes of their own: their CPU (from /proc, found by ' +
      'application_name) is counted as the server\'s, not in "other processes"; the cluster\'s WAL writer and ' +
      "checkpointer, and other databases' sessions, are counted as other processes. The database's processes are " +
      "not pinned: they run on any core, the load generator's included, as the machine's other processes do.",
    `5: PostgreSQL max, round by round: ${perRound((p) => perSecond(p.load.rps), 'max')}. Cores of the ` +
      `backends at max: ${perRound((p) => cores(p.server.database), 'max')}. Other processes (cores) during the max ` +
      `phases: ${perRound((p) => cores(p.machine.others), 'max')}.`,
    `5: PostgreSQL at ${o.rate} req/s, round by round: achieved ${perRound((p) => perSecond(p.load.rps), 'atRate')}; ` +
      `p99 ${perRound((p) => ms(p.load.p99), 'atRate')}; answers ${perRound((p) => statuses(p.load), 'atRate')}.`,
    `5: what bounded each PostgreSQL max: ${pgs.map(({ label, f }) => boundBy(label, f, w)).join('; ')} (its ` +
      "backends run on any core: the other processes taking part of the servers' core include them when they ran there).",
  ];
}
