// The whole configuration, validated once at start. Strict objects: a misspelt key is an error, never ignored.
import { z } from 'zod';
import { consoleConfigRules, consoleDestination } from '../../adapters/console/config.js';
import { reportSchedule } from '../../adapters/cron/config.js';
import {
  discordApp,
  discordConfigRules,
  discordDestination,
  discordWebhookDestination,
} from '../../adapters/discord/config.js';
import { pagerdutyApp, pagerdutyConfigRules, pagerdutyDestination } from '../../adapters/pagerduty/config.js';
import { slackApp, slackConfigRules, slackDestination } from '../../adapters/slack/config.js';
import { parseMentionTarget } from '../domain/mention.js';
import {
  type AdapterConfigRules,
  duration,
  id,
  type KeyProblem,
  rawList,
  secretRef,
  severity,
  size,
  timeZone,
} from './fields.js';
import { parseDuration } from './units.js';

// Each chat and paging adapter writes its own part (its destinations, its app section) beside its code.
const ADAPTER_RULES: AdapterConfigRules[] = [
  consoleConfigRules,
  slackConfigRules,
  discordConfigRules,
  pagerdutyConfigRules,
];

const statuspageSource = z.strictObject({
  id,
  type: z.literal('statuspage'),
  name: z.string().min(1),
  url: z.url({ protocol: /^https?$/ }).refine((u) => !/^https?:\/\/[^/]*@/.test(u), {
    message: 'no credentials in the URL (status pages are public; a URL with user:password@ would be printed)',
  }),
  format: z.enum(['json', 'rss', 'atom']).default('json'),
  /** `institutions`: each component is an institution (Belvo's institution page). */
  role: z.enum(['api', 'institutions']).default('api'),
  environment: z.string().optional(),
  interval: duration.pipe(z.number().min(50, 'at least 50ms')).default(60_000),
  jitter: z.number().min(0).max(1).default(0.1),
  timeout: duration.pipe(z.number().min(50, 'at least 50ms')).default(10_000),
  maxBodySize: size.default(5 * 1024 * 1024),
  failuresBeforeAlert: z.number().int().min(1).default(3),
  push: secretRef.optional(),
});

const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
/** `sun`, `Sunday`: the day of the week, 0 = Sunday. */
const weekday = z
  .string()
  .transform((d) => WEEKDAYS.indexOf(d.slice(0, 3).toLowerCase() as (typeof WEEKDAYS)[number]))
  .pipe(z.number().min(0, 'a day of the week: sun, mon, tue, wed, thu, fri or sat'));

const hhmm = z.string().regex(/^([01]?\d|2[0-3]):[0-5]\d$/, 'a time of day as HH:MM (e.g. 22:00)');

const quietHours = z
  .strictObject({
    from: hhmm,
    to: hhmm,
    tz: timeZone,
    /** At or above this severity a message still goes out during quiet hours. */
    urgent: severity.default('critical'),
  })
  .refine((q) => q.from !== q.to, 'from and to are the same time: the window would be empty');

/** Belvo's published webhook senders, allowed when `allowOnlyBelvoAddresses` is on. */
export const BELVO_WEBHOOK_ADDRESSES = ['3.130.254.46', '18.220.61.186', '18.223.45.212'];

/** A share of calls, above 0 and at most 1 (0.1 = 10%). */
const ratio = z.number().gt(0, 'above 0').max(1, 'at most 1 (a share: 0.1 is 10%)');

