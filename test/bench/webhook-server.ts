// Runs in a worker thread: one of the two servers the webhook figure compares, so the load generator (main thread)
// and the server each have an event loop of their own, as they would on two machines (but on the same 2 cores).
//   bare: node:http reading the body and answering 200, nothing else (the ceiling);
//   bot:  the bot's HttpServer with POST /webhooks/belvo/:environment on a file-backed SQLite store (WAL, FULL), with
//         its Prometheus metrics, as src/main.ts mounts it (the route logs nothing for a request it accepts).
// Between `begin` and `end` it measures itself: how busy its thread was, and (bot) each group commit.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { Registry } from 'prom-client';
import { createSqliteStore } from '../../adapters/sqlite/sqlite-store.js';
import { mountBelvoWebhooks } from '../../src/http/belvo-webhook.js';
import { type BelvoWebhookMetrics, createBelvoWebhookMetrics } from '../../src/http/belvo-webhook-metrics.js';
import { HttpServer } from '../../src/http/server.js';
import { silentLogger } from '../../src/ports/logger.js';
import { percentile } from './stats.js';

export interface WebhookServerData {
  kind: 'bare' | 'bot';
  dir: string;
  authorization: string;
}

export type ServerCommand = 'begin' | 'end' | 'stop';

export interface ServerPhaseStats {
  /** Share of the phase the server's event loop was busy (0..1): JS, HTTP parsing, synchronous SQLite and its fsync. */
  busy: number;
  /** Bot only: the group commits of the phase (one SQLite transaction each, fsync included). */
  commits?: { batches: number; rows: number; totalMs: number; p50Ms: number; p99Ms: number; maxMs: number };
}

const data = workerData as WebhookServerData;
const port = parentPort!;

/** The bot's real metrics, and a copy of each commit's size and time for the phase being measured. */
class CommitRecorder implements BelvoWebhookMetrics {
  private readonly inner = createBelvoWebhookMetrics(new Registry());
  private times: number[] = [];
  private rows = 0;

  request(...args: Parameters<BelvoWebhookMetrics['request']>): void {
    this.inner.request(...args);
  }

  batchCommitted(size: number, seconds: number, linkTransitions: number): void {
    this.inner.batchCommitted(size, seconds, linkTransitions);
    this.times.push(seconds * 1000);
    this.rows += size;
  }

  take(): NonNullable<ServerPhaseStats['commits']> {
    const sorted = this.times.sort((a, b) => a - b);
    const out = {
      batches: sorted.length,
      rows: this.rows,
      totalMs: sorted.reduce((a, b) => a + b, 0),
      p50Ms: percentile(sorted, 50),
      p99Ms: percentile(sorted, 99),
      maxMs: sorted[sorted.length - 1] ?? Number.NaN,
    };
    this.times = [];
    this.rows = 0;
    return out;
  }
}

interface Running {
  port: number;
  stop: () => Promise<number>;
  commits?: CommitRecorder;
}

async function startBare(): Promise<Running> {
  const answer = JSON.stringify({ status: 'stored' });
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': answer.length });
      res.end(answer);
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    stop: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return 0;
    },
  };
}

async function startBot(): Promise<Running> {
  const store = createSqliteStore({ path: join(data.dir, 'bench-webhooks.db') });
  await store.init();
  const http = new HttpServer({ host: '127.0.0.1', port: 0, bodyLimitBytes: 1024 * 1024, logger: silentLogger });
  const commits = new CommitRecorder();
  const receiver = mountBelvoWebhooks(http.router, {
    store,
    environments: [{ id: 'production', authorization: data.authorization }],
    logger: silentLogger,
    metrics: commits,
  });
  const { port } = await http.listen();
  return {
    port,
    commits,
    stop: async () => {
      await http.close();
      await receiver.drain();
      const stored = (await store.listBelvoWebhooks({ environment: 'production' })).length;
      await store.close();
      return stored;
    },
  };
}

const server = await (data.kind === 'bare' ? startBare() : startBot());
let phaseStart = performance.eventLoopUtilization();
port.postMessage({ port: server.port });
port.on('message', async (command: ServerCommand) => {
  if (command === 'begin') {
    server.commits?.take();
    phaseStart = performance.eventLoopUtilization();
    port.postMessage({ begun: true });
  } else if (command === 'end') {
    const stats: ServerPhaseStats = {
      busy: performance.eventLoopUtilization(phaseStart).utilization,
      ...(server.commits && { commits: server.commits.take() }),
    };
    port.postMessage({ stats });
  } else {
    port.postMessage({ stored: await server.stop() });
  }
});
