// Figure 5: durable webhook ingestion against a bare node:http server, same load generator, same run. Each server
// runs in a worker thread; the load comes from this thread. Bodies are realistic Belvo webhooks with unique ids, so
// every request to the bot is a new row committed (group commit) before its 200.
//
// The servers: bare node:http, the bot's route on SQLite, and (when PostgreSQL answers) the same route on PostgreSQL
// as one replica and as two replicas on one schema, the load generator's connections alternating between the two
// (as a round-robin load balancer spreads them). Each PostgreSQL server has a schema of its own, dropped after.
// All run side by side (an idle one costs nothing) and are measured in turns: each round measures every server at
// max throughput, then every one at the fixed rate, the order rotated every round, so a slow moment of this shared
// machine falls on all rather than on one. The figures are medians over the rounds.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import pg from 'pg';
import { PG_URL } from '../support/postgres.js';
import { benchSchema, dropBenchSchema } from './bench-schemas.js';
import { makeTempDir, removeTempDir } from './fixtures.js';
import { type LoadResult, runLoad } from './load.js';
import { type MachineUse, machineMark, machineSince } from './machine.js';
import { backendPids, cpuMs } from './pg-backends.js';
import { postText, RawHttpConnection } from './raw-http.js';
import { percentile, sleep } from './stats.js';
import type { ServerCommand, ThreadPhaseStats, WebhookServerData } from './webhook-server.js';

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
  /** Cores the server's threads kept busy (0..threads): JS, HTTP parsing, synchronous SQLite and its fsync. */
  busy: number;
  threads: number;
  /** Bot and PostgreSQL: the group commits of the phase (one transaction each, the flush to disk included). */
  commits?: { batches: number; rows: number; totalMs: number; p50Ms: number; p99Ms: number; maxMs: number };
  /** PostgreSQL: cores its backends serving this server used (processes of their own, not counted as others). */
  database?: number;
}

export interface Phase {
  load: LoadResult;
  server: ServerPhaseStats;
  /** How busy the load generator's thread (this one) was. */
  loadGenBusy: number;
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
  wallMs: number;
}

const prefix = randomBytes(8).toString('hex');
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

/** A unique 32-hex id per request and phase; one in five is a LINK token_required (a link state written too). */
function requests(port: number, phase: string): (i: number) => string {
  const host = `127.0.0.1:${port}`;
  const headers = { 'content-type': 'application/json', authorization: AUTHORIZATION };
  return (i) => {
    const id = `${prefix}${phase}${i.toString(16).padStart(32 - prefix.length - phase.length, '0')}`;
    return postText({ host, path: PATH, headers, body: kinds[i % 5 === 0 ? 0 : 1 + (i % 2)]!(id) });
  };
}

/** A server in its worker thread, answering one command at a time. */
class ServerThread {
  private constructor(
    private readonly worker: Worker,
    readonly port: number,
  ) {}

  static async start(data: WebhookServerData): Promise<ServerThread> {
    const worker = new Worker(new URL('./webhook-server.js', import.meta.url), { workerData: data });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        worker.once('message', (m: { port: number }) => resolve(m.port));
        worker.once('error', reject);
      });
      return new ServerThread(worker, port);
    } catch (err) {
      await worker.terminate();
      throw err;
    }
  }

  command<T>(command: ServerCommand): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const onMessage = (m: T) => {
        this.worker.off('error', onError);
        resolve(m);
      };
      const onError = (err: Error) => {
        this.worker.off('message', onMessage);
        reject(err);
      };
      this.worker.once('message', onMessage);
      this.worker.once('error', onError);
      this.worker.postMessage(command);
    });
  }

  terminate(): Promise<number> {
    return this.worker.terminate();
  }
}

interface Target {
  kind: ServerKind;
  threads: ServerThread[];
  connections: RawHttpConnection[];
  figures: ServerFigures;
  /** PostgreSQL: the schema, and the application_name its backends show (to count their CPU). */
  postgres?: { schema: string; applicationName: string };
}

