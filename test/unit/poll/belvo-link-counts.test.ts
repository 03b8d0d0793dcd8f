// The team's link counts (a few thousand rows at 100,000 links) are read once per check: the spike check and the
// institution health poll weigh their signals with them, and the commit that follows reuses them for the
// institution incidents' impact instead of reading them again.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../../adapters/sqlite/sqlite-store.js';
import { AlertCommitter } from '../../../src/alerts/commit-service.js';
import { DEFAULT_ENGINE_CONFIG } from '../../../src/engine/engine-config.js';
import { BelvoInstitutionsPoller } from '../../../src/poll/belvo-institutions.js';
import { BelvoLinksMonitor, storedLinkCounts } from '../../../src/poll/belvo-links.js';
import type { PollDeps } from '../../../src/poll/poll-deps.js';
import type { BelvoApi, BelvoInstitution, BelvoLink } from '../../../src/ports/belvo.js';
import { silentLogger } from '../../../src/ports/logger.js';
import { noMetrics } from '../../../src/ports/metrics.js';
import type { Store } from '../../../src/ports/store.js';

const T0 = Date.parse('2026-11-27T09:00:00Z');
const MIN = 60_000;
const INSTITUTION = 'erebor_mx_retail';

const erebor: BelvoInstitution = {
  id: 1,
  name: INSTITUTION,
  displayName: 'Banco Erebor',
  countryCodes: ['MX'],
  status: 'down',
};

/** Belvo as the checks see it: `links` listed, every institution down. */
function api(links: () => BelvoLink[]): BelvoApi {
  return {
    ping: async () => {},
    listInstitutions: async () => [erebor],
    countLinks: async ({ status } = {}) => links().filter((l) => l.status === status).length,
    async *listLinks() {
      yield* links();
    },
  };
}

/** Links as Belvo lists them and as the store takes them: the fields both share. */
const linksIn = (status: string, count: number) =>
  Array.from({ length: count }, (_, i) => ({ id: `link-${i}`, institution: INSTITUTION, status }));

describe('link counts, once per check', () => {
  let store: Store;
  let now: number;
  /** How many times the link counts were read. */
  let countReads: number;
  let deps: PollDeps;

  beforeEach(async () => {
    now = T0;
    countReads = 0;
    const inner = createSqliteStore({ path: ':memory:' });
    await inner.init();
    store = new Proxy(inner, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (prop !== 'linkStatusCounts' || typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          countReads++;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const clock = { now: () => now };
    deps = {
      store,
      clock,
      logger: silentLogger,
      metrics: noMetrics,
      alerts: new AlertCommitter({
        store,
        clock,
        logger: silentLogger,
        metrics: noMetrics,
        engine: DEFAULT_ENGINE_CONFIG,
        routing: { configSubscriptions: [], configSilences: [] },
        onIntents: () => {},
        // As the app wires it: institution incidents are weighed in production's links.
        linkImpact: { environment: 'production', read: () => storedLinkCounts({ store }, 'production') },
      }),
    };
  });
  afterEach(() => store.close());

  it('a spike check reads them once; its alert and the incident it opens both say how many links there are', async () => {
    let listed = linksIn('valid', 40);
    const monitor = new BelvoLinksMonitor(deps, {
      environment: 'production',
      api: api(() => listed),
      reconcileEveryMs: MIN,
      catalogue: () => new Map([[INSTITUTION, { name: INSTITUTION, displayName: 'Banco Erebor' }]]),
      critical: () => false,
    });
    await monitor.poll(); // first sight: the links as they are
    listed = [...linksIn('token_required', 40).slice(0, 30), ...linksIn('valid', 40).slice(30)];
    now += 2 * MIN;
    countReads = 0;
    await monitor.poll();
    // One read for the drift check before listing, one for the spike check and its commit together.
    expect(countReads).toBe(2);
    const firing = await store.listAlerts({ states: ['firing'] });
    const kinds = (kind: string) => firing.filter((a) => a.kind === kind);
    expect(kinds('belvo.token_required-spike')).toMatchObject([{ evidence: { count: 30, links: 40 } }]);
    // The incident the spike opened counts its impact in the same links.
    expect(kinds('institution.incident')).toMatchObject([{ evidence: { links: 40 } }]);
  });

  it('an institution health poll reads them once, its commit included', async () => {
    await store.upsertLinks('production', linksIn('valid', 25), T0);
    const poller = new BelvoInstitutionsPoller(deps, {
      environment: 'production',
      api: api(() => []),
      linkCounts: () => storedLinkCounts(deps, 'production'),
      critical: () => false,
      timeoutMs: 1000,
    });
    countReads = 0;
    await poller.poll();
    expect(countReads).toBe(1);
  });

  it('a poll of another environment leaves the impact to be read where it is counted', async () => {
    const poller = new BelvoInstitutionsPoller(deps, {
      environment: 'sandbox',
      api: api(() => []),
      linkCounts: () => storedLinkCounts(deps, 'sandbox'),
      critical: () => false,
      timeoutMs: 1000,
    });
    countReads = 0;
    await poller.poll();
    expect(countReads).toBe(2);
  });
});
