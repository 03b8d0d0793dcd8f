// Request signers for tests: what Slack and Discord put on the requests they send the bot, so a test can sign a
// command the way the platform does (and tamper with it).
import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import { ED25519_SPKI_PREFIX } from '../../adapters/discord/verify.js';

/** A key pair, its public key as Discord shows it, and a signer for request bodies. */
export function createInteractionSigner() {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const der = publicKey.export({ format: 'der', type: 'spki' });
  return {
    publicKeyHex: der.subarray(ED25519_SPKI_PREFIX.length).toString('hex'),
    headers(rawBody: string | Buffer, timestampSeconds: number = Math.floor(Date.now() / 1000)) {
      const ts = String(timestampSeconds);
      const sig = sign(null, Buffer.concat([Buffer.from(ts), Buffer.from(rawBody)]), privateKey).toString('hex');
      return { 'x-signature-ed25519': sig, 'x-signature-timestamp': ts };
    },
  };
}

/** The headers Slack would send for this body. */
export function signSlackRequest(signingSecret: string, rawBody: string | Buffer, timestampSeconds: number) {
  const ts = String(timestampSeconds);
  const sig = createHmac('sha256', signingSecret).update(`v0:${ts}:`).update(rawBody).digest('hex');
  return { 'x-slack-request-timestamp': ts, 'x-slack-signature': `v0=${sig}` };
}
