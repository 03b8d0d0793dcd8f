// Figure 5: durable webhook ingestion against a bare node:http server, same load generator, same run. Each server
// runs in a process of its own (test/bench/webhook-server.ts); the load comes from this process. Where taskset and
// two cores allow (cores.ts), the load generator is pinned to one core and every server process, all its threads,
// to the others, so the load generator takes no CPU from the server it measures (every server alike). Bodies are
// realistic Belvo webhooks with unique ids, so every request to the bot is a new row committed (group commit)
// before its 200.
//
// The servers: bare node:http, the bot's route on SQLite, and (when PostgreSQL answers) the same route on PostgreSQL
// as one replica and as two replicas on one schema, the load generator's connections alternating between the two
// (as a round-robin load balancer spreads them). Each PostgreSQL server has a schema of its own, dropped after.
// All run side by side (an idle one costs nothing) and are measured in turns: each round measures every server at
// max throughput, then every one at the fixed rate, the order rotated every round, so a slow moment of this shared
// machine falls on all rather than on one. The figures are medians over the rounds.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { PG_URL } from '../support/postgres.js';
import { benchSchema, dropBenchSchema } from './bench-schemas.js';
import { START_NODE_FLAGS } from './child-bot.js';
import { type Pinning, pinLoadGenerator, threadAffinities } from './cores.js';
import { cleanEnv, makeTempDir, removeTempDir } from './fixtures.js';
import { type LoadResult, runLoad } from './load.js';
import { type MachineUse, machineMark, machineSince } from './machine.js';
import { backendPids, cpuMs } from './pg-backends.js';
import { postText, RawHttpConnection } from './raw-http.js';
import { percentile, sleep } from './stats.js';
import type { ServerAnswer, ServerCommand, ServerPhaseSelf, WebhookServerData } from './webhook-server.js';

const AUTHORIZATION = `Bearer ${randomBytes(16).toString('hex')}`;
const PATH = '/webhooks/belvo/production';
/** The bot's default storage.poolSize. */
const PG_POOL_SIZE = 10;

export interface WebhookBenchOptions {
  /** Requests per second of the open-loop phases. */
  rate: number;
  /** Connections per server, the same for all: the closed loop's concurrency, the open loop's connection cap. */
  connections: number;
  /** Measured rounds; each measures every server at max and at `rate`. */
  rounds: number;
  phaseMs: number;
  warmupMs: number;
  /** Measure the PostgreSQL servers too (skipped, and said so, when the database does not answer). */
  postgres: boolean;
}

/** bare node:http, the bot on SQLite, the bot on PostgreSQL as one replica and as two. */
export type ServerKind = 'bare' | 'bot' | 'pg1' | 'pg2';

export interface ServerPhaseStats {
  /** Cores the server's processes used (CPU of every thread of each: JS, HTTP parsing, SQLite and its fsync...). */
  cpu: number;
  /** How busy their event loops were, summed (0..processes). */
  busy: number;
  /** One per replica. */
  processes: number;
  /** Bot and PostgreSQL: the group commits of the phase (one transaction each, the flush to disk included). */
  commits?: { batches: number; rows: number; totalMs: number; p50Ms: number; p99Ms: number; maxMs: number };
  /** PostgreSQL: cores its backends serving this server used (processes of their own, not counted as others). */
  database?: number;
}

export interface Phase {
  load: LoadResult;
  server: ServerPhaseStats;
  /** How busy the load generator's event loop (this process's) was. */
  loadGenBusy: number;
  /** Cores the load generator's process (this one, every thread) used. */
  loadGenCpu: number;
  machine: MachineUse;
}

export interface ServerFigures {
  max: Phase[];
  atRate: Phase[];
  /** 200s over all phases, warm-up included. */
  answered: number;
  /** Rows in the store at the end (bot, PostgreSQL): every 200 must be one. */
  stored: number;
}

export interface WebhookBenchResult {
  options: WebhookBenchOptions;
  bare: ServerFigures;
  bot: ServerFigures;
  pg1?: ServerFigures;
  pg2?: ServerFigures;
  /** Why the PostgreSQL servers were not measured. */
  postgresSkipped?: string;
  /** The database's durability settings, as measured (a figure on fsync=off would not be durable ingestion). */
  postgresSettings?: string;
  /** Which server went first in each round. */
  firstOfRound: ServerKind[];
  /** Where the load generator and the servers ran (pinned with taskset, or not and why). */
  pinning: Pick<Pinning, 'description' | 'short' | 'loadCores' | 'serverCores'>;
  /** The cores each process's threads were allowed at the end, from /proc (undefined: not known). */
  affinity: { loadGenerator?: string | undefined; servers: Partial<Record<ServerKind, string>> };
  wallMs: number;
}

