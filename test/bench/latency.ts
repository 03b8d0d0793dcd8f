// Figure 4: from the moment the simulated page changes to the moment the bot's console line reaches us, with the bot
// in its own process as a user runs it. Each measurement is split with the simulator's request log:
//   wait  = change -> arrival of the poll request that saw it (the poll interval doing its job),
//   serve = that request's arrival -> the simulator's last response of the poll (render + send, simulator's cost),
//   bot   = end of those responses -> the OPENED line on our end of the pipe, itself split by the bot's own
//           `alert event` log record (written right after the commit) into
//           poll   = responses -> committed (read completion, parse, detect, evaluate, route, SQLite commit) and
//           notify = committed -> line (dispatcher claim, render, write, pipe).
// The bot logs at info, its default level; its clock is this machine's, as ours.
// Also the bot's own resident memory, from /proc, once 500 institutions are down (no simulator in that process).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type RecordedRequest,
  type SimulatedStatusPageServer,
  startSimulatedStatusPage,
} from '../../simulators/statuspage/index.js';
import { ChildBot } from './child-bot.js';
import { benchConfigYaml, buildInstitutionsPage, makeTempDir, removeTempDir, SOURCE_ID } from './fixtures.js';
import { type Summary, sleep, summarize, waitFor } from './stats.js';

const SUMMARY = '/api/v2/summary.json';
const OTHERS = ['/api/v2/incidents.json', '/api/v2/scheduled-maintenances.json'];

export interface LatencyResult {
  intervalMs: number;
  reps: number;
  missed: number;
  total: Summary;
  wait: Summary;
  serve: Summary;
  bot: Summary;
  botPoll: Summary;
  botNotify: Summary;
  /** Each repetition's total, in order, for the notes. */
  totals: number[];
  /** Spacing of the bot's summary.json requests while measuring: the interval plus how long a poll takes. */
  period: Summary;
  /** Spawn to the first poll request: node start-up, config, SQLite. */
  startupMs: number;
  childMemory?: { rss: number; peak: number; opened: number; waitedMs: number; idleRss: number };
}

/** The poll that saw a change made at `t0`: the first summary.json answered 200 after it, with its two siblings. */
function pollAfter(server: SimulatedStatusPageServer, t0: number): RecordedRequest[] | undefined {
  const summary = server.requests.find((r) => r.path === SUMMARY && r.at >= t0 && r.status === 200);
  if (!summary) return undefined;
  const siblings = OTHERS.map((path) => {
    const candidates = server.requests.filter((r) => r.path === path && r.at >= t0);
    candidates.sort((a, b) => Math.abs(a.at - summary.at) - Math.abs(b.at - summary.at));
    return candidates[0];
  });
  return [summary, ...siblings.filter((r): r is RecordedRequest => r !== undefined)];
}

