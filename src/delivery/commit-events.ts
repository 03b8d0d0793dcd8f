// Alert changes made outside a poll (an acknowledgement from chat) go out the same way as a poll's: the policy
// (silences, paging) and routing decide who hears of them, and the alerts and their intents are committed in one
// transaction, then delivered.
import type { Alert, AlertEvent } from '../domain/alert.js';
import { applyPolicy } from '../engine/policy.js';
import { loadPolicyContext, type RoutingSources } from '../poll/routing-context.js';
import type { Clock } from '../ports/clock.js';
import type { Store } from '../ports/store.js';

export function createEventCommitter(deps: {
  store: Store;
  routing: RoutingSources;
  clock: Clock;
  onIntents: () => void;
}) {
  return async (events: AlertEvent[], alerts: Alert[]): Promise<void> => {
    const ctx = await loadPolicyContext(deps.store, deps.routing, deps.clock.now());
    const decided = applyPolicy(events, alerts, ctx);
    await deps.store.commitEvaluation({ alerts: decided.alerts, intents: decided.intents, cursors: [] });
    if (decided.intents.length > 0) deps.onIntents();
  };
}
