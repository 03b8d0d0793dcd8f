// The webhook writer thread: a connection of its own to the store's file, committing Belvo's webhooks one batch at a
// time. The commit and its fsync (synchronous=FULL: on disk before the 2xx) block this thread, not the bot's event
// loop, which meanwhile reads and checks the next requests. Started by webhook-writer.ts; speaks its messages.
import { parentPort, workerData } from 'node:worker_threads';
import type { BelvoWebhookRecord, RecordBelvoWebhooksResult } from '../../src/ports/belvo-links.js';
import { loadWebhookIdWindow, prepareBelvoStatements, recordWebhookBatch } from './belvo-links-store.js';
import { openDatabase } from './open-database.js';

export interface WriterThreadData {
  path: string;
  busyTimeoutMs: number;
  /** The store's clock at the start: the window holds the ids received in the horizon before it. */
  now: number;
  /** This connection's page cache (KiB): it touches the webhook and link tables only. */
  cacheKib: number;
}

/** `batch`: the records as JSON (BelvoWebhookRecord[]). */
export type WriterRequest = { id: number; batch: string } | { close: true };

export type WriterReply =
  | { ready: true }
  | { id: number; result: RecordBelvoWebhooksResult }
  | { id: number; error: { name: string; message: string; code?: string } }
  | { closed: true }
  /** The connection could not be opened or prepared: the thread ends. */
  | { failed: { name: string; message: string; code?: string } };

const data = workerData as WriterThreadData;
const port = parentPort;
if (!port) throw new Error('webhook writer: runs as a worker thread only');

/** What the other side needs of an error (a SqliteError does not survive the message as its class). */
function described(err: unknown): { name: string; message: string; code?: string } {
  const e = err as { name?: string; message?: string; code?: unknown };
  return {
    name: e.name ?? 'Error',
    message: e.message ?? String(err),
    ...(typeof e.code === 'string' && { code: e.code }),
  };
}

function openConnection() {
  // Opened after the store's own connection applied the migrations: the tables are there.
  const db = openDatabase(data.path, data.busyTimeoutMs);
  try {
    db.pragma(`cache_size = -${Math.max(256, Math.floor(data.cacheKib))}`);
    const st = prepareBelvoStatements(db);
    return { db, st, ids: loadWebhookIdWindow(st, data.now) };
  } catch (err) {
    db.close();
    throw err;
  }
}

let connection: ReturnType<typeof openConnection>;
try {
  connection = openConnection();
} catch (err) {
  port.postMessage({ failed: described(err) } satisfies WriterReply);
  process.exit(1);
}
const { db, st, ids } = connection;

port.on('message', (request: WriterRequest) => {
  if ('close' in request) {
    db.close();
    port.postMessage({ closed: true } satisfies WriterReply);
    port.close();
    return;
  }
  let reply: WriterReply;
  try {
    reply = {
      id: request.id,
      result: recordWebhookBatch(db, st, ids, JSON.parse(request.batch) as BelvoWebhookRecord[]),
    };
  } catch (err) {
    reply = { id: request.id, error: described(err) };
  }
  port.postMessage(reply);
});
port.postMessage({ ready: true } satisfies WriterReply);