function commitSummary(stats: ThreadPhaseStats[]): ServerPhaseStats['commits'] {
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

async function phase(t: Target, admin: pg.Client | undefined, name: string, durationMs: number, rate?: number) {
  await Promise.all(t.threads.map((th) => th.command<void>('begin')));
  // The pool opened its connections during the warm-up and keeps them (idle timeout 30 s): the same backends all along.
  const pids = t.postgres && admin ? await backendPids(admin, t.postgres.applicationName) : [];
  const dbBefore = pids.length > 0 ? cpuMs(pids) : undefined;
  const elu = performance.eventLoopUtilization();
  const mark = machineMark();
  const load = await runLoad({
    connections: t.connections,
    request: requests(t.threads[0]!.port, name),
    durationMs,
    ...(rate !== undefined && { rate }),
  });
  const machine = machineSince(mark);
  const loadGenBusy = performance.eventLoopUtilization(elu).utilization;
  const dbAfter = dbBefore === undefined ? undefined : cpuMs(pids);
  const stats = await Promise.all(t.threads.map((th) => th.command<{ stats: ThreadPhaseStats }>('end')));
  const server: ServerPhaseStats = {
    busy: stats.reduce((a, s) => a + s.stats.busy, 0),
    threads: t.threads.length,
  };
  const commits = commitSummary(stats.map((s) => s.stats));
  if (commits) server.commits = commits;
  if (dbBefore !== undefined && dbAfter !== undefined) {
    server.database = (dbAfter - dbBefore) / machine.wallMs;
    // The database's work for this server is the server's, not the machine's other work.
    if (machine.others !== undefined) machine.others = Math.max(0, machine.others - server.database);
  }
  t.figures.answered += load.byStatus['200'] ?? 0;
  // Let the sockets and the last commit settle before the next phase starts its clock.
  await sleep(100);
  return { load, server, loadGenBusy, machine };
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
  try {
    const add = async (kind: ServerKind, data: WebhookServerData[], postgres?: Target['postgres']) => {
      const threads: ServerThread[] = [];
      const target: Target = {
        kind,
        threads,
        connections: [],
        figures: { max: [], atRate: [], answered: 0, stored: 0 },
      };
      targets.push(target); // before starting, so a failed start still terminates the threads already started
      if (postgres) target.postgres = postgres;
      // One after the other: the first replica creates the schema, the next finds it migrated.
      for (const d of data) threads.push(await ServerThread.start(d));
      target.connections = Array.from(
        { length: o.connections },
        (_, i) => new RawHttpConnection('127.0.0.1', threads[i % threads.length]!.port),
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
    for (const t of targets) await phase(t, admin, 'w', o.warmupMs);
    const firstOfRound: ServerKind[] = [];
    for (let r = 0; r < o.rounds; r++) {
      const order = targets.map((_, i) => targets[(i + r) % targets.length]!);
      firstOfRound.push(order[0]!.kind);
      for (const t of order) t.figures.max.push(await phase(t, admin, `m${r}`, o.phaseMs));
      for (const t of order) t.figures.atRate.push(await phase(t, admin, `r${r}`, o.phaseMs, o.rate));
    }
    for (const t of targets) {
      for (const c of t.connections) c.close();
      // The last replica stopped counts every row of the schema, the others' already committed.
      for (const th of t.threads) t.figures.stored = (await th.command<{ stored: number }>('stop')).stored;
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
      wallMs: performance.now() - started,
    };
  } finally {
    for (const t of targets) {
      for (const c of t.connections) c.close();
      await Promise.all(t.threads.map((th) => th.terminate()));
    }
    await admin?.end().catch(() => undefined);
    for (const schema of schemas) await dropBenchSchema(schema);
    removeTempDir(dir);
  }
}
