// Events to delivery intents: which destinations hear about which change. Pure.
// Later policy stages (grouping, paging rules, quiet hours, escalation) slot in between evaluate and route.
import type { AlertEvent } from '../domain/alert.js';
import { activeSilenceFor, type Silence } from '../domain/silence.js';
import { type Subscription, subscriptionMatches } from '../domain/subscription.js';
import type { NewIntent } from '../ports/store.js';

export interface RouteContext {
  subscriptions: Subscription[];
  silences: Silence[];
  now: number;
}

export interface Suppression {
  alertId: string;
  version: number;
  reason: string;
}

export interface RouteResult {
  intents: NewIntent[];
  suppressed: Suppression[];
}

export function routeEvents(events: AlertEvent[], ctx: RouteContext): RouteResult {
  const result: RouteResult = { intents: [], suppressed: [] };
  for (const original of events) {
    let event = original;
    const silence = event.bypassSilence ? undefined : activeSilenceFor(ctx.silences, event.alert, ctx.now);
    if (silence) {
      // Muted, not frozen: nothing is announced or paged, but a message already posted is still edited in place
      // (quiet), so it does not stay red after the thing resolved, or miss who acknowledged it.
      result.suppressed.push({
        alertId: event.alert.id,
        version: event.version,
        reason: `silenced by ${silence.createdBy} until ${new Date(silence.endsAt).toISOString()}: ${silence.reason}`,
      });
      event = { ...event, quiet: true, noPage: true };
    }
    const destinations = new Set<string>();
    for (const sub of ctx.subscriptions) {
      if (subscriptionMatches(sub.filter, event.alert)) destinations.add(sub.destination);
    }
    if (destinations.size === 0) {
      result.suppressed.push({ alertId: event.alert.id, version: event.version, reason: 'no subscription matches' });
    }
    for (const destination of destinations) {
      result.intents.push({ alertId: event.alert.id, version: event.version, destination, event, notBefore: event.at });
    }
  }
  return result;
}
