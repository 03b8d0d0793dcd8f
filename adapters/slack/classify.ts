// What a failed Slack call means for delivery: retry (when), re-post (the parent is gone), or give up.
// https://api.slack.com/web#evaluating_responses and each method's "Errors" table.
import { ErrorCode } from '@slack/web-api';
import { classifyHttpStatus } from '../../src/domain/http-outcome.js';

export type SlackFailure =
  | { kind: 'retry'; error: string; retryAfterMs?: number }
  | { kind: 'gone'; error: string }
  | { kind: 'permanent'; error: string };

/** Errors no retry can fix: a person has to act (invite the bot, fix the token, the channel). */
const PERMANENT = new Set([
  'channel_not_found',
  'not_in_channel',
  'is_archived',
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'missing_scope',
  'no_permission',
  'restricted_action',
  'invalid_blocks',
  'invalid_attachments',
  'msg_too_long',
  'no_text',
  'invalid_metadata_format',
  'invalid_metadata_schema',
  'cant_update_message',
  'edit_window_closed',
]);

export function classifySlackError(err: unknown): SlackFailure {
  const e = err as {
    code?: string;
    data?: { error?: string };
    retryAfter?: number;
    statusCode?: number;
    message?: string;
  };
  if (e.code === ErrorCode.RateLimitedError) {
    return {
      kind: 'retry',
      error: 'ratelimited',
      ...(e.retryAfter !== undefined && { retryAfterMs: e.retryAfter * 1000 }),
    };
  }
  if (e.code === ErrorCode.PlatformError) {
    const code = e.data?.error ?? 'unknown_error';
    if (code === 'message_not_found') return { kind: 'gone', error: code };
    if (code === 'ratelimited') return { kind: 'retry', error: code };
    if (PERMANENT.has(code)) return { kind: 'permanent', error: code };
    // internal_error, fatal_error, service_unavailable, request_timeout and anything new: worth another try.
    return { kind: 'retry', error: code };
  }
  if (e.code === ErrorCode.HTTPError) {
    // Slack answers its own errors with 200 and `ok: false`; a bare HTTP error is judged the way every client judges one.
    const status = e.statusCode ?? 0;
    const outcome = classifyHttpStatus(status);
    if (!outcome.retryable) return { kind: 'permanent', error: `HTTP ${status}` };
    return {
      kind: 'retry',
      error: `HTTP ${status}`,
      ...(outcome.retryAfterMs !== undefined && { retryAfterMs: outcome.retryAfterMs }),
    };
  }
  // Request errors (network, timeout) and anything unexpected.
  return { kind: 'retry', error: e.message?.slice(0, 200) ?? 'request failed' };
}
