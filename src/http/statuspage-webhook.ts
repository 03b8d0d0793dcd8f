// Statuspage can push to a subscriber URL. It signs nothing and has no fixed addresses, so the URL carries a secret
// token (one per source). A push is a hint: it triggers an immediate poll, and the poll remains the truth.
import type { Logger } from '../ports/logger.js';
import type { Router } from './router.js';
import { sameSecret } from './same-secret.js';

export interface PushTarget {
  sourceId: string;
  secret: string;
}

export function mountStatuspageWebhook(
  router: Router,
  targets: PushTarget[],
  pollNow: (sourceId: string) => boolean,
  logger: Logger,
): void {
  router.add('POST', '/webhooks/statuspage/:secret', async ({ params, body }) => {
    const target = targets.find((t) => sameSecret(t.secret, params.secret ?? ''));
    // Same answer for a wrong secret and no configured push, so the URL cannot be probed.
    if (!target) return { status: 404, body: { error: 'not_found' } };
    const raw = await body(); // over the limit: 413 from the server
    let doc: unknown;
    try {
      doc = JSON.parse(raw.toString('utf8'));
    } catch {
      return { status: 400, body: { error: 'malformed_json' } };
    }
    const isEvent =
      doc !== null && typeof doc === 'object' && ('incident' in doc || 'component' in doc || 'page' in doc);
    if (!isEvent) return { status: 400, body: { error: 'not_a_statuspage_event', expected: 'incident or component' } };
    const kind = 'incident' in (doc as object) ? 'incident' : 'component';
    logger.info({ source: target.sourceId, kind }, 'status page push received; polling now');
    pollNow(target.sourceId);
    return { status: 202, body: { status: 'accepted' } };
  });
}
