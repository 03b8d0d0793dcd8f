import { describe, expect, it } from 'vitest';
import { signSlackRequest } from '../../test/support/signers.js';
import { verifySlackSignature } from './verify.js';

const SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const NOW = Date.parse('2026-11-27T10:00:00Z');
const body = Buffer.from('token=x&team_id=T1&command=%2Fbelvo-status&text=status&channel_id=C0123ABCD');

function check(headers: Record<string, string>, raw = body, now = NOW) {
  return verifySlackSignature({
    signingSecret: SECRET,
    timestamp: headers['x-slack-request-timestamp'],
    signature: headers['x-slack-signature'],
    rawBody: raw,
    nowMs: now,
  });
}

describe('Slack request signatures', () => {
  const signed = signSlackRequest(SECRET, body, NOW / 1000);

  it('accepts a request signed with the signing secret over the raw body', () => {
    expect(check(signed)).toEqual({ ok: true });
  });

  it('matches the example in Slack documentation', () => {
    // https://api.slack.com/authentication/verifying-requests-from-slack (worked example)
    const docBody = Buffer.from(
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c',
    );
    const result = verifySlackSignature({
      signingSecret: '8f742231b10e8888abcd99yyyzzz85a5',
      timestamp: '1531420618',
      signature: 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
      rawBody: docBody,
      nowMs: 1531420618 * 1000,
    });
    expect(result).toEqual({ ok: true });
  });

  it.each([
    ['a wrong secret', signSlackRequest('another-secret', body, NOW / 1000), body, NOW, 'signature mismatch'],
    [
      'a body with one byte changed',
      signed,
      Buffer.from(body.toString().replace('status', 'statuS')),
      NOW,
      'signature mismatch',
    ],
    [
      'a timestamp six minutes old',
      signSlackRequest(SECRET, body, NOW / 1000 - 360),
      body,
      NOW,
      'timestamp too far from now',
    ],
    ['a replay of a valid request ten minutes later', signed, body, NOW + 600_000, 'timestamp too far from now'],
    ['no signature', { 'x-slack-request-timestamp': String(NOW / 1000) }, body, NOW, 'missing or malformed signature'],
    ['no timestamp', { 'x-slack-signature': signed['x-slack-signature'] }, body, NOW, 'missing or malformed timestamp'],
    ['a signature of another length', { ...signed, 'x-slack-signature': 'v0=abc' }, body, NOW, 'signature mismatch'],
  ])('refuses %s', (_name, headers, raw, now, reason) => {
    expect(check(headers as Record<string, string>, raw, now)).toEqual({ ok: false, reason });
  });
});
