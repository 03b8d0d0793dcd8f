// Scale figures 1 and 2: the bot as a user runs it (child process) on a large account. Its store already holds 30
// days of history (about 1,500 institution incidents with their members, the web page's fixture) and 100,000 links
// across 1,000 institutions; a fake Belvo (this process) holds the same 100,000 links, a simulated 1,000-component
// institutions page has 500 components degraded (500 alerts open). From start-up the bot lists every link (its
// first read of the account) at its own pace (40 requests per 30 s, page_size 1,000), while Belvo webhooks arrive
// at 2,000 a minute. Measured from outside the bot: its resident memory and peak (/proc), its CPU time during the
// listing (/proc), its event loop's worst delay (prom-client's monitorEventLoopDelay, scraped from /metrics, which
// resets it at each scrape), and the webhooks' latency.
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startSimulatedStatusPage } from '../../simulators/statuspage/index.js';
import { type FakeBelvo, startFakeBelvo } from '../fakes/belvo-api.js';
import { ChildBot, START_NODE_FLAGS } from './child-bot.js';
import { buildInstitutionsPage, makeTempDir, removeTempDir } from './fixtures.js';
import { runLoad } from './load.js';
import { type MachineUse, machineMark, machineSince } from './machine.js';
import { postText, RawHttpConnection } from './raw-http.js';
import { percentile, sleep, waitFor } from './stats.js';
import { buildWebFixture, WEB_DAYS, WEB_LINKS } from './web-fixtures.js';

const WEBHOOK_AUTH = 'Bearer scale-bench-webhook-authorization';
const LINKS_SOURCE = 'belvo-production-links';
const TICKS_PER_SECOND = 100;

export interface ScaleBotOptions {
  /** Open alerts: components degraded on the page. */
  openAlerts: number;
  /** Webhooks per second during the listing (2,000 a minute is 33). */
  webhookRate: number;
  /** The bot's pace against Belvo: its default is 40 requests per 30 s. */
  pace: { requests: number; perMs: number };
}

export interface ScaleBotResult {
  links: number;
  historyIncidents: number;
  days: number;
  /** Alerts opened once the components degraded, how long that took, and the worst loop delay from then on. */
  openAlerts: number;
  openedMs: number;
  stormLoopMaxMs: number;
  startupMs: number;
  /** First to last listing request, as the fake Belvo saw them. */
  listingMs: number;
  listingRequests: number;
  /** The bot's CPU (user + system) from the listing's first request to its committed end. */
  cpuMs: number;
  /** The machine during the listing: "others" is every process but this one (the bench), the bot included. */
  machine: MachineUse;
  /** The worst event-loop delay seen in any scrape window during the listing, and the scrapes. */
  loopMaxMs: number;
  loopScrapes: number;
  loopOver50: number;
  /** Each window's worst delay, in order. */
  loopWindows: number[];
  /** Resident set: highest sample during the run, the kernel's high-water mark, and at the end. */
  rssMaxSample: number;
  rssPeak: number;
  rssEnd: number;
  /** Where the steady RSS goes, from the bot's own /metrics (bytes). */
  heap: Record<string, number>;
  /** The resident set by kind, from /proc/<pid>/smaps_rollup: anonymous (heaps, malloc) and file-backed (code). */
  mapped: Record<string, number>;
  webhooks: { sent: number; byStatus: Record<string, number>; p50: number; p99: number; max: number };
}

function procStat(pid: number): { cpuMs: number } | undefined {
  try {
    // Fields after the command name (which may hold spaces) start at state: utime is field 14, stime 15 overall.
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const utime = Number(rest[11]);
    const stime = Number(rest[12]);
    return { cpuMs: ((utime + stime) * 1000) / TICKS_PER_SECOND };
  } catch {
    return undefined;
  }
}