/** One Belvo environment (sandbox, production) of the team's account. */
const belvoEnvironment = z.strictObject({
  /** `production` and `sandbox` know their URL; any other id needs `url`. */
  id,
  url: z.url({ protocol: /^https?$/ }).optional(),
  secretKeyId: secretRef,
  secretKeyPassword: secretRef,
  timeout: duration.pipe(z.number().min(50, 'at least 50ms')).default(30_000),
  /** How often `GET /api/institutions/?status=down` is polled. */
  institutionsInterval: duration.pipe(z.number().min(50, 'at least 50ms')).default(2 * 60_000),
  /** How often link counts by status are reconciled against the API (webhooks may be missed or absent). */
  reconcileInterval: duration.pipe(z.number().min(50, 'at least 50ms')).default(15 * 60_000),
  /** How often token_required and invalid transitions are judged for spikes. */
  spikeCheckInterval: duration.pipe(z.number().min(50, 'at least 50ms')).default(60_000),
  /**
   * The bot's own pace against this environment. Belvo answers more than 80 requests in 30 s from one address with
   * its 403 page, and the team's app shares that budget: the default keeps the bot to half of it.
   */
  rateLimit: z
    .strictObject({
      requests: z.number().int().min(1).default(40),
      per: duration.pipe(z.number().min(1000, 'at least 1s')).default(30_000),
    })
    .prefault({}),
  webhook: z
    .strictObject({
      /** The fixed Authorization value configured on Belvo's webhook (`Bearer ...`): a secret. */
      authorization: secretRef,
      /** Refuse senders other than Belvo's three published addresses. */
      allowOnlyBelvoAddresses: z.boolean().default(false),
      /** Addresses of proxies whose X-Forwarded-For is believed (a load balancer in front of the bot). */
      trustedProxies: z.array(z.string()).default([]),
    })
    .optional(),
});

const belvo = z
  .strictObject({
    environments: z.array(belvoEnvironment).default([]),
    /** Webhooks and link events older than this are forgotten (link states are kept). */
    retention: duration.default(30 * 24 * 60 * 60_000),
    /** A token_required (or invalid) spike: this many or more in `window`, and `factor` times the institution's usual. */
    spikes: z
      .strictObject({
        window: duration.default(60 * 60_000),
        baseline: duration.default(7 * 24 * 60 * 60_000),
        minCount: z.number().int().min(1).default(10),
        factor: z.number().min(1).default(5),
        /** Over once this short window is back to the usual pace (or the links recovered): it does not wait out `window`. */
        shortWindow: duration.pipe(z.number().min(60_000, 'at least 1m')).default(10 * 60_000),
      })
      .refine((s) => s.shortWindow <= s.window, {
        message: 'shortWindow must not be longer than window',
        path: ['shortWindow'],
      })
      .prefault({}),
    /**
     * Error ratios of the team's reported calls: an error kind fires when its share of the calls is at or above its
     * threshold in both windows (a burn-rate pair: the long one for significance, the short one for recency), with at
     * least `minCalls` calls in the long window and `minShortCalls` in the short one.
     */
    errorRatios: z
      .strictObject({
        longWindow: duration.pipe(z.number().min(60_000, 'at least 1m')).default(60 * 60_000),
        shortWindow: duration.pipe(z.number().min(60_000, 'at least 1m')).default(5 * 60_000),
        minCalls: z.number().int().min(1).default(50),
        minShortCalls: z.number().int().min(1).default(10),
        thresholds: z
          .strictObject({
            institution: ratio.default(0.1),
            link: ratio.default(0.3),
            belvo: ratio.default(0.05),
            request: ratio.default(0.1),
            timeout: ratio.default(0.05),
          })
          .prefault({}),
      })
      .refine((r) => r.shortWindow < r.longWindow, {
        message: 'shortWindow must be shorter than longWindow',
        path: ['shortWindow'],
      })
      .prefault({}),
    /** `POST /ingest/belvo-calls`: the team's app reports its Belvo calls with this bearer token. */
    ingest: z
      .strictObject({
        token: secretRef,
        /** How often the error ratios of the reported calls are judged. */
        evaluateEvery: duration.pipe(z.number().min(50, 'at least 50ms')).default(30_000),
      })
      .optional(),
  })
  .refine((b) => b.retention >= b.spikes.baseline + b.spikes.window, {
    message: 'retention must cover spikes.baseline + spikes.window: the spike baseline is counted from link events',
    path: ['retention'],
  });

const filterFields = {
  kinds: z.array(z.string()).optional(),
  sources: z.array(z.string()).optional(),
  environments: z.array(z.string()).optional(),
  institutions: z.array(z.string()).optional(),
  countries: z.array(z.string().regex(/^[A-Za-z]{2}$/, 'a two-letter country code')).optional(),
  minSeverity: severity.optional(),
  /** Only institution incidents touching at least this share of the team's links (0.1 = 10%). */
  minLinkShare: ratio.optional(),
};

