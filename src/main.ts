// Composition root: the one place that builds adapters and hands them to the core.
import { belvoBaseUrl } from '../adapters/belvo/api/base-url.js';
import { belvoApiFor } from '../adapters/belvo/api/for-environment.js';
import { createConsoleNotifier } from '../adapters/console/console-notifier.js';
import { discordChannelDestination } from '../adapters/discord/destination.js';
import { createPagerDutyNotifier } from '../adapters/pagerduty/pagerduty-notifier.js';
import type { SocketModeConnection } from '../adapters/slack/socket-mode.js';
import { createSqliteStore } from '../adapters/sqlite/sqlite-store.js';
import { createStatusPageReader } from '../adapters/statuspage/reader.js';
import { AlertCommitter } from './alerts/commit-service.js';
import { createDestinationHealth } from './alerts/destination-health.js';
import type { BelvoAccountView } from './commands/belvo-view.js';
import { handleCommand } from './commands/handlers.js';
import { storedBelvoView } from './commands/stored-belvo-view.js';
import type { LoadedConfig } from './config/load.js';
import type { Config } from './config/schema.js';
import { Dispatcher } from './delivery/dispatcher.js';
import type { ErrorRatioConfig } from './detect/error-ratios.js';
import { DEFAULT_SPIKE_CONFIG } from './detect/link-spikes.js';
import type { Alert, AlertEvent } from './domain/alert.js';
import { InstitutionCatalogue } from './domain/catalogue.js';
import type { InstitutionRef } from './domain/institution.js';
import { NO_END, type Silence } from './domain/silence.js';
import type { Subscription } from './domain/subscription.js';
import { DEFAULT_ENGINE_CONFIG, type EngineConfig, type Thresholds } from './engine/engine-config.js';
import { type PolicyConfig, STORM_KIND } from './engine/policy-config.js';
import { belvoWebhookEnvironments, mountBelvoWebhooks } from './http/belvo-webhook.js';
import { createBelvoWebhookMetrics } from './http/belvo-webhook-metrics.js';
import { mountHealthRoutes } from './http/health-routes.js';
import { mountCallsIngest } from './http/ingest-calls.js';
import { createMetrics } from './http/metrics.js';
import { createReportedCallMetrics } from './http/reported-calls-metrics.js';
import { HttpServer } from './http/server.js';
import { mountStatuspageWebhook, type PushTarget } from './http/statuspage-webhook.js';
import { createLogger } from './log.js';
import { BelvoCallsMonitor } from './poll/belvo-calls.js';
import { BelvoInstitutionsPoller } from './poll/belvo-institutions.js';
import { BelvoLinksMonitor, storedLinkCounts } from './poll/belvo-links.js';
import { BelvoRetention } from './poll/belvo-retention.js';
import { PolicyTicker } from './poll/policy-ticker.js';
import { StatusPagePoller } from './poll/poll-status-page.js';
import { type Pollable, PollScheduler } from './poll/scheduler.js';
import type { BelvoApi } from './ports/belvo.js';
import { type Clock, systemClock } from './ports/clock.js';
import type { Logger } from './ports/logger.js';
import type { Notifier } from './ports/notifier.js';
import type { Store } from './ports/store.js';
import { ChangeFeed, watchStore } from './web/change-feed.js';
import { incidentUrlFor } from './web/paths.js';
import { mountWebPage } from './web/routes.js';
import { webSources } from './web/sources.js';

export interface AppOptions {
  clock?: Clock;
  logger?: Logger;
  /** Where console destinations write (1 = standard output). */
  consoleFd?: number;
}

export interface App {
  readonly config: Config;
  readonly store: Store;
  readonly logger: Logger;
  readonly scheduler: PollScheduler;
  readonly dispatcher: Dispatcher;
  readonly ticker: PolicyTicker;
  /** Commits alert changes made outside a poll (chat commands) through the policy and routing. */
  readonly commitEvents: (events: AlertEvent[], alerts: Alert[]) => Promise<void>;
  readonly pollers: StatusPagePoller[];
  /** Everything the scheduler polls: status pages, the Belvo account, the reported calls, the Belvo retention. */
  readonly pollTargets: Pollable[];
  start(): Promise<{ port: number }>;
  stop(): Promise<void>;
}

