// One PagerDuty service (an Events API v2 integration's routing key) as a destination. The first trigger's dedup
// key is stored as the alert's "parent message" here, so the acknowledge and resolve that follow name the same
// PagerDuty alert even if the key derivation ever changes. Every event is idempotent at PagerDuty (a repeated
// trigger appends to the open alert, a repeated resolve is dropped), so a retry after a crash or a timeout needs no
// look-up before sending again.
import type { Dispatcher } from 'undici';
import type { AlertEvent, PageAction } from '../../src/domain/alert.js';
import { type Logger, silentLogger } from '../../src/ports/logger.js';
import type { DeliveryRequest, DeliveryResult, Notifier } from '../../src/ports/notifier.js';
import { dedupKeyFor } from './dedup-key.js';
import { PAGERDUTY_EVENTS_URL, PAGERDUTY_SEND_INTERVAL_MS } from './limits.js';
import { postEvent } from './post-event.js';
import { renderEvent } from './render-event.js';

export interface PagerDutyNotifierOptions {
  /** Destination id from config (`pagerduty-oncall`). */
  destination: string;
  /** The integration's 32-character routing key (a secret: from the environment or a *_FILE, never logged). */
  routingKey: string;
  /** Defaults to PagerDuty's production endpoint; tests and proxies point it elsewhere. */
  eventsUrl?: string;
  /** Whole-request deadline; default 10 s. */
  timeoutMs?: number;
  logger?: Logger;
  /** undici dispatcher (a proxy agent); default undici's global one. */
  dispatcher?: Dispatcher;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * The paging policy says what to do; an event without its word follows the alert's own state, and never opens a
 * page for an event marked `noPage` (maintenance, info). Undefined: nothing to send.
 */
export function pageActionFor(event: AlertEvent): PageAction | undefined {
  if (event.page) return event.page;
  if (event.type === 'resolved' || event.alert.state === 'resolved') return 'resolve';
  if (event.alert.acknowledged) return 'acknowledge';
  return event.noPage ? undefined : 'trigger';
}

export function createPagerDutyNotifier(opts: PagerDutyNotifierOptions): Notifier {
  const url = opts.eventsUrl ?? PAGERDUTY_EVENTS_URL;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const log = (opts.logger ?? silentLogger).child({ destination: opts.destination });

  return {
    destination: opts.destination,
    minIntervalMs: PAGERDUTY_SEND_INTERVAL_MS,
    async deliver(req: DeliveryRequest): Promise<DeliveryResult> {
      const { event } = req;
      const alertId = event.alert.id;
      const action = pageActionFor(event);
      const context = { alertId, version: event.version, action, attempt: req.attempt };
      if (action === undefined) {
        log.debug(context, 'pagerduty: nothing to page, nothing sent');
        return { outcome: 'delivered' };
      }
      // An acknowledge or resolve with no recorded trigger still goes out under the derived key: the trigger may
      // have reached PagerDuty without its answer being recorded, and PagerDuty drops one with no open alert.
      const dedupKey = req.parent?.messageId ?? dedupKeyFor(event.alert.fingerprint);
      const body = renderEvent(event, action, { dedupKey, ...(req.related && { related: req.related }) });
      const result = await postEvent({
        url,
        body: { routing_key: opts.routingKey, ...body },
        routingKey: opts.routingKey,
        timeoutMs,
        ...(opts.dispatcher && { dispatcher: opts.dispatcher }),
      });
      if (result.outcome !== 'delivered') {
        log.warn({ ...context, dedupKey, outcome: result.outcome, error: result.error }, 'pagerduty: event not sent');
        return result;
      }
      log.info({ ...context, dedupKey, status: result.status }, 'pagerduty: event accepted');
      return { outcome: 'delivered', parent: { alertId, destination: opts.destination, messageId: dedupKey } };
    },
  };
}