/** `group:S0123ABCD` (a Slack user group or a Discord role), `user:U0123ABCD`, `here`, or the platform's own syntax. */
const mentionTarget = z.string().transform((text, ctx) => {
  const target = parseMentionTarget(text);
  if ('error' in target) {
    ctx.addIssue({ code: 'custom', message: target.error });
    return z.NEVER;
  }
  return target;
});

const mention = z.strictObject({
  to: z.array(mentionTarget).min(1),
  /** A severity (default critical), or `paged`: only alerts that page on-call. */
  from: z.union([severity, z.literal('paged')]).optional(),
});

const subscription = z.strictObject({
  destination: z.string(),
  ...filterFields,
  quietHours: quietHours.optional(),
  /** The time zone the channel reads times in (a scheduled maintenance's window); quietHours.tz, else UTC. */
  tz: timeZone.optional(),
  mention: mention.optional(),
  /** A report of what happened, sent to the destination at a cron time (never to a pager). */
  report: reportSchedule.optional(),
});

const pagingRule = z.strictObject({
  name: z.string().min(1),
  /** Same fields as a subscription; `critical: true` also requires an institution of `criticalInstitutions`. */
  match: z.strictObject({ ...filterFields, critical: z.boolean().optional() }).default({}),
  /** `immediately`, or a duration: page when still firing and unacknowledged after it (escalation). */
  page: z
    .union([z.string(), z.number()])
    .transform((v, ctx) => {
      if (v === 'immediately') return 0;
      const ms = parseDuration(v);
      if (ms === undefined) {
        ctx.addIssue({
          code: 'custom',
          message: `${JSON.stringify(v)} is neither "immediately" nor a duration (e.g. 15m)`,
        });
        return z.NEVER;
      }
      return ms;
    })
    .default(0),
  /** PagerDuty destinations; every one when absent. */
  to: z.array(z.string()).optional(),
});

const policy = z
  .strictObject({
    /** How often escalations, reminders, ended silences and quiet-hours digests are checked. */
    check: duration.pipe(z.number().min(50, 'at least 50ms')).default(15_000),
    paging: z
      .strictObject({
        /** Institutions the team depends on (Belvo name or status-page name). */
        criticalInstitutions: z.array(z.string().min(1)).default([]),
        /** First match pages soonest; absent: Belvo API major outages, critical institutions, storms. */
        rules: z.array(pagingRule).optional(),
      })
      .prefault({}),
    storms: z
      .strictObject({
        /** This many institution alerts firing within `window` become one grouped alert; 0 turns storms off. */
        count: z.number().int().min(0).default(5),
        window: duration.default(2 * 60_000),
      })
      .prefault({}),
    reminders: z
      .strictObject({
        /** Repeat a firing, unacknowledged alert in its thread this often; 0 (the default) is off. */
        every: duration.default(0),
      })
      .prefault({}),
    maintenance: z
      .strictObject({
        /** A maintenance scheduled on a status page is reminded in its thread this long before it starts; 0 is off. */
        remindBefore: duration.default(60 * 60_000),
        /**
         * A maintenance the page still shows scheduled or in progress this long after its window's end is closed
         * ("window ended; the page never said it completed"); 0 never closes it.
         */
        closeAfter: duration.default(60 * 60_000),
      })
      .prefault({}),
  })
  .prefault({});

const silence = z
  .strictObject({
    match: z
      .strictObject({
        fingerprint: z.string().optional(),
        institution: z.string().optional(),
        source: z.string().optional(),
        kind: z.string().optional(),
      })
      .refine((m) => Object.values(m).some((v) => v !== undefined), 'a silence must match on at least one field'),
    from: z.iso.datetime({ offset: true }).optional(),
    /** Required for a one-off silence; a weekly one (`every`) lasts until removed when it has none. */
    until: z.iso.datetime({ offset: true }).optional(),
    /** Mute only in a weekly window on a local clock: a bank's known Sunday 02:00-04:00 maintenance. */
    every: z
      .strictObject({
        days: z.array(weekday).min(1),
        from: hhmm,
        to: hhmm,
        tz: timeZone,
      })
      .refine((e) => e.from !== e.to, 'from and to are the same time: the window would be empty')
      .optional(),
    reason: z.string().min(1),
    createdBy: z.string().default('config'),
  })
  .refine((s) => s.until !== undefined || s.every !== undefined, {
    path: ['until'],
    message: 'a silence needs an end (until), unless it repeats weekly (every)',
  });

