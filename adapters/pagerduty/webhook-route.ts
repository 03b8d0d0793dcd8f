// POST /webhooks/pagerduty on the bot's own HTTP server: PagerDuty's v3 webhooks (a webhook subscription's
// deliveries). The signature is checked over the raw body before anything in it is read (401 otherwise, nothing
// changes); a body that is no v3 event is a 400; anything understood is answered 2xx, acted on or not, so PagerDuty
// does not retry it. A delivery PagerDuty retries (same event id) changes nothing the second time.
import type { RouteMounter, RouteResponse } from '../../src/ports/http-routes.js';
import type { Logger } from '../../src/ports/logger.js';
import type { PagerUpdates } from '../../src/ports/pager-updates.js';
import { verifyPagerDutySignature } from './verify.js';
import { parsePagerDutyWebhook } from './webhook-event.js';

export const PAGERDUTY_WEBHOOK_PATH = '/webhooks/pagerduty';

export function mountPagerDutyWebhooks(
  router: RouteMounter,
  opts: {
    /** Every signing secret accepted (one per webhook subscription, two while one replaces another). */
    secrets: string[];
    updates: PagerUpdates;
    logger: Logger;
    now: () => number;
  },
): void {
  router.add('POST', PAGERDUTY_WEBHOOK_PATH, async ({ req, body }): Promise<RouteResponse> => {
    const raw = await body(); // over the server's limit: 413
    const header = req.headers['x-pagerduty-signature'];
    const verdict = verifyPagerDutySignature({
      secrets: opts.secrets,
      header: typeof header === 'string' ? header : undefined,
      rawBody: raw,
    });
    if (!verdict.ok) return { status: 401, body: { error: 'invalid_signature' }, refusal: verdict.reason };
    let doc: unknown;
    try {
      doc = JSON.parse(raw.toString('utf8'));
    } catch {
      return { status: 400, body: { error: 'malformed_json' } };
    }
    const parsed = parsePagerDutyWebhook(doc, opts.now());
    if (parsed.kind === 'malformed') {
      return { status: 400, body: { error: 'malformed_event', detail: parsed.reason }, refusal: parsed.reason };
    }
    if (parsed.kind === 'ignored') {
      opts.logger.debug({ pagerEvent: parsed.eventId, reason: parsed.reason }, 'pagerduty webhook ignored');
      return { status: 200, body: { status: 'ignored' } };
    }
    const outcome = await opts.updates.apply(parsed.update);
    if (outcome.outcome !== 'applied') {
      opts.logger.debug(
        { pagerEvent: parsed.update.eventId, type: parsed.update.type, ...outcome },
        'pagerduty webhook changed nothing',
      );
    }
    return {
      status: 200,
      body: { status: outcome.outcome, ...(outcome.outcome !== 'unknown' && { alert: outcome.alertId }) },
    };
  });
}
