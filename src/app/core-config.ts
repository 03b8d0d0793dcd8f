// The config, as the core's parts take it: engine thresholds, the paging policy, the routing fixed by the config
// (its subscriptions and silences), the detectors' settings. Pure mappings, one per part.
import { type Config, destinationKeyOf } from '../config/schema.js';
import type { ErrorRatioConfig } from '../detect/error-ratios.js';
import { DEFAULT_SPIKE_CONFIG, type SpikeConfig } from '../detect/link-spikes.js';
import type { InstitutionRef } from '../domain/institution.js';
import { NO_END, type Silence } from '../domain/silence.js';
import type { Subscription } from '../domain/subscription.js';
import { DEFAULT_ENGINE_CONFIG, type EngineConfig, type Thresholds } from '../engine/engine-config.js';
import { type PolicyConfig, STORM_KIND } from '../engine/policy-config.js';

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
  return d ? destinationKeyOf(d) : id;
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
    maintenanceRemindBeforeMs: p.maintenance.remindBefore,
    maintenanceCloseAfterMs: p.maintenance.closeAfter,
  };
}

/** Whether an institution is on the critical list (by Belvo name or display name, case-insensitive). */
export function criticalMatcher(list: string[]): (i: InstitutionRef) => boolean {
  const names = new Set(list.map((n) => n.toLowerCase()));
  return (i) => names.has(i.name.toLowerCase()) || names.has(i.displayName.toLowerCase());
}

export function configSubscriptions(config: Config, now: number): Subscription[] {
  return config.subscriptions.map(({ destination, report, ...rest }, i) => ({
    id: `config:${i}`,
    destination: canonicalDestination(config, destination),
    // A report's clock: its own zone, else the subscription's quiet-hours zone, else UTC.
    filter: report ? { ...rest, report: { cron: report.cron, tz: report.tz ?? rest.quietHours?.tz ?? 'UTC' } } : rest,
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

/** The routing the config fixes: its subscriptions and silences, and the paging policy. */
export function configRouting(config: Config, now: number) {
  return {
    configSubscriptions: configSubscriptions(config, now),
    configSilences: configSilences(config),
    policy: policyFrom(config),
  };
}

export function errorRatioConfigFrom(r: NonNullable<Config['belvo']>['errorRatios']): ErrorRatioConfig {
  return {
    longMs: r.longWindow,
    shortMs: r.shortWindow,
    minCalls: r.minCalls,
    minShortCalls: r.minShortCalls,
    thresholds: { ...r.thresholds },
  };
}

export function spikeConfigFrom(s: NonNullable<Config['belvo']>['spikes'] | undefined): SpikeConfig {
  return {
    windowMs: s?.window ?? DEFAULT_SPIKE_CONFIG.windowMs,
    baselineMs: s?.baseline ?? DEFAULT_SPIKE_CONFIG.baselineMs,
    minCount: s?.minCount ?? DEFAULT_SPIKE_CONFIG.minCount,
    factor: s?.factor ?? DEFAULT_SPIKE_CONFIG.factor,
    shortWindowMs: s?.shortWindow ?? DEFAULT_SPIKE_CONFIG.shortWindowMs,
  };
}
