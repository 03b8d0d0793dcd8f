// Figure 7: push to chat. The bot runs as a user runs it (child process); Belvo, the status page and Slack are fakes
// in this process, so every time below is on one clock:
//   spike      = the Belvo webhook that crosses an institution's token_required threshold is sent -> the fake Slack
//                receives the institution's message (chat.postMessage arrives),
//   statuspage = POST /webhooks/statuspage/<secret> is sent (a new incident is on the page) -> the fake Slack receives
//                the incident's message; "bot's own" removes the time the simulated page spent serving the poll.
// Each spike trial is a different institution with its own channel (Slack's one post per second per channel never
// adds to a figure); the status-page trials share one channel and wait for that second between them. The bot's
// spike check is on its default interval (1 minute): a push that does not wake the detector waits for it.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SimulatedPage, startSimulatedStatusPage } from '../../simulators/statuspage/index.js';
import { type FakeBelvo, startFakeBelvo } from '../fakes/belvo-api.js';
import { BelvoWebhookSender, belvoWebhooks } from '../fakes/belvo-webhook-sender.js';
import { type FakeSlack, startFakeSlack } from '../fakes/slack-api.js';
import { ChildBot } from './child-bot.js';
import { makeTempDir, removeTempDir } from './fixtures.js';
import { percentile, sleep, waitFor } from './stats.js';

const WEBHOOK_AUTH = 'Bearer push-bench-webhook-authorization';
const PUSH_SECRET = 'push-bench-statuspage-secret';
const PUSH_CHANNEL = 'CPUSHBENCH';
/** Links per institution: the spike threshold (belvo.spikes.minCount, default 10) crossed by the last one. */
const SPIKE_MIN_COUNT = 10;

export interface PushLatencyOptions {
  trials: number;
  /** A trial whose message has not arrived by then counts as missed (the bot's spike check is every minute). */
  trialTimeoutMs: number;
}

export interface PushFigure {
  samples: number[];
  missed: number;
  p50: number;
  p99: number;
  /** Statuspage only: per trial, the part spent by the simulated page serving the poll (not the bot's time). */
  outside?: number[];
  ownP50?: number;
  ownP99?: number;
}

export interface PushLatencyResult {
  trials: number;
  spike: PushFigure;
  statuspage: PushFigure;
  wallMs: number;
}

