// Figure 5: durable webhook ingestion against a bare node:http server, same load generator, same run. Each server
// runs in a worker thread; the load comes from this thread. Bodies are realistic Belvo webhooks with unique ids, so
// every request to the bot is a new row committed (group commit) before its 200.
//
// Both servers run side by side (the idle one costs nothing) and are measured in turns: each round measures both at
// max throughput, then both at the fixed rate, the order swapped every round, so a slow moment of this shared
// machine falls on both rather than on one. The figures are medians over the rounds.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { makeTempDir, removeTempDir } from './fixtures.js';
import { type LoadResult, runLoad } from './load.js';
import { type MachineUse, machineMark, machineSince } from './machine.js';
import { postText, RawHttpConnection } from './raw-http.js';
import { sleep } from './stats.js';
import type { ServerCommand, ServerPhaseStats, WebhookServerData } from './webhook-server.js';

const AUTHORIZATION = `Bearer ${randomBytes(16).toString('hex')}`;
const PATH = '/webhooks/belvo/production';

export interface WebhookBenchOptions {
  /** Requests per second of the open-loop phases. */
  rate: number;
  /** Connections per server, the same for both: the closed loop's concurrency, the open loop's connection cap. */
  connections: number;
  /** Measured rounds; each measures both servers at max and at `rate`. */
  rounds: number;
  phaseMs: number;
  warmupMs: number;
}

export type ServerKind = 'bare' | 'bot';

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
  /** Rows in the store at the end (bot only): every 200 must be one. */
  stored: number;
}

export interface WebhookBenchResult {
  options: WebhookBenchOptions;
  bare: ServerFigures;
  bot: ServerFigures;
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
  thread: ServerThread;
  connections: RawHttpConnection[];
  figures: ServerFigures;
}

async function phase(t: Target, name: string, durationMs: number, rate?: number): Promise<Phase> {
  await t.thread.command<void>('begin');
  const elu = performance.eventLoopUtilization();
  const mark = machineMark();
  const load = await runLoad({
    connections: t.connections,
    request: requests(t.thread.port, name),
    durationMs,
    ...(rate !== undefined && { rate }),
  });
  const machine = machineSince(mark);
  const loadGenBusy = performance.eventLoopUtilization(elu).utilization;
  const { stats } = await t.thread.command<{ stats: ServerPhaseStats }>('end');
  t.figures.answered += load.byStatus['200'] ?? 0;
  // Let the sockets and the last commit settle before the next phase starts its clock.
  await sleep(100);
  return { load, server: stats, loadGenBusy, machine };
}

export async function benchWebhooks(o: WebhookBenchOptions): Promise<WebhookBenchResult> {
  const dir = makeTempDir();
  const targets: Target[] = [];
  const started = performance.now();
  try {
    for (const kind of ['bare', 'bot'] as const) {
      const thread = await ServerThread.start({ kind, dir, authorization: AUTHORIZATION });
      targets.push({
        kind,
        thread,
        connections: Array.from({ length: o.connections }, () => new RawHttpConnection('127.0.0.1', thread.port)),
        figures: { max: [], atRate: [], answered: 0, stored: 0 },
      });
    }
    // Warm-up: connections opened, both JITs (the servers' and the load generator's) warm.
    for (const t of targets) await phase(t, 'w', o.warmupMs);
    const firstOfRound: ServerKind[] = [];
    for (let r = 0; r < o.rounds; r++) {
      const order = r % 2 === 0 ? targets : [...targets].reverse();
      firstOfRound.push(order[0]!.kind);
      for (const t of order) t.figures.max.push(await phase(t, `m${r}`, o.phaseMs));
      for (const t of order) t.figures.atRate.push(await phase(t, `r${r}`, o.phaseMs, o.rate));
    }
    for (const t of targets) {
      for (const c of t.connections) c.close();
      t.figures.stored = (await t.thread.command<{ stored: number }>('stop')).stored;
    }
    const [bare, bot] = targets.map((t) => t.figures) as [ServerFigures, ServerFigures];
    return { options: o, bare, bot, firstOfRound, wallMs: performance.now() - started };
  } finally {
    for (const t of targets) {
      for (const c of t.connections) c.close();
      await t.thread.terminate();
    }
    removeTempDir(dir);
  }
}
