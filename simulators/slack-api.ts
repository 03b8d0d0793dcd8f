// A fake Slack Web API on a local port, for tests that point the bot's Slack adapter (or @slack/web-api with
// `slackApiUrl: fake.apiUrl`) at something that answers the way Slack does: HTTP 200 with `{ok:false, error}` for most
// failures, 429 with Retry-After, channel IDs in answers even when a post named `#channel`, threads, edits, deletes,
// metadata that history only returns when asked. It keeps the messages it accepted (so a test can assert what a user
// would see), records every call, and fails on command with a seeded RNG so a flaky-looking run can be replayed.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listen, trackSockets } from '../src/http/listen.js';

// ---------------------------------------------------------------------------------------------------------------------
// Public types

export interface SlackMetadata {
  event_type: string;
  event_payload: Record<string, unknown>;
}

/** A message as `conversations.history` / `conversations.replies` put it on the wire (snake_case, Slack's fields). */
export interface SlackMessage {
  type: 'message';
  /** `thread_broadcast` for a reply posted with `reply_broadcast`; `tombstone` for a deleted parent that has replies. */
  subtype?: 'thread_broadcast' | 'tombstone';
  ts: string;
  text: string;
  user: string;
  bot_id?: string;
  app_id?: string;
  team?: string;
  blocks?: unknown[];
  attachments?: unknown[];
  metadata?: SlackMetadata;
  /** On a reply: its parent's ts. On a parent with replies: its own ts. */
  thread_ts?: string;
  parent_user_id?: string;
  reply_count?: number;
  reply_users_count?: number;
  reply_users?: string[];
  latest_reply?: string;
  edited?: { user: string; ts: string };
  hidden?: boolean;
}

export interface FakeSlackIdentity {
  url: string;
  team: string;
  user: string;
  team_id: string;
  user_id: string;
  bot_id: string;
  app_id: string;
}

export type FakeSlackFaultKind = 'ratelimit' | 'server_error' | 'once' | 'hang' | 'late';

export interface FakeSlackCall {
  /** The Web API method (`chat.postMessage`), or the raw path for a request outside `/api/`. */
  method: string;
  /** Wall-clock arrival, epoch ms. */
  at: number;
  /**
   * The arguments: query string and body merged. Form bodies keep scalars as strings (`reply_broadcast: 'true'`, as
   * @slack/web-api sends them); `blocks`, `attachments` and `metadata` are JSON-decoded whichever way they came (left
   * as the raw string when they are not valid JSON). JSON bodies keep their own types.
   */
  body: Record<string, unknown>;
  contentType: string;
  /** HTTP status the client got; undefined while unanswered (a hang, or still in flight). */
  status: number | undefined;
  /**
   * Whether Slack did what was asked. Usually the same as the `ok` sent back, but a fault injected with
   * `process: true` applies the call and then answers with the fault (or never answers): `ok` is then true while the
   * client saw a failure. That is the "posted, but the bot never learned the ts" case.
   */
  ok: boolean;
  /** The Slack error code (`channel_not_found`, `ratelimited`, ...) when `ok` is false. */
  error?: string;
  /** The fault that answered it, if any. */
  fault?: FakeSlackFaultKind;
  /** The JSON that was (or, for a processed hang, would have been) sent back. */
  response?: Record<string, unknown>;
  /** The channel ID when the channel argument resolved (a `#name` becomes its ID), else the argument as sent. */
  channel?: string;
  /** The message's ts: the new one for a post, the edited or deleted one for update/delete. */
  ts?: string;
  /** For chat.postMessage: the `thread_ts` asked for (the reply may have gone top-level if that parent is gone). */
  threadTs?: string;
}

export type MethodFilter = string | readonly string[];

export interface RateLimitOptions {
  /** Share of matching requests answered 429, drawn from the seeded RNG. Default 1 (every one). */
  ratio?: number;
  /** Seconds, sent as `Retry-After`. */
  retryAfter: number;
  /** Methods affected; default (or `'*'`) every method. */
  methods?: MethodFilter;
}

export interface ServerErrorOptions {
  /** Share of matching requests answered with `status`. Default 1. */
  ratio?: number;
  status?: 500 | 502 | 503 | 504;
  methods?: MethodFilter;
  /** A string is sent verbatim (an HTML error page from the edge); an object as JSON. */
  body?: string | Record<string, unknown>;
}

export interface OnceOptions {
  /** Default 200. */
  status?: number;
  /**
   * Default by status: 429 `{ok:false,error:'ratelimited'}`, 5xx `{ok:false,error:'fatal_error'}` or
   * `service_unavailable`, otherwise `{ok:false,error:'fatal_error'}`. A string is sent verbatim.
   */
  body?: string | Record<string, unknown>;
  headers?: Record<string, string>;
  /** Seconds for `Retry-After`; a 429 without it gets `Retry-After: 1` (web-api refuses a 429 without one). */
  retryAfter?: number;
  /** Apply the call first (post the message), then answer with the fault. Default false. */
  process?: boolean;
}

export interface HangOptions {
  /** Hang this many matching requests, then answer normally again. Default: until removed or cleared. */
  times?: number;
  /** Apply the call (post the message) but never answer: the client times out on a message that exists. */
  process?: boolean;
}

export interface LateOptions {
  /** The call is applied this long after it arrived; no answer is ever sent (the client has given up by then). */
  afterMs: number;
  /** Share of matching requests, drawn from the seeded RNG. Default 1. */
  ratio?: number;
  methods?: MethodFilter;
}

export interface FaultHandle {
  readonly kind: FakeSlackFaultKind;
  /** Requests it has answered so far. */
  readonly hits: number;
  /** True until removed, cleared or used up. */
  readonly active: boolean;
  remove(): void;
}

export type ChannelSpec = string | { id: string; name?: string };

