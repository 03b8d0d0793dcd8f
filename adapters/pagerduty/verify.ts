// Verifies that a webhook comes from PagerDuty, before anything in it is parsed.
// https://developer.pagerduty.com/docs/webhooks/webhook-signatures
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The only signature scheme PagerDuty's v3 webhooks use today: `v1=<hex HMAC-SHA256 of the raw body>`. */
const SCHEME = 'v1=';
/** A header carries one signature per signing secret of the subscription (two during a rotation); more is abuse. */
const MAX_SIGNATURES = 10;

export type VerifyResult = { ok: true } | { ok: false; reason: string };

export function verifyPagerDutySignature(input: {
  /** The webhook subscriptions' signing secrets the bot accepts (several while one replaces another). */
  secrets: string[];
  /** X-PagerDuty-Signature: comma-separated `v1=<hex>` values. */
  header: string | undefined;
  /** The raw body, byte for byte as received. */
  rawBody: Buffer;
}): VerifyResult {
  // 1. The header is present and holds at least one v1 signature (other versions are for future schemes).
  if (!input.header) return { ok: false, reason: 'missing signature' };
  const given = input.header
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.startsWith(SCHEME))
    .slice(0, MAX_SIGNATURES)
    .map((s) => Buffer.from(s.slice(SCHEME.length).toLowerCase(), 'utf8'));
  if (given.length === 0) return { ok: false, reason: 'no v1 signature' };
  // 2. Each configured secret's HMAC-SHA256 of the raw body, hex.
  const expected = input.secrets
    .filter((s) => s.length > 0)
    .map((secret) => Buffer.from(createHmac('sha256', secret).update(input.rawBody).digest('hex'), 'utf8'));
  // 3. Any pair matching is enough; every pair is compared in constant time (lengths first: timingSafeEqual needs
  //    equal lengths, and a hex digest's length is no secret).
  let match = false;
  for (const want of expected) {
    for (const sig of given) {
      if (sig.length === want.length && timingSafeEqual(sig, want)) match = true;
    }
  }
  return match ? { ok: true } : { ok: false, reason: 'signature mismatch' };
}

/** The header PagerDuty would send for `rawBody` signed with each of `secrets` (tests and the fake PagerDuty). */
export function signPagerDutyBody(rawBody: string | Buffer, secrets: string[]): string {
  return secrets.map((s) => `${SCHEME}${createHmac('sha256', s).update(rawBody).digest('hex')}`).join(',');
}
