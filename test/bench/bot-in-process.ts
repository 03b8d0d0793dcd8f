// Figures 2 and 3: the real bot (buildApp, SQLite in a temp dir, console to /dev/null) polling a simulated
// 1,000-component page over loopback, driven poll by poll from here. The simulator shares this process, so its
// request handling is inside the timed polls (rendering is kept out: see prerender) and its memory is in the RSS.
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { type SimulatedStatusPageServer, startSimulatedStatusPage } from '../../simulators/statuspage/index.js';
import { parseConfigText } from '../../src/config/load.js';
import { createLogger } from '../../src/log.js';
import { type App, buildApp } from '../../src/main.js';
import { benchConfigYaml, buildInstitutionsPage, cleanEnv, makeTempDir, removeTempDir } from './fixtures.js';
import { type Summary, sleep, summarize } from './stats.js';

const JSON_PATHS = ['/api/v2/summary.json', '/api/v2/incidents.json', '/api/v2/scheduled-maintenances.json'];
/** Every Statuspage JSON document starts with its `page` object; stored alerts and intents do not. */
const FEED_PREFIX = '{"page":';

export interface MemorySample {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  /** C++ objects bound to JS (Buffers included). */
  external: number;
}

export interface InProcessResult {
  firstPollMs: number;
  unchanged: Summary;
  unchangedStatuses: Record<string, number>;
  unchangedFeedParses: number;
  changed: Summary;
  changedStatuses: Record<string, number>;
  changedFeedParses: number;
  firingComponents: number;
  firingOther: number;
  pollsToFire: number;
  delivered: number;
  memory: MemorySample;
  /** Heap the simulator (page model, rendered documents) holds before the bot exists. */
  simulatorHeap: number;
  heapBeforeBot: number;
  unchangedLoaded: Summary;
  unchangedLoadedStatuses: Record<string, number>;
  /** Stored alert revisions written per 304 poll while the 500 alerts are open (store rev deltas). */
  rewritesPerUnchangedPoll: number;
}

export function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect) return;
  collect();
  collect(); // a second pass collects what the first one's finalizers released
}

export function memorySample(): MemorySample {
  const m = process.memoryUsage();
  return { rss: m.rss, heapTotal: m.heapTotal, heapUsed: m.heapUsed, external: m.external };
}

/** Counts JSON.parse calls on feed documents while `fn` runs: "a 304 costs no parse", checked, not assumed. */
async function countingFeedParses<T>(fn: () => Promise<T>): Promise<{ value: T; parses: number }> {
  const original = JSON.parse;
  let parses = 0;
  JSON.parse = ((text: string, reviver?: Parameters<typeof JSON.parse>[1]) => {
    if (typeof text === 'string' && text.startsWith(FEED_PREFIX)) parses++;
    return original(text, reviver);
  }) as typeof JSON.parse;
  try {
    return { value: await fn(), parses };
  } finally {
    JSON.parse = original;
  }
}

function statusesSince(server: SimulatedStatusPageServer, mark: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of server.requests.slice(mark)) {
    const key = String(r.status ?? 'none');
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

/** Has the server render (and cache) the current documents, so a timed poll measures the bot, not the renderer. */
async function prerender(server: SimulatedStatusPageServer): Promise<void> {
  await Promise.all(
    JSON_PATHS.map(async (path) => {
      const res = await fetch(`${server.url}${path}`);
      await res.arrayBuffer();
    }),
  );
}

async function timedPolls(app: App, runs: number, expect: 'unchanged' | 'ok', before?: () => Promise<void>) {
  const poller = app.pollers[0]!;
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    if (before) await before();
    const t0 = performance.now();
    const report = await poller.poll();
    samples.push(performance.now() - t0);
    if (report.outcome !== expect) throw new Error(`bench: poll was ${report.outcome}, expected ${expect}`);
  }
  return samples;
}

/** Delivers everything queued; drain() on a dispatcher that was never started returns after one batch. */
async function drainAll(app: App): Promise<number> {
  let delivered = 0;
  for (let round = 0; round < 100; round++) {
    const n = await app.dispatcher.drain();
    delivered += n;
    if (n === 0) break;
  }
  return delivered;
}

