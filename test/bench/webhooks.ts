// Figure 5: durable webhook ingestion against a bare node:http server, same load generator, same run. Each server
// runs in a worker thread; the load comes from this thread. Bodies are realistic Belvo webhooks with unique ids, so
// every request to the bot is a new row committed (group commit) before its 200.
import { randomBytes } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { makeTempDir, removeTempDir } from './fixtures.js';
import { type LoadResult, loadPool, runLoad } from './load.js';
import type { WebhookServerData } from './webhook-server.js';

const AUTHORIZATION = `Bearer ${randomBytes(16).toString('hex')}`;
const PATH = '/webhooks/belvo/production';

export interface WebhookBenchOptions {
  rate: number;
  concurrency: number;
  durationMs: number;
  warmupMs: number;
}

export interface ServerFigures {
  atRate: LoadResult;
  max: LoadResult;
  /** 200s over all phases, warm-up included. */
  answered: number;
  /** Rows in the store at the end (bot only): every 200 must be one. */
  stored: number;
}

export interface WebhookBenchResult {
  bare: ServerFigures;
  bot: ServerFigures;
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
function bodies(phase: string): (i: number) => string {
  return (i) => {
    const id = `${prefix}${phase}${i.toString(16).padStart(32 - prefix.length - phase.length, '0')}`;
    return kinds[i % 5 === 0 ? 0 : 1 + (i % 2)]!(id);
  };
}

async function startWorker(data: WebhookServerData): Promise<{ worker: Worker; port: number }> {
  const worker = new Worker(new URL('./webhook-server.js', import.meta.url), { workerData: data });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', (m: { port: number }) => resolve(m.port));
    worker.once('error', reject);
  });
  return { worker, port };
}

async function stopWorker(worker: Worker): Promise<number> {
  const stored = new Promise<number>((resolve) => worker.once('message', (m: { stored: number }) => resolve(m.stored)));
  worker.postMessage('stop');
  const n = await stored;
  await worker.terminate();
  return n;
}

async function measure(kind: 'bare' | 'bot', o: WebhookBenchOptions, dir: string): Promise<ServerFigures> {
  const { worker, port } = await startWorker({ kind, dir, authorization: AUTHORIZATION });
  const pool = loadPool(`http://127.0.0.1:${port}`, o.concurrency);
  try {
    const base = {
      pool,
      path: PATH,
      headers: { 'content-type': 'application/json', authorization: AUTHORIZATION },
      concurrency: o.concurrency,
    };
    const warm = await runLoad({ ...base, body: bodies('a'), durationMs: o.warmupMs });
    const atRate = await runLoad({ ...base, body: bodies('b'), durationMs: o.durationMs, rate: o.rate });
    const max = await runLoad({ ...base, body: bodies('c'), durationMs: o.durationMs });
    const answered = [warm, atRate, max].reduce((n, r) => n + (r.byStatus['200'] ?? 0), 0);
    await pool.close();
    return { atRate, max, answered, stored: await stopWorker(worker) };
  } catch (err) {
    await pool.destroy();
    await worker.terminate();
    throw err;
  }
}

export async function benchWebhooks(o: WebhookBenchOptions): Promise<WebhookBenchResult> {
  const dir = makeTempDir();
  try {
    const bare = await measure('bare', o, dir);
    const bot = await measure('bot', o, dir);
    return { bare, bot };
  } finally {
    removeTempDir(dir);
  }
}
