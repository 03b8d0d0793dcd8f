// Belvo's webhooks are committed on a thread of their own when the store is a file. better-sqlite3 is synchronous:
// on the store's own connection each commit's fsync (FULL: on disk before the 2xx) stops the event loop for as long
// as the disk takes, a third of the time under load, and with it every other request, poll and delivery. On the
// writer thread the loop keeps reading and checking the next requests meanwhile, and a commit still ends before its
// 2xx. The thread has its own connection to the same file (WAL: the store's reads see each commit once it returns;
// writers take turns through the lock, every write transaction of the store being IMMEDIATE).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { BelvoWebhookRecord, RecordBelvoWebhooksResult } from '../../src/ports/belvo-links.js';
import type { WriterReply, WriterRequest, WriterThreadData } from './webhook-writer-thread.js';

export interface WebhookWriterOptions {
  path: string;
  busyTimeoutMs: number;
  /** The store's clock: the thread loads the webhook ids of the dedup horizon before this moment when it starts. */
  now: () => number;
}

/** The thread's page cache: the tables it writes (webhooks, links, link events), not the whole database. */
const WRITER_CACHE_KIB = 2048;

/** A failure the thread reported for one batch (nothing of that batch is stored: it was one transaction). */
export class WebhookWriterError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'WebhookWriterError';
  }
}

function threadFile(): URL {
  const beside = new URL('./webhook-writer-thread.js', import.meta.url);
  if (existsSync(beside)) return beside;
  // Imported from the TypeScript sources (the test runner does so): a worker runs JavaScript only, so it is the
  // compiled thread, which `npm test` builds before it runs.
  const built = new URL('../../dist/adapters/sqlite/webhook-writer-thread.js', import.meta.url);
  if (existsSync(built)) return built;
  throw new Error(`sqlite store: the webhook writer thread is missing (${fileURLToPath(beside)}): run npm run build`);
}

interface Waiter {
  resolve: (r: RecordBelvoWebhooksResult) => void;
  reject: (err: unknown) => void;
}

export class WebhookWriterThread {
  private worker: Worker | undefined;
  private starting: Promise<Worker> | undefined;
  private readonly waiting = new Map<number, Waiter>();
  private nextId = 1;
  private closing = false;

  constructor(private readonly options: WebhookWriterOptions) {}

  /** Commits the batch on the thread; resolves once it is on disk, rejects when it is not stored. */
  async record(batch: BelvoWebhookRecord[]): Promise<RecordBelvoWebhooksResult> {
    if (this.closing) throw new Error('sqlite store is closed');
    const worker = await this.running();
    const id = this.nextId++;
    return new Promise<RecordBelvoWebhooksResult>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      // As one JSON string: cloning a string is a copy, while cloning a hundred small objects field by field cost the
      // event loop a tenth of its time under load.
      worker.postMessage({ id, batch: JSON.stringify(batch) } satisfies WriterRequest);
    });
  }

  /** Ends the thread after the batches it holds (callers drain theirs first) and closes its connection. */
  async close(): Promise<void> {
    this.closing = true;
    const worker = await this.starting?.catch(() => undefined);
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage({ close: true } satisfies WriterRequest);
    await exited;
  }

  /** Started at the first batch (a store that never receives webhooks never starts it); again after a crash. */
  private running(): Promise<Worker> {
    this.starting ??= this.start().catch((err: unknown) => {
      this.starting = undefined;
      throw err;
    });
    return this.starting;
  }

  private start(): Promise<Worker> {
    const { path, busyTimeoutMs, now } = this.options;
    const data: WriterThreadData = { path, busyTimeoutMs, now: now(), cacheKib: WRITER_CACHE_KIB };
    // Young generation as small as the bot's own (npm start's --max-semi-space-size=4): batches are short-lived.
    const worker = new Worker(threadFile(), { workerData: data, resourceLimits: { maxYoungGenerationSizeMb: 12 } });
    // The store's close() ends it; until then it must not keep a finished process alive on its own.
    worker.unref();
    return new Promise<Worker>((resolve, reject) => {
      let ready = false;
      worker.on('message', (reply: WriterReply) => {
        if ('ready' in reply) {
          ready = true;
          this.worker = worker;
          resolve(worker);
        } else if ('id' in reply) {
          const waiter = this.waiting.get(reply.id);
          this.waiting.delete(reply.id);
          if ('result' in reply) waiter?.resolve(reply.result);
          else waiter?.reject(new WebhookWriterError(reply.error.message, reply.error.code));
        } else if ('failed' in reply) {
          reject(new WebhookWriterError(`webhook writer: ${reply.failed.message}`, reply.failed.code));
        }
      });
      const fail = (err: Error) => {
        if (!ready) reject(err);
        this.failWaiting(err);
      };
      worker.on('error', fail);
      worker.on('exit', (code) => {
        if (this.worker === worker) this.worker = undefined;
        if (this.starting && ready) this.starting = undefined;
        if (!this.closing || this.waiting.size > 0)
          fail(new Error(`the webhook writer thread stopped (exit code ${code})`));
      });
    });
  }

  /** A thread that died answers nothing more: its batches fail (Belvo gets a 503 and retries them). */
  private failWaiting(err: Error): void {
    for (const waiter of this.waiting.values()) waiter.reject(err);
    this.waiting.clear();
  }
}
