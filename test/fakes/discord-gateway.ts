// A fake of Discord's gateway (v10, JSON, no compression) on 127.0.0.1, beside the fake REST API: GET /gateway/bot
// on the fake REST hands out this socket's URL. It speaks the opcodes a bot meets: HELLO (10) with the heartbeat
// interval, IDENTIFY (2) -> READY (dispatch with session_id and resume_gateway_url) and the server's GUILD_CREATE,
// HEARTBEAT (1) -> HEARTBEAT_ACK (11), RESUME (6) -> the missed dispatches replayed, then RESUMED (or INVALID_SESSION
// (9) for a session it does not know). A test dispatches INTERACTION_CREATE events and drops the connection.
// https://discord.com/developers/docs/events/gateway
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import type { FakeDiscord } from './discord-api.js';

/** A payload the bot sent (op and data), with the token replaced: a test asserts it was right, not what it was. */
export interface GatewaySent {
  op: number;
  d: Record<string, unknown> | number | null;
  /** Which connection (1 for the first) it came on. */
  connection: number;
  /** For IDENTIFY and RESUME: whether the token was the bot's. */
  tokenOk?: boolean;
}

export interface FakeDiscordGatewayOptions {
  /** The fake REST API the bot asks for the gateway URL; its bot token and ids are the gateway's. */
  discord: FakeDiscord;
  /** HELLO's heartbeat_interval. Discord sends about 41 s; a test uses less to see heartbeats. */
  heartbeatIntervalMs?: number;
  /** Closes the connection at IDENTIFY with this code (4014: a privileged intent the application may not use). */
  refuseIdentify?: { code: number; reason: string };
}

interface Dispatch {
  op: 0;
  t: string;
  s: number;
  d: unknown;
}

export class FakeDiscordGateway {
  /** Every payload the bot sent, in order. */
  readonly received: GatewaySent[] = [];
  /** Connections opened so far, with the query string each asked for (`v=10&encoding=json`). */
  readonly connections: { query: string; path: string }[] = [];
  url = '';
  /** The session IDENTIFY opened; a RESUME must name it. */
  sessionId = 'fake-session-0001';

  private readonly server: Server = createServer((_req, res) => {
    res.writeHead(426);
    res.end();
  });
  private readonly wss = new WebSocketServer({ server: this.server });
  private socket: WebSocket | undefined;
  private seq = 0;
  /** Every dispatch of the session, for replay after a RESUME. */
  private readonly dispatched: Dispatch[] = [];
  /** The open connection is past IDENTIFY or RESUME: dispatches go out (else they wait for a RESUME's replay). */
  private identified = false;

  constructor(private readonly opts: FakeDiscordGatewayOptions) {
    this.wss.on('connection', (ws, req) => this.accept(ws, req.url ?? '/'));
  }

  get discord(): FakeDiscord {
    return this.opts.discord;
  }

  /** Payloads with this opcode (2 IDENTIFY, 6 RESUME, 1 HEARTBEAT, 3 PRESENCE_UPDATE). */
  sent(op: number): GatewaySent[] {
    return this.received.filter((p) => p.op === op);
  }

  /** Whether a connection is open and past IDENTIFY or RESUME (dispatches reach the bot). */
  get live(): boolean {
    return this.socket !== undefined && this.identified;
  }

  /** Sends INTERACTION_CREATE (kept for replay if the connection is down). */
  interaction(d: Record<string, unknown>): void {
    this.discord.interactionCreated(String(d.id), String(d.token));
    this.dispatch('INTERACTION_CREATE', d);
  }

  /** Drops the connection without a close frame, as a network failure does (the bot sees 1006). */
  drop(): void {
    this.socket?.terminate();
    this.socket = undefined;
    this.identified = false;
  }

  /** Sends RECONNECT (7), as Discord does before moving a session: the bot should close and RESUME. */
  askToReconnect(): void {
    if (this.socket) send(this.socket, { op: 7, d: null, s: null, t: null });
  }

  /** Discord no longer knows the session (it expired): a RESUME gets INVALID_SESSION and the bot must IDENTIFY. */
  forgetSession(): void {
    this.sessionId = `fake-session-${String(Number(this.sessionId.slice(-4)) + 1).padStart(4, '0')}`;
    this.dispatched.length = 0;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `ws://127.0.0.1:${port}`;
    this.discord.gatewayUrl = this.url;
    return this;
  }

