// One REST client per credential (the bot token, or one channel webhook): discord.js's REST layer keeps Discord's
// per-route buckets from the X-RateLimit-* headers and waits out a bucket that resets in a moment. It never retries
// underneath the outbox: a 429, a longer wait, a 5xx, a timeout all come back as errors, and the outbox decides
// (Retry-After honoured, backoff, "maybe delivered" checks). A refused bot token stops all calls for a while:
// Discord bans clients that keep sending rejected requests (10,000 401/403/429 in 10 minutes).
// https://discord.com/developers/docs/topics/rate-limits
import {
  DefaultRestOptions,
  type RateLimitData,
  RateLimitError,
  REST,
  type RequestData,
  type ResponseLike,
  type RouteLike,
} from '@discordjs/rest';
import type { Logger } from '../../src/ports/logger.js';
import { DiscordCallError } from './errors.js';
import { DISCORD_API_URL, DISCORD_API_VERSION, INLINE_RATE_LIMIT_WAIT_MS } from './limits.js';

export interface DiscordClientOptions {
  /** REST base without the version (`https://discord.com/api`). */
  apiUrl?: string;
  /** Bot token; absent for webhook-only and interaction-token calls (those authenticate by their URL). */
  token?: string;
  timeoutMs?: number;
  logger?: Logger;
  /** How long calls stop after Discord refused the bot token (401). */
  authPauseMs?: number;
  now?: () => number;
}

/** Discord's 429 body: `retry_after` in seconds (a float, finer than the Retry-After header). */
interface RateLimitBody {
  retry_after?: number;
  global?: boolean;
}

const DEFAULT_AUTH_PAUSE_MS = 10 * 60_000;

export class DiscordClient {
  private readonly rest: REST;
  /** 429s just received, by `METHOD url`: the rate-limit filter rejects these instead of retrying them. */
  private readonly rateLimited = new Map<string, { retryAfterMs?: number; global: boolean }>();
  private tokenRefusedUntil = 0;
  private readonly now: () => number;

  constructor(private readonly opts: DiscordClientOptions) {
    this.now = opts.now ?? Date.now;
    this.rest = new REST({
      api: (opts.apiUrl ?? DISCORD_API_URL).replace(/\/+$/, ''),
      version: DISCORD_API_VERSION,
      // The outbox retries (with Retry-After, backoff and duplicate checks); a retry in here would be invisible.
      retries: 0,
      timeout: opts.timeoutMs ?? 10_000,
      // A 429 is handed back at once; a bucket that resets within a second is waited out here, longer waits too
      // are handed back so the outbox can move on to other destinations.
      rejectOnRateLimit: (data: RateLimitData) =>
        this.rateLimited.has(`${data.method.toUpperCase()} ${data.url}`) || data.retryAfter > INLINE_RATE_LIMIT_WAIT_MS,
      makeRequest: (url, init) => this.send(url, init),
    });
    if (opts.token) this.rest.setToken(opts.token);
  }

  /** Every response body that is not a success is read here: undici keeps a connection busy until it is. */
  private async send(url: string, init: Parameters<typeof DefaultRestOptions.makeRequest>[1]): Promise<ResponseLike> {
    const res = await DefaultRestOptions.makeRequest(url, init);
    if (res.status < 300) return res;
    const text = await res.text().catch(() => '');
    if (res.status === 429) {
      let body: RateLimitBody = {};
      try {
        body = JSON.parse(text) as RateLimitBody;
      } catch {
        // a 429 from a proxy: the Retry-After header is all there is
      }
      this.rateLimited.set(`${String(init.method ?? 'GET').toUpperCase()} ${url}`, {
        ...(typeof body.retry_after === 'number' && { retryAfterMs: Math.ceil(body.retry_after * 1000) }),
        global: body.global === true || res.headers.get('x-ratelimit-global') !== null,
      });
    }
    return {
      body: null,
      bodyUsed: false,
      headers: res.headers,
      ok: res.ok,
      status: res.status,
      statusText: res.statusText,
      text: async () => text,
      json: async () => JSON.parse(text) as unknown,
      arrayBuffer: async () => new TextEncoder().encode(text).buffer as ArrayBuffer,
    };
  }

  get<T>(route: RouteLike, data: RequestData = {}): Promise<T> {
    return this.call<T>('GET', route, data);
  }
  post<T>(route: RouteLike, data: RequestData = {}): Promise<T> {
    return this.call<T>('POST', route, data);
  }
  patch<T>(route: RouteLike, data: RequestData = {}): Promise<T> {
    return this.call<T>('PATCH', route, data);
  }
  put<T>(route: RouteLike, data: RequestData = {}): Promise<T> {
    return this.call<T>('PUT', route, data);
  }

  private async call<T>(method: 'GET' | 'POST' | 'PATCH' | 'PUT', route: RouteLike, data: RequestData): Promise<T> {
    const usesToken = data.auth !== false;
    if (usesToken && this.now() < this.tokenRefusedUntil) {
      throw new DiscordCallError('auth', 401, undefined, 'the bot token was refused by Discord (401); paused');
    }
    // @discordjs/rest forgets the token after a 401; the pause above is what keeps us from hammering.
    if (usesToken && this.opts.token) this.rest.setToken(this.opts.token);
    try {
      const fn = { GET: this.rest.get, POST: this.rest.post, PATCH: this.rest.patch, PUT: this.rest.put }[method];
      return (await fn.call(this.rest, route, data)) as T;
    } catch (err) {
      const e = DiscordCallError.from(err, this.takeRateLimit(err));
      if (e.kind === 'auth' && e.status === 401 && usesToken) this.refuseToken();
      throw e;
    }
  }

  private takeRateLimit(err: unknown): { retryAfterMs?: number; global: boolean } | undefined {
    if (!(err instanceof RateLimitError)) return undefined;
    const key = `${err.method.toUpperCase()} ${err.url}`;
    const seen = this.rateLimited.get(key);
    this.rateLimited.delete(key);
    // The body's retry_after when Discord sent one, else what the client computed from the headers.
    return { retryAfterMs: seen?.retryAfterMs ?? Math.ceil(err.retryAfter), global: seen?.global ?? err.global };
  }

  private refuseToken(): void {
    const pause = this.opts.authPauseMs ?? DEFAULT_AUTH_PAUSE_MS;
    this.tokenRefusedUntil = this.now() + pause;
    this.opts.logger?.error(
      { pauseMs: pause },
      'Discord refused the bot token (401): Discord deliveries fail until the token is fixed (discord.botToken); ' +
        'calls with it stop for a while, as Discord bans clients that keep sending rejected requests',
    );
  }
}