export interface StartFakeSlackOptions {
  host?: string;
  port?: number;
  /** The only token accepted. Default: any token that starts with `xox` (a missing one is still refused). */
  token?: string;
  /**
   * The channels that exist: IDs (`C0123ABCD`, upper case as Slack's are), names (`alerts` or `#alerts`, which get a
   * generated ID) or `{id, name}`. When given, any other channel is `channel_not_found`. Default: any channel a post
   * names springs into existence.
   */
  channels?: ChannelSpec[];
  /** Seed for the RNG behind ratio faults. Default 1. */
  seed?: number;
  /** The token's scopes; a method needing a missing one answers `missing_scope`. Default: all the bot needs. */
  scopes?: string[];
  /**
   * Clock for message ts only (epoch ms), so golden tests can pin ts values: a frozen clock gives `<s>.000000`,
   * `<s>.000001`, ... Default `Date.now`. Recorded `at` times always use the real clock, since pacing is real time.
   */
  now?: () => number;
}

export interface FakeSlack {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  url: string;
  /** `http://127.0.0.1:<port>/api/`: what @slack/web-api takes as `slackApiUrl`. */
  apiUrl: string;
  port: number;
  /** The accepted token, when one was configured. */
  token: string | undefined;
  identity: FakeSlackIdentity;
  /** Every request, in arrival order. Clear with `calls.length = 0`. */
  calls: FakeSlackCall[];
  faults: FakeSlackFaults;
  /** chat.postMessage calls Slack accepted (`ok`), top-level and replies, optionally to one channel (name or ID). */
  posts(channel?: string): FakeSlackCall[];
  /** chat.update calls Slack accepted, optionally for one channel. */
  updates(channel?: string): FakeSlackCall[];
  /** The live replies under a parent, oldest first, metadata included (state, not calls). */
  replies(channel: string, parentTs: string): SlackMessage[];
  /**
   * What a user sees in the channel, oldest first (the reverse of conversations.history), metadata included:
   * top-level messages, broadcast replies, and a tombstone for a deleted parent that still has replies.
   */
  history(channel: string): SlackMessage[];
  /** One message by ts (a reply too), as stored, metadata included; undefined when unknown or deleted. */
  message(channel: string, ts: string): SlackMessage | undefined;
  /**
   * Consecutive chat.postMessage requests (every attempt that reached the fake, top-level and thread, whatever the
   * answer) to the same channel less than 1000 ms apart by arrival. Empty means the bot kept its pacing promise.
   */
  postsWithinOneSecond(channel?: string): Array<[FakeSlackCall, FakeSlackCall]>;
  /** The ID of a channel given by name (`alerts`, `#alerts`) or ID; undefined when it does not exist. */
  channelId(channel: string): string | undefined;
  /** Make a channel exist (also when a `channels` list was given); returns its ID. */
  addChannel(channel: ChannelSpec): string;
  /** Remove the bot from a channel: posts, edits and reads answer `not_in_channel` until `invite`. */
  kick(channel: string): void;
  invite(channel: string): void;
  /** Archive a channel: posts and edits answer `is_archived`. */
  archive(channel: string): void;
  /** A person deletes a message (not recorded as a call). Returns false when it was unknown or already deleted. */
  deleteMessage(channel: string, ts: string): boolean;
  /** Stops listening and destroys every open connection, hung requests included. */
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------------------------
// Limits and identity (Slack's documented numbers; see Slack's API documentation)

const MAX_TEXT = 40_000;
const MAX_BLOCKS = 50;
const MAX_SECTION_TEXT = 3_000;
const MAX_SECTION_FIELDS = 10;
const MAX_FIELD_TEXT = 2_000;
const MAX_HEADER_TEXT = 150;
const MAX_CONTEXT_ELEMENTS = 10;
const MAX_BLOCK_ID = 255;
const MAX_ATTACHMENTS = 100;
const MAX_BODY_BYTES = 8 * 1024 * 1024;

const DEFAULT_SCOPES = ['chat:write', 'chat:write.public', 'channels:history', 'groups:history', 'channels:read'];

const IDENTITY: FakeSlackIdentity = {
  url: 'https://fake-workspace.slack.com/',
  team: 'Fake Workspace',
  user: 'belvo-status',
  team_id: 'T0FAKETEAM',
  user_id: 'U0FAKEBOT1',
  bot_id: 'B0FAKEBOT1',
  app_id: 'A0FAKEAPP1',
};

/** The scope each method needs; a method missing here needs none (auth.test). */
const NEEDED_SCOPE: Record<string, string> = {
  'chat.postMessage': 'chat:write',
  'chat.update': 'chat:write',
  'chat.delete': 'chat:write',
  'conversations.history': 'channels:history',
  'conversations.replies': 'channels:history',
};

/** Slack's channel IDs are upper case (C public, G private, D direct); channel names are lower case. */
const CHANNEL_ID = /^[CGD][A-Z0-9]{2,}$/;

// ---------------------------------------------------------------------------------------------------------------------
// Faults

interface InstalledFault {
  readonly kind: FakeSlackFaultKind;
  readonly methods: ReadonlySet<string> | undefined;
  readonly limit: number;
  readonly ratio: number;
  readonly process: boolean;
  readonly applyAfterMs?: number;
  readonly respond: ((method: string) => FaultResponse) | undefined;
  hits: number;
  active: boolean;
}

export interface FaultResponse {
  status: number;
  headers: Record<string, string>;
  body: string | Record<string, unknown>;
}

/** What the server does with one request when a fault matches. */
export interface FaultDecision {
  kind: FakeSlackFaultKind;
  /** Apply the call before answering with the fault (or before hanging). */
  process: boolean;
  /** Apply the call this long after it arrived, and never answer ("applied after the client gave up"). */
  applyAfterMs?: number;
  /** Undefined for a hang: nothing is ever sent. */
  response: FaultResponse | undefined;
}

export class FakeSlackFaults {
  private onces: InstalledFault[] = [];
  private hangs: InstalledFault[] = [];
  private ratios: InstalledFault[] = [];

  constructor(private readonly random: () => number) {}

