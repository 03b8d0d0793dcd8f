// Everything the bot's one HTTP server answers: health and metrics, the status pages' pushes, Belvo's webhooks, the
// team's reported calls, the web page, and each adapter's own routes (Slack events, Discord interactions).
import type { BelvoAccountView } from '../commands/belvo-view.js';
import type { Config } from '../config/schema.js';
import type { Silence } from '../domain/silence.js';
import { belvoWebhookEnvironments, mountBelvoWebhooks } from '../http/belvo-webhook.js';
import { createBelvoWebhookMetrics } from '../http/belvo-webhook-metrics.js';
import { mountHealthRoutes } from '../http/health-routes.js';
import { mountCallsIngest } from '../http/ingest-calls.js';
import type { createMetrics } from '../http/metrics.js';
import { createReadiness } from '../http/readiness.js';
import { createReportedCallMetrics } from '../http/reported-calls-metrics.js';
import type { HttpServer } from '../http/server.js';
import { mountStatuspageWebhook, type PushTarget } from '../http/statuspage-webhook.js';
import type { Adapter } from '../ports/adapter.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { Store } from '../ports/store.js';
import type { ChangeFeed } from '../web/change-feed.js';
import { mountWebPage } from '../web/routes.js';
import { webSources } from '../web/sources.js';
import type { Replicas } from './replicas.js';
import type { Sources } from './sources.js';

export interface RouteDeps {
  config: Config;
  secrets: Map<string, string>;
  store: Store;
  clock: Clock;
  logger: Logger;
  metrics: ReturnType<typeof createMetrics>;
  sources: Sources;
  adapters: Adapter[];
  changes: ChangeFeed;
  belvo: BelvoAccountView | undefined;
  configSilences: Silence[];
  replicas: Replicas;
}

/** Mounts every route; returns what must finish before the store closes (webhooks being written). */
export function mountRoutes(http: HttpServer, d: RouteDeps): { drain(): Promise<void> } {
  const { config, secrets, store, clock, sources } = d;
  const secret = (env: string) => secrets.get(env) ?? '';
  mountHealthRoutes(
    http.router,
    createReadiness({
      polls: { scheduled: () => sources.scheduler.scheduled, expected: () => sources.scheduler.expected },
      storeOpen: () => store.isOpen(),
      probeWrite: () => store.probeWrite(clock.now()),
      storagePath: config.storage.path,
      minFreeBytes: config.storage.minFree,
      now: () => clock.now(),
      ...(d.replicas.role && { role: d.replicas.role }),
      connections: () => Object.assign({}, ...d.adapters.map((a) => a.connections?.() ?? {})),
    }),
    d.metrics.registry,
  );
  const pushTargets: PushTarget[] = config.sources.flatMap((s) =>
    s.push ? [{ sourceId: s.id, secret: secret(s.push.secretEnv) }] : [],
  );
  const push = d.logger.child({ component: 'push' });
  mountStatuspageWebhook(http.router, pushTargets, (id) => d.replicas.pollNow(id), push);
  const belvoWebhooks = mountBelvoWebhooks(http.router, {
    store,
    environments: belvoWebhookEnvironments(config, secrets),
    logger: d.logger.child({ component: 'belvo-webhooks' }),
    clock,
    metrics: createBelvoWebhookMetrics(d.metrics.registry),
    // Detection is pushed: links moved to token_required or invalid are judged at once, not at the next check.
    // With replicas, the store's notification wakes the leader's detectors whichever replica stored the batch.
    onLinkTransitions: (envs) => d.replicas.leads() && sources.wakeLinks(envs),
  });
  const calls = sources.calls;
  const ingest = config.belvo?.ingest;
  if (calls && ingest) {
    mountCallsIngest(http.router, {
      now: () => clock.now(),
      token: secret(ingest.token.secretEnv),
      accept: (batch) => {
        calls.accept(batch);
        if (d.replicas.leads()) calls.wake();
      },
      logger: d.logger.child({ component: 'ingest' }),
      metrics: createReportedCallMetrics(d.metrics.registry),
    });
  }
  if (config.web.enabled) {
    mountWebPage(http.router, {
      store,
      clock,
      config: config.web,
      secrets,
      changes: d.changes,
      logger: d.logger.child({ component: 'web' }),
      sources: webSources(config, { institutions: sources.institutions, links: sources.links, calls }),
      catalogue: sources.catalogue,
      ...(d.belvo && { belvo: d.belvo }),
      configSilences: d.configSilences,
    });
  }
  for (const adapter of d.adapters) adapter.mount(http.router);
  return belvoWebhooks;
}
