// A fake of Slack's Socket Mode: apps.connections.open hands out a ws:// URL on 127.0.0.1, the socket says hello,
// and a test pushes envelopes (slash commands, button clicks) and reads the bot's acknowledgements.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';

export interface FakeSlackSocket {
  apiUrl: string;
  /** Resolves once the bot has connected (and been greeted). */
  connected(): Promise<void>;
  /** Sends an envelope and resolves with the bot's ack payload for it. */
  send(type: 'slash_commands' | 'interactive', payload: Record<string, unknown>, timeoutMs?: number): Promise<unknown>;
  opened: number;
  close(): Promise<void>;
}

export async function startFakeSlackSocket(opts: { appToken?: string } = {}): Promise<FakeSlackSocket> {
  let socket: WebSocket | undefined;
  let greeted: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    greeted = resolve;
  });
  const waiting = new Map<string, (payload: unknown) => void>();
  let seq = 0;
  const state = { opened: 0 };

  const server: Server = createServer((req, res) => {
    const auth = req.headers.authorization;
    const json = (body: object) => {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(body));
    };
    req.resume();
    if (req.url?.endsWith('/apps.connections.open')) {
      if (opts.appToken && auth !== `Bearer ${opts.appToken}`) return json({ ok: false, error: 'invalid_auth' });
      state.opened++;
      const { port } = server.address() as AddressInfo;
      return json({ ok: true, url: `ws://127.0.0.1:${port}/link/?ticket=t${state.opened}` });
    }
    json({ ok: false, error: 'unknown_method' });
  });
  const wss = new WebSocketServer({ server });
  wss.on('connection', (ws) => {
    socket = ws;
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as { envelope_id?: string; payload?: unknown };
      if (msg.envelope_id) waiting.get(msg.envelope_id)?.(msg.payload);
    });
    ws.send(JSON.stringify({ type: 'hello', num_connections: 1, connection_info: { app_id: 'A0FAKE' } }));
    greeted();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    apiUrl: `http://127.0.0.1:${port}/api/`,
    get opened() {
      return state.opened;
    },
    connected: () => ready,
    send(type, payload, timeoutMs = 5000) {
      const envelope = `env-${++seq}`;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ack for ${envelope}`)), timeoutMs);
        waiting.set(envelope, (p) => {
          clearTimeout(timer);
          resolve(p);
        });
        socket?.send(JSON.stringify({ envelope_id: envelope, type, payload, accepts_response_payload: true }));
      });
    },
    async close() {
      for (const client of wss.clients) client.terminate();
      await new Promise((r) => wss.close(r));
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