  /** HTTP 429 + `Retry-After` + `{ok:false,error:'ratelimited'}` on a seeded random share of requests. */
  rateLimit(options: RateLimitOptions): FaultHandle {
    const retryAfter = String(options.retryAfter);
    return this.install(this.ratios, {
      kind: 'ratelimit',
      methods: methodSet(options.methods),
      limit: Number.POSITIVE_INFINITY,
      ratio: ratioOf(options.ratio),
      process: false,
      respond: () => ({
        status: 429,
        headers: { 'retry-after': retryAfter },
        body: { ok: false, error: 'ratelimited' },
      }),
    });
  }

  /** A 5xx on a seeded random share of requests; nothing is applied. */
  serverError(options: ServerErrorOptions = {}): FaultHandle {
    const status = options.status ?? 500;
    const body = options.body ?? defaultBody(status);
    return this.install(this.ratios, {
      kind: 'server_error',
      methods: methodSet(options.methods),
      limit: Number.POSITIVE_INFINITY,
      ratio: ratioOf(options.ratio),
      process: false,
      respond: () => ({ status, headers: {}, body }),
    });
  }

  /** The next request to `method` (`'*'`: to any method) gets this answer. Several queue up in order. */
  once(method: string, options: OnceOptions = {}): FaultHandle {
    const status = options.status ?? 200;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(options.headers ?? {})) headers[k.toLowerCase()] = v;
    if (options.retryAfter !== undefined) headers['retry-after'] = String(options.retryAfter);
    else if (status === 429 && headers['retry-after'] === undefined) headers['retry-after'] = '1';
    const body = options.body ?? defaultBody(status);
    return this.install(this.onces, {
      kind: 'once',
      methods: methodSet(method),
      limit: 1,
      ratio: 1,
      process: options.process ?? false,
      respond: () => ({ status, headers, body }),
    });
  }

  /** Accept requests to `method` and never answer; the client's timeout (or `close()`) ends them. */
  hang(method: MethodFilter = '*', options: HangOptions = {}): FaultHandle {
    return this.install(this.hangs, {
      kind: 'hang',
      methods: methodSet(method),
      limit: options.times ?? Number.POSITIVE_INFINITY,
      ratio: 1,
      process: options.process ?? false,
      respond: undefined,
    });
  }

  /**
   * Slack taking a request and applying it only after the client gave up: no answer, and the call (a post, an
   * edit) happens `afterMs` later. A retry that reads back too early finds nothing and posts a second message.
   */
  late(options: LateOptions): FaultHandle {
    return this.install(this.ratios, {
      kind: 'late',
      methods: methodSet(options.methods),
      limit: Number.POSITIVE_INFINITY,
      ratio: ratioOf(options.ratio),
      process: false,
      applyAfterMs: options.afterMs,
      respond: undefined,
    });
  }

  /** Remove every fault. Requests already hanging stay hung until the client gives up or `close()`. */
  clear(): void {
    for (const f of [...this.onces, ...this.hangs, ...this.ratios]) f.active = false;
    this.onces = [];
    this.hangs = [];
    this.ratios = [];
  }

  /**
   * Used by the server for each request: one-shot answers first (in the order installed), then hangs, then the
   * random ones. The RNG is drawn once per matching random fault, so the same requests give the same faults.
   */
  take(method: string): FaultDecision | undefined {
    for (const list of [this.onces, this.hangs, this.ratios]) {
      for (const f of list) {
        if (!f.active || (f.methods && !f.methods.has(method))) continue;
        if (f.ratio < 1 && !(this.random() < f.ratio)) continue;
        f.hits += 1;
        if (f.hits >= f.limit) this.drop(f);
        return {
          kind: f.kind,
          process: f.process,
          response: f.respond?.(method),
          ...(f.applyAfterMs !== undefined && { applyAfterMs: f.applyAfterMs }),
        };
      }
    }
    return undefined;
  }

  private install(list: InstalledFault[], spec: Omit<InstalledFault, 'hits' | 'active'>): FaultHandle {
    const fault: InstalledFault = { ...spec, hits: 0, active: true };
    list.push(fault);
    const drop = () => this.drop(fault);
    return {
      kind: fault.kind,
      get hits() {
        return fault.hits;
      },
      get active() {
        return fault.active;
      },
      remove: drop,
    };
  }

  private drop(fault: InstalledFault): void {
    fault.active = false;
    for (const list of [this.onces, this.hangs, this.ratios]) {
      const i = list.indexOf(fault);
      if (i >= 0) list.splice(i, 1);
    }
  }
}

function methodSet(filter: MethodFilter | undefined): ReadonlySet<string> | undefined {
  if (filter === undefined) return undefined;
  const list = typeof filter === 'string' ? [filter] : [...filter];
  return list.includes('*') ? undefined : new Set(list);
}

function ratioOf(ratio: number | undefined): number {
  const r = ratio ?? 1;
  if (!(r >= 0 && r <= 1)) throw new Error(`fault ratio must be between 0 and 1, got ${r}`);
  return r;
}

function defaultBody(status: number): Record<string, unknown> {
  if (status === 429) return { ok: false, error: 'ratelimited' };
  if (status === 503) return { ok: false, error: 'service_unavailable' };
  return { ok: false, error: 'fatal_error' };
}

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

// ---------------------------------------------------------------------------------------------------------------------
// State

interface StoredMessage {
  ts: string;
  text: string;
  blocks: unknown[] | undefined;
  attachments: unknown[] | undefined;
  metadata: SlackMetadata | undefined;
  /** The parent's ts for a reply; undefined for a top-level message. */
  parentTs: string | undefined;
  broadcast: boolean;
  deleted: boolean;
  editedTs: string | undefined;
  /** For a parent: its replies in ts order, deleted ones included. */
  replies: StoredMessage[];
}

interface Channel {
  id: string;
  name: string | undefined;
  kicked: boolean;
  archived: boolean;
  byTs: Map<string, StoredMessage>;
  /** Every message, replies included, in ts order (ts only grows, so appending keeps the order). */
  timeline: StoredMessage[];
}

/** A Slack error answered as HTTP 200 `{ok:false, error, ...extra}`. */
class SlackError extends Error {
  constructor(
    readonly code: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(code);
  }
}

