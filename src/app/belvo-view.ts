// The team's Belvo account as /belvo-status and the web page show it: environments, link counts, duplicate links,
// the last webhook (from the store) and the calls the team's app reported (from the calls monitor).
import { belvoBaseUrl } from '../../adapters/belvo/api/base-url.js';
import type { BelvoAccountView } from '../commands/belvo-view.js';
import { storedBelvoView } from '../commands/stored-belvo-view.js';
import type { Config } from '../config/schema.js';
import type { Store } from '../ports/store.js';
import type { Sources } from './sources.js';

const NO_ACCOUNT = {
  environments: [],
  linkCounts: async () => [],
  duplicateLinks: async () => [],
  lastWebhookAt: async () => undefined,
};

export function belvoAccountView(config: Config, store: Store, sources: Sources): BelvoAccountView | undefined {
  const calls = sources.calls;
  if (sources.institutions.length === 0 && !calls) return undefined;
  return {
    ...(storedBelvoView(config, store, belvoBaseUrl) ?? NO_ACCOUNT),
    ...(calls && {
      calls: {
        summary: (now, ms, institution) => calls.summary(now, ms, institution),
        get failures() {
          return calls.reported.failures;
        },
        get failuresWithoutRequestId() {
          return calls.reported.failuresWithoutRequestId;
        },
        get lastReportAt() {
          return calls.reported.lastReportAt;
        },
        ...(config.belvo && { keptMs: config.belvo.errorRatios.longWindow }),
      },
    }),
  };
}
