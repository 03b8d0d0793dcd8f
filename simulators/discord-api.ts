// A fake Discord REST API (v10) on a local port, for tests that point the bot's Discord adapter at something that
// answers the way Discord does: messages in channels and in threads started from them, edits, nonces with
// enforce_nonce, channel webhooks (`?wait=true`, `?thread_id=`, forum channels needing `thread_name`), interaction
// follow-ups, command registration. It refuses what Discord refuses: a message over any embed limit (400 Invalid
// Form Body, code 50035), a bad token (401), a channel the bot cannot see (403). It keeps rate-limit buckets per route
// and major parameter, sends the real X-RateLimit-* headers on every answer and a 429 with `{message, retry_after,
// global}` to a client that does not wait; it counts such violations so a test can assert the bot honoured them.
// Faults (429 with retry_after, 5xx, hangs) are drawn from a seeded RNG so a run can be replayed.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listen, trackSockets } from '../src/http/listen.js';

// ---------------------------------------------------------------------------------------------------------------------
// Public types

export interface FakeEmbed {
  title?: string;
  description?: string;
  url?: string;
  color?: number;
  fields?: { name: string; value: string; inline?: boolean }[];
  footer?: { text: string };
  author?: { name: string };
  timestamp?: string;
}

export interface FakeMessage {
  id: string;
  channel_id: string;
  type: 0;
  content: string;
  embeds: FakeEmbed[];
  components: unknown[];
  author: { id: string; username: string; bot: true };
  timestamp: string;
  edited_timestamp: string | null;
  nonce?: string | number;
  webhook_id?: string;
  /** The thread started from this message, when there is one (its id is the message's id). */
  thread?: { id: string; name: string; parent_id: string; type: 11 };
  /** Who the message pinged when it was posted (an edit notifies nobody), as Discord resolves `allowed_mentions`. */
  mentions: { id: string }[];
  mention_roles: string[];
  mention_everyone: boolean;
  /** Not on Discord's wire: how many times it was edited. */
  editCount: number;
}

export interface FakeDiscordCall {
  method: string;
  /** The path after `/api/v10`, with a webhook's or an interaction's token replaced by `:token`. */
  path: string;
  /** The route template (`POST /channels/:channel/messages`). */
  route: string;
  at: number;
  status?: number;
  body?: unknown;
  /** The query string, without the `?`. */
  query: string;
  /** The rate-limit bucket key (route + major parameter). */
  bucket: string;
  fault?: 'ratelimit' | 'server_error' | 'hang';
}

export interface FakeWebhook {
  id: string;
  token: string;
  channel: string;
}

export interface FakeDiscordOptions {
  /** Text channels the bot can see, all in one server. */
  channels?: string[];
  /** Forum channels (a webhook into one must name a thread). */
  forums?: string[];
  webhooks?: FakeWebhook[];
  guildId?: string;
  applicationId?: string;
  botToken?: string;
  botUserId?: string;
  /** Requests per window in each route bucket. Discord's message create is 5 per 5 s per channel. */
  bucket?: { limit: number; windowMs: number };
  /** How long an interaction can be answered after it was created (Discord: 3 s; tests on a busy machine: more). */
  interactionWindowMs?: number;
  /** How long a nonce with enforce_nonce returns the first message. Discord says "a few minutes". */
  nonceWindowMs?: number;
  seed?: number;
}

export interface RateLimitFault {
  /** Share of matching requests answered 429, from the seeded RNG. */
  ratio: number;
  /** Seconds (a float, like Discord's `retry_after`). */
  retryAfter: number;
  /** Route templates affected (`POST /channels/:channel/messages`); default every route but interaction ones. */
  routes?: string[];
}

// ---------------------------------------------------------------------------------------------------------------------
// Limits Discord enforces (https://discord.com/developers/docs/resources/message#embed-object-embed-limits)

const LIMITS = {
  content: 2000,
  embeds: 10,
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  author: 256,
  total: 6000,
  nonce: 25,
  actionRows: 5,
  buttonsPerRow: 5,
  customId: 100,
  label: 80,
  threadName: 100,
  commandName: 32,
  commandDescription: 100,
  options: 25,
} as const;

type Problems = Record<string, string>;