interface Handled {
  response: Record<string, unknown>;
  channel?: string;
  ts?: string;
}

// ---------------------------------------------------------------------------------------------------------------------
// Server

export async function startFakeSlack(options: StartFakeSlackOptions = {}): Promise<FakeSlack> {
  const host = options.host ?? '127.0.0.1';
  const restricted = options.channels !== undefined;
  const scopes = options.scopes ?? DEFAULT_SCOPES;
  const clock = options.now ?? Date.now;
  const faults = new FakeSlackFaults(seededRandom(options.seed ?? 1));
  /** Calls applied late (after the client gave up) still waiting: `close()` drops them. */
  const lateTimers = new Set<NodeJS.Timeout>();
  const calls: FakeSlackCall[] = [];
  const byId = new Map<string, Channel>();
  const byName = new Map<string, Channel>();
  let generatedIds = 0;
  let lastMicros = 0;

  // ---- channels

  function addChannel(spec: ChannelSpec): string {
    let id: string;
    let name: string | undefined;
    if (typeof spec === 'string') {
      const ref = spec.replace(/^#/, '');
      if (CHANNEL_ID.test(ref)) id = ref;
      else {
        const known = byName.get(ref);
        if (known) return known.id;
        generatedIds += 1;
        id = `C0FAKE${String(generatedIds).padStart(4, '0')}`;
        name = ref;
      }
    } else {
      id = spec.id;
      name = spec.name?.replace(/^#/, '');
    }
    let channel = byId.get(id);
    if (!channel) {
      channel = { id, name, kicked: false, archived: false, byTs: new Map(), timeline: [] };
      byId.set(id, channel);
    }
    if (name !== undefined && channel.name === undefined) channel.name = name;
    if (channel.name !== undefined) byName.set(channel.name, channel);
    return id;
  }

  for (const spec of options.channels ?? []) addChannel(spec);

  function lookup(ref: string): Channel | undefined {
    const bare = ref.replace(/^#/, '');
    return CHANNEL_ID.test(bare) ? byId.get(bare) : byName.get(bare);
  }

  /** For a test helper: the channel must exist (a typo in a test should fail loudly, not pass on an empty list). */
  function mustLookup(ref: string): Channel {
    let channel = lookup(ref);
    if (!channel && !restricted) channel = byId.get(addChannel(ref));
    if (!channel) throw new Error(`fake Slack: no channel ${ref}`);
    return channel;
  }

  /** chat.postMessage takes an ID or a name; without a `channels` list any channel exists. */
  function channelForPost(value: unknown): Channel {
    const ref = typeof value === 'string' ? value.trim() : '';
    if (ref === '') throw new SlackError('channel_not_found');
    let channel = lookup(ref);
    if (!channel && !restricted) channel = byId.get(addChannel(ref));
    if (!channel) throw new SlackError('channel_not_found');
    return channel;
  }

  /** chat.update, chat.delete and the conversations.* reads take only an ID, as Slack's do. */
  function channelById(value: unknown): Channel {
    const ref = typeof value === 'string' ? value.trim() : '';
    if (!CHANNEL_ID.test(ref)) throw new SlackError('channel_not_found');
    let channel = byId.get(ref);
    if (!channel && !restricted) channel = byId.get(addChannel(ref));
    if (!channel) throw new SlackError('channel_not_found');
    return channel;
  }

  function nextTs(): string {
    // Microseconds of wall-clock time, bumped by one when two posts land in the same microsecond: strictly
    // increasing, like Slack's ts within a channel (here across all channels, which implies it).
    lastMicros = Math.max(Math.floor(clock() * 1000), lastMicros + 1);
    return formatTs(lastMicros);
  }

  // ---- message views

  function liveReplies(m: StoredMessage): StoredMessage[] {
    return m.replies.filter((r) => !r.deleted);
  }

  function visibleInChannel(m: StoredMessage): boolean {
    if (m.parentTs === undefined) return !m.deleted || liveReplies(m).length > 0;
    return m.broadcast && !m.deleted;
  }

  function wire(m: StoredMessage, withMetadata: boolean): SlackMessage {
    const live = m.parentTs === undefined ? liveReplies(m) : [];
    const out: SlackMessage = m.deleted
      ? { type: 'message', subtype: 'tombstone', ts: m.ts, text: 'This message was deleted.', user: 'USLACKBOT' }
      : {
          type: 'message',
          ts: m.ts,
          text: m.text,
          user: IDENTITY.user_id,
          bot_id: IDENTITY.bot_id,
          app_id: IDENTITY.app_id,
          team: IDENTITY.team_id,
        };
    if (m.deleted) out.hidden = true;
    else {
      if (m.broadcast) out.subtype = 'thread_broadcast';
      if (m.blocks) out.blocks = structuredClone(m.blocks);
      if (m.attachments) out.attachments = structuredClone(m.attachments);
      if (m.editedTs) out.edited = { user: IDENTITY.user_id, ts: m.editedTs };
      if (withMetadata && m.metadata) out.metadata = structuredClone(m.metadata);
    }
    if (m.parentTs !== undefined) {
      out.thread_ts = m.parentTs;
      out.parent_user_id = IDENTITY.user_id;
    } else if (live.length > 0) {
      out.thread_ts = m.ts;
      out.reply_count = live.length;
      out.reply_users_count = 1;
      out.reply_users = [IDENTITY.user_id];
      out.latest_reply = live.at(-1)!.ts;
    }
    return out;
  }

  // ---- methods

  function postMessage(body: Record<string, unknown>): Handled {
    const channel = channelForPost(body['channel']);
    writable(channel);
    const content = readContent(body, undefined);
    const requested = typeof body['thread_ts'] === 'string' && body['thread_ts'] !== '' ? body['thread_ts'] : undefined;
    let parent = requested === undefined ? undefined : channel.byTs.get(requested);
    if (parent?.parentTs !== undefined) parent = channel.byTs.get(parent.parentTs);
    // A reply to a parent that is gone (never existed, or deleted with no replies left) lands in the channel as a
    // top-level message, which is what Slack does and why a bot must notice a deleted parent before replying.
    if (parent?.deleted && liveReplies(parent).length === 0) parent = undefined;
    const message: StoredMessage = {
      ts: nextTs(),
      text: content.text,
      blocks: content.blocks,
      attachments: content.attachments,
      metadata: content.metadata,
      parentTs: parent?.ts,
      broadcast: parent !== undefined && flag(body['reply_broadcast']),
      deleted: false,
      editedTs: undefined,
      replies: [],
    };
    channel.byTs.set(message.ts, message);
    channel.timeline.push(message);
    parent?.replies.push(message);
    return {
      response: { ok: true, channel: channel.id, ts: message.ts, message: wire(message, true) },
      channel: channel.id,
      ts: message.ts,
    };
  }

  function update(body: Record<string, unknown>): Handled {
    const channel = channelById(body['channel']);
    writable(channel);
    const message = liveMessage(channel, body['ts']);
    const content = readContent(body, message);
    message.text = content.text;
    message.blocks = content.blocks;
    message.attachments = content.attachments;
    message.metadata = content.metadata;
    message.editedTs = nextTs();
    return {
      response: { ok: true, channel: channel.id, ts: message.ts, text: message.text, message: wire(message, true) },
      channel: channel.id,
      ts: message.ts,
    };
  }

  function del(body: Record<string, unknown>): Handled {
    const channel = channelById(body['channel']);
    if (channel.kicked) throw new SlackError('not_in_channel');
    const message = liveMessage(channel, body['ts']);
    message.deleted = true;
    return { response: { ok: true, channel: channel.id, ts: message.ts }, channel: channel.id, ts: message.ts };
  }

  /** Like Slack: a URL for any message that exists, deleted or not answering message_not_found. */
  function permalink(body: Record<string, unknown>): Handled {
    const channel = channelById(body['channel']);
    const message = liveMessage(channel, body['message_ts']);
    const permalink = `${IDENTITY.url}archives/${channel.id}/p${message.ts.replace('.', '')}`;
    return { response: { ok: true, channel: channel.id, permalink }, channel: channel.id, ts: message.ts };
  }

  function history(body: Record<string, unknown>): Handled {
    const channel = channelById(body['channel']);
    if (channel.kicked) throw new SlackError('not_in_channel');
    const withMetadata = flag(body['include_all_metadata']);
    const inclusive = flag(body['inclusive']);
    const oldest = parseTs(body['oldest']) ?? 0;
    let latest = parseTs(body['latest']) ?? Number.POSITIVE_INFINITY;
    let latestInclusive = inclusive;
    const cursor = decodeCursor(body['cursor']);
    if (cursor !== undefined) {
      latest = Math.min(latest, cursor);
      latestInclusive = false;
    }
    const limit = clampLimit(body['limit'], 100, 999);
    const window = channel.timeline
      .filter(visibleInChannel)
      .filter((m) => {
        const t = tsMicros(m.ts);
        const afterOldest = inclusive ? t >= oldest : t > oldest;
        const beforeLatest = latestInclusive ? t <= latest : t < latest;
        return afterOldest && beforeLatest;
      })
      .reverse();
    const page = window.slice(0, limit);
    const response: Record<string, unknown> = {
      ok: true,
      messages: page.map((m) => wire(m, withMetadata)),
      has_more: window.length > limit,
      pin_count: 0,
      channel_actions_updated: null,
      channel_actions_count: 0,
    };
    const last = page.at(-1);
    if (window.length > limit && last) response['response_metadata'] = { next_cursor: encodeCursor(last.ts) };
    return { response, channel: channel.id };
  }

  function replies(body: Record<string, unknown>): Handled {
    const channel = channelById(body['channel']);
    if (channel.kicked) throw new SlackError('not_in_channel');
    const ts = typeof body['ts'] === 'string' ? body['ts'] : '';
    let parent = channel.byTs.get(ts);
    if (parent?.parentTs !== undefined) parent = channel.byTs.get(parent.parentTs);
    if (!parent || (parent.deleted && liveReplies(parent).length === 0)) throw new SlackError('thread_not_found');
    const withMetadata = flag(body['include_all_metadata']);
    // Slack answers parent first, then replies oldest first (the opposite order to conversations.history).
    const all = [parent, ...liveReplies(parent)];
    const cursor = decodeCursor(body['cursor']);
    const rest = cursor === undefined ? all : all.filter((m) => tsMicros(m.ts) > cursor);
    const limit = clampLimit(body['limit'], 1000, 1000);
    const page = rest.slice(0, limit);
    const response: Record<string, unknown> = {
      ok: true,
      messages: page.map((m) => wire(m, withMetadata)),
      has_more: rest.length > limit,
    };
    const last = page.at(-1);
    if (rest.length > limit && last) response['response_metadata'] = { next_cursor: encodeCursor(last.ts) };
    return { response, channel: channel.id, ts: parent.ts };
  }

  const METHODS: Record<string, (body: Record<string, unknown>) => Handled> = {
    'auth.test': () => ({ response: { ok: true, ...authTestFields() } }),
    'chat.postMessage': postMessage,
    'chat.update': update,
    'chat.delete': del,
    'chat.getPermalink': permalink,
    'conversations.history': history,
    'conversations.replies': replies,
  };

  // ---- auth

  function checkAuth(req: IncomingMessage, body: Record<string, unknown>, isJson: boolean): void {
    const header = req.headers.authorization;
    let token: string | undefined;
    if (header !== undefined) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
      if (!match) throw new SlackError('invalid_auth');
      token = match[1];
    } else if (!isJson && typeof body['token'] === 'string' && body['token'] !== '') {
      // Form bodies may carry the token as an argument; JSON bodies must use the header, as on Slack.
      token = body['token'];
    }
    // Slack says `not_authed` when no token came at all and `invalid_auth` for a wrong one.
    if (token === undefined) throw new SlackError('not_authed');
    const good = options.token !== undefined ? token === options.token : token.startsWith('xox');
    if (!good) throw new SlackError('invalid_auth');
  }

  // ---- HTTP

  function send(res: ServerResponse, status: number, headers: Record<string, string>, body: string | object): void {
    if (res.destroyed || res.headersSent) return;
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    const contentType =
      typeof body === 'string' && !/^\s*[{[]/.test(body)
        ? 'text/html; charset=utf-8'
        : 'application/json; charset=utf-8';
    res.writeHead(status, {
      'content-type': contentType,
      'content-length': String(Buffer.byteLength(text)),
      'x-oauth-scopes': scopes.join(','),
      ...headers,
    });
    res.end(text);
  }

  function handle(method: string, req: IncomingMessage, parsed: ParsedBody): Handled {
    if (parsed.error) throw new SlackError(parsed.error);
    const run = METHODS[method];
    if (!run) throw new SlackError('unknown_method', { req_method: method });
    checkAuth(req, parsed.body, parsed.isJson);
    const needed = NEEDED_SCOPE[method];
    if (needed !== undefined && !scopes.includes(needed)) {
      throw new SlackError('missing_scope', { needed, provided: scopes.join(',') });
    }
    return run(parsed.body);
  }

  function apply(method: string, req: IncomingMessage, parsed: ParsedBody, call: FakeSlackCall): Handled {
    let handled: Handled;
    try {
      handled = handle(method, req, parsed);
    } catch (error) {
      if (!(error instanceof SlackError)) throw error;
      const channel = typeof parsed.body['channel'] === 'string' ? parsed.body['channel'] : undefined;
      handled = { response: { ok: false, error: error.code, ...error.extra } };
      if (channel !== undefined) handled.channel = lookup(channel)?.id ?? channel;
    }
    if (parsed.warning) {
      handled.response['warning'] = parsed.warning;
      const metadata = handled.response['response_metadata'];
      handled.response['response_metadata'] = {
        ...(metadata !== null && typeof metadata === 'object' ? metadata : {}),
        warnings: [parsed.warning],
      };
    }
    call.ok = handled.response['ok'] === true;
    if (!call.ok && typeof handled.response['error'] === 'string') call.error = handled.response['error'];
    if (handled.channel !== undefined) call.channel = handled.channel;
    if (handled.ts !== undefined) call.ts = handled.ts;
    call.response = handled.response;
    return handled;
  }

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = Date.now();
    const url = new URL(req.url ?? '/', 'http://fake-slack.invalid');
    const apiMatch = /^\/api\/([A-Za-z0-9_.]+)$/.exec(url.pathname);
    const method = apiMatch?.[1] ?? url.pathname;
    const contentType = String(req.headers['content-type'] ?? '');
    const call: FakeSlackCall = { method, at, body: {}, contentType, status: undefined, ok: false };
    calls.push(call);

    const raw = await readBody(req, MAX_BODY_BYTES);
    if (raw === 'too_large') {
      call.status = 413;
      call.error = 'request_too_large';
      send(res, 413, { connection: 'close' }, { ok: false, error: 'request_too_large' });
      return;
    }
    if (raw === undefined) return; // the client went away mid-body
    const parsed = parseBody(raw, contentType, url.searchParams);
    call.body = parsed.body;
    if (typeof parsed.body['channel'] === 'string') call.channel = parsed.body['channel'];
    if (method === 'chat.postMessage' && typeof parsed.body['thread_ts'] === 'string' && parsed.body['thread_ts']) {
      call.threadTs = parsed.body['thread_ts'];
    }

    if (!apiMatch || (req.method !== 'POST' && req.method !== 'GET')) {
      call.status = 404;
      call.error = 'not_found';
      send(res, 404, {}, '<!DOCTYPE html><html><body><h1>404 Not Found</h1></body></html>');
      return;
    }

    const decision = faults.take(method);
    if (decision) {
      call.fault = decision.kind;
      if (decision.process) apply(method, req, parsed, call);
      if (decision.applyAfterMs !== undefined) {
        const timer = setTimeout(() => {
          lateTimers.delete(timer);
          apply(method, req, parsed, call);
        }, decision.applyAfterMs);
        lateTimers.add(timer);
        timer.unref();
      }
      if (decision.response === undefined) return; // a hang: the client's timeout or close() ends it
      const { status, headers, body } = decision.response;
      if (!decision.process) {
        call.ok = false;
        call.error = typeof body === 'object' && typeof body['error'] === 'string' ? body['error'] : `http_${status}`;
        call.response = typeof body === 'object' ? body : undefined;
      }
      call.status = status;
      send(res, status, headers, body);
      return;
    }

    const handled = apply(method, req, parsed, call);
    call.status = 200;
    send(res, 200, { 'x-accepted-oauth-scopes': NEEDED_SCOPE[method] ?? '' }, handled.response);
  }

  const server = createServer((req, res) => {
    serve(req, res).catch((error: unknown) => {
      // A bug in the fake should show up as a 500 in the test, not as a hung request.
      if (!res.headersSent && !res.destroyed)
        send(res, 500, {}, { ok: false, error: 'fake_bug', detail: String(error) });
      else res.destroy();
    });
  });
  const sockets = trackSockets(server);
  const { port, url: base } = await listen(server, options.port ?? 0, host);

  function callsTo(method: string, channel: string | undefined): FakeSlackCall[] {
    const id = channel === undefined ? undefined : (lookup(channel)?.id ?? channel);
    return calls.filter((c) => c.method === method && c.ok && (id === undefined || c.channel === id));
  }

  let closing: Promise<void> | undefined;
  return {
    url: base,
    apiUrl: `${base}/api/`,
    port,
    token: options.token,
    identity: { ...IDENTITY },
    calls,
    faults,
    posts: (channel) => callsTo('chat.postMessage', channel),
    updates: (channel) => callsTo('chat.update', channel),
    replies(channel, parentTs) {
      const parent = mustLookup(channel).byTs.get(parentTs);
      return parent ? liveReplies(parent).map((m) => wire(m, true)) : [];
    },
    history(channel) {
      return mustLookup(channel)
        .timeline.filter(visibleInChannel)
        .map((m) => wire(m, true));
    },
    message(channel, ts) {
      const m = lookup(channel)?.byTs.get(ts);
      return m && !m.deleted ? wire(m, true) : undefined;
    },
    postsWithinOneSecond(channel) {
      const id = channel === undefined ? undefined : (lookup(channel)?.id ?? channel);
      const lastByChannel = new Map<string, FakeSlackCall>();
      const pairs: Array<[FakeSlackCall, FakeSlackCall]> = [];
      for (const call of calls) {
        if (call.method !== 'chat.postMessage' || call.channel === undefined) continue;
        const key = lookup(call.channel)?.id ?? call.channel;
        if (id !== undefined && key !== id) continue;
        const previous = lastByChannel.get(key);
        if (previous && call.at - previous.at < 1000) pairs.push([previous, call]);
        lastByChannel.set(key, call);
      }
      return pairs;
    },
    channelId: (channel) => lookup(channel)?.id,
    addChannel,
    kick(channel) {
      mustLookup(channel).kicked = true;
    },
    invite(channel) {
      mustLookup(channel).kicked = false;
    },
    archive(channel) {
      mustLookup(channel).archived = true;
    },
    deleteMessage(channel, ts) {
      const m = lookup(channel)?.byTs.get(ts);
      if (!m || m.deleted) return false;
      m.deleted = true;
      return true;
    },
    close() {
      for (const t of lateTimers) clearTimeout(t);
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const s of sockets) s.destroy();
      });
      return closing;
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// Request parsing and validation

interface ParsedBody {
  body: Record<string, unknown>;
  isJson: boolean;
  /** A Slack error to answer with before anything else (`invalid_json`, ...). */
  error?: string;
  /** A Slack warning to add to the answer (`missing_charset`). */
  warning?: string;
}

const JSON_FIELDS = ['blocks', 'attachments', 'metadata'];

function parseBody(raw: Buffer, contentType: string, query: URLSearchParams): ParsedBody {
  const body: Record<string, unknown> = Object.fromEntries(query);
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  const text = raw.toString('utf8');
  const out: ParsedBody = { body, isJson: false };
  if (type === 'application/json') {
    out.isJson = true;
    if (!/charset\s*=/i.test(contentType)) out.warning = 'missing_charset';
    if (text.trim() !== '') {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        out.error = 'invalid_json';
        return out;
      }
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        out.error = 'json_not_object';
        return out;
      }
      Object.assign(body, value);
    }
  } else if (type === 'application/x-www-form-urlencoded' || (type === '' && text !== '')) {
    for (const [k, v] of new URLSearchParams(text)) body[k] = v;
  } else if (text !== '') {
    out.error = 'invalid_form_data'; // multipart and friends: not something the bot sends
    return out;
  }
  for (const field of JSON_FIELDS) {
    const v = body[field];
    if (typeof v !== 'string') continue;
    try {
      body[field] = JSON.parse(v);
    } catch {
      // Left as the raw string; the method answers invalid_blocks_format / invalid_attachments / ... for it.
    }
  }
  return out;
}

interface Content {
  text: string;
  blocks: unknown[] | undefined;
  attachments: unknown[] | undefined;
  metadata: SlackMetadata | undefined;
}

/**
 * Validates the message fields of a post or an update. For an update (`previous` given), blocks, attachments and
 * metadata that are not sent are kept, as Slack documents; an empty array (or `{}` for metadata) removes them.
 */
function readContent(body: Record<string, unknown>, previous: StoredMessage | undefined): Content {
  const blocks = 'blocks' in body ? readBlocks(body['blocks']) : previous?.blocks;
  const attachments = 'attachments' in body ? readAttachments(body['attachments']) : previous?.attachments;
  const metadata = 'metadata' in body ? readMetadata(body['metadata']) : previous?.metadata;
  const rawText = body['text'];
  const text = typeof rawText === 'string' ? rawText : rawText === undefined || rawText === null ? '' : String(rawText);
  if (text === '' && !blocks?.length && !attachments?.length) throw new SlackError('no_text');
  // Slack truncates long text instead of refusing it; the tail is simply lost.
  return { text: truncate(text, MAX_TEXT), blocks, attachments, metadata };
}

function readBlocks(value: unknown): unknown[] | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (!Array.isArray(value)) throw new SlackError('invalid_blocks_format');
  const errors = blockErrors(value, '/blocks');
  if (errors.length > 0) throw new SlackError('invalid_blocks', { response_metadata: { messages: errors } });
  return value.length > 0 ? value : undefined;
}

