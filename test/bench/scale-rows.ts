// The scale figures' rows and notes (100,000 links, 1,000 institutions, 30 days of history) for the report table.
import { START_NODE_FLAGS } from './child-bot.js';
import { type ScaleBotOptions, type ScaleBotResult, WEBHOOK_DAY } from './scale-bot.js';
import type { SpikeScaleOptions, SpikeScaleRun } from './spike-scale.js';
import { mb, ms } from './stats.js';
import { type Row, verdict } from './table.js';

export const SCALE_BOT: ScaleBotOptions = {
  openAlerts: 500,
  // 2,000 webhooks a minute, the peak the target names.
  webhookRate: 33,
  // The bot's default pace against Belvo.
  pace: { requests: 40, perMs: 30_000 },
};

export const SPIKE_SCALE: SpikeScaleOptions = {
  links: [1000, 10_000, 100_000],
  batches: 100,
  batchSize: 20,
  transitions: 4,
};

const MEMORY_TARGET = 150 * 1024 * 1024;
const CPU_TARGET_MS = 5000;
const STALL_TARGET_MS = 50;
const WEBHOOK_P99_TARGET_MS = 15;
/** "Flat, within noise": the largest account's median at most twice the smallest's. */
const FLAT_FACTOR = 2;
/** Cores other processes may use before the run is called noisy (as figure 5 says it). */
const QUIET_CORES = 0.25;

const statuses = (s: Record<string, number>) =>
  Object.entries(s)
    .map(([code, n]) => `${n}x${code}`)
    .join(' ');

export function scaleRows(bot: ScaleBotResult | undefined, spikes: SpikeScaleRun[]): Row[] {
  const rows: Row[] = [];
  if (bot) {
    rows.push(
      {
        figure:
          `S1. RSS, bot alone: ${bot.links.toLocaleString('en-US')} links, 1,000 institutions, ${bot.openAlerts} ` +
          `open alerts, ${bot.days} days of history: steady / peak`,
        measured: `${mb(bot.rssEnd)} / ${mb(bot.rssPeak)}`,
        target: '< 150 MB',
        verdict: verdict(bot.rssEnd < MEMORY_TARGET && bot.rssPeak < MEMORY_TARGET),
      },
      {
        figure: `S2. Full listing, page_size 1,000 at 40 req / 30 s: Belvo time (${bot.listingRequests} requests)`,
        measured: ms(bot.listingMs),
        target: 'about 75 s',
        verdict: 'info',
      },
      {
        figure: '    bot CPU (user + system) during it, webhooks included',
        measured: ms(bot.cpuMs),
        target: `< ${CPU_TARGET_MS / 1000} s`,
        verdict: verdict(bot.cpuMs < CPU_TARGET_MS),
      },
      {
        figure: `    worst event-loop delay during it (${bot.loopScrapes} windows, ${bot.loopOver50} over 50 ms)`,
        measured: ms(bot.loopMaxMs),
        target: `<= ${STALL_TARGET_MS} ms`,
        verdict: verdict(bot.loopMaxMs <= STALL_TARGET_MS),
      },
      {
        figure: `    webhooks at ${bot.webhooks.sent > 0 ? '2,000/min' : '-'} during it: p50 / p99 / max`,
        measured:
          `${ms(bot.webhooks.p50)} / ${ms(bot.webhooks.p99)} / ${ms(bot.webhooks.max)} ` +
          `(${statuses(bot.webhooks.byStatus)})`,
        target: `p99 < ${WEBHOOK_P99_TARGET_MS} ms`,
        verdict: verdict(bot.webhooks.p99 < WEBHOOK_P99_TARGET_MS),
      },
      {
        figure: '    cores busy during it: the bot / everything else on the machine (bench excluded)',
        measured:
          bot.machine.others === undefined
            ? 'not known (no /proc)'
            : `${(bot.cpuMs / bot.machine.wallMs).toFixed(2)} / ${Math.max(0, bot.machine.others - bot.cpuMs / bot.machine.wallMs).toFixed(2)}` +
              (bot.machine.others - bot.cpuMs / bot.machine.wallMs > QUIET_CORES
                ? ': busy machine, delays are not the bot alone'
                : ''),
        target: `quiet: < ${QUIET_CORES} of ${bot.machine.cores}`,
        verdict: 'info',
      },
      {
        figure: `    then ${bot.openAlerts} institutions degrade at once: alerts open in / worst loop delay after`,
        measured: `${ms(bot.openedMs)} / ${ms(bot.stormLoopMaxMs)}`,
        target: 'no target',
        verdict: 'info',
      },
    );
  } else {
    rows.push({ figure: 'S1/S2. Bot at 100,000 links', measured: 'not measured', target: '', verdict: 'n/a' });
  }
  const first = spikes[0];
  const last = spikes[spikes.length - 1];
  if (first && last) {
    rows.push(
      {
        figure: `S3. One webhook batch + the spike check it wakes, at ${spikes.map((r) => r.links / 1000).join(' / ')}k links: medians`,
        measured: spikes.map((r) => ms(r.total.median)).join(' / '),
        target: `flat (<= ${FLAT_FACTOR}x)`,
        verdict: verdict(last.total.median <= FLAT_FACTOR * first.total.median),
      },
      {
        figure: '    of which the spike check: medians; p95 of the whole',
        measured: `${spikes.map((r) => ms(r.check.median)).join(' / ')}; ${spikes.map((r) => ms(r.total.p95)).join(' / ')}`,
        target: '',
        verdict: 'info',
      },
    );
  }
  return rows;
}

