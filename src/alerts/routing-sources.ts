// Subscriptions and silences come from the config file and from chat (stored); the policy from the config. A
// decision sees both, with the stored ones read in the same store call as the alerts.
import type { Silence } from '../domain/silence.js';
import type { Subscription } from '../domain/subscription.js';
import type { PolicyContext } from '../engine/policy.js';
import { NO_POLICY, type PolicyConfig } from '../engine/policy-config.js';
import type { CommitContext } from '../ports/alert-store.js';

export interface RoutingSources {
  configSubscriptions: Subscription[];
  configSilences: Silence[];
  /** Paging, storms, reminders; none when absent (tests that only route). */
  policy?: PolicyConfig;
}

/** What the policy and routing stages see at `now`: the config's subscriptions and silences, then the stored ones. */
export function policyContext(
  fixed: RoutingSources,
  ctx: Pick<CommitContext, 'subscriptions' | 'silences' | 'heard'>,
  now: number,
): PolicyContext {
  return {
    subscriptions: [...fixed.configSubscriptions, ...ctx.subscriptions],
    silences: [...fixed.configSilences, ...ctx.silences],
    now,
    heard: ctx.heard,
    policy: fixed.policy ?? NO_POLICY,
  };
}