function checkEmbeds(embeds: unknown, problems: Problems): void {
  if (embeds === undefined) return;
  if (!Array.isArray(embeds)) {
    problems.embeds = 'BASE_TYPE_ARRAY';
    return;
  }
  if (embeds.length > LIMITS.embeds) problems.embeds = `Must be ${LIMITS.embeds} or fewer in length.`;
  let total = 0;
  embeds.forEach((raw, i) => {
    const e = raw as FakeEmbed;
    const at = (k: string) => `embeds[${i}].${k}`;
    const len = (v: unknown) => (typeof v === 'string' ? v.length : 0);
    if (len(e.title) > LIMITS.title) problems[at('title')] = `Must be ${LIMITS.title} or fewer in length.`;
    if (len(e.description) > LIMITS.description) problems[at('description')] = 'Must be 4096 or fewer in length.';
    if (e.url !== undefined && !/^https?:\/\/\S+$/.test(String(e.url))) problems[at('url')] = 'Not a well formed URL.';
    if (e.color !== undefined && (!Number.isInteger(e.color) || e.color < 0 || e.color > 0xffffff)) {
      problems[at('color')] = 'Not a valid color.';
    }
    if (len(e.footer?.text) > LIMITS.footer) problems[at('footer.text')] = 'Must be 2048 or fewer in length.';
    if (len(e.author?.name) > LIMITS.author) problems[at('author.name')] = 'Must be 256 or fewer in length.';
    const fields = e.fields ?? [];
    if (fields.length > LIMITS.fields) problems[at('fields')] = `Must be ${LIMITS.fields} or fewer in length.`;
    fields.forEach((f, j) => {
      if (!f.name || len(f.name) > LIMITS.fieldName) problems[at(`fields[${j}].name`)] = 'Must be 1-256 in length.';
      if (!f.value || len(f.value) > LIMITS.fieldValue)
        problems[at(`fields[${j}].value`)] = 'Must be 1-1024 in length.';
      total += len(f.name) + len(f.value);
    });
    total += len(e.title) + len(e.description) + len(e.footer?.text) + len(e.author?.name);
  });
  if (total > LIMITS.total) problems.embeds = `Embed size exceeds maximum size of ${LIMITS.total}`;
}

function checkComponents(components: unknown, problems: Problems, interactiveAllowed: boolean): void {
  if (components === undefined) return;
  if (!Array.isArray(components) || components.length > LIMITS.actionRows) {
    problems.components = 'Must be 5 or fewer in length.';
    return;
  }
  components.forEach((row, i) => {
    const r = row as { type?: number; components?: Record<string, unknown>[] };
    if (r.type !== 1 || !Array.isArray(r.components) || r.components.length > LIMITS.buttonsPerRow) {
      problems[`components[${i}]`] = 'Invalid action row.';
      return;
    }
    r.components.forEach((b, j) => {
      const at = `components[${i}].components[${j}]`;
      if (b.type !== 2) problems[at] = 'Only buttons are expected here.';
      if (typeof b.label === 'string' && b.label.length > LIMITS.label) problems[`${at}.label`] = 'Too long.';
      if (b.style === 5) {
        if (typeof b.url !== 'string' || b.custom_id !== undefined) problems[at] = 'A link button has a url only.';
      } else {
        if (!interactiveAllowed) problems[at] = 'Interactive components cannot be sent by this webhook.';
        if (typeof b.custom_id !== 'string' || b.custom_id.length > LIMITS.customId) {
          problems[`${at}.custom_id`] = 'Must be 1-100 in length.';
        }
      }
    });
  });
}

function checkMessage(body: Record<string, unknown>, interactiveAllowed: boolean): Problems {
  const problems: Problems = {};
  if (typeof body.content === 'string' && body.content.length > LIMITS.content) {
    problems.content = 'Must be 2000 or fewer in length.';
  }
  checkEmbeds(body.embeds, problems);
  checkComponents(body.components, problems, interactiveAllowed);
  if (body.nonce !== undefined) {
    const n = body.nonce;
    if (!(typeof n === 'number' && Number.isInteger(n)) && !(typeof n === 'string' && n.length <= LIMITS.nonce)) {
      problems.nonce = 'Must be an integer or a string of 25 characters or fewer.';
    }
  }
  const empty =
    !body.content &&
    (!Array.isArray(body.embeds) || body.embeds.length === 0) &&
    (!Array.isArray(body.components) || body.components.length === 0);
  if (empty) problems.content = 'Cannot send an empty message';
  return problems;
}