export async function benchLatency(o: { intervalMs: number; reps: number; degraded: number }): Promise<LatencyResult> {
  const { page, institutions } = buildInstitutionsPage();
  const server = await startSimulatedStatusPage({ page, maxRecorded: 20_000 });
  const dir = makeTempDir();
  let bot: ChildBot | undefined;
  try {
    const configFile = join(dir, 'bench.yaml');
    writeFileSync(
      configFile,
      benchConfigYaml({ url: server.url, dbPath: join(dir, 'bench.db'), intervalMs: o.intervalMs, logLevel: 'info' }),
    );
    const spawnedAt = Date.now();
    bot = new ChildBot(configFile);
    const child = bot;
    // Ready once a second poll starts: the first (first sight, history only) has then been committed.
    const summaries = () => server.requests.filter((r) => r.path === SUMMARY);
    if (!(await waitFor(() => summaries().length >= 2 || !child.alive, 20_000, 10)) || !child.alive) {
      throw new Error(`bench: the bot did not start polling\n${child.logHead()}`);
    }
    const startupMs = (summaries()[0]?.at ?? Number.NaN) - spawnedAt;
    const idleRss = child.memory()?.rss ?? Number.NaN;

    const total: number[] = [];
    const wait: number[] = [];
    const serve: number[] = [];
    const botPart: number[] = [];
    const botPoll: number[] = [];
    const botNotify: number[] = [];
    let missed = 0;
    const repsFrom = server.requests.length;
    for (let k = 1; k <= o.reps; k++) {
      // A random phase against the poll cycle, so "wait" samples the whole interval rather than one point of it.
      await sleep(Math.random() * o.intervalMs);
      const name = `Bench latency incident ${k}`;
      const from = child.lines.length;
      const logFrom = child.logLines.length;
      const t0 = Date.now();
      const id = page.openIncident({
        name,
        impact: 'major',
        body: 'Measuring how fast this reaches the console.',
        components: [institutions[100 + k]!.id],
      });
      const line = await child.waitLine(from, (t) => t.includes('OPENED') && t.includes(name), 3 * o.intervalMs + 2000);
      const poll = pollAfter(server, t0);
      if (!line || !poll) {
        missed++;
      } else {
        const arrived = poll[0]!.at;
        const served = Math.max(...poll.map((r) => r.at + (r.durationMs ?? 0)));
        total.push(line.at - t0);
        wait.push(arrived - t0);
        serve.push(served - arrived);
        botPart.push(line.at - served);
        const fingerprint = `statuspage/${SOURCE_ID}/incident/${id}`;
        const [record] = child.logRecords(
          logFrom,
          (r) => r.msg === 'alert event' && r.fingerprint === fingerprint && r.event === 'opened',
        );
        const committed = typeof record?.time === 'string' ? Date.parse(record.time) : Number.NaN;
        if (Number.isFinite(committed)) {
          botPoll.push(committed - served);
          botNotify.push(line.at - committed);
        }
      }
      // Close it again so every repetition starts from the same page state.
      const resolvedFrom = child.lines.length;
      page.resolveIncident(id, 'Resolved.');
      await child.waitLine(resolvedFrom, (t) => t.includes('RESOLVED') && t.includes(name), 3 * o.intervalMs + 2000);
    }

    // The scheduler arms the next poll when one ends: the period is the interval plus a poll.
    const starts = server.requests
      .slice(repsFrom)
      .filter((r) => r.path === SUMMARY)
      .map((r) => r.at);
    const period = summarize(starts.slice(1).map((at, i) => at - starts[i]!));

    // The bot alone, 500 institutions down: its RSS after the alerts are out and a few quiet polls went by.
    let childMemory: LatencyResult['childMemory'];
    // Counted in the log, one "alert event" per component alert opened: the console prints one storm, not 500 lines.
    let scanned = child.logLines.length;
    let componentsOpened = 0;
    for (let i = 0; i < o.degraded; i++) page.setComponentStatus(institutions[i]!.id, 'partial_outage');
    const opened = () => {
      componentsOpened += child.logRecords(
        scanned,
        (r) => r.msg === 'alert event' && r.event === 'opened' && String(r.fingerprint).includes('/component/'),
      ).length;
      scanned = child.logLines.length;
      return componentsOpened;
    };
    const t0 = Date.now();
    if (await waitFor(() => opened() >= o.degraded, 20_000, 20)) {
      const waitedMs = Date.now() - t0;
      await sleep(3 * o.intervalMs);
      const mem = child.memory();
      if (mem) childMemory = { ...mem, opened: opened(), waitedMs, idleRss };
    }

    return {
      intervalMs: o.intervalMs,
      reps: o.reps,
      missed,
      total: summarize(total),
      wait: summarize(wait),
      serve: summarize(serve),
      bot: summarize(botPart),
      botPoll: summarize(botPoll),
      botNotify: summarize(botNotify),
      totals: total,
      period,
      startupMs,
      ...(childMemory && { childMemory }),
    };
  } finally {
    await bot?.stop();
    await server.close();
    removeTempDir(dir);
  }
}
