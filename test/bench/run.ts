// `npm run bench`: measures the performance targets that exist in code today and prints them against their targets.
// Loopback only (the tests' network guard is loaded), bounded loops, temp dirs/servers/children and PostgreSQL schemas
// cleaned up; about 9 minutes. `npm run bench:replicas` runs the PostgreSQL figures alone (figure 5 and R).
// PostgreSQL (127.0.0.1:5432, database test, or BELVO_TEST_DATABASE_URL) is needed for those; without it they say so.
// Timings are wall-clock on a shared machine: read medians, and p95/max as "what a bad moment looks like".
import '../setup/loopback-guard.js';
import os from 'node:os';
import { dropLeftSchemas } from './bench-schemas.js';
import { benchInProcessBot, gc, memorySample } from './bot-in-process.js';
import { benchFailover } from './failover.js';
import { FAILOVER_BENCH, failoverNotes, failoverRows } from './failover-rows.js';
import { COMPONENTS } from './fixtures.js';
import { benchGrowth, growthNotes, growthRows } from './growth.js';
import { benchLatency } from './latency.js';
import { benchParseDiff } from './parse-diff.js';
import { benchPushLatency } from './push-latency.js';
import { pushNotes, pushRows } from './push-rows.js';
import { benchScaleBot } from './scale-bot.js';
import { SCALE_BOT, SPIKE_SCALE, scaleNotes, scaleRows } from './scale-rows.js';
import { benchSpikeScale } from './spike-scale.js';
import { mb, ms } from './stats.js';
import { printTable, type Row, verdict } from './table.js';
import { benchWebPage } from './web-page.js';
import { WEBHOOK_BENCH, webhookNotes, webhookRows } from './webhook-rows.js';
import { benchWebhooks } from './webhooks.js';

const INTERVAL_MS = 1000;
const DEGRADED = 500;
const MEMORY_TARGET = 150 * 1024 * 1024;
const PARSE_TARGET_MS = 20;
const HARD_LIMIT_MS = 960_000;
const WEB_TARGET_MS = 300;
const WEB_TARGET_BYTES = 1_000_000;
const kb = (bytes: number) => `${Math.round(bytes / 1024)} KB`;
const PUSH_TRIALS = 50;
/** After the push, a message later than this is counted as missed (a detector that waits for its schedule). */
const PUSH_TRIAL_TIMEOUT_MS = 5000;

const log = (text: string) => process.stderr.write(`bench: ${text}\n`);
const statuses = (s: Record<string, number>) =>
  Object.entries(s)
    .map(([code, n]) => `${n}x${code}`)
    .join(' ');