/**
 * Random 32-hex webhook ids, as Belvo's are: a counter would make any index over them append-only, which Belvo's ids
 * never make it. Drawn 4,096 at a time, so the load generator spends next to nothing on them.
 */
class RandomIds {
  private pool = Buffer.alloc(0);
  private at = 0;

  next(): string {
    if (this.at + 16 > this.pool.length) {
      this.pool = randomBytes(16 * 4096);
      this.at = 0;
    }
    const id = this.pool.toString('hex', this.at, this.at + 16);
    this.at += 16;
    return id;
  }
}
const ids = new RandomIds();
const kinds = [
  (id: string) =>
    `{"webhook_id":"${id}","webhook_type":"LINK","process_type":"recurrent_update","webhook_code":"token_required",` +
    `"link_id":"16f68516-bcbc-4cf7-b815-${id.slice(-12)}","request_id":"4363b08b-51eb-4350-9c74-5df5ac92a7f6",` +
    `"external_id":"customer-881","data":{"error_code":"token_required","error_message":"A MFA token is required",` +
    '"status":428}}',
  (id: string) =>
    `{"webhook_id":"${id}","webhook_type":"TRANSACTIONS","process_type":"recurrent_update",` +
    `"webhook_code":"new_transactions_available","link_id":"16f68516-bcbc-4cf7-b815-c500d4204e28",` +
    `"request_id":"4363b08b-51eb-4350-9c74-5df5ac92a7f6","external_id":"customer-881","data":{"new_transactions":17}}`,
  (id: string) =>
    `{"webhook_id":"${id}","webhook_type":"ACCOUNTS","process_type":"historical_update",` +
    `"webhook_code":"historical_update","link_id":"16f68516-bcbc-4cf7-b815-c500d4204e28",` +
    `"request_id":"4363b08b-51eb-4350-9c74-5df5ac92a7f6","data":{"total_accounts":3}}`,
];

/** A random 32-hex id per request; one in five is a LINK token_required (a link state written too). */
function requests(port: number): (i: number) => string {
  const host = `127.0.0.1:${port}`;
  const headers = { 'content-type': 'application/json', authorization: AUTHORIZATION };
  return (i) => {
    const id = ids.next();
    return postText({ host, path: PATH, headers, body: kinds[i % 5 === 0 ? 0 : 1 + (i % 2)]!(id) });
  };
}

const SERVER_SCRIPT = fileURLToPath(new URL('./webhook-server.js', import.meta.url));