function errorRatioConfigFrom(r: NonNullable<Config['belvo']>['errorRatios']): ErrorRatioConfig {
  return {
    longMs: r.longWindow,
    shortMs: r.shortWindow,
    minCalls: r.minCalls,
    minShortCalls: r.minShortCalls,
    thresholds: { ...r.thresholds },
  };
}

/** How often old Belvo webhooks and link events are pruned: rarely enough to cost nothing, often enough to stay small. */
const RETENTION_EVERY_MS = 6 * 60 * 60_000;

export function engineConfigFrom(config: Config): EngineConfig {
  const t = config.engine.thresholds;
  const clean = (x: { fail?: number | undefined; ok?: number | undefined; holdDown?: number | undefined }) => {
    const out: Partial<Thresholds> = {};
    if (x.fail !== undefined) out.fail = x.fail;
    if (x.ok !== undefined) out.ok = x.ok;
    if (x.holdDown !== undefined) out.holdDownMs = x.holdDown;
    return out;
  };
  const byKind: Record<string, Partial<Thresholds>> = { ...DEFAULT_ENGINE_CONFIG.thresholds.byKind };
  for (const [kind, v] of Object.entries(t.byKind)) byKind[kind] = { ...byKind[kind], ...clean(v) };
  return {
    thresholds: { default: { ...DEFAULT_ENGINE_CONFIG.thresholds.default, ...clean(t.default) }, byKind },
    flapping: { windowMs: config.engine.flapping.window, flips: config.engine.flapping.flips },
    timelineLimit: DEFAULT_ENGINE_CONFIG.timelineLimit,
    figureEditMs: config.engine.figureEdits,
  };
}

/**
 * Where a config destination's messages really go. A Slack channel is `slack:<channel id>` whether the config names
 * it or /belvo-status subscribed it, so one channel reached both ways still gets one message per alert.
 */
export function canonicalDestination(config: Config, id: string): string {
  const d = config.destinations.find((x) => x.id === id);
  if (d?.type === 'discord') return discordChannelDestination(d.channel);
  return d?.type === 'slack' ? `slack:${d.channel}` : id;
}

/** The paging rules when the config names none: what a team new to the bot would want to be woken for. */
function defaultPagingRules(config: Config): NonNullable<Config['policy']['paging']['rules']> {
  const apiSources = config.sources.filter((s) => s.role === 'api').map((s) => s.id);
  return [
    ...(apiSources.length
      ? [{ name: 'belvo-api-major-outage', match: { sources: apiSources, minSeverity: 'major' as const } }]
      : []),
    { name: 'critical-institution-down', match: { critical: true, minSeverity: 'major' as const } },
    { name: 'institution-storm', match: { kinds: [STORM_KIND], minSeverity: 'major' as const } },
  ].map((r) => ({ ...r, page: 0 }));
}

export function policyFrom(config: Config): PolicyConfig {
  const pagers = config.destinations.filter((d) => d.type === 'pagerduty').map((d) => d.id);
  const p = config.policy;
  const rules = (p.paging.rules ?? defaultPagingRules(config)).map((r) => ({
    name: r.name,
    match: r.match,
    afterMs: r.page,
    destinations: r.to ?? pagers,
  }));
  return {
    paging: { rules, criticalInstitutions: p.paging.criticalInstitutions },
    ...(p.storms.count > 0 && { storms: { count: p.storms.count, windowMs: p.storms.window } }),
    reminderEveryMs: p.reminders.every,
  };
}

/** Whether an institution is on the critical list (by Belvo name or display name, case-insensitive). */
export function criticalMatcher(list: string[]): (i: InstitutionRef) => boolean {
  const names = new Set(list.map((n) => n.toLowerCase()));
  return (i) => names.has(i.name.toLowerCase()) || names.has(i.displayName.toLowerCase());
}