async function main(): Promise<void> {
  // A last resort only: every loop below is bounded; this catches a hang in the bot itself.
  setTimeout(() => {
    process.stderr.write(`bench: still running after ${HARD_LIMIT_MS / 1000}s, giving up\n`);
    process.exit(1);
  }, HARD_LIMIT_MS).unref();
  // Ctrl-C: exit through process.exit so the exit hooks stop the child bot and remove the temp dirs.
  // The PostgreSQL schemas are dropped first.
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => void dropLeftSchemas().finally(() => process.exit(130)));
  if (!(globalThis as { gc?: unknown }).gc) log('global.gc is not exposed (run with --expose-gc): memory is noisier');

  const started = Date.now();
  const loadAtStart = os.loadavg();
  gc();
  const atStart = memorySample();

  log(`in-process bot: 304 polls, 200 polls, ${DEGRADED} alerts (memory)...`);
  const bot = await benchInProcessBot({ warmup: 10, unchangedRuns: 100, changedRuns: 20, degraded: DEGRADED });

  log(`parse + diff of a ${COMPONENTS}-component page...`);
  const pd = benchParseDiff({ warmup: 30, runs: 100 });

  log(`poll-to-console latency, bot in a child process, ${INTERVAL_MS} ms interval...`);
  const lat = await benchLatency({ intervalMs: INTERVAL_MS, reps: 10, degraded: DEGRADED });

  log(
    `webhook ingestion: bare node:http vs the bot's durable route on SQLite and on PostgreSQL (1 and 2 replicas), ` +
      `${WEBHOOK_BENCH.rate} req/s and max...`,
  );
  const hooks = await benchWebhooks(WEBHOOK_BENCH);

  log(`failover: ${FAILOVER_BENCH.kills} kills of the PostgreSQL leader, lease ${FAILOVER_BENCH.leaseMs} ms...`);
  const failover = await benchFailover(FAILOVER_BENCH);

  log(`push to chat: ${PUSH_TRIALS} spike webhooks and ${PUSH_TRIALS} Statuspage pushes, bot in a child process...`);
  const push = await benchPushLatency({ trials: PUSH_TRIALS, trialTimeoutMs: PUSH_TRIAL_TIMEOUT_MS });

  log('web page: 1,000 institutions and 30 days of history...');
  const web = await benchWebPage({ warmup: 3, runs: 20 });

  log('scale: one webhook batch and its spike check at 1k, 10k and 100k links...');
  const spikes = await benchSpikeScale(SPIKE_SCALE);

  log('scale: the bot alone at 100,000 links, 1,000 institutions, 30 days; a full listing at its pace (~80 s)...');
  const scale = await benchScaleBot(SCALE_BOT);

  log('growth: 30 days of history, then 200,000 webhooks stored and measured on disk, then pruned...');
  const growth = await benchGrowth();

  const latencyTarget = INTERVAL_MS + 100;
  const total304Requests = Object.values(bot.unchangedStatuses).reduce((a, b) => a + b, 0);
  const all304 = bot.unchangedStatuses['304'] === total304Requests;
  const rows: Row[] = [
    {
      figure: `1. Parse+diff, ${COMPONENTS} components, ${pd.openAlerts} open alerts: median (n=${pd.total.n})`,
      measured: ms(pd.total.median),
      target: `< ${PARSE_TARGET_MS} ms`,
      verdict: verdict(pd.total.median < PARSE_TARGET_MS),
    },
    {
      figure: '   same, p95 / max',
      measured: `${ms(pd.total.p95)} / ${ms(pd.total.max)}`,
      target: `p95 < ${PARSE_TARGET_MS} ms`,
      verdict: verdict(pd.total.p95 < PARSE_TARGET_MS),
    },
    {
      figure: '   of which parse / detect / evaluate (medians)',
      measured: `${ms(pd.parse.median)} / ${ms(pd.detect.median)} / ${ms(pd.evaluate.median)}`,
      target: '',
      verdict: 'info',
    },
    {
      figure: `2. Unchanged (304) poll, real bot: median / p95 (n=${bot.unchanged.n})`,
      measured: `${ms(bot.unchanged.median)} / ${ms(bot.unchanged.p95)}`,
      target: 'no target',
      verdict: 'info',
    },
    {
      figure: '   304 poll: answers seen / JSON.parse of feed documents',
      measured: `${statuses(bot.unchangedStatuses)} / ${bot.unchangedFeedParses}`,
      target: 'all 304 / 0 (no parse)',
      verdict: verdict(all304 && bot.unchangedFeedParses === 0),
    },
    {
      figure: `   200 poll, same state, new bytes: median / p95 (n=${bot.changed.n})`,
      measured: `${ms(bot.changed.median)} / ${ms(bot.changed.p95)} (${statuses(bot.changedStatuses)})`,
      target: 'for comparison',
      verdict: 'info',
    },
    {
      figure: '   304 vs 200 (medians)',
      measured: `${(bot.changed.median / bot.unchanged.median).toFixed(1)}x cheaper`,
      target: '',
      verdict: 'info',
    },
    {
      figure: `   304 poll with ${bot.firingComponents} open alerts: median / p95`,
      measured: `${ms(bot.unchangedLoaded.median)} / ${ms(bot.unchangedLoaded.p95)} (${statuses(bot.unchangedLoadedStatuses)})`,
      target: 'no target',
      verdict: 'info',
    },
    {
      figure: '   alert rows rewritten per 304 poll (500 open)',
      measured: bot.rewritesPerUnchangedPoll.toFixed(1),
      target: 'no target',
      verdict: 'info',
    },
    {
      figure: `3. RSS, bench process: bot + simulator, ${bot.firingComponents} firing (after gc)`,
      measured: `${mb(bot.memory.rss)} (heapUsed ${mb(bot.memory.heapUsed)})`,
      // The simulator and the bench share this process: the bot's own figure is the next row.
      target: 'for comparison',
      verdict: 'info',
    },
    lat.childMemory
      ? {
          figure: `   RSS, bot alone (child process, ${lat.childMemory.opened} alerts opened, no forced gc)`,
          measured: `${mb(lat.childMemory.rss)} (peak ${mb(lat.childMemory.peak)})`,
          target: '< 150 MB',
          verdict: verdict(lat.childMemory.rss < MEMORY_TARGET && lat.childMemory.peak < MEMORY_TARGET),
        }
      : { figure: '   RSS, bot alone (child process)', measured: 'not measured', target: '< 150 MB', verdict: 'n/a' },
    {
      figure: `4. Page change -> console line: median / max (n=${lat.total.n}, missed ${lat.missed})`,
      measured: `${ms(lat.total.median)} / ${ms(lat.total.max)}`,
      target: `<= ${latencyTarget} ms (interval + 100)`,
      verdict: verdict(lat.missed === 0 && lat.total.max <= latencyTarget),
    },
    {
      figure: '   waiting for the next poll: median / max',
      measured: `${ms(lat.wait.median)} / ${ms(lat.wait.max)}`,
      target: `<= ${INTERVAL_MS} ms`,
      verdict: 'info',
    },
    {
      figure: '   poll period (summary.json spacing): median / max',
      measured: `${ms(lat.period.median)} / ${ms(lat.period.max)}`,
      target: `${INTERVAL_MS} ms configured`,
      verdict: 'info',
    },
    {
      figure: '   simulator serving the poll: median / max',
      measured: `${ms(lat.serve.median)} / ${ms(lat.serve.max)}`,
      target: '',
      verdict: 'info',
    },
    {
      figure: '   bot, responses -> line on stdout: median / max',
      measured: `${ms(lat.bot.median)} / ${ms(lat.bot.max)}`,
      target: '<= 100 ms',
      verdict: verdict(lat.bot.n > 0 && lat.bot.max <= 100),
    },
    {
      figure: '     responses -> committed (its log): median / max',
      measured: `${ms(lat.botPoll.median)} / ${ms(lat.botPoll.max)}`,
      target: '',
      verdict: 'info',
    },
    {
      figure: '     committed -> line on stdout: median / max',
      measured: `${ms(lat.botNotify.median)} / ${ms(lat.botNotify.max)}`,
      target: '',
      verdict: 'info',
    },
    ...webhookRows(hooks),
    ...failoverRows(failover),
    {
      figure: `6. Web page, ${web.institutions} institutions, ${web.days} days: server time median / p95 (n=${web.server.n})`,
      measured: `${ms(web.server.median)} / ${ms(web.server.p95)}`,
      target: `< ${WEB_TARGET_MS} ms`,
      verdict: verdict(web.server.median < WEB_TARGET_MS),
    },
    {
      figure: '   same page on the wire: HTML / gzipped',
      measured: `${kb(web.rawBytes)} / ${kb(web.gzipBytes)}`,
      target: '< 1 MB',
      verdict: verdict(web.rawBytes < WEB_TARGET_BYTES && web.gzipBytes < WEB_TARGET_BYTES),
    },
    {
      figure: '   same, nothing changed since the last load (alerts reused): median / p95',
      measured: `${ms(web.warm.median)} / ${ms(web.warm.p95)}`,
      target: '',
      verdict: 'info',
    },
    {
      figure: '   request to last byte, uncompressed, loopback: median / p95',
      measured: `${ms(web.client.median)} / ${ms(web.client.p95)}`,
      target: '',
      verdict: 'info',
    },
    {
      figure: "   an open storm's incident page: median / p95",
      measured: `${ms(web.incidentServer.median)} / ${ms(web.incidentServer.p95)}`,
      target: '',
      verdict: 'info',
    },
    ...pushRows(push),
    ...scaleRows(scale, spikes),
    ...growthRows(growth),
    {
      figure: 'Crash safety',
      measured: 'npm run chaos',
      target: 'see the README',
      verdict: 'n/a',
    },
  ];

  const cpus = os.cpus();
  process.stdout.write(
    `\nbelvo-status-bot benchmark  ${new Date().toISOString()}\n` +
      `machine: ${cpus.length} CPU(s) (${cpus[0]?.model.trim() ?? 'unknown'}), ${mb(os.totalmem())} RAM, ` +
      `${process.platform}/${process.arch}, node ${process.version}; load average ${loadAtStart[0]?.toFixed(2)} at ` +
      `start, ${os.loadavg()[0]?.toFixed(2)} at end (other work on the machine shows in p95/max)\n\n`,
  );
  printTable(rows);
  const notes = [
    `1: ${pd.total.n} runs after warm-up on ${Math.round(pd.bodyBytes / 1024)} KB of JSON (summary + incidents + ` +
      `scheduled-maintenances), ${pd.signals} signals, ${pd.storedAlerts} stored alerts in (${pd.openAlerts} open); ` +
      `the change gave ${pd.events}. ` +
      'Pure CPU: no HTTP, no SQLite.',
    `2: real bot, SQLite in a temp dir, console to /dev/null, simulator over 127.0.0.1 in this process (its ` +
      'request handling is inside the timed polls; its rendering is not: documents are pre-rendered). First poll ' +
      `(first sight, 3x200): ${ms(bot.firstPollMs)}. "200, same state": a no-op write bumps the page's updated_at, ` +
      `so all three documents are re-downloaded, parsed (${bot.changedFeedParses} feed-document JSON.parse calls in ` +
      `${bot.changed.n} polls) and stored as cursors while no alert changes. "Rows rewritten": store revisions ` +
      'gained per 304 poll, summed over all alerts, with the 500 alerts of figure 3 open.',
    `3: ${bot.firingComponents} component alerts firing after ${bot.pollsToFire} poll(s) (+${bot.firingOther} ` +
      `other), ${bot.delivered} deliveries drained. heapTotal ${mb(bot.memory.heapTotal)}, external ` +
      `${mb(bot.memory.external)}: most of the RSS is neither live JS objects nor Buffers. ` +
      'This process also holds the simulator (page model + cached ' +
      `documents, ~${mb(bot.simulatorHeap)} of heap), the bench code and its results; RSS at bench start was ` +
      `${mb(atStart.rss)} (heapUsed ${mb(atStart.heapUsed)}).`,
    `4: bot run as \`node dist/src/cli.js run\` (interval ${INTERVAL_MS} ms, jitter 0), each of ${lat.reps} ` +
      'changes at a random phase of the poll cycle; times on this process clock (stdout arrival, simulator log, ms ' +
      `resolution). Bot start-up to first poll: ${ms(lat.startupMs)}. Totals in order: ` +
      `${lat.totals.map((t) => Math.round(t)).join(', ')} ms.` +
      (lat.childMemory
        ? ` Child RSS after its first two polls: ${mb(lat.childMemory.idleRss)}; read again ` +
          `${Math.round((3 * INTERVAL_MS) / 1000)} s after its ${lat.childMemory.opened} alerts were logged opened (which took ` +
          `${ms(lat.childMemory.waitedMs)} to arrive).`
        : ''),
    ...webhookNotes(hooks),
    ...failoverNotes(failover),
    `6: the bot's HTTP server and web routes in this process over a SQLite store holding ${web.links.toLocaleString('en-US')} ` +
      `links and ${web.incidents.toLocaleString('en-US')} incidents over ${web.days} days (their sources as members), ` +
      `GET /?days=${web.days} (the largest view), each run just after a change (as when open pages refresh). Server ` +
      "time is the route's own Server-Timing: read the store, build the views, render the HTML (the audit is checked " +
      'once a minute and reused). Bytes: the HTML as sent without and with gzip.',
    ...pushNotes(push),
    ...scaleNotes(scale, spikes),
    ...growthNotes(growth),
    'Crash safety is not a figure here: `npm run chaos` kills the bot 50 times against faulty chat APIs and counts ' +
      'what was lost, duplicated or out of order.',
  ];
  process.stdout.write(`\nNotes:\n${notes.map((n) => `- ${n}`).join('\n')}\n`);
  process.stdout.write(`\nfinished in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