export function scaleNotes(bot: ScaleBotResult | undefined, spikes: SpikeScaleRun[]): string[] {
  const notes: string[] = [];
  if (bot) {
    notes.push(
      `S1/S2: the bot as \`npm start\` runs it (\`node ${START_NODE_FLAGS.join(' ')} dist/src/cli.js run\`) over a store holding ${bot.historyIncidents.toLocaleString('en-US')} ` +
        `institution incidents over ${bot.days} days and ${bot.links.toLocaleString('en-US')} links (the web page's ` +
        `fixture), and the last day's ${WEBHOOK_DAY.toLocaleString('en-US')} webhooks (random ids, as Belvo's, in the ` +
        'unique index every new webhook is checked against); a fake Belvo in this process holds the same links (its first read of the account lists them all, ' +
        'each already known: the steady-state listing), a simulated 1,000-component institutions page polled every ' +
        `5 s. Start-up ${ms(bot.startupMs)}. During the listing, LINK and TRANSACTIONS webhooks at 33/s (one in five a ` +
        'token_required on a link of the account). CPU from /proc/<pid>/stat between the first listing request and ' +
        "the listing's commit; loop delay is prom-client's monitorEventLoopDelay (10 ms resolution), max per ~2 s " +
        `scrape window. Then ${bot.openAlerts} components go to partial_outage at once (a storm) and the RSS is read ` +
        `12 s later (then: /proc ${Object.entries(bot.mapped)
          .map(([k, v]) => `${k} ${mb(v)}`)
          .join(', ')}; ${Object.entries(bot.heap)
          .map(([k, v]) => `${k} ${mb(v)}`)
          .join(
            ', ',
          )}); the peak is /proc's VmHWM over the whole run (highest sample ${mb(bot.rssMaxSample)}). Worst ` +
        `delay per window during the listing (ms): ${bot.loopWindows.map((x) => Math.round(x)).join(', ')}.`,
    );
  }
  if (spikes.length > 0) {
    notes.push(
      `S3: in-process buildApp over SQLite in a temp dir; links spread over 1,000 institutions; a week of 5,000 ` +
        'baseline transitions; 100 batches of 20 webhooks, 4 of them token_required transitions, each committed as ' +
        'the webhook route does and the links monitor woken and awaited (spike signals judged and committed through ' +
        `the alert committer). Seeding took ${spikes.map((r) => ms(r.seedMs)).join(' / ')}.`,
    );
  }
  return notes;
}
