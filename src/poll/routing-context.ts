// Subscriptions and silences come from the config file and from chat (stored); routing sees both.
import type { Silence } from '../domain/silence.js';
import type { Subscription } from '../domain/subscription.js';
import type { PolicyContext } from '../engine/policy.js';
import { NO_POLICY, type PolicyConfig } from '../engine/policy-config.js';
import type { RouteContext } from '../engine/route.js';
import type { Store } from '../ports/store.js';

export interface RoutingSources {
  configSubscriptions: Subscription[];
  configSilences: Silence[];
  /** Paging, storms, reminders; none when absent (tests that only route). */
  policy?: PolicyConfig;
}

export async function loadRoutingContext(store: Store, fixed: RoutingSources, now: number): Promise<RouteContext> {
  const [subscriptions, silences] = await Promise.all([store.listSubscriptions(), store.listSilences(now)]);
  return {
    subscriptions: [...fixed.configSubscriptions, ...subscriptions],
    silences: [...fixed.configSilences, ...silences],
    now,
  };
}

export async function loadPolicyContext(store: Store, fixed: RoutingSources, now: number): Promise<PolicyContext> {
  return { ...(await loadRoutingContext(store, fixed, now)), policy: fixed.policy ?? NO_POLICY };
}