  async close(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    await new Promise((r) => this.wss.close(r));
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }

  // -- the protocol ----------------------------------------------------------------------------------------------------

  private accept(ws: WebSocket, url: string): void {
    const u = new URL(url, 'http://x');
    this.connections.push({ path: u.pathname, query: u.search.replace(/^\?/, '') });
    const connection = this.connections.length;
    this.socket?.terminate();
    this.socket = ws;
    this.identified = false;
    ws.on('message', (raw) => {
      let payload: { op?: number; d?: unknown };
      try {
        payload = JSON.parse(String(raw)) as { op?: number; d?: unknown };
      } catch {
        ws.close(4002, 'Error while decoding payload.');
        return;
      }
      this.onPayload(ws, connection, payload);
    });
    ws.on('close', () => {
      if (this.socket === ws) {
        this.socket = undefined;
        this.identified = false;
      }
    });
    send(ws, { op: 10, d: { heartbeat_interval: this.opts.heartbeatIntervalMs ?? 41_250 }, s: null, t: null });
  }

  private onPayload(ws: WebSocket, connection: number, p: { op?: number; d?: unknown }): void {
    const d = (p.d ?? null) as Record<string, unknown> | number | null;
    const data = (typeof d === 'object' && d ? d : {}) as Record<string, unknown>;
    const tokenOk = data.token === undefined ? undefined : data.token === this.discord.botToken;
    const { token: _, ...safe } = data;
    this.received.push({
      op: p.op ?? -1,
      d: typeof d === 'object' && d ? safe : d,
      connection,
      ...(tokenOk !== undefined && { tokenOk }),
    });
    switch (p.op) {
      case 1:
        send(ws, { op: 11, d: null, s: null, t: null });
        return;
      case 2: {
        if (!tokenOk) {
          ws.close(4004, 'Authentication failed.');
          return;
        }
        if (this.opts.refuseIdentify) {
          ws.close(this.opts.refuseIdentify.code, this.opts.refuseIdentify.reason);
          return;
        }
        if (data.intents !== undefined && typeof data.intents !== 'number') {
          ws.close(4013, 'Invalid intent(s).');
          return;
        }
        this.dispatched.length = 0;
        this.identified = true;
        const { guildId, applicationId, botUserId } = this.discord;
        this.dispatch('READY', {
          v: 10,
          user: {
            id: botUserId,
            username: 'belvo-status',
            discriminator: '0',
            global_name: null,
            avatar: null,
            bot: true,
          },
          guilds: [{ id: guildId, unavailable: true }],
          session_id: this.sessionId,
          resume_gateway_url: `${this.url}/resume`,
          shard: [0, 1],
          application: { id: applicationId, flags: 0 },
        });
        // With the Guilds intent, each server the bot is in follows READY.
        this.dispatch('GUILD_CREATE', {
          id: guildId,
          name: 'Fake server',
          owner_id: '900000000000000009',
          unavailable: false,
          member_count: 2,
          roles: [],
          emojis: [],
          stickers: [],
          features: [],
          channels: [],
          threads: [],
          members: [],
          voice_states: [],
          presences: [],
          stage_instances: [],
          guild_scheduled_events: [],
          joined_at: new Date(0).toISOString(),
          large: false,
        });
        return;
      }
      case 6: {
        if (!tokenOk || data.session_id !== this.sessionId) {
          send(ws, { op: 9, d: false, s: null, t: null });
          return;
        }
        this.identified = true;
        const after = typeof data.seq === 'number' ? data.seq : 0;
        for (const missed of this.dispatched.filter((e) => e.s > after)) send(ws, missed);
        send(ws, { op: 0, t: 'RESUMED', s: ++this.seq, d: {} });
        return;
      }
      default:
        return; // 3 PRESENCE_UPDATE and the rest: nothing to answer
    }
  }

  private dispatch(t: string, d: unknown): void {
    const event: Dispatch = { op: 0, t, s: ++this.seq, d };
    this.dispatched.push(event);
    if (this.socket && this.identified) send(this.socket, event);
  }
}

function send(ws: WebSocket, payload: unknown): void {
  ws.send(JSON.stringify(payload));
}

export async function startFakeDiscordGateway(opts: FakeDiscordGatewayOptions): Promise<FakeDiscordGateway> {
  return new FakeDiscordGateway(opts).start();
}
