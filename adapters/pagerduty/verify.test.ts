import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signPagerDutyBody, verifyPagerDutySignature } from './verify.js';

const SECRET = 'pd-subscription-secret-1';
const NEXT_SECRET = 'pd-subscription-secret-2';
const body = Buffer.from(
  '{"event":{"id":"01DEB6Z","event_type":"incident.acknowledged","agent":{"summary":"Ana Ávila"},"data":{"id":"PGR0VU2"}}}',
);
/** Written out by hand, so the test does not only agree with the code's own signer. */
const hmacHex = (secret: string, raw: Buffer) => createHmac('sha256', secret).update(raw).digest('hex');

const check = (header: string | undefined, raw = body, secrets = [SECRET]) =>
  verifyPagerDutySignature({ secrets, header, rawBody: raw });

describe('PagerDuty webhook signatures (X-PagerDuty-Signature)', () => {
  it('accepts v1=<hex HMAC-SHA256 of the raw body> with the subscription secret', () => {
    expect(check(`v1=${hmacHex(SECRET, body)}`)).toEqual({ ok: true });
    expect(signPagerDutyBody(body, [SECRET])).toBe(`v1=${hmacHex(SECRET, body)}`);
  });

  it('accepts a delivery during a rotation: two signatures, the bot knowing either secret', () => {
    const header = `v1=${hmacHex('the-old-secret', body)},v1=${hmacHex(NEXT_SECRET, body)}`;
    expect(check(header, body, [NEXT_SECRET])).toEqual({ ok: true });
    expect(check(header, body, ['the-old-secret'])).toEqual({ ok: true });
    // Spaces after the commas and upper-case hex are the same signatures.
    expect(check(`v1=${hmacHex('x', body)}, V2=abc, v1=${hmacHex(SECRET, body).toUpperCase()}`)).toEqual({ ok: true });
  });

  it('accepts any of several configured secrets (two subscriptions, or the next secret configured ahead)', () => {
    expect(check(`v1=${hmacHex(NEXT_SECRET, body)}`, body, [SECRET, NEXT_SECRET])).toEqual({ ok: true });
  });

  it('refuses a signature made with another secret', () => {
    expect(check(`v1=${hmacHex('not-the-secret', body)}`)).toEqual({ ok: false, reason: 'signature mismatch' });
  });

  it('refuses a missing header, an empty one, and one with no v1 signature', () => {
    expect(check(undefined)).toEqual({ ok: false, reason: 'missing signature' });
    expect(check('')).toEqual({ ok: false, reason: 'missing signature' });
    expect(check(`v0=${hmacHex(SECRET, body)}`)).toEqual({ ok: false, reason: 'no v1 signature' });
    expect(check(hmacHex(SECRET, body))).toEqual({ ok: false, reason: 'no v1 signature' });
  });

  it('refuses a tampered body, even by one byte or re-serialised JSON', () => {
    const header = `v1=${hmacHex(SECRET, body)}`;
    const tampered = Buffer.from(body.toString('utf8').replace('Ana', 'Eve'));
    expect(check(header, tampered)).toEqual({ ok: false, reason: 'signature mismatch' });
    const reformatted = Buffer.from(JSON.stringify(JSON.parse(body.toString('utf8')), null, 2));
    expect(check(header, reformatted)).toEqual({ ok: false, reason: 'signature mismatch' });
  });

  it('signs the UTF-8 bytes as received (names with accents)', () => {
    const latin1 = Buffer.from(body.toString('utf8'), 'latin1');
    expect(check(`v1=${hmacHex(SECRET, latin1)}`)).toEqual({ ok: false, reason: 'signature mismatch' });
  });

  it('never accepts with no usable secret configured (an unset variable is an empty secret)', () => {
    expect(check(`v1=${hmacHex('', body)}`, body, [''])).toEqual({ ok: false, reason: 'signature mismatch' });
    expect(check(`v1=${hmacHex(SECRET, body)}`, body, [])).toEqual({ ok: false, reason: 'signature mismatch' });
  });
});
