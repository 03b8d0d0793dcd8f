// Subscriptions and silences come from the config file and from chat (stored); routing sees both.
import type { Silence } from '../domain/silence.js';
import type { Subscription } from '../domain/subscription.js';
import type { RouteContext } from '../engine/route.js';
import type { Store } from '../ports/store.js';

export interface RoutingSources {
  configSubscriptions: Subscription[];
  configSilences: Silence[];
}

export async function loadRoutingContext(store: Store, fixed: RoutingSources, now: number): Promise<RouteContext> {
  const [subscriptions, silences] = await Promise.all([store.listSubscriptions(), store.listSilences(now)]);
  return {
    subscriptions: [...fixed.configSubscriptions, ...subscriptions],
    silences: [...fixed.configSilences, ...silences],
    now,
  };
}
