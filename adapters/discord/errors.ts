// One error for every failed Discord call, classified once (HTTP status, Discord's JSON error code), with a message
// that is safe to log: never a URL (a webhook's or an interaction's URL carries its token) and never the token.
// https://discord.com/developers/docs/topics/opcodes-and-status-codes#json
import { DiscordAPIError, HTTPError, RateLimitError } from '@discordjs/rest';
import { classifyHttpStatus } from '../../src/domain/http-outcome.js';

export type DiscordFailureKind = 'rate_limited' | 'auth' | 'not_found' | 'client' | 'server' | 'timeout' | 'network';

/** Discord's JSON error codes the adapter acts on. */
export const DISCORD_CODES = {
  unknownChannel: 10003,
  unknownMessage: 10008,
  unknownWebhook: 10015,
  /** An interaction answered after its 3 s (or already answered). */
  unknownInteraction: 10062,
  missingAccess: 50001,
  missingPermissions: 50013,
  invalidFormBody: 50035,
  threadAlreadyCreated: 160004,
  /** A webhook into a forum channel must name a thread (or start one). */
  forumNeedsThread: 220001,
} as const;

/** Removes anything secret a message from a library or a server might quote. */
export function scrubSecrets(text: string): string {
  return text
    .replace(/(\/webhooks\/\d+\/)[^\s/?#"']+/g, '$1[token]')
    .replace(/(\/interactions\/\d+\/)[^\s/?#"']+/g, '$1[token]')
    .replace(/\bBot\s+[A-Za-z0-9._-]{20,}/g, 'Bot [token]');
}

export class DiscordCallError extends Error {
  override readonly name = 'DiscordCallError';
  constructor(
    readonly kind: DiscordFailureKind,
    readonly status: number | undefined,
    /** Discord's JSON error code, when it sent one. */
    readonly code: number | undefined,
    message: string,
    readonly retryAfterMs?: number,
    readonly global = false,
  ) {
    super(scrubSecrets(message).slice(0, 300));
  }

  static from(err: unknown, rateLimit?: { retryAfterMs?: number; global: boolean }): DiscordCallError {
    if (err instanceof DiscordCallError) return err;
    if (err instanceof RateLimitError || rateLimit) {
      const e = err as RateLimitError;
      const ms = rateLimit?.retryAfterMs ?? Math.ceil(e.retryAfter ?? 0);
      return new DiscordCallError(
        'rate_limited',
        429,
        undefined,
        `rate limited on ${e.route ?? 'a route'} for ${ms} ms${rateLimit?.global ? ' (global)' : ''}`,
        ms,
        rateLimit?.global ?? false,
      );
    }
    if (err instanceof DiscordAPIError) {
      const code = typeof err.code === 'number' ? err.code : undefined;
      const text = `HTTP ${err.status} ${err.message.split('\n').slice(0, 2).join('; ')}${code ? ` (code ${code})` : ''}`;
      // Discord's own meaning first (an unknown channel, message or webhook), then the shared classification.
      if (err.status === 404) return new DiscordCallError('not_found', 404, code, text);
      const kind = classifyHttpStatus(err.status).kind;
      return new DiscordCallError(kind === 'ok' || kind === 'network' ? 'client' : kind, err.status, code, text);
    }
    if (err instanceof HTTPError) return new DiscordCallError('server', err.status, undefined, `HTTP ${err.status}`);
    const e = err as { name?: string; message?: string; code?: string };
    if (e.name === 'AbortError' || e.name === 'TimeoutError') {
      return new DiscordCallError('timeout', undefined, undefined, 'no answer from Discord in time');
    }
    if (e.message?.startsWith('Expected token to be set')) {
      return new DiscordCallError('auth', 401, undefined, 'no bot token to send with this request');
    }
    return new DiscordCallError('network', undefined, undefined, e.message ?? String(err));
  }
}

/** What a failure means for one delivery: retry (when), or give up (a person must act). */
export function deliveryOutcome(
  err: unknown,
): { outcome: 'retry'; error: string; retryAfterMs?: number } | { outcome: 'failed'; error: string } {
  const e = DiscordCallError.from(err);
  switch (e.kind) {
    case 'rate_limited':
    case 'server':
    case 'timeout':
    case 'network':
      return {
        outcome: 'retry',
        error: e.message,
        ...(e.retryAfterMs !== undefined && { retryAfterMs: e.retryAfterMs }),
      };
    case 'auth':
      return {
        outcome: 'failed',
        error: `${e.message}: Discord refused the request; check the bot token, that the bot is in the server and may post in this channel (or the webhook still exists)`,
      };
    default:
      return { outcome: 'failed', error: e.message };
  }
}