export function configSubscriptions(config: Config, now: number): Subscription[] {
  return config.subscriptions.map(({ destination, ...filter }, i) => ({
    id: `config:${i}`,
    destination: canonicalDestination(config, destination),
    filter,
    createdBy: 'config',
    createdAt: now,
  }));
}

export function configSilences(config: Config): Silence[] {
  return config.silences.map((s, i) => ({
    id: `config:${i}`,
    matcher: s.match,
    startsAt: s.from ? Date.parse(s.from) : 0,
    endsAt: s.until ? Date.parse(s.until) : NO_END,
    createdBy: s.createdBy,
    reason: s.reason,
    ...(s.every && { recurrence: { ...s.every, days: [...new Set(s.every.days)].sort((a, b) => a - b) } }),
  }));
}

export async function buildApp(loaded: LoadedConfig, opts: AppOptions = {}): Promise<App> {
  const { config, secrets } = loaded;
  const clock = opts.clock ?? systemClock;
  const logger = opts.logger ?? createLogger({ level: config.log.level, secrets: secrets.values() });

  // The web page hears of every committed change through the store, to refresh the pages open on it.
  const changes = new ChangeFeed();
  const store = watchStore(createSqliteStore({ path: config.storage.path, clock }), changes);
  const incidentUrl = incidentUrlFor(config.web.enabled ? config.web.publicUrl : undefined);
  await store.init();
  const metrics = createMetrics(store);

  // Slack's and Discord's libraries are loaded only when configured: tens of MB a console-only bot does not need.
  const slack = config.slack;
  const slackKit = slack && {
    notifier: await import('../adapters/slack/slack-notifier.js'),
    app: await import('../adapters/slack/slack-app.js'),
    events: await import('../adapters/slack/events-route.js'),
  };
  const slackChannel = (destination: string, channel: string): Notifier | undefined => {
    if (!slack || !slackKit) return undefined;
    return slackKit.notifier.createSlackNotifier({
      destination,
      channel,
      token: secrets.get(slack.botToken.secretEnv) ?? '',
      apiUrl: slack.apiUrl,
      timeoutMs: slack.timeout,
      ...(incidentUrl && { incidentUrl }),
    });
  };
  const discordConfig = config.discord;
  const discordKit = discordConfig && (await import('../adapters/discord/create.js'));
  const discordWebhooks = config.destinations.some((d) => d.type === 'discord-webhook')
    ? await import('../adapters/discord/webhook-notifier.js')
    : undefined;
  const discord =
    discordConfig &&
    discordKit?.createDiscordApp({
      apiUrl: discordConfig.apiUrl,
      timeoutMs: discordConfig.timeout,
      ...(discordConfig.botToken && { botToken: secrets.get(discordConfig.botToken.secretEnv) ?? '' }),
      applicationId: discordConfig.applicationId,
      publicKey: discordConfig.publicKey,
      logger: logger.child({ component: 'discord' }),
      ...(incidentUrl && { incidentUrl }),
    });
  const notifiers: Notifier[] = config.destinations.flatMap((d) => {
    if (d.type === 'console')
      return [createConsoleNotifier(d, opts.consoleFd !== undefined ? { fd: opts.consoleFd } : {})];
    if (d.type === 'pagerduty') {
      return [
        createPagerDutyNotifier({
          destination: d.id,
          routingKey: secrets.get(d.routingKey.secretEnv) ?? '',
          eventsUrl: d.eventsUrl,
          timeoutMs: d.timeout,
          logger: logger.child({ component: 'pagerduty' }),
        }),
      ];
    }
    if (d.type === 'discord-webhook') {
      const url = secrets.get(d.url.secretEnv) ?? '';
      const timeoutMs = discordConfig?.timeout ?? 10_000;
      const hook = discordWebhooks?.createDiscordWebhookNotifier({
        destination: d.id,
        url,
        timeoutMs,
        ...(incidentUrl && { incidentUrl }),
      });
      return [hook].filter((n): n is Notifier => !!n);
    }
    if (d.type === 'discord') {
      return [discord?.channel(discordChannelDestination(d.channel), d.channel)].filter((n): n is Notifier => !!n);
    }
    return [slackChannel(`slack:${d.channel}`, d.channel)].filter((n): n is Notifier => n !== undefined);
  });
  const engine = engineConfigFrom(config);
  const routing = {
    configSubscriptions: configSubscriptions(config, clock.now()),
    configSilences: configSilences(config),
    policy: policyFrom(config),
  };
  // An institution incident's impact is counted in production's links (the account people are woken for), else in
  // the only environment configured.
  const impactEnvironment =
    config.belvo?.environments.find((e) => e.id === 'production')?.id ?? config.belvo?.environments[0]?.id;
  // Every change to alerts (polls, chat commands, time, the bot's own health) goes through this one service;
  // late-bound wake of the dispatcher.
  let socketMode: SocketModeConnection | undefined;
  const alerts = new AlertCommitter({
    store,
    clock,
    logger: logger.child({ component: 'alerts' }),
    metrics,
    engine,
    routing,
    onIntents: () => dispatcher.wake(),
    ...(impactEnvironment && { linkImpact: () => storedLinkCounts({ store }, impactEnvironment) }),
  });
  const commitEvents = async (events: AlertEvent[], changed: Alert[]) => {
    await alerts.commit({ type: 'events', events, alerts: changed });
  };
  const health = createDestinationHealth({ store, alerts, logger: logger.child({ component: 'delivery' }) });
  const dispatcher = new Dispatcher({
    store,
    notifiers,
    clock,
    logger: logger.child({ component: 'delivery' }),
    metrics,
    backoff: {
      initialMs: config.delivery.initialBackoff,
      maxMs: config.delivery.maxBackoff,
      maxAttempts: config.delivery.maxAttempts,
    },
    leaseMs: config.delivery.lease,
    health,
    resolveNotifier: (destination) => {
      const channel = /^slack:(.+)$/.exec(destination)?.[1];
      return channel ? slackChannel(destination, channel) : discord?.resolve(destination);
    },
  });

  const pollDeps = { store, clock, logger: logger.child({ component: 'poll' }), metrics, alerts };
  // One institution, many names: status-page components join Belvo's names once the API's list is known.
  const institutionCatalogue = new InstitutionCatalogue(config.institutions.map);
  const pollers = config.sources.map((source) => {
    const reader = createStatusPageReader({
      sourceId: source.id,
      baseUrl: source.url,
      format: source.format,
      timeoutMs: source.timeout,
      maxBodyBytes: source.maxBodySize,
      cursors: { get: (key) => store.getCursor(key) },
    });
    return new StatusPagePoller(
      {
        id: source.id,
        name: source.name,
        role: source.role,
        url: source.url,
        ...(source.environment !== undefined && { environment: source.environment }),
        failuresBeforeAlert: source.failuresBeforeAlert,
        timeoutMs: source.timeout,
        catalogue: institutionCatalogue,
      },
      reader,
      pollDeps,
    );
  });
  const ticker = new PolicyTicker({
    alerts,
    logger: logger.child({ component: 'policy' }),
    intervalMs: config.policy.check,
  });
  // The team's Belvo account: institution health per environment.
  const critical = criticalMatcher(config.policy.paging.criticalInstitutions);
  const belvoEnvironments = config.belvo?.environments ?? [];
  const belvoApis = belvoEnvironments.map((env) =>
    // The client names the environment in each of its lines itself: binding it here too wrote the key twice.
    belvoApiFor(env, secrets, logger.child({ component: 'belvo' })),
  );
  const belvoPollers = belvoEnvironments.map(
    (env, i) =>
      new BelvoInstitutionsPoller(pollDeps, {
        environment: env.id,
        api: belvoApis[i] as BelvoApi,
        linkCounts: () => storedLinkCounts(pollDeps, env.id),
        critical,
        timeoutMs: env.timeout,
        catalogue: institutionCatalogue,
      }),
  );
  const catalogue = () => {
    const all = new Map<string, InstitutionRef>();
    for (const p of belvoPollers) for (const [name, ref] of p.catalogue()) all.set(name, ref);
    return all;
  };
  const linkMonitors = belvoEnvironments.map(
    (env, i) =>
      new BelvoLinksMonitor(pollDeps, {
        environment: env.id,
        api: belvoApis[i] as BelvoApi,
        reconcileEveryMs: env.reconcileInterval,
        spikes: {
          windowMs: config.belvo?.spikes.window ?? DEFAULT_SPIKE_CONFIG.windowMs,
          baselineMs: config.belvo?.spikes.baseline ?? DEFAULT_SPIKE_CONFIG.baselineMs,
          minCount: config.belvo?.spikes.minCount ?? DEFAULT_SPIKE_CONFIG.minCount,
          factor: config.belvo?.spikes.factor ?? DEFAULT_SPIKE_CONFIG.factor,
          shortWindowMs: config.belvo?.spikes.shortWindow ?? DEFAULT_SPIKE_CONFIG.shortWindowMs,
        },
        catalogue,
        critical,
      }),
  );
  // The team's own Belvo calls, when its app reports them.
  const calls = config.belvo?.ingest
    ? new BelvoCallsMonitor(pollDeps, errorRatioConfigFrom(config.belvo.errorRatios), catalogue)
    : undefined;
  const retention = config.belvo && new BelvoRetention({ store, clock, logger }, config.belvo.retention);
  const scheduler = new PollScheduler(
    [
      ...config.sources.map((source, i) => ({
        target: pollers[i] as StatusPagePoller,
        intervalMs: source.interval,
        jitter: source.jitter,
      })),
      ...belvoPollers.map((target, i) => ({
        target,
        intervalMs: belvoEnvironments[i]?.institutionsInterval ?? 120_000,
        jitter: 0.1,
      })),
      // Spikes are judged every minute; the reconciliation inside runs on its own, slower interval.
      ...linkMonitors.map((target, i) => ({
        target,
        intervalMs: belvoEnvironments[i]?.spikeCheckInterval ?? 60_000,
        jitter: 0.1,
      })),
      ...(calls && config.belvo?.ingest
        ? [{ target: calls, intervalMs: config.belvo.ingest.evaluateEvery, jitter: 0 }]
        : []),
      ...(retention ? [{ target: retention, intervalMs: RETENTION_EVERY_MS, jitter: 0.1 }] : []),
    ],
    logger.child({ component: 'scheduler' }),
  );

  const belvoView: BelvoAccountView | undefined =
    belvoEnvironments.length > 0 || calls
      ? {
          ...(storedBelvoView(config, store, belvoBaseUrl) ?? {
            environments: [],
            linkCounts: async () => [],
            duplicateLinks: async () => [],
            lastWebhookAt: async () => undefined,
          }),
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
            },
          }),
        }
      : undefined;

  const http = new HttpServer({
    host: config.server.host,
    port: config.server.port,
    bodyLimitBytes: config.server.bodyLimit,
    logger: logger.child({ component: 'http' }),
  });
  mountHealthRoutes(
    http.router,
    {
      store,
      scheduledSources: () => scheduler.scheduled,
      expectedSources: config.sources.length + belvoPollers.length + (calls ? 1 : 0),
    },
    metrics.registry,
  );
  const pushTargets: PushTarget[] = config.sources.flatMap((s) =>
    s.push ? [{ sourceId: s.id, secret: secrets.get(s.push.secretEnv) ?? '' }] : [],
  );
  mountStatuspageWebhook(http.router, pushTargets, (id) => scheduler.pollNow(id), logger.child({ component: 'push' }));
  const belvoWebhooks = mountBelvoWebhooks(http.router, {
    store,
    environments: belvoWebhookEnvironments(config, secrets),
    logger: logger.child({ component: 'belvo-webhooks' }),
    clock,
    metrics: createBelvoWebhookMetrics(metrics.registry),
    // Detection is pushed: links moved to token_required or invalid are judged at once, not at the next check.
    onLinkTransitions: (envs) => {
      for (const env of envs) linkMonitors[belvoEnvironments.findIndex((e) => e.id === env)]?.wake();
    },
  });
  if (calls && config.belvo?.ingest) {
    mountCallsIngest(http.router, {
      token: secrets.get(config.belvo.ingest.token.secretEnv) ?? '',
      accept: (batch) => {
        calls.accept(batch);
        calls.wake();
      },
      logger: logger.child({ component: 'ingest' }),
      metrics: createReportedCallMetrics(metrics.registry),
    });
  }

  if (config.web.enabled) {
    mountWebPage(http.router, {
      store,
      clock,
      config: config.web,
      secrets,
      changes,
      logger: logger.child({ component: 'web' }),
      sources: webSources(config, { institutions: belvoPollers, links: linkMonitors, calls }),
      catalogue,
      ...(belvoView && { belvo: belvoView }),
      configSilences: routing.configSilences,
    });
  }

  const slackReceiver =
    slack && (slack.signingSecret || slack.socketMode)
      ? new (slackKit as NonNullable<typeof slackKit>).events.MountedReceiver(logger.child({ component: 'slack' }))
      : undefined;
  if (slack && slackKit && slackReceiver) {
    const receiver = slackReceiver;
    slackKit.app.createSlackApp({
      token: secrets.get(slack.botToken.secretEnv) ?? '',
      apiUrl: slack.apiUrl,
      receiver,
      logger: logger.child({ component: 'slack' }),
      run: (cmd, caller) =>
        handleCommand(cmd, {
          store,
          now: clock.now(),
          channel: { platform: 'slack', id: caller.channelId, destination: `slack:${caller.channelId}` },
          user: { id: caller.userId, ...(caller.userName && { name: caller.userName }) },
          commitEvents,
          ...(belvoView && { belvo: belvoView }),
        }),
    });
    if (slack.signingSecret) {
      slackKit.events.mountSlackEvents(http.router, {
        signingSecret: secrets.get(slack.signingSecret.secretEnv) ?? '',
        receiver,
        logger: logger.child({ component: 'slack' }),
        now: () => clock.now(),
      });
    }
  }

  discord?.mountInteractions(
    http.router,
    (cmd, caller) =>
      handleCommand(cmd, {
        store,
        now: clock.now(),
        channel: {
          platform: 'discord',
          id: caller.channelId,
          destination: discordChannelDestination(caller.channelId),
          ...(!discordConfig?.botToken && {
            cannotPost:
              'this bot has no Discord bot token (discord.botToken), so it can answer here but not post alerts; ' +
              'set the token, or send alerts to this channel through a discord-webhook destination in the config',
          }),
        },
        user: { id: caller.userId, ...(caller.userName && { name: caller.userName }) },
        commitEvents,
        ...(belvoView && { belvo: belvoView }),
      }),
    () => clock.now(),
  );

  return {
    config,
    store,
    logger,
    scheduler,
    dispatcher,
    ticker,
    commitEvents,
    pollers,
    pollTargets: [
      ...pollers,
      ...belvoPollers,
      ...linkMonitors,
      ...(calls ? [calls] : []),
      ...(retention ? [retention] : []),
    ],
    async start() {
      const address = await http.listen();
      await dispatcher.start();
      scheduler.start();
      ticker.start();
      if (slack?.socketMode && slackReceiver) {
        const { startSocketMode } = await import('../adapters/slack/socket-mode.js');
        socketMode = await startSocketMode({
          appToken: secrets.get(slack.socketMode.appToken.secretEnv) ?? '',
          apiUrl: slack.apiUrl,
          receiver: slackReceiver,
          logger: logger.child({ component: 'slack' }),
        });
      }
      logger.info(
        {
          port: address.port,
          sources: config.sources.map((s) => `${s.id} (${s.url}, every ${s.interval / 1000}s)`),
          destinations: config.destinations.map((d) => d.id),
          store: config.storage.path,
        },
        'belvo-status-bot started',
      );
      return { port: address.port };
    },
    async stop() {
      await socketMode?.stop();
      await scheduler.stop();
      await ticker.stop();
      await dispatcher.stop();
      await http.close();
      await belvoWebhooks.drain();
      // What the last webhooks and calls woke finishes before the store closes.
      await Promise.all([...linkMonitors.map((m) => m.idle()), calls?.idle()]);
      await store.close();
      logger.info({}, 'belvo-status-bot stopped');
    },
  };
}