function checkCommands(body: unknown): Problems {
  const problems: Problems = {};
  if (!Array.isArray(body)) return { _: 'BASE_TYPE_ARRAY' };
  const name = /^[-_\p{Ll}\p{N}]{1,32}$/u;
  body.forEach((raw, i) => {
    const c = raw as { name?: string; description?: string; options?: unknown[] };
    if (!c.name || !name.test(c.name)) problems[`${i}.name`] = 'Command name is invalid';
    if (!c.description || c.description.length > LIMITS.commandDescription) {
      problems[`${i}.description`] = 'Must be 1-100 in length.';
    }
    const walk = (options: unknown[] | undefined, at: string) => {
      if (!options) return;
      if (options.length > LIMITS.options) problems[`${at}.options`] = 'Must be 25 or fewer in length.';
      options.forEach((o, j) => {
        const opt = o as { name?: string; description?: string; type?: number; options?: unknown[] };
        if (!opt.name || !name.test(opt.name)) problems[`${at}.options[${j}].name`] = 'Invalid name';
        if (!opt.description || opt.description.length > LIMITS.commandDescription) {
          problems[`${at}.options[${j}].description`] = 'Must be 1-100 in length.';
        }
        if (typeof opt.type !== 'number' || opt.type < 1 || opt.type > 11) problems[`${at}.options[${j}].type`] = '?';
        walk(opt.options, `${at}.options[${j}]`);
      });
    };
    walk(c.options, String(i));
  });
  return problems;
}

/**
 * Who a message's `content` pings (embeds never ping), as Discord decides it: without `allowed_mentions`, every user,
 * role and @everyone/@here written; with it, only the kinds in `parse` and the ids in `users` and `roles`.
 * https://discord.com/developers/docs/resources/message#allowed-mentions-object
 */
