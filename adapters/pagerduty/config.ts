// The PagerDuty adapter's part of the configuration: Events API v2 destinations (a service's routing key), and the
// `pagerduty:` section for what PagerDuty tells the bot back (v3 webhooks).
import { z } from 'zod';
import { type AdapterConfigRules, atLeast50ms, httpUrl, id, rawList, secretRef } from '../../src/config/fields.js';

/** PagerDuty Events API v2: a service's integration (routing) key; only the paging policy sends to it. */
export const pagerdutyDestination = z.strictObject({
  id,
  type: z.literal('pagerduty'),
  routingKey: secretRef,
  eventsUrl: httpUrl.default('https://events.pagerduty.com/v2/enqueue'),
  timeout: atLeast50ms.default(10_000),
});
export type PagerDutyDestination = z.output<typeof pagerdutyDestination>;

/** What PagerDuty tells the bot back: acknowledgements, resolutions, reassignments and notes made in PagerDuty. */
export const pagerdutyApp = z.strictObject({
  /**
   * Enables POST /webhooks/pagerduty. The signing secret of each v3 webhook subscription that sends there (PagerDuty
   * shows it once, when the subscription is created); a delivery signed with any of them is accepted.
   */
  webhookSecrets: z.array(secretRef).min(1, 'at least one signing secret (`- { secretEnv: PD_WEBHOOK_SECRET }`)'),
});
export type PagerDutyApp = z.output<typeof pagerdutyApp>;

export const pagerdutyConfigRules: AdapterConfigRules = {
  types: ['pagerduty'],
  destinationKey: (d) => (d.type === 'pagerduty' ? d.id : undefined),
  check(root) {
    const pagers = new Set(
      rawList(root, 'destinations').flatMap((d) => (d?.type === 'pagerduty' ? [String(d.id)] : [])),
    );
    const problems = [];
    if (root.pagerduty !== undefined && pagers.size === 0) {
      problems.push({
        path: ['pagerduty'],
        message: 'PagerDuty webhooks speak of pages the bot sent: add a destination of type pagerduty',
      });
    }
    const policy = (root.policy ?? {}) as { paging?: { rules?: unknown } };
    const rules = Array.isArray(policy.paging?.rules) ? (policy.paging.rules as Record<string, unknown>[]) : [];
    for (const [i, rule] of rules.entries()) {
      const to = Array.isArray(rule?.to) ? rule.to : [];
      for (const [j, dest] of to.entries()) {
        if (pagers.has(dest)) continue;
        problems.push({
          path: ['policy', 'paging', 'rules', i, 'to', j],
          message: `no pagerduty destination with id "${dest}" (known: ${[...pagers].join(', ') || 'none'})`,
        });
      }
    }
    for (const [i, sub] of rawList(root, 'subscriptions').entries()) {
      const dest = sub?.destination;
      if (typeof dest === 'string' && pagers.has(dest)) {
        problems.push({
          path: ['subscriptions', i, 'destination'],
          message: `"${dest}" is a pagerduty destination: what pages is decided by policy.paging.rules, not subscriptions`,
        });
      }
    }
    return problems;
  },
};
