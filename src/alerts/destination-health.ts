// "A destination keeps refusing messages" is itself an alert (DESIGN: the bot watches itself): a delivery given up
// for a reason a person must fix (the bot was removed from the channel, the token was revoked) opens it, the next
// successful delivery there resolves it. It goes wherever subscriptions send it, like any alert, through the
// alert-commit service.
import { DESTINATION_HEALTH_KIND, fingerprint } from '../domain/fingerprint.js';
import type { Signal } from '../domain/signal.js';
import type { AlertStore } from '../ports/alert-store.js';
import type { Logger } from '../ports/logger.js';
import type { DeliveryHealth } from '../ports/notifier.js';
import type { AlertCommitter } from './commit-service.js';

const SOURCE = 'bot';

export interface DestinationHealthDeps {
  store: Pick<AlertStore, 'listAlerts'>;
  alerts: AlertCommitter;
  logger: Logger;
}

function signal(destination: string, error?: string): Signal {
  return {
    fingerprint: fingerprint.destinationHealth(destination),
    kind: DESTINATION_HEALTH_KIND,
    source: SOURCE,
    lifecycle: 'observed',
    observation: error === undefined ? 'ok' : 'bad',
    severity: 'major',
    title: `Messages to ${destination} are refused`,
    status: error === undefined ? 'accepting' : 'refusing',
    thresholds: { fail: 1, ok: 1 },
    ...(error !== undefined && { evidence: { destination, lastError: error } }),
  };
}

export function createDestinationHealth(deps: DestinationHealthDeps): DeliveryHealth {
  /** Destinations with an open health alert (read from the store once, then kept here). */
  let refusing: Set<string> | undefined;

  async function known(): Promise<Set<string>> {
    if (!refusing) {
      const open = await deps.store.listAlerts({ states: ['firing', 'pending'], source: SOURCE });
      refusing = new Set(
        open.filter((a) => a.kind === DESTINATION_HEALTH_KIND).map((a) => String(a.evidence.destination)),
      );
    }
    return refusing;
  }

  return {
    async failed(destination, error) {
      try {
        await deps.alerts.commit({ type: 'observe', signal: signal(destination, error) });
        (await known()).add(destination);
      } catch (err) {
        deps.logger.error({ err, destination }, 'could not record a refusing destination');
      }
    },
    async delivered(destination) {
      if (!(await known()).has(destination)) return;
      try {
        await deps.alerts.commit({ type: 'observe', signal: signal(destination) });
        (await known()).delete(destination);
      } catch (err) {
        deps.logger.error({ err, destination }, 'could not record a destination accepting again');
      }
    },
  };
}