export function resolveMentions(
  body: Record<string, unknown>,
): Pick<FakeMessage, 'mentions' | 'mention_roles' | 'mention_everyone'> {
  const content = typeof body.content === 'string' ? body.content : '';
  const allowed = body.allowed_mentions as { parse?: string[]; users?: string[]; roles?: string[] } | undefined;
  const parse = allowed ? (allowed.parse ?? []) : ['users', 'roles', 'everyone'];
  const ids = (re: RegExp) => [...new Set([...content.matchAll(re)].map((m) => m[1] as string))];
  const users = ids(/<@!?(\d+)>/g).filter((id) => parse.includes('users') || allowed?.users?.includes(id));
  const roles = ids(/<@&(\d+)>/g).filter((id) => parse.includes('roles') || allowed?.roles?.includes(id));
  return {
    mentions: users.map((id) => ({ id })),
    mention_roles: roles,
    mention_everyone: parse.includes('everyone') && /@(everyone|here)/.test(content),
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// Small helpers

const DISCORD_EPOCH = 1_420_070_400_000n;

/** mulberry32: small, fast, and the same sequence for the same seed on every machine. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

class HttpAnswer {
  constructor(
    readonly status: number,
    readonly body?: unknown,
    readonly headers: Record<string, string> = {},
  ) {}
}

const json = (status: number, body?: unknown, headers?: Record<string, string>) =>
  new HttpAnswer(status, body, headers);
const error = (status: number, code: number, message: string, errors?: Problems) =>
  json(status, {
    code,
    message,
    ...(errors && {
      errors: Object.fromEntries(
        Object.entries(errors).map(([k, v]) => [k, { _errors: [{ code: 'BASE_TYPE_INVALID', message: v }] }]),
      ),
    }),
  });

interface Bucket {
  remaining: number;
  resetAt: number;
  /** Set by a 429: a request before this is a client that did not wait. */
  blockedUntil: number;
}

interface Route {
  method: string;
  template: string;
  /** Path segments with `:name` parameters. */
  parts: string[];
  /** The parameter that splits the bucket (Discord's "major parameter"). */
  major?: string;
  handler: (ctx: Ctx) => HttpAnswer | Promise<HttpAnswer>;
}

interface Ctx {
  params: Record<string, string>;
  query: URLSearchParams;
  body: Record<string, unknown>;
  rawBody: unknown;
  auth: string | undefined;
}

// ---------------------------------------------------------------------------------------------------------------------
// The fake

export class FakeDiscord {
  readonly calls: FakeDiscordCall[] = [];
  /** Requests sent into a bucket with nothing remaining, or before a 429's retry_after had passed. */
  violations: FakeDiscordCall[] = [];
  /** Registered command trees: `global`, or the guild id. */
  readonly commands = new Map<string, Record<string, unknown>[]>();
  /** Interaction follow-ups: edits of the original answer and extra messages, by interaction token. */
  readonly interactionMessages: { token: string; kind: 'original' | 'followup'; body: Record<string, unknown> }[] = [];
  /** Interaction answers sent to POST /interactions/{id}/{token}/callback (a bot on the gateway answers there). */
  readonly interactionCallbacks: { id: string; token: string; body: Record<string, unknown> }[] = [];
  /** What GET /gateway/bot hands out: the WebSocket a bot opens for the gateway (a fake gateway sets it). */
  gatewayUrl = '';
  url = '';

  private readonly channels = new Map<string, { type: 0 | 11 | 15; parent?: string; messages: FakeMessage[] }>();
  private readonly webhooks = new Map<string, FakeWebhook>();
  private readonly buckets = new Map<string, Bucket>();
  private readonly nonces = new Map<string, { id: string; at: number }>();
  private readonly forbidden = new Set<string>();
  private readonly routes: Route[] = [];
  private readonly random: () => number;
  private rateLimitFault?: RateLimitFault;
  private serverErrorFault?: { ratio: number; status: number };
  /** Routes whose next requests get no answer; several at once (a post and a thread start, say). */
  private hangFaults: { route: string; times: number; process: boolean }[] = [];
  private seq = 0;
  private token: string;
  readonly guildId: string;
  readonly applicationId: string;
  readonly botUserId: string;
  private readonly bucketLimit: { limit: number; windowMs: number };
  private readonly nonceWindowMs: number;
  private readonly interactionWindowMs: number;
  /** Interactions sent to the bot (over the gateway) and not yet answered, with when they were created. */
  private readonly openInteractions = new Map<string, { token: string; at: number }>();
  private readonly server = createServer((req, res) => void this.handle(req, res));
  private readonly sockets = trackSockets(this.server);

  constructor(opts: FakeDiscordOptions = {}) {
    this.token = opts.botToken ?? 'fake-bot-token';
    this.guildId = opts.guildId ?? '900000000000000001';
    this.applicationId = opts.applicationId ?? '900000000000000002';
    this.botUserId = opts.botUserId ?? this.applicationId;
    this.bucketLimit = opts.bucket ?? { limit: 5, windowMs: 5000 };
    this.nonceWindowMs = opts.nonceWindowMs ?? 5 * 60_000;
    this.interactionWindowMs = opts.interactionWindowMs ?? 3000;
    this.random = seededRandom(opts.seed ?? 1);
    for (const c of opts.channels ?? []) this.channels.set(c, { type: 0, messages: [] });
    for (const c of opts.forums ?? []) this.channels.set(c, { type: 15, messages: [] });
    for (const w of opts.webhooks ?? []) this.webhooks.set(w.id, w);
    this.defineRoutes();
  }

  // -- what a test looks at --------------------------------------------------------------------------------------------

  get apiUrl(): string {
    return `${this.url}/api`;
  }

  webhookUrl(id: string): string {
    const w = this.webhooks.get(id);
    if (!w) throw new Error(`no webhook ${id}`);
    return `${this.url}/api/webhooks/${w.id}/${w.token}`;
  }

  /** The channel's own messages, oldest first (thread messages are in `thread()`). */
  messages(channel: string): FakeMessage[] {
    return [...(this.channels.get(channel)?.messages ?? [])];
  }

  /** The messages of the thread started from a message (or a forum post), oldest first. */
  thread(threadId: string): FakeMessage[] {
    const c = this.channels.get(threadId);
    return c?.type === 11 ? [...c.messages] : [];
  }

  /** Every thread started in a channel (forum posts included). */
  threadsOf(channel: string): string[] {
    return [...this.channels.entries()].filter(([, c]) => c.type === 11 && c.parent === channel).map(([id]) => id);
  }

  callsTo(route: string): FakeDiscordCall[] {
    return this.calls.filter((c) => c.route === route);
  }

  // -- what a test changes ---------------------------------------------------------------------------------------------

  readonly faults = {
    rateLimit: (f: RateLimitFault) => {
      this.rateLimitFault = f;
    },
    serverError: (f: { ratio: number; status?: number }) => {
      this.serverErrorFault = { ratio: f.ratio, status: f.status ?? 503 };
    },
    /**
     * The next `times` requests to `route` get no answer; with `process`, Discord applies them first. Another call
     * for another route adds to it; for the same route, it replaces it.
     */
    hang: (route: string, opts: { times: number; process?: boolean }) => {
      this.hangFaults = [
        ...this.hangFaults.filter((h) => h.route !== route),
        { route, times: opts.times, process: opts.process ?? false },
      ];
    },
    clear: () => {
      this.rateLimitFault = undefined;
      this.serverErrorFault = undefined;
      this.hangFaults = [];
    },
  };

  /** The bot token it accepts (the fake gateway checks IDENTIFY and RESUME against it). */
  get botToken(): string {
    return this.token;
  }

  /** An interaction was sent to the bot (the fake gateway says so): it may be answered once, within the window. */
  interactionCreated(id: string, token: string): void {
    this.openInteractions.set(id, { token, at: Date.now() });
  }

  /** A new bot token: the old one is refused (401) from now on. */
  resetToken(token: string): void {
    this.token = token;
  }

  /** The bot loses access to a channel (403 Missing Access), or gets it back. */
  forbid(channel: string, forbidden = true): void {
    if (forbidden) this.forbidden.add(channel);
    else this.forbidden.delete(channel);
  }

  deleteMessage(channel: string, id: string): void {
    const c = this.channels.get(channel);
    if (c) c.messages = c.messages.filter((m) => m.id !== id);
  }

  async start(): Promise<this> {
    const { url } = await listen(this.server, 0, '127.0.0.1');
    this.url = url;
    return this;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  // -- the API ---------------------------------------------------------------------------------------------------------

  private snowflake(): string {
    this.seq = (this.seq + 1) % 4096;
    return String(((BigInt(Date.now()) - DISCORD_EPOCH) << 22n) | BigInt(this.seq));
  }

  private newMessage(channel: string, body: Record<string, unknown>, webhookId?: string): FakeMessage {
    return {
      id: this.snowflake(),
      channel_id: channel,
      type: 0,
      content: typeof body.content === 'string' ? body.content : '',
      embeds: (body.embeds as FakeEmbed[] | undefined) ?? [],
      components: (body.components as unknown[] | undefined) ?? [],
      author: { id: webhookId ?? this.botUserId, username: webhookId ? 'Webhook' : 'belvo-status', bot: true },
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      ...(body.nonce !== undefined && { nonce: body.nonce as string }),
      ...(webhookId && { webhook_id: webhookId }),
      ...resolveMentions(body),
      editCount: 0,
    };
  }

  private wire(m: FakeMessage) {
    const { editCount: _, ...rest } = m;
    return rest;
  }

  private findMessage(channel: string, id: string): FakeMessage | undefined {
    return this.channels.get(channel)?.messages.find((m) => m.id === id);
  }

  private edit(m: FakeMessage, body: Record<string, unknown>): void {
    if (body.content !== undefined) m.content = String(body.content ?? '');
    if (body.embeds !== undefined) m.embeds = (body.embeds as FakeEmbed[]) ?? [];
    if (body.components !== undefined) m.components = (body.components as unknown[]) ?? [];
    m.edited_timestamp = new Date().toISOString();
    m.editCount++;
  }

  private startThread(channel: string, message: FakeMessage, name: string): HttpAnswer {
    if (typeof name !== 'string' || name.length < 1 || name.length > LIMITS.threadName) {
      return error(400, 50035, 'Invalid Form Body', { name: 'Must be 1-100 in length.' });
    }
    if (message.thread) return error(400, 160004, 'A thread has already been created for this message');
    message.thread = { id: message.id, name, parent_id: channel, type: 11 };
    this.channels.set(message.id, { type: 11, parent: channel, messages: [] });
    return json(201, { id: message.id, type: 11, guild_id: this.guildId, parent_id: channel, name });
  }

  private botAuth(ctx: Ctx): HttpAnswer | undefined {
    if (ctx.auth !== `Bot ${this.token}`) return error(401, 0, '401: Unauthorized');
    return undefined;
  }

  private channelFor(ctx: Ctx): HttpAnswer | { id: string; messages: FakeMessage[]; type: number } {
    const denied = this.botAuth(ctx);
    if (denied) return denied;
    const id = ctx.params.channel as string;
    const c = this.channels.get(id);
    if (!c) return error(404, 10003, 'Unknown Channel');
    if (this.forbidden.has(id) || (c.parent && this.forbidden.has(c.parent)))
      return error(403, 50001, 'Missing Access');
    return { id, ...c };
  }

  private createMessage(channel: string, body: Record<string, unknown>, webhookId?: string): HttpAnswer {
    const problems = checkMessage(body, webhookId === undefined);
    if (Object.keys(problems).length) return error(400, 50035, 'Invalid Form Body', problems);
    const c = this.channels.get(channel);
    if (!c) return error(404, 10003, 'Unknown Channel');
    if (body.nonce !== undefined && body.enforce_nonce === true) {
      const key = `${channel}/${String(body.nonce)}`;
      const seen = this.nonces.get(key);
      if (seen && Date.now() - seen.at < this.nonceWindowMs) {
        const first = this.findMessage(channel, seen.id);
        if (first) return json(200, this.wire(first));
      }
    }
    const m = this.newMessage(channel, body, webhookId);
    c.messages.push(m);
    if (body.nonce !== undefined) this.nonces.set(`${channel}/${String(body.nonce)}`, { id: m.id, at: Date.now() });
    return json(200, this.wire(m));
  }

  private webhookFor(ctx: Ctx): HttpAnswer | FakeWebhook {
    const w = this.webhooks.get(ctx.params.webhook as string);
    if (!w) return error(404, 10015, 'Unknown Webhook');
    if (w.token !== ctx.params.token) return error(401, 50027, 'Invalid Webhook Token');
    return w;
  }

  private defineRoutes(): void {
    const add = (method: string, template: string, major: string | undefined, handler: Route['handler']) =>
      this.routes.push({ method, template, parts: template.split('/').filter(Boolean), major, handler });

    add('GET', '/channels/:channel', 'channel', (ctx) => {
      const c = this.channelFor(ctx);
      if (c instanceof HttpAnswer) return c;
      return json(200, { id: c.id, type: c.type, guild_id: this.guildId });
    });

    add('GET', '/channels/:channel/messages', 'channel', (ctx) => {
      const c = this.channelFor(ctx);
      if (c instanceof HttpAnswer) return c;
      const limit = Math.min(100, Math.max(1, Number(ctx.query.get('limit') ?? 50)));
      return json(
        200,
        [...c.messages]
          .reverse()
          .slice(0, limit)
          .map((m) => this.wire(m)),
      );
    });

    add('POST', '/channels/:channel/messages', 'channel', (ctx) => {
      const c = this.channelFor(ctx);
      if (c instanceof HttpAnswer) return c;
      return this.createMessage(c.id, ctx.body);
    });

    add('PATCH', '/channels/:channel/messages/:message', 'channel', (ctx) => {
      const c = this.channelFor(ctx);
      if (c instanceof HttpAnswer) return c;
      const m = this.findMessage(c.id, ctx.params.message as string);
      if (!m) return error(404, 10008, 'Unknown Message');
      const problems = checkMessage({ ...this.wire(m), ...ctx.body }, true);
      if (Object.keys(problems).length) return error(400, 50035, 'Invalid Form Body', problems);
      this.edit(m, ctx.body);
      return json(200, this.wire(m));
    });

    add('POST', '/channels/:channel/messages/:message/threads', 'channel', (ctx) => {
      const c = this.channelFor(ctx);
      if (c instanceof HttpAnswer) return c;
      const m = this.findMessage(c.id, ctx.params.message as string);
      if (!m) return error(404, 10008, 'Unknown Message');
      return this.startThread(c.id, m, ctx.body.name as string);
    });

    add('GET', '/webhooks/:webhook/:token', 'webhook', (ctx) => {
      const w = this.webhookFor(ctx);
      if (w instanceof HttpAnswer) return w;
      return json(200, { id: w.id, type: 1, channel_id: w.channel, guild_id: this.guildId, name: 'alerts' });
    });

    add('POST', '/webhooks/:webhook/:token', 'webhook', (ctx) => {
      if (ctx.params.webhook === this.applicationId) {
        this.interactionMessages.push({ token: ctx.params.token as string, kind: 'followup', body: ctx.body });
        return json(200, this.newMessage('interaction', ctx.body));
      }
      const w = this.webhookFor(ctx);
      if (w instanceof HttpAnswer) return w;
      const threadId = ctx.query.get('thread_id');
      let target = w.channel;
      if (threadId) {
        if (this.channels.get(threadId)?.parent !== w.channel) return error(400, 10003, 'Unknown Channel');
        target = threadId;
      } else if (this.channels.get(w.channel)?.type === 15) {
        if (typeof ctx.body.thread_name !== 'string') {
          return error(400, 220001, 'Webhooks posted to forum channels must have a thread_name or thread_id');
        }
        // A forum post: a thread whose first message is this one (the thread's id is the message's).
        const first = this.newMessage('', ctx.body, w.id);
        first.channel_id = first.id;
        const problems = checkMessage(ctx.body, false);
        if (Object.keys(problems).length) return error(400, 50035, 'Invalid Form Body', problems);
        this.channels.set(first.id, { type: 11, parent: w.channel, messages: [first] });
        return ctx.query.get('wait') === 'true' ? json(200, this.wire(first)) : json(204);
      }
      const answer = this.createMessage(target, { ...ctx.body, nonce: undefined }, w.id);
      return ctx.query.get('wait') === 'true' || answer.status >= 300 ? answer : json(204);
    });

    add('PATCH', '/webhooks/:webhook/:token/messages/:message', 'webhook', (ctx) => {
      if (ctx.params.webhook === this.applicationId) {
        this.interactionMessages.push({ token: ctx.params.token as string, kind: 'original', body: ctx.body });
        return json(200, this.newMessage('interaction', ctx.body));
      }
      const w = this.webhookFor(ctx);
      if (w instanceof HttpAnswer) return w;
      const where = ctx.query.get('thread_id') ?? w.channel;
      const m = this.findMessage(where, ctx.params.message as string);
      if (!m || m.webhook_id !== w.id) return error(404, 10008, 'Unknown Message');
      const problems = checkMessage({ ...this.wire(m), ...ctx.body }, false);
      if (Object.keys(problems).length) return error(400, 50035, 'Invalid Form Body', problems);
      this.edit(m, ctx.body);
      return json(200, this.wire(m));
    });

    add('GET', '/gateway/bot', undefined, (ctx) => {
      const denied = this.botAuth(ctx);
      if (denied) return denied;
      if (!this.gatewayUrl) return error(503, 0, 'no gateway in this fake');
      return json(200, {
        url: this.gatewayUrl,
        shards: 1,
        session_start_limit: { total: 1000, remaining: 999, reset_after: 86_400_000, max_concurrency: 1 },
      });
    });

    // Interactions received over the gateway are answered here, once, within 3 s; the token is the credential.
    add('POST', '/interactions/:interaction/:token/callback', 'interaction', (ctx) => {
      const id = ctx.params.interaction as string;
      const token = ctx.params.token as string;
      if (this.interactionCallbacks.some((c) => c.id === id)) {
        return error(400, 40060, 'Interaction has already been acknowledged.');
      }
      const open = this.openInteractions.get(id);
      if (!open || open.token !== token || Date.now() - open.at > this.interactionWindowMs) {
        return error(404, 10062, 'Unknown interaction');
      }
      const problems = ctx.body.data ? checkMessage(ctx.body.data as Record<string, unknown>, true) : {};
      delete problems.content; // a deferred answer (type 5) carries only flags
      if (Object.keys(problems).length) return error(400, 50035, 'Invalid Form Body', problems);
      this.interactionCallbacks.push({ id, token, body: ctx.body });
      return json(204);
    });

    const putCommands = (scope: string) => (ctx: Ctx) => {
      const denied = this.botAuth(ctx);
      if (denied) return denied;
      if (ctx.params.application !== this.applicationId) return error(403, 50001, 'Missing Access');
      const problems = checkCommands(ctx.rawBody);
      if (Object.keys(problems).length) return error(400, 50035, 'Invalid Form Body', problems);
      const registered = (ctx.rawBody as Record<string, unknown>[]).map((c, i) => ({
        id: String(1_000_000 + i),
        application_id: this.applicationId,
        version: '1',
        ...(scope !== 'global' && { guild_id: scope }),
        ...c,
      }));
      this.commands.set(scope, registered);
      return json(200, registered);
    };
    add('PUT', '/applications/:application/commands', 'application', putCommands('global'));
    add('PUT', '/applications/:application/guilds/:guild/commands', 'application', (ctx) =>
      putCommands(ctx.params.guild as string)(ctx),
    );
  }

  private match(method: string, path: string): { route: Route; params: Record<string, string> } | undefined {
    const parts = path.split('/').filter(Boolean);
    for (const route of this.routes) {
      if (route.method !== method || route.parts.length !== parts.length) continue;
      const params: Record<string, string> = {};
      const ok = route.parts.every((p, i) => {
        if (p.startsWith(':')) {
          params[p.slice(1)] = decodeURIComponent(parts[i] as string);
          return true;
        }
        return p === parts[i];
      });
      if (ok) return { route, params };
    }
    return undefined;
  }

  /** Rate-limit headers for a bucket after this request, and whether the request broke the bucket's rules. */
  private takeFromBucket(key: string, now: number): { headers: Record<string, string>; exceeded?: number } {
    let b = this.buckets.get(key);
    if (!b || now >= b.resetAt) {
      b = {
        remaining: this.bucketLimit.limit,
        resetAt: now + this.bucketLimit.windowMs,
        blockedUntil: b?.blockedUntil ?? 0,
      };
      this.buckets.set(key, b);
    }
    const headers = (remaining: number) => ({
      'x-ratelimit-limit': String(this.bucketLimit.limit),
      'x-ratelimit-remaining': String(remaining),
      'x-ratelimit-reset': ((b as Bucket).resetAt / 1000).toFixed(3),
      'x-ratelimit-reset-after': (((b as Bucket).resetAt - now) / 1000).toFixed(3),
      'x-ratelimit-bucket': Buffer.from(key.replace(/ \S+$/, '')).toString('hex').slice(0, 32),
    });
    if (now < b.blockedUntil) return { headers: headers(0), exceeded: b.blockedUntil - now };
    if (b.remaining <= 0) return { headers: headers(0), exceeded: b.resetAt - now };
    b.remaining--;
    return { headers: headers(b.remaining) };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const u = new URL(req.url ?? '/', 'http://x');
    const method = req.method ?? 'GET';
    const path = u.pathname.replace(/^\/api(\/v\d+)?/, '');
    const found = this.match(method, path);
    const safePath = path
      .replace(/^(\/webhooks\/\d+\/)[^/]+/, '$1:token')
      .replace(/^(\/interactions\/\d+\/)[^/]+/, '$1:token');
    const call: FakeDiscordCall = {
      method,
      path: safePath,
      route: found ? `${method} ${found.route.template}` : `${method} ${safePath}`,
      query: u.search.replace(/^\?/, ''),
      at: Date.now(),
      bucket: '',
    };
    this.calls.push(call);
    const send = (a: HttpAnswer) => {
      call.status = a.status;
      const body = a.body === undefined ? '' : JSON.stringify(a.body);
      res.writeHead(a.status, { ...(body && { 'content-type': 'application/json' }), ...a.headers });
      res.end(body);
    };
    let rawBody: unknown = {};
    if (text) {
      try {
        rawBody = JSON.parse(text);
      } catch {
        send(error(400, 50109, 'The request body contains invalid JSON.'));
        return;
      }
    }
    call.body = rawBody;
    if (!found) {
      send(error(404, 0, '404: Not Found'));
      return;
    }
    const { route, params } = found;
    const interaction =
      (route.template.startsWith('/webhooks') && params.webhook === this.applicationId) ||
      route.template.startsWith('/interactions');
    call.bucket = `${method} ${route.template} ${route.major ? params[route.major] : ''}`;
    const now = Date.now();
    const limits = this.takeFromBucket(call.bucket, now);
    if (limits.exceeded !== undefined) {
      // A client that did not wait for the bucket: Discord counts it against the IP (and bans past 10,000).
      this.violations.push(call);
      send(this.tooMany(limits.exceeded, limits.headers));
      return;
    }
    const rl = this.rateLimitFault;
    if (rl && !interaction && (!rl.routes || rl.routes.includes(call.route)) && this.random() < rl.ratio) {
      call.fault = 'ratelimit';
      const b = this.buckets.get(call.bucket) as Bucket;
      b.blockedUntil = now + rl.retryAfter * 1000;
      send(this.tooMany(rl.retryAfter * 1000, limits.headers));
      return;
    }
    const se = this.serverErrorFault;
    if (se && !interaction && this.random() < se.ratio) {
      call.fault = 'server_error';
      send(json(se.status, { message: 'Service Unavailable', code: 0 }, limits.headers));
      return;
    }
    const ctx: Ctx = {
      params,
      query: u.searchParams,
      body:
        rawBody && typeof rawBody === 'object' && !Array.isArray(rawBody) ? (rawBody as Record<string, unknown>) : {},
      rawBody,
      auth: req.headers.authorization,
    };
    const hang = this.hangFaults.find((h) => h.times > 0 && h.route === call.route);
    if (hang) {
      hang.times--;
      call.fault = 'hang';
      if (hang.process) await route.handler(ctx);
      return; // never answered: the client's timeout (or close()) ends it
    }
    const answer = await route.handler(ctx);
    send(new HttpAnswer(answer.status, answer.body, { ...limits.headers, ...answer.headers }));
  }

  private tooMany(waitMs: number, headers: Record<string, string>): HttpAnswer {
    const retryAfter = Math.max(0.001, waitMs / 1000);
    return json(
      429,
      { message: 'You are being rate limited.', retry_after: Number(retryAfter.toFixed(3)), global: false },
      {
        ...headers,
        'x-ratelimit-remaining': '0',
        'retry-after': String(Math.ceil(retryAfter)),
        'x-ratelimit-scope': 'user',
      },
    );
  }
}

export async function startFakeDiscord(opts: FakeDiscordOptions = {}): Promise<FakeDiscord> {
  return new FakeDiscord(opts).start();
}
