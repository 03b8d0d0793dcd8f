// Runs in a worker thread: one of the two servers the webhook figure compares, so the load generator (main thread)
// and the server each have an event loop of their own, as they would on two machines.
//   bare: node:http reading the body and answering 200, nothing else (the ceiling);
//   bot:  the bot's HttpServer with POST /webhooks/belvo/:environment on a file-backed SQLite store (WAL, FULL).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { createSqliteStore } from '../../adapters/sqlite/sqlite-store.js';
import { mountBelvoWebhooks } from '../../src/http/belvo-webhook.js';
import { HttpServer } from '../../src/http/server.js';
import { silentLogger } from '../../src/ports/logger.js';

export interface WebhookServerData {
  kind: 'bare' | 'bot';
  dir: string;
  authorization: string;
}

const data = workerData as WebhookServerData;
const port = parentPort!;

async function startBare(): Promise<{ port: number; stop: () => Promise<number> }> {
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

async function startBot(): Promise<{ port: number; stop: () => Promise<number> }> {
  const store = createSqliteStore({ path: join(data.dir, 'bench-webhooks.db') });
  await store.init();
  const http = new HttpServer({ host: '127.0.0.1', port: 0, bodyLimitBytes: 1024 * 1024, logger: silentLogger });
  const receiver = mountBelvoWebhooks(http.router, {
    store,
    environments: [{ id: 'production', authorization: data.authorization }],
    logger: silentLogger,
  });
  const { port } = await http.listen();
  return {
    port,
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
port.postMessage({ port: server.port });
port.once('message', async () => {
  port.postMessage({ stored: await server.stop() });
});
