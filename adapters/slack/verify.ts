// Verifies that a request to /slack/events comes from Slack, before anything in it is parsed.
// https://api.slack.com/authentication/verifying-requests-from-slack
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Slack's window for replays: a request signed more than five minutes away from now is refused. */
export const SLACK_MAX_SKEW_SECONDS = 5 * 60;

export type VerifyResult = { ok: true } | { ok: false; reason: string };

export function verifySlackSignature(input: {
  signingSecret: string;
  /** X-Slack-Request-Timestamp */
  timestamp: string | undefined;
  /** X-Slack-Signature */
  signature: string | undefined;
  /** The raw body, byte for byte as received. */
  rawBody: Buffer;
  nowMs: number;
}): VerifyResult {
  // 1. Both headers are present and well formed.
  if (!input.timestamp || !/^\d+$/.test(input.timestamp))
    return { ok: false, reason: 'missing or malformed timestamp' };
  if (!input.signature?.startsWith('v0=')) return { ok: false, reason: 'missing or malformed signature' };
  // 2. The timestamp is recent: an old request replayed (even unaltered) is refused.
  const skew = Math.abs(input.nowMs / 1000 - Number(input.timestamp));
  if (skew > SLACK_MAX_SKEW_SECONDS) return { ok: false, reason: 'timestamp too far from now' };
  // 3. The signature is HMAC-SHA256 of "v0:<timestamp>:<raw body>" with the signing secret.
  const expected = createHmac('sha256', input.signingSecret)
    .update(`v0:${input.timestamp}:`)
    .update(input.rawBody)
    .digest('hex');
  const given = Buffer.from(input.signature.slice(3), 'utf8');
  const want = Buffer.from(expected, 'utf8');
  // 4. Compared in constant time (lengths first: timingSafeEqual needs equal lengths).
  if (given.length !== want.length || !timingSafeEqual(given, want)) return { ok: false, reason: 'signature mismatch' };
  return { ok: true };
}
