// The PagerDuty adapter: one Events API v2 notifier per pagerduty destination (the paging policy decides what pages).
import type { Adapter, AdapterDeps } from '../../src/ports/adapter.js';
import { PASSIVE } from '../../src/ports/adapter.js';
import { type PagerDutyDestination, pagerdutyConfigRules } from './config.js';
import { createPagerDutyNotifier } from './pagerduty-notifier.js';

export interface PagerDutySlice {
  destinations: PagerDutyDestination[];
}

export function createPagerDutyAdapter(slice: PagerDutySlice, deps: AdapterDeps): Adapter {
  const logger = deps.logger.child({ component: 'pagerduty' });
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
  };
}
