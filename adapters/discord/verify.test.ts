import { describe, expect, it } from 'vitest';
import { createInteractionSigner } from '../../test/support/signers.js';
import { discordPublicKey, verifyDiscordSignature } from './verify.js';

const signer = createInteractionSigner();
const key = discordPublicKey(signer.publicKeyHex);
const body = Buffer.from('{"type":1}');
const now = 1_700_000_000_000;

function check(headers: Record<string, string>, raw = body, nowMs = now) {
  return verifyDiscordSignature({
    publicKey: key,
    signature: headers['x-signature-ed25519'],
    timestamp: headers['x-signature-timestamp'],
    rawBody: raw,
    nowMs,
  });
}

describe('Discord request signatures', () => {
  it('accepts a request signed with the application key', () => {
    expect(check(signer.headers(body, now / 1000))).toEqual({ ok: true });
  });

  it.each([
    ['an altered body', () => check(signer.headers(body, now / 1000), Buffer.from('{"type":2}'))],
    ['another key', () => check(createInteractionSigner().headers(body, now / 1000))],
    ['a stale timestamp', () => check(signer.headers(body, now / 1000 - 301))],
    ['a timestamp from the future', () => check(signer.headers(body, now / 1000 + 301))],
    [
      'a timestamp changed after signing',
      () => check({ ...signer.headers(body, now / 1000), 'x-signature-timestamp': String(now / 1000 + 1) }),
    ],
    ['no signature', () => check({ 'x-signature-timestamp': String(now / 1000) })],
    [
      'a malformed signature',
      () => check({ 'x-signature-ed25519': 'zz', 'x-signature-timestamp': String(now / 1000) }),
    ],
  ])('refuses %s', (_what, run) => {
    expect(run().ok).toBe(false);
  });

  it('refuses a public key that is not 64 hex characters', () => {
    expect(() => discordPublicKey('abc')).toThrow(/64 hexadecimal/);
  });
});