function readAttachments(value: unknown): unknown[] | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (!Array.isArray(value) || value.some((a) => a === null || typeof a !== 'object' || Array.isArray(a))) {
    throw new SlackError('invalid_attachments');
  }
  if (value.length > MAX_ATTACHMENTS) throw new SlackError('too_many_attachments');
  const errors = value.flatMap((a: Record<string, unknown>, i) =>
    a['blocks'] === undefined
      ? []
      : Array.isArray(a['blocks'])
        ? blockErrors(a['blocks'], `/attachments/${i}/blocks`)
        : [`[ERROR] must be an array [json-pointer:/attachments/${i}/blocks]`],
  );
  if (errors.length > 0) throw new SlackError('invalid_blocks', { response_metadata: { messages: errors } });
  return value.length > 0 ? value : undefined;
}

function readMetadata(value: unknown): SlackMetadata | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw new SlackError('invalid_metadata_format');
  const m = value as Record<string, unknown>;
  if (Object.keys(m).length === 0) return undefined; // `{}` on an update removes the metadata
  const payload = m['event_payload'];
  if (
    typeof m['event_type'] !== 'string' ||
    m['event_type'] === '' ||
    payload === null ||
    typeof payload !== 'object' ||
    Array.isArray(payload)
  ) {
    throw new SlackError('invalid_metadata_schema');
  }
  return { event_type: m['event_type'], event_payload: structuredClone(payload as Record<string, unknown>) };
}

