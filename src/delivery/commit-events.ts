// Alert changes made outside a poll (an acknowledgement from chat) go out the same way as a poll's: routed by
// subscriptions and silences, committed with their intents in one transaction, then delivered.
import type { Alert, AlertEvent } from '../domain/alert.js';
import { routeEvents } from '../engine/route.js';
import { loadRoutingContext, type RoutingSources } from '../poll/routing-context.js';
import type { Clock } from '../ports/clock.js';
import type { Store } from '../ports/store.js';

export function createEventCommitter(deps: {
  store: Store;
  routing: RoutingSources;
  clock: Clock;
  onIntents: () => void;
}) {
  return async (events: AlertEvent[], alerts: Alert[]): Promise<void> => {
    const routing = await loadRoutingContext(deps.store, deps.routing, deps.clock.now());
    const { intents } = routeEvents(events, routing);
    await deps.store.commitEvaluation({ alerts, intents, cursors: [] });
    if (intents.length > 0) deps.onIntents();
  };
}
