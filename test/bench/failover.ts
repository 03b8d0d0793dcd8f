// Failover time: two bot processes (`belvo-status run`, as a user runs them) on one PostgreSQL schema with a short
// leader lease. The leader is killed with SIGKILL, and the time runs from the kill to the survivor's "this replica
// leads" log record (stamped by the bot itself, on this machine's clock); the killed one is then started again and
// becomes the new follower; and so on, the leader alternating. Each kill lands at a random moment of the leader's
// renewal cycle (it renews every third of the lease), as a crash would.
// At each kill the lease row says how long the dead leader's lease still had to run: the takeover is that wait, then
// the follower's next try (also every third of the lease), so the figure splits into the two.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { quoteIdent } from '../../adapters/postgres/migrations.js';
import {
  SimulatedPage,
  type SimulatedStatusPageServer,
  startSimulatedStatusPage,
} from '../../simulators/statuspage/index.js';
import { PG_URL } from '../support/postgres.js';
import { benchSchema, dropBenchSchema } from './bench-schemas.js';
import { ChildBot } from './child-bot.js';
import { makeTempDir, removeTempDir } from './fixtures.js';
import { type MachineUse, machineMark, machineSince } from './machine.js';
import { sleep, waitFor } from './stats.js';

const LEADS = 'this replica leads: polling and ticking';
const STARTED = 'belvo-status-bot started';

export interface FailoverOptions {
  kills: number;
  leaseMs: number;
  /** The status page's poll interval: leader work goes on all along, as in production. */
  pollMs: number;
}

export interface Takeover {
  /** Kill -> the survivor's "this replica leads" record (its own timestamp). */
  ms: number;
  /** Kill -> that record read from the survivor's stderr here. */
  seenMs: number;
  /** How long the killed leader's lease still had to run at the kill (the database's lease row). */
  leaseLeftMs: number;
  /** The machine from the kill to the takeover: its other processes include the surviving bot (polling). */
  machine: MachineUse;
}

export interface FailoverResult {
  options: FailoverOptions;
  takeovers: Takeover[];
  /** Kills after which no survivor led within the hang guard (the measurement stops at the first). */
  missed: number;
  /** Restart of the killed process -> it serves, as a follower. */
  restarts: number[];
  /** Restarted processes that came back leading instead of following (none expected: the survivor holds the lease). */
  restartedLeading: number;
  /** Why it was not measured. */
  skipped?: string;
  wallMs: number;
}

function configYaml(schema: string, pageUrl: string, o: FailoverOptions): string {
  return `
server: { host: 127.0.0.1, port: 0 }
storage:
  driver: postgres
  url: { secretEnv: DATABASE_URL }
  schema: ${schema}
  poolSize: 4
  leaderLease: ${o.leaseMs}ms
log: { level: info }
sources:
  - { id: api, type: statuspage, name: Belvo API, url: ${JSON.stringify(pageUrl)}, interval: ${o.pollMs}ms, jitter: 0 }
destinations: [{ id: console, type: console, color: never }]
subscriptions: [{ destination: console }]
`;
}

/** The first log record from index `from` on with this message, waiting at most `timeoutMs`. */
async function waitRecord(bot: ChildBot, from: number, msg: string, timeoutMs: number) {
  let found: { record: Record<string, unknown>; seenAt: number } | undefined;
  await waitFor(
    () => {
      for (let i = from; i < bot.logLines.length && !found; i++) {
        const line = bot.logLines[i]!;
        try {
          const record = JSON.parse(line.text) as Record<string, unknown>;
          if (record.msg === msg) found = { record, seenAt: line.at };
        } catch {
          // not a log record
        }
      }
      return found !== undefined || !bot.alive;
    },
    timeoutMs,
    5,
  );
  return found;
}

/** The record's own time (ISO, ms): when the bot wrote it, not when the pipe delivered it. */
const recordTime = (r: Record<string, unknown>, fallback: number) => {
  const t = typeof r.time === 'string' ? Date.parse(r.time) : Number.NaN;
  return Number.isFinite(t) ? t : fallback;
};

export async function benchFailover(o: FailoverOptions): Promise<FailoverResult> {
  const started = Date.now();
  const result: FailoverResult = { options: o, takeovers: [], missed: 0, restarts: [], restartedLeading: 0, wallMs: 0 };
  const admin = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 5_000 });
  try {
    await admin.connect();
  } catch (err) {
    await admin.end().catch(() => undefined);
    const url = new URL(PG_URL);
    return { ...result, skipped: `PostgreSQL not answering at ${url.host}${url.pathname}: ${String(err)}` };
  }
  const schema = benchSchema('bench_failover');
  const dir = makeTempDir();
  const bots: ChildBot[] = [];
  let statuspage: SimulatedStatusPageServer | undefined;
  // Long enough for a node start-up on a loaded machine; a takeover is due within the lease and a third.
  const guardMs = o.leaseMs * 4 + 20_000;
  try {
    const page = new SimulatedPage({ id: 'failover0001', name: 'Belvo API' });
    page.addComponent({ name: 'API' });
    statuspage = await startSimulatedStatusPage({ page, maxRecorded: 1000 });
    const configFile = join(dir, 'config.yaml');
    writeFileSync(configFile, configYaml(schema, statuspage.url, o));
    const env = { DATABASE_URL: PG_URL };
    const start = async (): Promise<{ bot: ChildBot; role: unknown }> => {
      const bot = new ChildBot(configFile, env);
      bots.push(bot);
      const up = await waitRecord(bot, 0, STARTED, guardMs);
      if (!up) throw new Error(`a replica did not start:\n${bot.logHead()}`);
      return { bot, role: up.record.role };
    };

    let leader = (await start()).bot;
    if (!(await waitRecord(leader, 0, LEADS, guardMs)))
      throw new Error(`the first replica never led:\n${leader.logHead()}`);
    let follower = (await start()).bot;
    // Read once the killed process is gone: nothing renews the lease after that.
    const leaseExpiry = async () =>
      (
        await admin.query<{ expires_at: number }>(
          `SELECT expires_at::float8 AS expires_at FROM ${quoteIdent(schema)}.leases WHERE name = 'leader'`,
        )
      ).rows[0]?.expires_at;
    for (let k = 0; k < o.kills; k++) {
      await sleep(Math.random() * (o.leaseMs / 3));
      const from = follower.logLines.length;
      const mark = machineMark();
      const killedAt = Date.now();
      await leader.kill();
      const expiresAt = await leaseExpiry();
      const led = await waitRecord(follower, from, LEADS, guardMs);
      const machine = machineSince(mark);
      if (!led) {
        result.missed++;
        break;
      }
      result.takeovers.push({
        ms: recordTime(led.record, led.seenAt) - killedAt,
        seenMs: led.seenAt - killedAt,
        leaseLeftMs: expiresAt === undefined ? Number.NaN : expiresAt - killedAt,
        machine,
      });
      bots.splice(bots.indexOf(leader), 1);
      const restartAt = Date.now();
      const back = await start();
      result.restarts.push(Date.now() - restartAt);
      if (back.role !== 'follower') result.restartedLeading++;
      leader = follower;
      follower = back.bot;
    }
  } finally {
    await Promise.all(bots.map((b) => b.stop()));
    await statuspage?.close();
    await admin.end().catch(() => undefined);
    await dropBenchSchema(schema);
    removeTempDir(dir);
  }
  result.wallMs = Date.now() - started;
  return result;
}