/** Slack's Block Kit checks that a renderer can trip over, with Slack's own message format and JSON pointers. */
function blockErrors(blocks: unknown[], pointer: string): string[] {
  const errors: string[] = [];
  const fail = (message: string, at: string) => errors.push(`[ERROR] ${message} [json-pointer:${at}]`);
  if (blocks.length > MAX_BLOCKS) fail(`no more than ${MAX_BLOCKS} items allowed`, pointer);
  const ids = new Set<string>();
  blocks.forEach((block, i) => {
    const at = `${pointer}/${i}`;
    if (block === null || typeof block !== 'object' || Array.isArray(block)) {
      fail('must be an object', at);
      return;
    }
    const b = block as Record<string, unknown>;
    if (typeof b['type'] !== 'string') {
      fail('missing required field: type', at);
      return;
    }
    const blockId = b['block_id'];
    if (typeof blockId === 'string') {
      if (blockId.length > MAX_BLOCK_ID) fail(`must be less than ${MAX_BLOCK_ID + 1} characters`, `${at}/block_id`);
      if (ids.has(blockId)) fail(`duplicate block_id: ${blockId}`, `${at}/block_id`);
      ids.add(blockId);
    }
    const textOf = (v: unknown): string | undefined =>
      v !== null && typeof v === 'object' && typeof (v as Record<string, unknown>)['text'] === 'string'
        ? ((v as Record<string, unknown>)['text'] as string)
        : undefined;
    switch (b['type']) {
      case 'section': {
        const text = textOf(b['text']);
        const fields = b['fields'];
        if (text === undefined && fields === undefined) fail("must provide at least one of 'text' or 'fields'", at);
        if (text !== undefined && charLength(text) > MAX_SECTION_TEXT) {
          fail(`must be less than ${MAX_SECTION_TEXT + 1} characters`, `${at}/text/text`);
        }
        if (fields !== undefined) {
          if (!Array.isArray(fields)) fail('must be an array', `${at}/fields`);
          else {
            if (fields.length > MAX_SECTION_FIELDS)
              fail(`no more than ${MAX_SECTION_FIELDS} items allowed`, `${at}/fields`);
            fields.forEach((f, j) => {
              const t = textOf(f);
              if (t !== undefined && charLength(t) > MAX_FIELD_TEXT) {
                fail(`must be less than ${MAX_FIELD_TEXT + 1} characters`, `${at}/fields/${j}/text`);
              }
            });
          }
        }
        break;
      }
      case 'header': {
        const text = textOf(b['text']);
        if (text === undefined) fail('missing required field: text', at);
        else if (charLength(text) > MAX_HEADER_TEXT) {
          fail(`must be less than ${MAX_HEADER_TEXT + 1} characters`, `${at}/text/text`);
        }
        break;
      }
      case 'context': {
        const elements = b['elements'];
        if (!Array.isArray(elements)) fail('missing required field: elements', at);
        else if (elements.length > MAX_CONTEXT_ELEMENTS) {
          fail(`no more than ${MAX_CONTEXT_ELEMENTS} items allowed`, `${at}/elements`);
        }
        break;
      }
    }
  });
  return errors;
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too_large' | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (value: Buffer | 'too_large' | undefined) => {
      if (done) return;
      done = true;
      resolve(value);
    };
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.pause();
        finish('too_large');
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => finish(Buffer.concat(chunks)));
    req.on('error', () => finish(undefined));
    req.on('close', () => finish(undefined));
  });
}