/**
 * The web page (`GET /` and its data). Read-only, so open by default like /healthz; `auth` closes every route of it.
 * Bearer suits a reverse proxy or a script that adds the header; basic makes a browser ask for a password.
 */
const webAuth = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('bearer'), token: secretRef }),
  z.strictObject({
    type: z.literal('basic'),
    username: z
      .string()
      .min(1)
      .regex(/^[^:]+$/, 'no colon (basic auth splits user and password on the first one)'),
    password: secretRef,
  }),
]);

const web = z
  .strictObject({
    enabled: z.boolean().default(true),
    /** Where the page lives on the bot's port: "" serves it at /, "/status" at /status/. */
    basePath: z
      .string()
      .regex(/^(\/[A-Za-z0-9._~-]+)*$/, 'empty, or a path such as /status (no trailing slash, no query)')
      .default(''),
    /** The page as people reach it (behind a proxy, with its base path): chat messages link to its incidents. */
    publicUrl: z
      .url({ protocol: /^https?$/ })
      .refine((u) => !/^https?:\/\/[^/]*@/.test(u), { message: 'no credentials in the URL (it is posted in chat)' })
      .optional(),
    auth: webAuth.optional(),
  })
  .prefault({});

const thresholds = z.strictObject({
  fail: z.number().int().min(1).optional(),
  ok: z.number().int().min(1).optional(),
  holdDown: duration.optional(),
});