/** A server in a process of its own (under taskset when pinned), answering one command at a time. */
class ServerProcess {
  private exited = false;

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    private readonly onBenchExit: () => void,
  ) {}

  static async start(data: WebhookServerData, pinning: Pinning): Promise<ServerProcess> {
    // The node flags `npm start` and the Docker image run the bot with, for every server alike.
    const { command, args } = pinning.serverCommand([...START_NODE_FLAGS, SERVER_SCRIPT]);
    const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: cleanEnv() });
    // Should the bench die first, the server must not outlive it.
    const onBenchExit = () => child.kill('SIGKILL');
    process.once('exit', onBenchExit);
    try {
      const answer = await ask(child, data);
      if (!('port' in answer)) throw new Error(`webhook server did not start: ${JSON.stringify(answer)}`);
      const server = new ServerProcess(child, answer.port, onBenchExit);
      child.once('exit', () => {
        server.exited = true;
      });
      return server;
    } catch (err) {
      child.kill('SIGKILL');
      process.off('exit', onBenchExit);
      throw err;
    }
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  command<T extends ServerAnswer>(command: ServerCommand): Promise<T> {
    return ask(this.child, command) as Promise<T>;
  }

  /** Closes the channel (the server exits on it), killing it should it not exit within 5 s. */
  async terminate(): Promise<void> {
    process.off('exit', this.onBenchExit);
    if (this.exited || this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    if (this.child.connected) this.child.disconnect();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
}

/** Sends one message to a server process and resolves with its answer (rejects should it fail or exit first). */
function ask(child: ChildProcess, message: WebhookServerData | ServerCommand): Promise<ServerAnswer> {
  return new Promise<ServerAnswer>((resolve, reject) => {
    const done = () => {
      child.off('message', onMessage);
      child.off('error', onError);
      child.off('exit', onExit);
    };
    const onMessage = (m: ServerAnswer) => {
      done();
      resolve(m);
    };
    const onError = (err: Error) => {
      done();
      reject(err);
    };
    const onExit = (code: number | null, signal: string | null) => {
      done();
      reject(new Error(`webhook server exited (${signal ?? code}) before answering ${JSON.stringify(message)}`));
    };
    child.on('message', onMessage);
    child.once('error', onError);
    child.once('exit', onExit);
    child.send(message);
  });
}

interface Target {
  kind: ServerKind;
  /** One process per replica. */
  servers: ServerProcess[];
  connections: RawHttpConnection[];
  figures: ServerFigures;
  /** PostgreSQL: the schema, and the application_name its backends show (to count their CPU). */
  postgres?: { schema: string; applicationName: string };
}

function commitSummary(stats: ServerPhaseSelf[]): ServerPhaseStats['commits'] {
  const parts = stats.flatMap((s) => (s.commits ? [s.commits] : []));
  if (parts.length === 0) return undefined;
  const sorted = parts.flatMap((c) => c.timesMs).sort((a, b) => a - b);
  return {
    batches: sorted.length,
    rows: parts.reduce((a, c) => a + c.rows, 0),
    totalMs: sorted.reduce((a, b) => a + b, 0),
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted[sorted.length - 1] ?? Number.NaN,
  };
}

async function phase(t: Target, admin: pg.Client | undefined, durationMs: number, rate?: number) {
  await Promise.all(t.servers.map((s) => s.command('begin')));
  // The pool opened its connections during the warm-up and keeps them (idle timeout 30 s): the same backends all along.
  const pids = t.postgres && admin ? await backendPids(admin, t.postgres.applicationName) : [];
  const dbBefore = pids.length > 0 ? cpuMs(pids) : undefined;
  const elu = performance.eventLoopUtilization();
  const mark = machineMark();
  const load = await runLoad({
    connections: t.connections,
    request: requests(t.servers[0]!.port),
    durationMs,
    ...(rate !== undefined && { rate }),
  });
  const machine = machineSince(mark);
  const loadGenBusy = performance.eventLoopUtilization(elu).utilization;
  const dbAfter = dbBefore === undefined ? undefined : cpuMs(pids);
  const stats = (await Promise.all(t.servers.map((s) => s.command<{ stats: ServerPhaseSelf }>('end')))).map(
    (a) => a.stats,
  );
  const server: ServerPhaseStats = {
    cpu: stats.reduce((a, s) => a + s.cpuMs / s.wallMs, 0),
    busy: stats.reduce((a, s) => a + s.busy, 0),
    processes: t.servers.length,
  };
  const commits = commitSummary(stats);
  if (commits) server.commits = commits;
  // The servers are processes of their own: their CPU is the server's, not the machine's other work. Each timed its
  // phase from `begin` to `end`, a little wider than this process's, so this errs towards less noise, by little.
  if (machine.others !== undefined) machine.others = Math.max(0, machine.others - server.cpu);
  if (dbBefore !== undefined && dbAfter !== undefined) {
    server.database = (dbAfter - dbBefore) / machine.wallMs;
    // The database's work for this server is the server's, not the machine's other work.
    if (machine.others !== undefined) machine.others = Math.max(0, machine.others - server.database);
  }
  t.figures.answered += load.byStatus['200'] ?? 0;
  // Let the sockets and the last commit settle before the next phase starts its clock.
  await sleep(100);
  return { load, server, loadGenBusy, loadGenCpu: machine.thisProcess, machine };
}

/** An admin connection when PostgreSQL answers, with its durability settings; else why not. */
async function connectAdmin(): Promise<{ admin: pg.Client; settings: string } | { skipped: string }> {
  const admin = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 5_000 });
  try {
    await admin.connect();
    const { rows } = await admin.query<{ name: string; setting: string }>(
      `SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'wal_sync_method',
         'full_page_writes', 'server_version') ORDER BY name`,
    );
    return { admin, settings: rows.map((r) => `${r.name}=${r.setting}`).join(', ') };
  } catch (err) {
    await admin.end().catch(() => undefined);
    const url = new URL(PG_URL);
    return { skipped: `PostgreSQL not answering at ${url.host}${url.pathname}: ${String(err)}` };
  }
}