// ---------------------------------------------------------------------------------------------------------------------
// Small helpers

/** Slack sends and accepts booleans in forms as `true`/`1`. */
function flag(value: unknown): boolean {
  return value === true || value === 1 || value === 'true' || value === '1';
}

function clampLimit(value: unknown, fallback: number, max: number): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number.parseInt(value, 10) : Number.NaN;
  if (!Number.isFinite(n) || n < 1) return fallback;
  return Math.min(Math.floor(n), max);
}

function formatTs(micros: number): string {
  return `${Math.floor(micros / 1_000_000)}.${String(micros % 1_000_000).padStart(6, '0')}`;
}

function tsMicros(ts: string): number {
  return parseTs(ts) ?? 0;
}

/** `1700000000`, `1700000000.0001` or `1700000000.000100` as integer microseconds (exact, no float rounding). */
function parseTs(value: unknown): number | undefined {
  const s = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  const match = /^(\d+)(?:\.(\d{1,6})\d*)?$/.exec(s);
  if (!match) return undefined;
  return Number(match[1]) * 1_000_000 + Number((match[2] ?? '').padEnd(6, '0'));
}

/** Slack's cursors are opaque; theirs happen to be base64 of `next_ts:<ts>`, so ours are too. */
function encodeCursor(ts: string): string {
  return Buffer.from(`next_ts:${ts.replace('.', '')}`).toString('base64');
}

function decodeCursor(value: unknown): number | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const match = /^next_ts:(\d+)$/.exec(Buffer.from(value, 'base64').toString('utf8'));
  return match ? Number(match[1]) : undefined;
}

function liveMessage(channel: Channel, ts: unknown): StoredMessage {
  const message = typeof ts === 'string' ? channel.byTs.get(ts) : undefined;
  if (!message || message.deleted) throw new SlackError('message_not_found');
  return message;
}

function writable(channel: Channel): void {
  if (channel.archived) throw new SlackError('is_archived');
  if (channel.kicked) throw new SlackError('not_in_channel');
}

function authTestFields(): Record<string, unknown> {
  const { app_id: _appId, ...fields } = IDENTITY;
  return { ...fields, is_enterprise_install: false };
}

/** Counted in code points, so an emoji is one character and truncation never splits a surrogate pair. */
function charLength(text: string): number {
  let n = 0;
  for (const _ of text) n += 1;
  return n;
}

function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let out = '';
  let n = 0;
  for (const ch of text) {
    if (n === max) break;
    out += ch;
    n += 1;
  }
  return out;
}