export const configSchema = z.strictObject({
  server: z
    .strictObject({
      host: z.string().default('0.0.0.0'),
      port: z.number().int().min(0).max(65_535).default(8080),
      bodyLimit: size.default(1024 * 1024),
    })
    .prefault({}),
  storage: z
    .strictObject({
      /** sqlite: one process on one file. postgres: one database, one or several replicas. */
      driver: z.enum(['sqlite', 'postgres']).default('sqlite'),
      /** sqlite: the database file. */
      path: z.string().min(1).default('./data/belvo-status.db'),
      // Below this much free space beside the database, /readyz answers 503: stop sending webhooks here before a
      // write fails.
      minFree: size.default(64 * 1024 * 1024),
      /** postgres: the connection URL, a secret (it may hold a password): `url: { secretEnv: DATABASE_URL }`. */
      url: secretRef.optional(),
      /** postgres: the schema the bot's tables live in (created if missing). */
      schema: z
        .string()
        .regex(/^[a-z_][a-z0-9_]{0,40}$/, 'lower-case letters, digits and _, e.g. belvo_status')
        .default('belvo_status'),
      /** postgres: connections per replica. */
      poolSize: z.number().int().min(2).max(100).default(10),
      /** postgres: how long a leader that stops renewing keeps the lead before another replica takes over. */
      leaderLease: duration.default(15_000),
      /** postgres: apply migrations when the bot starts; false for teams that run `belvo-status migrate` as their own step. */
      migrateOnStart: z.boolean().default(true),
    })
    .refine((s) => s.driver !== 'postgres' || s.url !== undefined, {
      message: 'driver postgres needs url: { secretEnv: DATABASE_URL }',
      path: ['url'],
    })
    .prefault({}),
  retention: z
    .strictObject({
      /**
       * Resolved alerts last changed longer ago than this are forgotten, with their delivered outbox rows and message
       * references: the history page and `/belvo-status history` reach back this far. Open alerts always stay.
       */
      alerts: duration.pipe(z.number().min(24 * 60 * 60_000, 'at least 1d')).default(180 * 24 * 60 * 60_000),
    })
    .prefault({}),
  log: z
    .strictObject({ level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info') })
    .prefault({}),
  sources: z.array(z.discriminatedUnion('type', [statuspageSource])).default([]),
  engine: z
    .strictObject({
      thresholds: z
        .strictObject({
          default: thresholds.prefault({}),
          byKind: z.record(z.string(), thresholds).default({}),
        })
        .prefault({}),
      flapping: z
        .strictObject({ window: duration.default(30 * 60_000), flips: z.number().int().min(2).default(4) })
        .prefault({}),
      /** A moving figure (a count, a ratio) is shown by a quiet edit of the message at most this often. */
      figureEdits: duration.default(2 * 60_000),
    })
    .prefault({}),
  delivery: z
    .strictObject({
      // About two hours of retries before a message is given up: a chat outage must not lose a resolution.
      maxAttempts: z.number().int().min(1).default(25),
      initialBackoff: duration.default(1000),
      maxBackoff: duration.default(10 * 60_000),
      /** How long a delivery may take before another dispatcher (or a restart) treats it as lost. */
      lease: duration.default(60_000),
    })
    .prefault({}),
  slack: slackApp.optional(),
  discord: discordApp.optional(),
  pagerduty: pagerdutyApp.optional(),
  belvo: belvo.optional(),
  institutions: z
    .strictObject({
      /** Status-page component name -> Belvo institution name, for names the catalogue cannot join by itself. */
      map: z
        .record(z.string().min(1), z.string().regex(/^[a-z0-9_]+$/, 'a Belvo institution name, e.g. erebor_mx_retail'))
        .default({}),
    })
    .prefault({}),
  destinations: z
    .array(
      z.discriminatedUnion('type', [
        consoleDestination,
        slackDestination,
        discordDestination,
        discordWebhookDestination,
        pagerdutyDestination,
      ]),
    )
    .default([]),
  policy,
  subscriptions: z.array(subscription).default([]),
  silences: z.array(silence).default([]),
  web,
});

/** Where a config destination's messages are stored and delivered (`slack:C0123` for a Slack channel). */
export function destinationKeyOf(d: { id: string; type: string } & Record<string, unknown>): string {
  for (const rules of ADAPTER_RULES) {
    const key = rules.destinationKey(d);
    if (key !== undefined) return key;
  }
  return d.id;
}

/**
 * Checks across keys (unique ids, subscriptions naming a destination that exists, each adapter's own). Run on the raw
 * document, so these problems are reported together with the schema's own instead of only once the rest is fixed.
 */
export function crossCheck(doc: unknown): KeyProblem[] {
  const problems: KeyProblem[] = [];
  const root = (doc ?? {}) as Record<string, unknown>;
  const ids = (key: 'sources' | 'destinations') => {
    const seen = new Set<string>();
    for (const [i, item] of rawList(root, key).entries()) {
      const id = item?.id;
      if (typeof id !== 'string') continue;
      if (seen.has(id)) problems.push({ path: [key, i, 'id'], message: `duplicate id "${id}"` });
      seen.add(id);
    }
    return seen;
  };
  ids('sources');
  const destinations = ids('destinations');
  for (const rules of ADAPTER_RULES) problems.push(...(rules.check?.(root) ?? []));
  const belvo = (root.belvo ?? {}) as { environments?: unknown };
  const environments = Array.isArray(belvo.environments) ? (belvo.environments as Record<string, unknown>[]) : [];
  for (const [i, env] of environments.entries()) {
    if (env?.url === undefined && env?.id !== 'production' && env?.id !== 'sandbox') {
      problems.push({
        path: ['belvo', 'environments', i, 'url'],
        message: `environment "${String(env?.id)}" needs a url: only production and sandbox know theirs`,
      });
    }
  }
  const pagers = new Set(rawList(root, 'destinations').flatMap((d) => (d?.type === 'pagerduty' ? [String(d.id)] : [])));
  for (const [i, sub] of rawList(root, 'subscriptions').entries()) {
    const dest = sub?.destination;
    if (typeof dest !== 'string' || destinations.has(dest) || pagers.has(dest)) continue;
    // `slack:C0123` and `discord:<id>` name a channel directly (as /belvo-status subscribe stores it).
    if (ADAPTER_RULES.some((r) => r.directDestination?.test(dest))) continue;
    problems.push({
      path: ['subscriptions', i, 'destination'],
      message: `no destination with id "${dest}" (known: ${[...destinations].join(', ') || 'none'})`,
    });
  }
  return problems;
}

export type Config = z.output<typeof configSchema>;
export type WebConfig = Config['web'];
export type BelvoEnvironmentConfig = z.output<typeof belvoEnvironment>;