function configYaml(o: { dbPath: string; belvo: FakeBelvo; pageUrl: string; pace: ScaleBotOptions['pace'] }) {
  return `
server: { host: 127.0.0.1, port: 0 }
storage: { path: ${JSON.stringify(o.dbPath)} }
log: { level: info }
sources:
  - id: institutions
    type: statuspage
    name: Belvo institutions (bench)
    url: ${JSON.stringify(o.pageUrl)}
    role: institutions
    interval: 5s
    jitter: 0
belvo:
  environments:
    - id: production
      url: ${JSON.stringify(o.belvo.url)}
      secretKeyId: { secretEnv: BELVO_ID }
      secretKeyPassword: { secretEnv: BELVO_PASSWORD }
      rateLimit: { requests: ${o.pace.requests}, per: ${o.pace.perMs}ms }
      webhook: { authorization: { secretEnv: BELVO_WEBHOOK_AUTH } }
destinations: [{ id: console, type: console, color: never }]
subscriptions: [{ destination: console }]
`;
}

async function scrapeLoopMax(port: number): Promise<number | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    const text = await res.text();
    const m = /^belvo_status_nodejs_eventloop_lag_max_seconds\s+([0-9.e+-]+)/m.exec(text);
    return m ? Number(m[1]) * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/** V8's heap (used, and what each space holds) and memory outside it, from prom-client's default metrics. */
async function heapFigures(port: number): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const pick = (re: RegExp) => {
      for (const m of text.matchAll(re)) out[m[1] ?? 'value'] = Number(m[2]);
    };
    pick(/^belvo_status_nodejs_(heap_size_used_bytes|heap_size_total_bytes|external_memory_bytes)\s+(\S+)/gm);
    pick(/^belvo_status_nodejs_heap_space_size_used_bytes\{space="(\w+)"\}\s+(\S+)/gm);
  } catch {
    // not answering: the figures stay empty
  }
  return out;
}

function residentByKind(pid: number): Record<string, number> {
  const out: Record<string, number> = {};
  try {
    const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    for (const field of ['Rss', 'Anonymous', 'Shared_Clean', 'Private_Clean']) {
      const kb = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1];
      if (kb) out[field] = Number(kb) * 1024;
    }
  } catch {
    // not Linux: left empty
  }
  return out;
}

function sourceSuccessAt(dbPath: string): number | undefined {
  try {
    const db = new Database(dbPath, { readonly: true, fileMustExist: true });
    try {
      const row = db.prepare('SELECT last_success_at AS at FROM source_state WHERE source = ?').get(LINKS_SOURCE) as
        | { at: number | null }
        | undefined;
      return row?.at ?? undefined;
    } finally {
      db.close();
    }
  } catch {
    return undefined;
  }
}

/** Webhooks of the day before the run: three per link (a daily refresh's TRANSACTIONS, ACCOUNTS and OWNERS). */
export const WEBHOOK_DAY = 300_000;

/**
 * A day of webhooks in the store, random ids as Belvo's: what the unique index on (environment, webhook_id) holds
 * when a busy account's webhooks arrive, each new one checked against it.
 */
function seedWebhookDay(db: Database.Database, links: readonly { id: string }[], now: number): void {
  const insert = db.prepare(`
    INSERT INTO belvo_webhooks (environment, webhook_id, webhook_type, webhook_code, link_id, process_type,
      received_at, body)
    VALUES ('production', @id, @type, @code, @linkId, 'recurrent_update', @at, @body)`);
  const types = [
    ['TRANSACTIONS', 'new_transactions_available', '{"new_transactions":3}'],
    ['ACCOUNTS', 'new_accounts_available', '{"new_accounts":1}'],
    ['OWNERS', 'new_owners_available', '{"new_owners":1}'],
  ] as const;
  db.pragma('synchronous = OFF'); // a fixture: rebuilt each run
  db.transaction(() => {
    for (let i = 0; i < WEBHOOK_DAY; i++) {
      const id = randomBytes(16).toString('hex');
      const [type, code, data] = types[i % 3]!;
      const linkId = links[(i * 7919) % links.length]!.id;
      insert.run({
        id,
        type,
        code,
        linkId,
        at: now - 24 * 3600_000 + Math.floor((i * 24 * 3600_000) / WEBHOOK_DAY),
        body:
          `{"webhook_id":"${id}","webhook_type":"${type}","process_type":"recurrent_update",` +
          `"webhook_code":"${code}","link_id":"${linkId}","data":${data}}`,
      });
    }
  })();
}