export async function benchWebhooks(o: WebhookBenchOptions): Promise<WebhookBenchResult> {
  const dir = makeTempDir();
  const targets: Target[] = [];
  const schemas: string[] = [];
  const started = performance.now();
  const db = o.postgres ? await connectAdmin() : { skipped: 'not asked for' };
  const admin = 'admin' in db ? db.admin : undefined;
  // From here to the end this process is the load generator alone: pinned, then given its cores back.
  const pinning = pinLoadGenerator();
  const affinity: WebhookBenchResult['affinity'] = { servers: {} };
  try {
    const add = async (kind: ServerKind, data: WebhookServerData[], postgres?: Target['postgres']) => {
      const servers: ServerProcess[] = [];
      const target: Target = {
        kind,
        servers,
        connections: [],
        figures: { max: [], atRate: [], answered: 0, stored: 0 },
      };
      targets.push(target); // before starting, so a failed start still stops the processes already started
      if (postgres) target.postgres = postgres;
      // One after the other: the first replica creates the schema, the next finds it migrated.
      for (const d of data) servers.push(await ServerProcess.start(d, pinning));
      target.connections = Array.from(
        { length: o.connections },
        (_, i) => new RawHttpConnection('127.0.0.1', servers[i % servers.length]!.port),
      );
    };
    await add('bare', [{ kind: 'bare', dir, authorization: AUTHORIZATION }]);
    await add('bot', [{ kind: 'bot', dir, authorization: AUTHORIZATION }]);
    if (admin) {
      for (const [kind, replicas] of [
        ['pg1', 1],
        ['pg2', 2],
      ] as const) {
        const schema = benchSchema(`bench_${kind}`);
        schemas.push(schema);
        const postgres = { url: PG_URL, schema, poolSize: PG_POOL_SIZE };
        const data = Array.from({ length: replicas }, () => ({
          kind: 'postgres' as const,
          dir,
          authorization: AUTHORIZATION,
          postgres,
        }));
        // The pool's default application_name (adapters/postgres/pool.ts): every replica of the schema shares it.
        await add(kind, data, { schema, applicationName: `belvo-status:${schema}`.slice(0, 63) });
      }
    }
    // Warm-up: connections opened, the JITs (the servers' and the load generator's) warm, the pools filled.
    for (const t of targets) await phase(t, admin, o.warmupMs);
    const firstOfRound: ServerKind[] = [];
    for (let r = 0; r < o.rounds; r++) {
      const order = targets.map((_, i) => targets[(i + r) % targets.length]!);
      firstOfRound.push(order[0]!.kind);
      for (const t of order) t.figures.max.push(await phase(t, admin, o.phaseMs));
      for (const t of order) t.figures.atRate.push(await phase(t, admin, o.phaseMs, o.rate));
    }
    // Where every thread ran, as the kernel says (threads started late, such as a store's, included).
    affinity.loadGenerator = threadAffinities('self');
    for (const t of targets)
      affinity.servers[t.kind] = t.servers.map((s) => (s.pid && threadAffinities(s.pid)) || 'not known').join(' and ');
    for (const t of targets) {
      for (const c of t.connections) c.close();
      // The last replica stopped counts every row of the schema, the others' already committed.
      for (const s of t.servers) t.figures.stored = (await s.command<{ stored: number }>('stop')).stored;
    }
    const of = (kind: ServerKind) => targets.find((t) => t.kind === kind)?.figures;
    return {
      options: o,
      bare: of('bare')!,
      bot: of('bot')!,
      ...(of('pg1') && { pg1: of('pg1') }),
      ...(of('pg2') && { pg2: of('pg2') }),
      ...('skipped' in db && { postgresSkipped: db.skipped }),
      ...('settings' in db && { postgresSettings: db.settings }),
      firstOfRound,
      pinning: {
        description: pinning.description,
        short: pinning.short,
        ...(pinning.loadCores && { loadCores: pinning.loadCores }),
        ...(pinning.serverCores && { serverCores: pinning.serverCores }),
      },
      affinity,
      wallMs: performance.now() - started,
    };
  } finally {
    for (const t of targets) {
      for (const c of t.connections) c.close();
      await Promise.all(t.servers.map((s) => s.terminate()));
    }
    pinning.restore();
    await admin?.end().catch(() => undefined);
    for (const schema of schemas) await dropBenchSchema(schema);
    removeTempDir(dir);
  }
}
