// What a "cannot be read" or "messages are refused" alert says went wrong, the same on every platform: the last
// error in words, and Belvo's request_id on its own (the id Belvo support asks for, so it must never be cut off with
// a long message). Adapters add their own markup and limits.
import type { Alert } from './alert.js';
import { DESTINATION_HEALTH_KIND, SOURCE_HEALTH_KIND } from './fingerprint.js';

export interface HealthError {
  /** The last error, without the request_id (shown apart). */
  error: string;
  requestId?: string;
}

/** How the Belvo client writes a request_id into an error message: `... (request_id 0f3a...)`. */
const REQUEST_ID_IN_TEXT = /\s*\(request_id ([^)\s]+)\)/;

/** The last error of the bot's own health alert; undefined for any other alert, or when none was recorded. */
export function healthError(alert: Alert): HealthError | undefined {
  if (alert.kind !== SOURCE_HEALTH_KIND && alert.kind !== DESTINATION_HEALTH_KIND) return undefined;
  const last = alert.evidence.lastError;
  if (typeof last !== 'string' || last.trim() === '') return undefined;
  const found = REQUEST_ID_IN_TEXT.exec(last);
  const given = alert.evidence.requestId;
  const requestId = typeof given === 'string' && given !== '' ? given : found?.[1];
  const error = found
    ? `${last.slice(0, found.index)}${last.slice(found.index + found[0].length)}`.trim()
    : last.trim();
  return { error: error || last.trim(), ...(requestId && { requestId }) };
}
