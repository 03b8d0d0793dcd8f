// A process of its own: one of the servers the webhook figure compares, started by webhooks.ts (under taskset when the
// load generator has a core of its own, so every thread of this process runs on the servers' cores), driven over
// the IPC channel: first its WebhookServerData, answered with its port, then `begin`, `end` and `stop`.
//   bare:     node:http reading the body and answering 200, nothing else (the ceiling);
//   bot:      the bot's HttpServer with POST /webhooks/belvo/:environment on a file-backed SQLite store (WAL, FULL),
//             built as the product builds it (createSqliteStore with a path), with its Prometheus metrics, as
//             src/main.ts mounts it (the route logs nothing for a request it accepts);
//   postgres: the same route on the PostgreSQL store, its own connection pool (one replica; two of these processes on
//             one schema are two replicas, each with its event loop, pool and group commit).
// Between `begin` and `end` it measures itself: the CPU of the whole process (every thread: the event loop, libuv's
// and V8's helpers, any thread the store starts), how busy its event loop was, and (bot, postgres) each group commit.
import '../setup/loopback-guard.js';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Registry } from 'prom-client';
import { createPostgresStore } from '../../adapters/postgres/postgres-store.js';
import { createSqliteStore } from '../../adapters/sqlite/sqlite-store.js';
import { mountBelvoWebhooks } from '../../src/http/belvo-webhook.js';
import { type BelvoWebhookMetrics, createBelvoWebhookMetrics } from '../../src/http/belvo-webhook-metrics.js';
import { HttpServer } from '../../src/http/server.js';
import { silentLogger } from '../../src/ports/logger.js';
import type { Store } from '../../src/ports/store.js';

export interface WebhookServerData {
  kind: 'bare' | 'bot' | 'postgres';
  dir: string;
  authorization: string;
  /** postgres: where, and the pool's size (the bot's default, 10: a replica's group commit uses one at a time). */
  postgres?: { url: string; schema: string; poolSize: number };
}

export type ServerCommand = 'begin' | 'end' | 'stop';

/** The process's answers, one per message it receives. */
export type ServerAnswer =
  | { port: number }
  | { failed: string }
  | { begun: true }
  | { stats: ServerPhaseSelf }
  | { stored: number };

export interface ServerPhaseSelf {
  /** Share of the phase the server's event loop was busy (0..1): JS, HTTP parsing, synchronous SQLite and its fsync. */
  busy: number;
  /** CPU (user + system) of the whole process over the phase, in ms: every thread of it. */
  cpuMs: number;
  /** The phase as this process timed it, from `begin` to `end`. */
  wallMs: number;
  /** Bot and postgres: each group commit of the phase (one transaction, its flush to disk included), in ms. */
  commits?: { timesMs: number[]; rows: number };
}

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

  take(): NonNullable<ServerPhaseSelf['commits']> {
    const out = { timesMs: this.times, rows: this.rows };
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

async function startBot(store: Store, authorization: string, count: () => Promise<number>): Promise<Running> {
  await store.init();
  const http = new HttpServer({ host: '127.0.0.1', port: 0, bodyLimitBytes: 1024 * 1024, logger: silentLogger });
  const commits = new CommitRecorder();
  const receiver = mountBelvoWebhooks(http.router, {
    store,
    environments: [{ id: 'production', authorization }],
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
      const stored = await count();
      await store.close();
      return stored;
    },
  };
}

function start(data: WebhookServerData): Promise<Running> {
  if (data.kind === 'bare') return startBare();
  if (data.kind === 'bot') {
    const store = createSqliteStore({ path: join(data.dir, 'bench-webhooks.db') });
    return startBot(
      store,
      data.authorization,
      async () => (await store.listBelvoWebhooks({ environment: 'production' })).length,
    );
  }
  if (!data.postgres) throw new Error('webhook server: postgres needs its url and schema');
  const store = createPostgresStore(data.postgres);
  // Counted in the database: every replica's rows, whichever received them (listing 100k rows would cost more).
  const count = async () =>
    Number((await store.pool().query<{ n: string }>('SELECT count(*) AS n FROM belvo_webhooks')).rows[0]?.n ?? 0);
  return startBot(store, data.authorization, count);
}

const send = (answer: ServerAnswer) => process.send?.(answer);
let server: Running | undefined;
let phase = { elu: performance.eventLoopUtilization(), cpu: process.cpuUsage(), at: performance.now() };

process.on('message', async (message: WebhookServerData | ServerCommand) => {
  if (typeof message === 'object') {
    try {
      server = await start(message);
      send({ port: server.port });
    } catch (err) {
      send({ failed: String(err) });
    }
    return;
  }
  if (!server) return;
  if (message === 'begin') {
    server.commits?.take();
    phase = { elu: performance.eventLoopUtilization(), cpu: process.cpuUsage(), at: performance.now() };
    send({ begun: true });
  } else if (message === 'end') {
    const cpu = process.cpuUsage(phase.cpu);
    send({
      stats: {
        busy: performance.eventLoopUtilization(phase.elu).utilization,
        cpuMs: (cpu.user + cpu.system) / 1000,
        wallMs: performance.now() - phase.at,
        ...(server.commits && { commits: server.commits.take() }),
      },
    });
  } else {
    send({ stored: await server.stop() });
  }
});
// The bench closes the channel when done with this server (or dies): nothing left to serve.
process.once('disconnect', () => process.exit(0));
