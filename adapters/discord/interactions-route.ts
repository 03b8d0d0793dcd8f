// POST /discord/interactions on the bot's own HTTP server (Discord's "Interactions Endpoint URL"): the signature is
// checked before anything in the body is read (401 otherwise), a request seen before is refused, PING is answered,
// and commands and button clicks go to the interaction handler.
import type { KeyObject } from 'node:crypto';
import type { RouteMounter, RouteResponse } from '../../src/ports/http-routes.js';
import type { Logger } from '../../src/ports/logger.js';
import type { InteractionResult } from './interactions.js';
import { DISCORD_MAX_SKEW_SECONDS, verifyDiscordSignature } from './verify.js';

export const INTERACTIONS_PATH = '/discord/interactions';

/** Signatures seen within the accepted window: a captured request sent again is refused, not run twice. */
class ReplayGuard {
  private readonly seen = new Map<string, number>();
  firstTime(signature: string, now: number): boolean {
    for (const [sig, until] of this.seen) if (until <= now) this.seen.delete(sig);
    if (this.seen.has(signature)) return false;
    this.seen.set(signature, now + DISCORD_MAX_SKEW_SECONDS * 2000);
    return true;
  }
}

export function mountDiscordInteractions(
  router: RouteMounter,
  opts: {
    publicKey: KeyObject;
    handle: (body: unknown) => Promise<InteractionResult>;
    logger: Logger;
    now?: () => number;
  },
): void {
  const replays = new ReplayGuard();
  const now = opts.now ?? Date.now;
  router.add('POST', INTERACTIONS_PATH, async ({ req, body }): Promise<RouteResponse> => {
    const raw = await body();
    const signature = req.headers['x-signature-ed25519'];
    const verdict = verifyDiscordSignature({
      publicKey: opts.publicKey,
      signature: typeof signature === 'string' ? signature : undefined,
      timestamp:
        typeof req.headers['x-signature-timestamp'] === 'string' ? req.headers['x-signature-timestamp'] : undefined,
      rawBody: raw,
      nowMs: now(),
    });
    if (!verdict.ok) {
      opts.logger.warn({ reason: verdict.reason }, `refused a request to ${INTERACTIONS_PATH}`);
      return { status: 401, body: { error: 'invalid_signature' } };
    }
    if (!replays.firstTime(String(signature).toLowerCase(), now())) {
      opts.logger.warn({}, `refused a replayed request to ${INTERACTIONS_PATH}`);
      return { status: 401, body: { error: 'replayed_request' } };
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString('utf8'));
    } catch {
      return { status: 400, body: { error: 'malformed_body' } };
    }
    if (!parsed || typeof parsed !== 'object') return { status: 400, body: { error: 'malformed_body' } };
    const result = await opts.handle(parsed);
    if (!result.ok) {
      opts.logger.warn({ reason: result.reason }, 'an interaction this bot does not handle');
      return { status: 400, body: { error: 'unsupported_interaction' } };
    }
    return { status: 200, body: result.response };
  });
}