function figure(samples: number[], missed: number, outside?: number[]): PushFigure {
  const sorted = [...samples].sort((a, b) => a - b);
  const out: PushFigure = { samples, missed, p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
  if (outside && outside.length === samples.length) {
    const own = samples.map((s, i) => s - (outside[i] ?? 0)).sort((a, b) => a - b);
    out.outside = outside;
    out.ownP50 = percentile(own, 50);
    out.ownP99 = percentile(own, 99);
  }
  return out;
}

const institutionName = (k: number) => `bench${String(k).padStart(2, '0')}_mx_retail`;
const spikeChannel = (k: number) => `CSPIKE${String(k).padStart(2, '0')}`;

function configYaml(o: {
  dbPath: string;
  belvo: FakeBelvo;
  slack: FakeSlack;
  pageUrl: string;
  trials: number;
}): string {
  const destinations = [{ id: 'push', channel: PUSH_CHANNEL }];
  const subscriptions = [`  - { destination: push, sources: [belvo-api] }`];
  for (let k = 1; k <= o.trials; k++) {
    destinations.push({ id: `spike${k}`, channel: spikeChannel(k) });
    subscriptions.push(`  - { destination: spike${k}, institutions: [${institutionName(k)}] }`);
  }
  return `
server: { host: 127.0.0.1, port: 0 }
storage: { path: ${JSON.stringify(o.dbPath)} }
log: { level: info }
sources:
  - id: belvo-api
    type: statuspage
    name: Belvo API (bench)
    url: ${JSON.stringify(o.pageUrl)}
    role: api
    interval: 1h
    jitter: 0
    push: { secretEnv: PUSH_SECRET }
belvo:
  environments:
    - id: sandbox
      url: ${JSON.stringify(o.belvo.url)}
      secretKeyId: { secretEnv: BELVO_ID }
      secretKeyPassword: { secretEnv: BELVO_PASSWORD }
      institutionsInterval: 1h
      webhook: { authorization: { secretEnv: BELVO_WEBHOOK_AUTH } }
slack: { botToken: { secretEnv: SLACK_BOT_TOKEN }, apiUrl: ${JSON.stringify(o.slack.apiUrl)} }
destinations:
${destinations.map((d) => `  - { id: ${d.id}, type: slack, channel: ${d.channel} }`).join('\n')}
subscriptions:
${subscriptions.join('\n')}
policy: { storms: { count: 0 } }
`;
}

/** One row from the bot's database, read-only beside it (WAL); undefined while it does not exist yet. */
function query<T>(path: string, sql: string): T | undefined {
  try {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    try {
      return db.prepare(sql).get() as T;
    } finally {
      db.close();
    }
  } catch {
    return undefined;
  }
}

export async function benchPushLatency(o: PushLatencyOptions): Promise<PushLatencyResult> {
  const started = Date.now();
  const dir = makeTempDir();
  const belvo = await startFakeBelvo({ rateLimit: { enabled: false } });
  const slack = await startFakeSlack({
    channels: [PUSH_CHANNEL, ...Array.from({ length: o.trials }, (_, i) => spikeChannel(i + 1))],
  });
  const page = new SimulatedPage({ id: 'pushbench001', name: 'Belvo API (bench)' });
  page.addComponent({ name: 'API' });
  const server = await startSimulatedStatusPage({ page, maxRecorded: 5000 });
  const links = new Map<number, string[]>();
  for (let k = 1; k <= o.trials; k++) {
    belvo.addInstitution({ name: institutionName(k), display_name: `Banco Bench ${k}`, country_codes: ['MX'] });
    links.set(
      k,
      belvo.addLinks(SPIKE_MIN_COUNT, { institution: institutionName(k), status: 'valid' }).map((l) => l.id),
    );
  }
  let bot: ChildBot | undefined;
  let sender: BelvoWebhookSender | undefined;
  try {
    const configFile = join(dir, 'push.yaml');
    const dbPath = join(dir, 'push.db');
    writeFileSync(configFile, configYaml({ dbPath, belvo, slack, pageUrl: server.url, trials: o.trials }));
    bot = new ChildBot(configFile, {
      PUSH_SECRET,
      BELVO_ID: belvo.secretKeyId,
      BELVO_PASSWORD: belvo.secretKeyPassword,
      BELVO_WEBHOOK_AUTH: WEBHOOK_AUTH,
      SLACK_BOT_TOKEN: 'xoxb-push-bench',
    });
    const child = bot;
    const startedLog = () => child.logRecords(0, (r) => r.msg === 'belvo-status-bot started')[0];
    if (!(await waitFor(() => startedLog() !== undefined || !child.alive, 30_000, 20))) {
      throw new Error(`bench: the bot did not start\n${child.logHead()}`);
    }
    const port = Number(startedLog()?.port);
    if (!child.alive || !Number.isFinite(port)) throw new Error(`bench: the bot did not start\n${child.logHead()}`);
    const base = `http://127.0.0.1:${port}`;
    // Ready once the first link check has stored every link with its institution, and both sources were read once
    // (their first reads are history, not news).
    const ready = () =>
      query<{ n: number }>(dbPath, 'SELECT count(*) AS n FROM belvo_links WHERE institution IS NOT NULL')?.n ===
        o.trials * SPIKE_MIN_COUNT &&
      query<{ n: number }>(
        dbPath,
        "SELECT count(*) AS n FROM source_state WHERE first_success_at IS NOT NULL AND source IN ('belvo-api', 'belvo-sandbox-links')",
      )?.n === 2;
    if (!(await waitFor(() => ready() || !child.alive, 30_000, 50)) || !child.alive) {
      throw new Error(`bench: the bot did not read Belvo's links and the page\n${child.logHead()}`);
    }

    sender = new BelvoWebhookSender({ url: base, environment: 'sandbox', authorization: WEBHOOK_AUTH, concurrency: 1 });
    const spike: number[] = [];
    let spikeMissed = 0;
    for (let k = 1; k <= o.trials; k++) {
      const ids = links.get(k) ?? [];
      for (const id of ids.slice(0, -1)) {
        belvo.setLinkStatus([id], 'token_required');
        const res = await sender.send(belvoWebhooks.tokenRequired({ link_id: id }));
        if (res.status !== 200) throw new Error(`bench: webhook answered ${res.status}`);
      }
      // Let whatever those woke settle, so the crossing webhook is measured from a quiet bot.
      await sleep(150);
      const channel = spikeChannel(k);
      const crossing = ids[ids.length - 1] as string;
      belvo.setLinkStatus([crossing], 'token_required');
      const t0 = Date.now();
      const res = await sender.send(belvoWebhooks.tokenRequired({ link_id: crossing }));
      if (res.status !== 200) throw new Error(`bench: webhook answered ${res.status}`);
      const arrived = await waitFor(() => slack.posts(channel).length > 0 || !child.alive, o.trialTimeoutMs, 2);
      const post = slack.posts(channel)[0];
      if (!arrived || !post) spikeMissed++;
      else spike.push(post.at - t0);
    }

    const statuspage: number[] = [];
    const outside: number[] = [];
    let pushMissed = 0;
    for (let k = 1; k <= o.trials; k++) {
      // Slack's pace: one post per second per channel. Start each trial clear of it.
      const last = slack.posts(PUSH_CHANNEL).at(-1)?.at ?? 0;
      const wait = last + 1100 - Date.now();
      if (wait > 0) await sleep(wait);
      const before = slack.posts(PUSH_CHANNEL).length;
      const name = `Push bench incident ${k}`;
      page.openIncident({ name, impact: 'major', body: 'Measuring push to chat.' });
      const t0 = Date.now();
      const res = await fetch(`${base}/webhooks/statuspage/${PUSH_SECRET}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          meta: { unsubscribe: 'https://status.example/unsubscribe', documentation: 'https://help.statuspage.io' },
          page: { id: 'pushbench001', status_indicator: 'major', status_description: 'Partial System Outage' },
          incident: { name, status: 'investigating', impact: 'major' },
        }),
      });
      await res.arrayBuffer();
      if (res.status !== 202) throw new Error(`bench: statuspage push answered ${res.status}`);
      const arrived = await waitFor(
        () => slack.posts(PUSH_CHANNEL).length > before || !child.alive,
        o.trialTimeoutMs,
        2,
      );
      const post = slack.posts(PUSH_CHANNEL)[before];
      if (!arrived || !post) {
        pushMissed++;
        continue;
      }
      statuspage.push(post.at - t0);
      // The poll the push caused: the page's requests between the push and the post.
      const served = server.requests.filter((r) => r.at >= t0 && r.at <= post.at);
      outside.push(served.reduce((sum, r) => sum + (r.durationMs ?? 0), 0));
    }
    return {
      trials: o.trials,
      spike: figure(spike, spikeMissed),
      statuspage: figure(statuspage, pushMissed, outside),
      wallMs: Date.now() - started,
    };
  } finally {
    await sender?.close();
    await bot?.stop();
    await Promise.all([server.close(), belvo.close(), slack.close()]);
    removeTempDir(dir);
  }
}
