// "A destination keeps refusing messages" is itself an alert (DESIGN: the bot watches itself): a delivery given up
// for a reason a person must fix (the bot was removed from the channel, the token was revoked) opens it, the next
// successful delivery there resolves it. It goes wherever subscriptions send it, like any alert.
import type { Alert, AlertEvent } from '../domain/alert.js';
import { DESTINATION_HEALTH_KIND } from '../domain/fingerprint.js';
import type { Signal } from '../domain/signal.js';
import type { EngineConfig } from '../engine/engine-config.js';
import { applySignal } from '../engine/lifecycle.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { Store } from '../ports/store.js';

export { DESTINATION_HEALTH_KIND };

const SOURCE = 'bot';

export const destinationHealthFingerprint = (destination: string) => `bot/destination/${destination}/refusing`;

export interface DestinationHealthDeps {
  store: Store;
  clock: Clock;
  engine: EngineConfig;
  logger: Logger;
  commitEvents: (events: AlertEvent[], alerts: Alert[]) => Promise<void>;
}

function signal(destination: string, error?: string): Signal {
  return {
    fingerprint: destinationHealthFingerprint(destination),
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

export function createDestinationHealth(deps: DestinationHealthDeps) {
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

  async function observe(destination: string, error?: string): Promise<void> {
    const s = signal(destination, error);
    const [prev] = await deps.store
      .alertsForEvaluation(SOURCE, [s.fingerprint])
      .then((all) => all.filter((a) => a.fingerprint === s.fingerprint));
    const [id] = await deps.store.reserveAlertIds(prev && prev.state !== 'resolved' ? 0 : 1);
    const t = applySignal(prev, s, {
      now: deps.clock.now(),
      config: deps.engine,
      firstSight: false,
      newId: () => id ?? 'A0',
    });
    if (t.alert) await deps.commitEvents(t.event ? [t.event] : [], [t.alert]);
  }

  return {
    async failed(destination: string, error: string): Promise<void> {
      try {
        await observe(destination, error);
        (await known()).add(destination);
      } catch (err) {
        deps.logger.error({ err, destination }, 'could not record a refusing destination');
      }
    },
    async delivered(destination: string): Promise<void> {
      if (!(await known()).has(destination)) return;
      try {
        await observe(destination);
        (await known()).delete(destination);
      } catch (err) {
        deps.logger.error({ err, destination }, 'could not record a destination accepting again');
      }
    },
  };
}
