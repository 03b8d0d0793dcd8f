// The one decision every alert change goes through, pure and at one `now`: evaluate what was observed, group it into
// incidents and storms, apply the policy (silences, paging) and route it to destinations. New alerts get provisional
// ids (`new:1`); the store gives them their public ids when it commits the decision.
import type { Alert, AlertEvent } from '../domain/alert.js';
import { fingerprint, isIncidentKind } from '../domain/fingerprint.js';
import { provisionalIds } from '../domain/provisional-ids.js';
import type { EngineConfig } from '../engine/engine-config.js';
import { evaluatePoll } from '../engine/evaluate.js';
import { correlateInstitutions } from '../engine/incidents.js';
import { applySignal } from '../engine/lifecycle.js';
import { applyPolicy } from '../engine/policy.js';
import { quietDigests } from '../engine/quiet-digest.js';
import type { Suppression } from '../engine/route.js';
import { groupStorms } from '../engine/storms.js';
import { policyTick } from '../engine/time-driven.js';
import type { CommitContext } from '../ports/alert-store.js';
import type { SourceState } from '../ports/feed-state.js';
import type { NewIntent } from '../ports/outbox.js';
import type { FeedCursor } from '../ports/source.js';
import type { AlertChange } from './change.js';
import { policyContext, type RoutingSources } from './routing-sources.js';

export interface DecideSettings {
  engine: EngineConfig;
  routing: RoutingSources;
}

/** What a decision reads besides the store's context: the team's links (an incident's impact), a digest's window. */
export interface DecideExtras {
  links?: { byInstitution: Map<string, number>; total: number };
  /** For a tick with quiet-hours subscriptions: the alerts written during the windows that may have just ended. */
  changed?: Alert[];
}

export interface Decision {
  alerts: Alert[];
  events: AlertEvent[];
  intents: NewIntent[];
  suppressed: Suppression[];
  cursors: FeedCursor[];
  sourceState?: SourceState;
  /** What happened, in words, for the log (incidents and storms opening). */
  notes: { level: 'info' | 'warn'; text: string }[];
}

interface Batch {
  alerts: Alert[];
  events: AlertEvent[];
}

function byId(alerts: Alert[]): Alert[] {
  return [...new Map(alerts.map((a) => [a.id, a])).values()];
}

export function decide(
  change: AlertChange,
  ctx: CommitContext,
  settings: DecideSettings,
  now: number,
  extras: DecideExtras = {},
): Decision {
  const newId = provisionalIds();
  const notes: Decision['notes'] = [];
  const known = byId([...ctx.latest, ...ctx.open]);
  let batch: Batch;
  let sourceState: SourceState | undefined;
  let digests: NewIntent[] = [];

  switch (change.type) {
    case 'poll': {
      const { outcome, source } = change;
      const state = ctx.sourceState;
      batch = evaluatePoll({
        outcome,
        // The latest alert of each fingerprint concerned, and every alert of this source still active.
        alerts: known.filter((a) => a.source === outcome.source || ctx.latest.includes(a)),
        firstSight: state?.firstSuccessAt === undefined,
        ...(state?.lastSuccessAt !== undefined && { lastReadAt: state.lastSuccessAt }),
        now,
        config: settings.engine,
        newId,
        failuresBeforeAlert: source.failuresBeforeAlert,
        sourceName: source.name,
      });
      if (change.keepSourceHealth) {
        const health = fingerprint.sourceHealth(source.id);
        batch = {
          alerts: batch.alerts.filter((a) => a.fingerprint !== health),
          events: batch.events.filter((e) => e.alert.fingerprint !== health),
        };
      } else {
        const error = outcome.ok ? undefined : outcome.error.message;
        sourceState = nextSourceState(source.id, state, outcome.ok, now, error);
      }
      break;
    }
    case 'observe': {
      const prev = ctx.latest.find((a) => a.fingerprint === change.signal.fingerprint);
      const t = applySignal(prev, change.signal, { now, config: settings.engine, firstSight: false, newId });
      batch = { alerts: t.alert ? [t.alert] : [], events: t.event ? [t.event] : [] };
      break;
    }
    case 'events':
      batch = { alerts: change.alerts, events: change.events };
      break;
    case 'tick': {
      const policy = policyContext(settings.routing, ctx, now);
      batch = policyTick(
        ctx.open.filter((a) => a.state === 'firing'),
        policy,
      );
      if (policy.subscriptions.some((s) => s.filter.quietHours)) {
        digests = quietDigests(policy.subscriptions, extras.changed ?? [], now);
      }
      break;
    }
  }

  if (change.type === 'poll' || change.type === 'observe') {
    batch = correlate(batch, known, settings, now, newId, extras, notes);
    batch = storms(batch, ctx, settings, now, newId, notes);
  }
  const decided = applyPolicy(batch.events, batch.alerts, policyContext(settings.routing, ctx, now));
  return {
    alerts: decided.alerts,
    events: decided.events,
    intents: [...decided.intents, ...digests],
    suppressed: decided.suppressed,
    cursors: change.type === 'poll' ? (change.cursors ?? []) : [],
    ...(sourceState && { sourceState }),
    notes,
  };
}

/** Alerts about one institution (or the Belvo API) from any source become members of its one incident. */
function correlate(
  batch: Batch,
  known: Alert[],
  settings: DecideSettings,
  now: number,
  newId: () => string,
  extras: DecideExtras,
  notes: Decision['notes'],
): Batch {
  if (!batch.events.some((e) => e.alert.institution || e.alert.service || e.alert.affects)) return batch;
  const result = correlateInstitutions({
    events: batch.events,
    alerts: batch.alerts,
    incidents: known.filter((a) => isIncidentKind(a.kind)),
    now,
    newId,
    reopenWithinMs: settings.engine.flapping.windowMs,
    timelineLimit: settings.engine.timelineLimit,
    ...(extras.links && { links: extras.links }),
  });
  for (const text of result.notes) notes.push({ level: 'info', text });
  return result;
}

/** Institutions failing together become one storm (when storms are configured and this batch opens any). */
function storms(
  batch: Batch,
  ctx: CommitContext,
  settings: DecideSettings,
  now: number,
  newId: () => string,
  notes: Decision['notes'],
): Batch {
  const config = settings.routing.policy?.storms;
  if (!config || !batch.events.some((e) => e.alert.institution !== undefined)) return batch;
  const firing = ctx.open.filter((a) => a.state === 'firing');
  const grouped = groupStorms({ events: batch.events, alerts: batch.alerts, firing, config, now, newId });
  for (const text of grouped.notes) notes.push({ level: 'warn', text });
  return grouped;
}

/** The source's health after this read: consecutive failures, first and last success. */
function nextSourceState(
  source: string,
  state: SourceState | undefined,
  ok: boolean,
  now: number,
  error: string | undefined,
): SourceState {
  return {
    source,
    consecutiveFailures: ok ? 0 : (state?.consecutiveFailures ?? 0) + 1,
    ...(state?.firstSuccessAt !== undefined && { firstSuccessAt: state.firstSuccessAt }),
    ...(ok && state?.firstSuccessAt === undefined && { firstSuccessAt: now }),
    ...(ok ? { lastSuccessAt: now } : state?.lastSuccessAt !== undefined && { lastSuccessAt: state.lastSuccessAt }),
    ...(!ok && { lastFailureAt: now, lastError: error }),
  };
}
