// POST /discord/interactions on the bot's own HTTP server (Discord's "Interactions Endpoint URL"): the signature is
// checked before anything in the body is read (401 otherwise), a request seen before is refused, PING is answered,
// and commands and button clicks go to the interaction handler. Refusals are logged by the server, rate-limited.
import type { KeyObject } from 'node:crypto';
import type { RouteMounter, RouteResponse } from '../../src/ports/http-routes.js';
import type { Logger } from '../../src/ports/logger.js';
import { inMemorySeenRequests, type SeenRequests } from '../../src/ports/seen-requests.js';
import type { InteractionResult } from './interactions.js';
import { DISCORD_MAX_SKEW_SECONDS, verifyDiscordSignature } from './verify.js';

export const INTERACTIONS_PATH = '/discord/interactions';

export function mountDiscordInteractions(
  router: RouteMounter,
  opts: {
    publicKey: KeyObject;
    handle: (body: unknown) => Promise<InteractionResult>;
    logger: Logger;
    now?: () => number;
    /** Signatures already accepted, kept while they are: a captured request sent again is refused, not run twice. */
    seen?: SeenRequests;
  },
): void {
  const seen = opts.seen ?? inMemorySeenRequests();
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
    if (!verdict.ok) return { status: 401, body: { error: 'invalid_signature' }, refusal: verdict.reason };
    const at = now();
    if (
      !(await seen.firstSeen(`discord:${String(signature).toLowerCase()}`, at + DISCORD_MAX_SKEW_SECONDS * 2000, at))
    ) {
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
      const error = result.malformed ? 'malformed_interaction' : 'unsupported_interaction';
      return { status: 400, body: { error }, refusal: result.reason };
    }
    return { status: 200, body: result.response };
  });
}
