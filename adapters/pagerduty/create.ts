// The PagerDuty adapter: one Events API v2 notifier per pagerduty destination (the paging policy decides what pages),
// and, with `pagerduty.webhookSecrets`, POST /webhooks/pagerduty for what on-call does in PagerDuty itself.
import type { Adapter, AdapterDeps } from '../../src/ports/adapter.js';
import { PASSIVE } from '../../src/ports/adapter.js';
import { type PagerDutyApp, type PagerDutyDestination, pagerdutyConfigRules } from './config.js';
import { createPagerDutyNotifier } from './pagerduty-notifier.js';
import { mountPagerDutyWebhooks } from './webhook-route.js';

export interface PagerDutySlice {
  app?: PagerDutyApp | undefined;
  destinations: PagerDutyDestination[];
}

export function createPagerDutyAdapter(slice: PagerDutySlice, deps: AdapterDeps): Adapter {
  const logger = deps.logger.child({ component: 'pagerduty' });
  const { app } = slice;
  const updates = deps.pagerUpdates;
  return {
    ...PASSIVE,
    notifiers: slice.destinations.map((d) =>
      createPagerDutyNotifier({
        destination: d.id,
        routingKey: deps.secret(d.routingKey.secretEnv),
        eventsUrl: d.eventsUrl,
        timeoutMs: d.timeout,
        logger,
      }),
    ),
    destinationKey: pagerdutyConfigRules.destinationKey,
    mount(router) {
      if (!app || !updates) return;
      mountPagerDutyWebhooks(router, {
        secrets: app.webhookSecrets.map((s) => deps.secret(s.secretEnv)),
        updates,
        logger,
        now: () => deps.clock.now(),
      });
    },
  };
}