export async function benchInProcessBot(o: {
  warmup: number;
  unchangedRuns: number;
  changedRuns: number;
  degraded: number;
}): Promise<InProcessResult> {
  gc();
  const heapAtStart = process.memoryUsage().heapUsed;
  const { page, institutions } = buildInstitutionsPage();
  const server = await startSimulatedStatusPage({ page, maxRecorded: 20_000 });
  await prerender(server);
  gc();
  const heapBeforeBot = process.memoryUsage().heapUsed;

  const dir = makeTempDir();
  const devNull = openSync('/dev/null', 'w');
  let app: App | undefined;
  try {
    const yaml = benchConfigYaml({
      url: server.url,
      dbPath: join(dir, 'bench.db'),
      intervalMs: 60_000,
      logLevel: 'silent',
    });
    app = await buildApp(parseConfigText(yaml, 'bench.yaml', cleanEnv()), {
      logger: createLogger({ level: 'silent' }),
      consoleFd: devNull,
    });
    const poller = app.pollers[0]!;

    // First sight: three 200s, everything parsed and stored.
    let t0 = performance.now();
    const first = await poller.poll();
    const firstPollMs = performance.now() - t0;
    if (first.outcome !== 'ok') throw new Error(`bench: first poll was ${first.outcome}`);

    // Unchanged page: every URL answers 304.
    await timedPolls(app, o.warmup, 'unchanged');
    let mark = server.requests.length;
    const unchanged = await countingFeedParses(() => timedPolls(app!, o.unchangedRuns, 'unchanged'));
    const unchangedStatuses = statusesSince(server, mark);

    // Same state, new bytes: a no-op status write still bumps the page's updated_at, so all three documents change
    // (200s) while no alert does. This is the cost the 304 path saves.
    const touched = institutions[999]!.id;
    const touch = async () => {
      await sleep(2); // updated_at has millisecond resolution: make sure it moves
      page.setComponentStatus(touched, 'operational');
      await prerender(server);
    };
    await timedPolls(app, Math.min(3, o.warmup), 'ok', touch);
    const changedSamples: number[] = [];
    const changedStatuses: Record<string, number> = {};
    let changedFeedParses = 0;
    for (let i = 0; i < o.changedRuns; i++) {
      await touch();
      mark = server.requests.length;
      const run = await countingFeedParses(() => timedPolls(app!, 1, 'ok'));
      changedSamples.push(...run.value);
      changedFeedParses += run.parses;
      for (const [k, n] of Object.entries(statusesSince(server, mark)))
        changedStatuses[k] = (changedStatuses[k] ?? 0) + n;
    }

    // Figure 3: half the page degrades; one poll should fire them all (components fire on the first bad poll).
    for (let i = 0; i < o.degraded; i++) page.setComponentStatus(institutions[i]!.id, 'partial_outage');
    let pollsToFire = 0;
    let firing = await app.store.listAlerts({ states: ['firing'] });
    t0 = performance.now();
    while (pollsToFire < 5 && firing.filter((a) => a.kind === 'statuspage.component').length < o.degraded) {
      await poller.poll();
      pollsToFire++;
      firing = await app.store.listAlerts({ states: ['firing'] });
    }
    const delivered = await drainAll(app);
    const firingComponents = firing.filter((a) => a.kind === 'statuspage.component').length;
    firing = [];
    gc();
    const memory = memorySample();

    // And a 304 poll again, now with 500 open alerts to load and evaluate on every poll.
    await timedPolls(app, o.warmup, 'unchanged');
    mark = server.requests.length;
    const revs = async () => (await app!.store.listAlerts({})).reduce((sum, a) => sum + a.rev, 0);
    const revsBefore = await revs();
    const loaded = await timedPolls(app, o.unchangedRuns, 'unchanged');
    const rewritesPerUnchangedPoll = ((await revs()) - revsBefore) / o.unchangedRuns;
    const unchangedLoadedStatuses = statusesSince(server, mark);

    return {
      firstPollMs,
      unchanged: summarize(unchanged.value),
      unchangedStatuses,
      unchangedFeedParses: unchanged.parses,
      changed: summarize(changedSamples),
      changedStatuses,
      changedFeedParses,
      firingComponents,
      firingOther: (await app.store.listAlerts({ states: ['firing'] })).length - firingComponents,
      pollsToFire,
      delivered,
      memory,
      simulatorHeap: heapBeforeBot - heapAtStart,
      heapBeforeBot,
      unchangedLoaded: summarize(loaded),
      unchangedLoadedStatuses,
      rewritesPerUnchangedPoll,
    };
  } finally {
    await app?.stop();
    await server.close();
    closeSync(devNull);
    removeTempDir(dir);
  }
}
