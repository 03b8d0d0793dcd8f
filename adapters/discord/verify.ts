// Verifies that a request to /discord/interactions comes from Discord, before anything in it is parsed: Ed25519 over
// timestamp + raw body with the application's public key. Discord sends badly signed requests on purpose and turns
// the endpoint off if one is accepted.
// https://discord.com/developers/docs/interactions/overview#setting-up-an-endpoint-validating-security-request-headers
import { createPublicKey, type KeyObject, verify } from 'node:crypto';

/** A request signed more than five minutes away from now is refused (a captured request replayed later). */
export const DISCORD_MAX_SKEW_SECONDS = 5 * 60;

/** DER prefix of an Ed25519 SubjectPublicKeyInfo; the raw 32-byte key follows (RFC 8410). */
export const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export type VerifyResult = { ok: true } | { ok: false; reason: string };

/** The application's public key (64 hex characters, from the Developer Portal) as a key Node can verify with. */
export function discordPublicKey(hex: string): KeyObject {
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new Error('a Discord public key is 64 hexadecimal characters');
  return createPublicKey({
    key: Buffer.concat([ED25519_SPKI_PREFIX, Buffer.from(hex, 'hex')]),
    format: 'der',
    type: 'spki',
  });
}

export function verifyDiscordSignature(input: {
  publicKey: KeyObject;
  /** X-Signature-Ed25519: 64 bytes in hex. */
  signature: string | undefined;
  /** X-Signature-Timestamp: seconds. */
  timestamp: string | undefined;
  /** The raw body, byte for byte as received. */
  rawBody: Buffer;
  nowMs: number;
}): VerifyResult {
  // 1. Both headers are present and well formed.
  if (!input.timestamp || !/^\d{1,12}$/.test(input.timestamp))
    return { ok: false, reason: 'missing or malformed timestamp' };
  if (!input.signature || !/^[0-9a-fA-F]{128}$/.test(input.signature)) {
    return { ok: false, reason: 'missing or malformed signature' };
  }
  // 2. The timestamp is recent: an old request replayed (even unaltered) is refused.
  if (Math.abs(input.nowMs / 1000 - Number(input.timestamp)) > DISCORD_MAX_SKEW_SECONDS) {
    return { ok: false, reason: 'timestamp too far from now' };
  }
  // 3. The signature covers the timestamp and the exact bytes of the body.
  const signed = Buffer.concat([Buffer.from(input.timestamp, 'utf8'), input.rawBody]);
  try {
    if (verify(null, signed, input.publicKey, Buffer.from(input.signature, 'hex'))) return { ok: true };
  } catch {
    // a key or signature Node cannot use: the same answer as a wrong signature
  }
  return { ok: false, reason: 'signature mismatch' };
}
