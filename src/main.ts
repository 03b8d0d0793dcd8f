// Composition root: what the bot is made of, built once and handed to the core. Each part is built in src/app/.
import { AlertCommitter } from './alerts/commit-service.js';
import { createPagerUpdates } from './alerts/pager-updates.js';
import { loadAdapters } from './app/adapters.js';
import type { App, AppOptions } from './app/app.js';
import { belvoAccountView } from './app/belvo-view.js';
import { configRouting, engineConfigFrom } from './app/core-config.js';
import { buildDispatcher } from './app/delivery.js';
import { buildReplicas } from './app/replicas.js';
import { buildReports } from './app/reports.js';
import { mountRoutes } from './app/routes.js';
import { buildSources } from './app/sources.js';
import { openStore } from './cli/open-store.js';
import { handleCommand } from './commands/handlers.js';
import type { LoadedConfig } from './config/load.js';
import type { Alert, AlertEvent } from './domain/alert.js';
import { createMetrics } from './http/metrics.js';
import { createRefusals } from './http/refusals.js';
import { HttpServer } from './http/server.js';
import { createLogger } from './log.js';
import { storedLinkCounts } from './poll/belvo-links.js';
import { PolicyTicker } from './poll/policy-ticker.js';
import { systemClock } from './ports/clock.js';
import { ChangeFeed, watchStore } from './web/change-feed.js';
import { incidentUrlFor } from './web/paths.js';

export type { App, AppOptions } from './app/app.js';

export async function buildApp(loaded: LoadedConfig, opts: AppOptions = {}): Promise<App> {
  const { config, secrets } = loaded;
  const clock = opts.clock ?? systemClock;
  const logger = opts.logger ?? createLogger({ level: config.log.level, secrets: secrets.values() });
  const log = (component: string) => logger.child({ component });

  // The web page hears of every committed change through the store, to refresh the pages open on it.
  const changes = new ChangeFeed();
  const opened = await openStore(config, secrets, {
    clock,
    logger: log('store'),
    migrate: config.storage.migrateOnStart,
  });
  const store = watchStore(opened.store, changes);
  await store.init();
  const metrics = createMetrics(store);
  const routing = configRouting(config, clock.now());

  // Every change to alerts (polls, chat commands, time, the bot's own health) goes through this one service.
  // An institution incident's impact is counted in production's links, else in the only environment configured.
  const environments = config.belvo?.environments ?? [];
  const impactEnvironment = (environments.find((e) => e.id === 'production') ?? environments[0])?.id;
  const fence = opened.replicas && (() => replicas.fence?.());
  const alerts = new AlertCommitter({
    store,
    clock,
    logger: log('alerts'),
    metrics,
    engine: engineConfigFrom(config),
    routing,
    onIntents: () => dispatcher.wake(),
    // Several replicas: polls and ticks commit under the leader's token.
    ...(fence && { fence }),
    ...(impactEnvironment && {
      linkImpact: { environment: impactEnvironment, read: () => storedLinkCounts({ store }, impactEnvironment) },
    }),
  });
  const commitEvents = async (events: AlertEvent[], changed: Alert[]) => {
    await alerts.commit({ type: 'events', events, alerts: changed });
  };

  const sources = buildSources(config, secrets, { store, clock, logger: log('poll'), metrics, alerts });
  const belvo = belvoAccountView(config, store, sources);
  const replicas = buildReplicas(config, opened, sources, logger, metrics);
  const incidentUrl = incidentUrlFor(config.web.enabled ? config.web.publicUrl : undefined);
  const adapters = await loadAdapters(
    config,
    {
      secret: (env) => secrets.get(env) ?? '',
      seen: store,
      logger,
      clock,
      ...(incidentUrl && { incidentUrl }),
      pagerUpdates: createPagerUpdates({ store, now: () => clock.now(), logger: log('pagerduty'), commitEvents }),
      commands: (cmd, channel, user) =>
        handleCommand(cmd, { store, now: clock.now(), channel, user, commitEvents, ...(belvo && { belvo }) }),
    },
    opts.consoleFd !== undefined ? { consoleFd: opts.consoleFd } : {},
  );

  const dispatcher = buildDispatcher(config, {
    store,
    clock,
    logger,
    metrics,
    alerts,
    notifiers: adapters.notifiers,
    resolveNotifier: (destination) => adapters.resolve(destination),
    pacing: opened.replicas?.pacing,
  });
  const ticker = new PolicyTicker({ alerts, logger: log('policy'), intervalMs: config.policy.check });
  const reports = buildReports(config, { store, clock, logger, belvo, routing, dispatcher, fence, opts });

  const http = new HttpServer({
    host: config.server.host,
    port: config.server.port,
    bodyLimitBytes: config.server.bodyLimit,
    logger: log('http'),
    refusals: createRefusals(metrics.registry, log('http'), () => clock.now()),
  });
  const { configSilences } = routing;
  const routeDeps = { config, secrets, store, clock, logger, metrics, sources, adapters: adapters.all, changes };
  const webhooks = mountRoutes(http, { ...routeDeps, belvo, configSilences, replicas });

  return {
    config,
    store,
    logger,
    scheduler: sources.scheduler,
    dispatcher,
    ticker,
    reports,
    commitEvents,
    pollers: sources.statusPages,
    pollTargets: sources.targets,
    async start() {
      const address = await http.listen();
      await dispatcher.start();
      await replicas.start({ dispatcher, ticker });
      for (const adapter of adapters.all) await adapter.start();
      await reports.start();
      const pages = config.sources.map((s) => `${s.id} (${s.url}, every ${s.interval / 1000}s)`);
      const destinations = config.destinations.map((d) => d.id);
      logger.info(
        { port: address.port, sources: pages, destinations, store: opened.where, role: replicas.role?.() },
        'belvo-status-bot started',
      );
      return { port: address.port };
    },
    async stop() {
      await reports.stop();
      for (const adapter of adapters.all) await adapter.stop();
      await replicas.stop();
      await dispatcher.stop();
      await http.close();
      await webhooks.drain();
      // What the last webhooks and calls woke finishes before the store closes.
      await sources.idle();
      await store.close();
      logger.info({}, 'belvo-status-bot stopped');
    },
  };
}