export async function benchScaleBot(o: ScaleBotOptions): Promise<ScaleBotResult> {
  const dir = makeTempDir();
  const dbPath = join(dir, 'state.db');
  const fixture = await buildWebFixture({ dir, now: Date.now() });
  const { links, incidents: historyIncidents } = fixture;
  await fixture.dispose();
  // The fixture writes its alerts with ids of its own: move the id counter past them, as the bot's commits would have.
  const seeded = new Database(dbPath);
  try {
    seeded
      .prepare(
        `UPDATE counters SET value = (SELECT MAX(CAST(SUBSTR(id, 2) AS INTEGER)) FROM alerts) WHERE name = 'alert_id'`,
      )
      .run();
    seedWebhookDay(seeded, links, Date.now());
  } finally {
    seeded.close();
  }

  const belvo = await startFakeBelvo({ rateLimit: { enabled: false } });
  const byId = new Map(links.map((l) => [l.id, l]));
  const ids = [...byId.keys()];
  belvo.addLinks(links.length, (i) => {
    const l = links[i]!;
    return {
      id: l.id,
      institution: l.institution ?? 'unknown',
      status: l.status,
      external_id: l.externalId ?? null,
      institution_user_id: l.institutionUserId ?? null,
    };
  });
  const { page, institutions } = buildInstitutionsPage();
  const server = await startSimulatedStatusPage({ page });
  const configFile = join(dir, 'scale.yaml');
  writeFileSync(configFile, configYaml({ dbPath, belvo, pageUrl: server.url, pace: o.pace }));

  const spawnedAt = Date.now();
  const child = new ChildBot(
    configFile,
    {
      BELVO_ID: belvo.secretKeyId,
      BELVO_PASSWORD: belvo.secretKeyPassword,
      BELVO_WEBHOOK_AUTH: WEBHOOK_AUTH,
    },
    // As `npm start` runs it; SCALE_NODE_ARGS adds flags for the bot's node (e.g. `--cpu-prof --cpu-prof-dir=/tmp/p`:
    // where its time goes; a later `--max-semi-space-size` overrides the start command's).
    [...START_NODE_FLAGS, ...(process.env.SCALE_NODE_ARGS?.split(' ').filter((a) => a !== '') ?? [])],
  );
  const connections: RawHttpConnection[] = [];
  try {
    const startedLog = () => child.logRecords(0, (r) => r.msg === 'belvo-status-bot started')[0];
    if (!(await waitFor(() => startedLog() !== undefined || !child.alive, 60_000, 20))) {
      throw new Error('bench: the bot did not start in 60 s');
    }
    const port = Number(startedLog()?.port);
    if (!child.alive || !Number.isFinite(port)) throw new Error(`bench: the bot did not start\n${child.logHead()}`);
    const startupMs = Date.now() - spawnedAt;
    const pid = child.pid!;

    const listingRequests = () => belvo.requests.filter((r) => r.path === '/api/links/' && r.query.page_size !== '1');
    if (!(await waitFor(() => listingRequests().length > 0 || !child.alive, 120_000, 10))) {
      throw new Error('bench: the bot never started listing links');
    }
    const listingStart = listingRequests()[0]!.at;
    const cpuAtStart = procStat(pid)?.cpuMs ?? Number.NaN;
    const mark = machineMark();
    await scrapeLoopMax(port); // resets the delay histogram: what follows is the listing's

    // Webhooks at the given rate in slices, until the listing is committed; memory sampled and the loop scraped.
    let rssMaxSample = 0;
    let loopMaxMs = 0;
    let loopScrapes = 0;
    let loopOver50 = 0;
    const loopWindows: number[] = [];
    const latencies: number[] = [];
    const byStatus: Record<string, number> = {};
    let sent = 0;
    for (let c = 0; c < 8; c++) connections.push(new RawHttpConnection('127.0.0.1', port));
    const headers = { 'content-type': 'application/json', authorization: WEBHOOK_AUTH };
    const host = `127.0.0.1:${port}`;
    const request = (i: number) => {
      const n = sent + i;
      const webhookId = randomBytes(16).toString('hex'); // as Belvo's: random
      // One in five a LINK token_required on a link of the account: link state, link events, woken spike checks.
      const linkId = ids[(n * 7919) % ids.length]!;
      const body =
        n % 5 === 0
          ? `{"webhook_id":"${webhookId}","webhook_type":"LINK","process_type":"recurrent_update",` +
            `"webhook_code":"token_required","link_id":"${linkId}","external_id":"user-${n}",` +
            '"data":{"error_code":"token_required","error_message":"A MFA token is required","status":428}}'
          : `{"webhook_id":"${webhookId}","webhook_type":"TRANSACTIONS","process_type":"recurrent_update",` +
            `"webhook_code":"new_transactions_available","link_id":"${linkId}","data":{"new_transactions":3}}`;
      return postText({ host, path: '/webhooks/belvo/production', headers, body });
    };
    const done = () => (sourceSuccessAt(dbPath) ?? 0) >= listingStart || !child.alive;
    const deadline = Date.now() + 10 * 60_000;
    while (!done() && Date.now() < deadline) {
      const slice = await runLoad({ connections, request, durationMs: 2000, rate: o.webhookRate });
      sent += slice.requests;
      latencies.push(...slice.sorted);
      for (const [k, v] of Object.entries(slice.byStatus)) byStatus[k] = (byStatus[k] ?? 0) + v;
      const lag = await scrapeLoopMax(port);
      if (lag !== undefined) {
        loopWindows.push(lag);
        loopScrapes++;
        loopMaxMs = Math.max(loopMaxMs, lag);
        if (lag > 50) loopOver50++;
      }
      rssMaxSample = Math.max(rssMaxSample, child.memory()?.rss ?? 0);
    }
    if (!done()) throw new Error('bench: the listing did not finish in 10 minutes');
    const cpuMs = (procStat(pid)?.cpuMs ?? Number.NaN) - cpuAtStart;
    const machine = machineSince(mark);
    const listing = listingRequests();
    const listingMs = listing[listing.length - 1]!.at - listingStart;
    // Then 500 institutions degrade at once (a storm on the page): the alerts open, and the memory holds them.
    // Counted in the log, one "alert event" per component alert opened: the console prints one storm, not 500 lines.
    const opened = () =>
      child.logRecords(
        0,
        (r) => r.msg === 'alert event' && r.event === 'opened' && String(r.fingerprint).includes('/component/'),
      ).length;
    const openedBefore = opened();
    await scrapeLoopMax(port);
    const degradedAt = Date.now();
    for (let i = 0; i < o.openAlerts; i++) page.setComponentStatus(institutions[i]!.id, 'partial_outage');
    await waitFor(() => opened() - openedBefore >= o.openAlerts || !child.alive, 120_000, 50);
    const openedMs = Date.now() - degradedAt;
    const openedCount = opened() - openedBefore;
    // Settle: a few polls with them open, then the steady figure.
    await sleep(12_000);
    const stormLoopMaxMs = (await scrapeLoopMax(port)) ?? Number.NaN;
    const mem = child.memory();
    const heap = await heapFigures(port);
    const mapped = residentByKind(pid);
    latencies.sort((a, b) => a - b);
    return {
      links: WEB_LINKS,
      historyIncidents,
      days: WEB_DAYS,
      openAlerts: openedCount,
      openedMs,
      stormLoopMaxMs,
      startupMs,
      listingMs,
      listingRequests: listing.length,
      cpuMs,
      machine,
      loopMaxMs,
      loopScrapes,
      loopOver50,
      loopWindows,
      rssMaxSample: Math.max(rssMaxSample, mem?.rss ?? 0),
      rssPeak: mem?.peak ?? Number.NaN,
      rssEnd: mem?.rss ?? Number.NaN,
      heap,
      mapped,
      webhooks: {
        sent,
        byStatus,
        p50: percentile(latencies, 50),
        p99: percentile(latencies, 99),
        max: latencies[latencies.length - 1] ?? Number.NaN,
      },
    };
  } finally {
    for (const c of connections) c.close();
    await child.stop();
    await server.close();
    await belvo.close();
    removeTempDir(dir);
  }
}
