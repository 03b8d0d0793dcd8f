// What the bot watches, each on its schedule: the status pages, the team's Belvo account (institution health, link
// statuses and their spikes), the calls the team's app reports, and the pruning of old Belvo webhooks.
import { belvoApiFor } from '../../adapters/belvo/api/for-environment.js';
import { createStatusPageReader } from '../../adapters/statuspage/reader.js';
import type { Config } from '../config/schema.js';
import { InstitutionCatalogue } from '../domain/catalogue.js';
import type { InstitutionRef } from '../domain/institution.js';
import { AlertRetention } from '../poll/alert-retention.js';
import { BelvoCallsMonitor } from '../poll/belvo-calls.js';
import { BelvoInstitutionsPoller } from '../poll/belvo-institutions.js';
import { BelvoLinksMonitor, storedLinkCounts } from '../poll/belvo-links.js';
import { BelvoRetention } from '../poll/belvo-retention.js';
import type { PollDeps } from '../poll/poll-deps.js';
import { StatusPagePoller } from '../poll/poll-status-page.js';
import { type Pollable, PollScheduler } from '../poll/scheduler.js';
import { criticalMatcher, errorRatioConfigFrom, spikeConfigFrom } from './core-config.js';

/** How often old webhooks, link events and resolved alerts are pruned: rarely enough to cost nothing, often enough to stay small. */
const RETENTION_EVERY_MS = 6 * 60 * 60_000;

export interface Sources {
  readonly statusPages: StatusPagePoller[];
  readonly institutions: BelvoInstitutionsPoller[];
  readonly links: BelvoLinksMonitor[];
  readonly calls: BelvoCallsMonitor | undefined;
  readonly scheduler: PollScheduler;
  /** Everything the scheduler polls. */
  readonly targets: Pollable[];
  /** Belvo's institutions by name, as the account's environments list them. */
  catalogue(): Map<string, InstitutionRef>;
  /** Judges the links of these environments now (a webhook batch moved some). */
  wakeLinks(environments: string[]): void;
  /** Resolves once what webhooks and reported calls woke has finished. */
  idle(): Promise<void>;
}

export function buildSources(config: Config, secrets: Map<string, string>, deps: PollDeps): Sources {
  // One institution, many names: status-page components join Belvo's names once the API's list is known.
  const names = new InstitutionCatalogue(config.institutions.map);
  const statusPages = config.sources.map((source) => {
    const reader = createStatusPageReader({
      sourceId: source.id,
      baseUrl: source.url,
      format: source.format,
      timeoutMs: source.timeout,
      maxBodyBytes: source.maxBodySize,
      cursors: { get: (key) => deps.store.getCursor(key) },
    });
    const { id, name, role, url, failuresBeforeAlert, timeout } = source;
    const environment = source.environment !== undefined ? { environment: source.environment } : {};
    const settings = { id, name, role, url, ...environment, failuresBeforeAlert, timeoutMs: timeout, catalogue: names };
    return new StatusPagePoller(settings, reader, deps);
  });

  const critical = criticalMatcher(config.policy.paging.criticalInstitutions);
  const environments = config.belvo?.environments ?? [];
  // The client names the environment in each of its lines itself: binding it here too wrote the key twice.
  const apis = environments.map((env) => belvoApiFor(env, secrets, deps.logger.child({ component: 'belvo' })));
  const institutions = environments.map(
    (env, i) =>
      new BelvoInstitutionsPoller(deps, {
        environment: env.id,
        api: apis[i] as (typeof apis)[number],
        linkCounts: () => storedLinkCounts(deps, env.id),
        critical,
        timeoutMs: env.timeout,
        catalogue: names,
      }),
  );
  const catalogue = () => {
    const all = new Map<string, InstitutionRef>();
    for (const p of institutions) for (const [name, ref] of p.catalogue()) all.set(name, ref);
    return all;
  };
  const links = environments.map(
    (env, i) =>
      new BelvoLinksMonitor(deps, {
        environment: env.id,
        api: apis[i] as (typeof apis)[number],
        reconcileEveryMs: env.reconcileInterval,
        spikes: spikeConfigFrom(config.belvo?.spikes),
        catalogue,
        critical,
      }),
  );
  // The team's own Belvo calls, when its app reports them.
  const ingest = config.belvo?.ingest;
  const calls =
    ingest && config.belvo
      ? new BelvoCallsMonitor(deps, errorRatioConfigFrom(config.belvo.errorRatios), catalogue)
      : undefined;
  const retention = config.belvo && new BelvoRetention(deps, config.belvo.retention);
  const alertRetention = new AlertRetention(deps, config.retention.alerts);

  const scheduler = new PollScheduler(
    [
      ...config.sources.map((s, i) => ({
        target: statusPages[i] as StatusPagePoller,
        intervalMs: s.interval,
        jitter: s.jitter,
      })),
      ...institutions.map((target, i) => ({
        target,
        intervalMs: environments[i]?.institutionsInterval ?? 120_000,
        jitter: 0.1,
      })),
      // Spikes are judged every minute; the reconciliation inside runs on its own, slower interval.
      ...links.map((target, i) => ({ target, intervalMs: environments[i]?.spikeCheckInterval ?? 60_000, jitter: 0.1 })),
      ...(calls && ingest ? [{ target: calls, intervalMs: ingest.evaluateEvery, jitter: 0 }] : []),
      ...(retention ? [{ target: retention, intervalMs: RETENTION_EVERY_MS, jitter: 0.1 }] : []),
      { target: alertRetention, intervalMs: RETENTION_EVERY_MS, jitter: 0.1 },
    ],
    deps.logger.child({ component: 'scheduler' }),
  );
  return {
    statusPages,
    institutions,
    links,
    calls,
    scheduler,
    targets: [
      ...statusPages,
      ...institutions,
      ...links,
      ...(calls ? [calls] : []),
      ...(retention ? [retention] : []),
      alertRetention,
    ],
    catalogue,
    wakeLinks(envs) {
      for (const env of envs) links[environments.findIndex((e) => e.id === env)]?.wake();
    },
    async idle() {
      await Promise.all([...links.map((m) => m.idle()), calls?.idle()]);
    },
  };
}
