// One poll's outcome applied to the alerts it concerns. Pure: the caller loads the alerts and commits the result.
import type { Alert, AlertEvent } from '../domain/alert.js';
import { fingerprint, SOURCE_HEALTH_KIND } from '../domain/fingerprint.js';
import { GONE_STATUS, type PollOutcome, type Signal } from '../domain/signal.js';
import type { EngineConfig } from './engine-config.js';
import { applySignal } from './lifecycle.js';

export interface EvaluateInput {
  outcome: PollOutcome;
  /** Latest alert per fingerprint concerned, and every open alert of the source (see Store.alertsForEvaluation). */
  alerts: Alert[];
  firstSight: boolean;
  /** The source's last successful read before this one (see LifecycleContext.lastReadAt). */
  lastReadAt?: number;
  now: number;
  config: EngineConfig;
  newId: () => string;
  /** Consecutive failures before the source's own health alert fires (the source's setting). */
  failuresBeforeAlert: number;
  /** Human name of the source, for the health alert's title. */
  sourceName: string;
}

export interface Decision {
  fingerprint: string;
  reason: string;
}

export interface EvaluateResult {
  alerts: Alert[];
  events: AlertEvent[];
  decisions: Decision[];
}

/** The bot's own signal about whether a source could be read. */
export function sourceHealthSignal(input: EvaluateInput): Signal {
  const { outcome } = input;
  const base = {
    fingerprint: fingerprint.sourceHealth(outcome.source),
    kind: SOURCE_HEALTH_KIND,
    source: outcome.source,
    lifecycle: 'observed' as const,
    severity: 'minor' as const,
    title: `${input.sourceName} cannot be read`,
    thresholds: { fail: input.failuresBeforeAlert, ok: 1 },
  };
  if (outcome.ok) return { ...base, observation: 'ok', status: 'reachable' };
  return {
    ...base,
    observation: 'bad',
    // The error code is evidence, not status: a page alternating between timeouts and 503s is one outage.
    status: 'unreachable',
    evidence: { source: outcome.source, lastError: outcome.error.message, errorCode: outcome.error.code },
  };
}

/** Signals the poll implies: a thing gone from a scope the source saw completely is observed ok. */
function impliedOk(outcome: PollOutcome & { ok: true }, alerts: Alert[], seen: Set<string>): Signal[] {
  if (outcome.completeScopes.length === 0) return [];
  return alerts
    .filter(
      (a) =>
        (a.state !== 'resolved' || a.maintenance !== undefined) &&
        !seen.has(a.fingerprint) &&
        outcome.completeScopes.some((scope) => a.fingerprint.startsWith(scope)),
    )
    .map((a) => ({
      fingerprint: a.fingerprint,
      kind: a.kind,
      source: a.source,
      lifecycle: a.lifecycle,
      observation: 'ok' as const,
      severity: a.severity,
      title: a.title,
      status: GONE_STATUS,
      evidence: a.evidence,
    }));
}

export function evaluatePoll(input: EvaluateInput): EvaluateResult {
  const { outcome } = input;
  const latest = new Map<string, Alert>();
  for (const a of input.alerts) latest.set(a.fingerprint, a);

  // The last signal for a fingerprint wins: a feed listing a thing twice must not count as two observations.
  const byFingerprint = new Map<string, Signal>();
  if (outcome.ok) {
    for (const s of outcome.signals) byFingerprint.set(s.fingerprint, s);
    for (const s of impliedOk(outcome, input.alerts, new Set(byFingerprint.keys())))
      byFingerprint.set(s.fingerprint, s);
  }
  // A failed poll says nothing about the source's alerts: only the bot's own health signal moves.
  const health = sourceHealthSignal(input);
  byFingerprint.set(health.fingerprint, health);

  const ctx = {
    now: input.now,
    config: input.config,
    firstSight: input.firstSight,
    newId: input.newId,
    ...(input.lastReadAt !== undefined && { lastReadAt: input.lastReadAt }),
  };
  const result: EvaluateResult = { alerts: [], events: [], decisions: [] };
  for (const s of byFingerprint.values()) {
    // The health alert is not part of first sight: a source unreachable from the start is news.
    const t = applySignal(
      latest.get(s.fingerprint),
      s,
      s.kind === SOURCE_HEALTH_KIND ? { ...ctx, firstSight: false } : ctx,
    );
    if (t.alert) result.alerts.push(t.alert);
    if (t.event) result.events.push(t.event);
    result.decisions.push({ fingerprint: s.fingerprint, reason: t.reason });
  }
  return result;
}

/** Fingerprints whose stored alert an evaluation needs (besides the source's open alerts). */
export function fingerprintsToLoad(outcome: PollOutcome): string[] {
  const fps = [fingerprint.sourceHealth(outcome.source)];
  if (!outcome.ok) return fps;
  for (const s of outcome.signals) {
    // An `observed` ok signal with no open alert is a no-op, and open alerts are loaded by source anyway.
    if (s.observation === 'bad' || s.lifecycle === 'source' || s.maintenance) fps.push(s.fingerprint);
  }
  return fps;
}
