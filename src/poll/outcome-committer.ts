// One source's poll outcome -> evaluate -> institution incidents -> storms -> policy -> route -> commit: the state change and the
// delivery intents it causes in one transaction. Shared by every poller (status pages, the Belvo account).
import type { Alert, AlertEvent } from '../domain/alert.js';
import { fingerprint, isIncidentKind } from '../domain/fingerprint.js';
import type { PollOutcome } from '../domain/signal.js';
import type { EngineConfig } from '../engine/engine-config.js';
import { evaluatePoll, fingerprintsToLoad } from '../engine/evaluate.js';
import { correlateInstitutions, incidentFingerprints } from '../engine/incidents.js';
import { applyPolicy } from '../engine/policy.js';
import { groupStorms } from '../engine/storms.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { Metrics } from '../ports/metrics.js';
import type { FeedCursor } from '../ports/source.js';
import { type Store, StoreConflictError } from '../ports/store.js';
import { loadPolicyContext, type RoutingSources } from './routing-context.js';

export interface PollDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  engine: EngineConfig;
  routing: RoutingSources;
  /** Called after a commit that queued deliveries. */
  onIntents: () => void;
  /** The team's links per institution, when a Belvo account is configured: every institution incident's impact. */
  linkImpact?: () => Promise<{ byInstitution: Map<string, number>; total: number } | undefined>;
}

export interface OutcomeSource {
  id: string;
  /** Human name, for the "cannot be read" alert's title. */
  name: string;
  /** Consecutive failures before that alert fires. */
  failuresBeforeAlert: number;
}

export interface CommitOptions {
  /**
   * The outcome judges data the bot already holds (a detector woken by a push), not a read of the source: the
   * source's health (its "cannot be read" alert, its failure count) stays what its last read made it.
   */
  keepSourceHealth?: boolean;
}

export interface CommitReport {
  events: number;
  intents: number;
  /** Alerts written (0 with 0 events: nothing changed). */
  stored: number;
}

const PROVISIONAL = 'new:';

/**
 * The engine is synchronous and pure, so it names new alerts provisionally; only alerts that are really stored get
 * one of the store's short public ids (`A12`), and the events carry it too.
 */
async function assignIds(result: { alerts: Alert[]; events: AlertEvent[] }, store: Store): Promise<void> {
  const fresh = result.alerts.filter((a) => a.id.startsWith(PROVISIONAL));
  const reserved = await store.reserveAlertIds(fresh.length);
  const ids = new Map<string, string>();
  fresh.forEach((a, i) => {
    const id = reserved[i] as string;
    ids.set(a.id, id);
    a.id = id;
  });
  // A storm formed in this batch is new too: its members point to it by id.
  const rename = (a: Alert) => {
    a.id = ids.get(a.id) ?? a.id;
    if (a.groupId) a.groupId = ids.get(a.groupId) ?? a.groupId;
    if (a.incidentId) a.incidentId = ids.get(a.incidentId) ?? a.incidentId;
    if (a.listedOn) a.listedOn = a.listedOn.map((id) => ids.get(id) ?? id);
  };
  for (const a of result.alerts) if (a.groupId || a.incidentId || a.listedOn) rename(a);
  for (const e of result.events) rename(e.alert);
}

/** Destinations with a message (delivered or queued) for each alert this batch resolves. */
async function heardOf(store: Store, events: AlertEvent[]): Promise<Map<string, string[]>> {
  const heard = new Map<string, string[]>();
  for (const e of events) {
    if (e.type !== 'resolved' || heard.has(e.alert.id)) continue;
    const [refs, intents] = await Promise.all([
      store.listMessageRefs(e.alert.id),
      store.listIntents({ alertId: e.alert.id }),
    ]);
    heard.set(e.alert.id, [...new Set([...refs.map((r) => r.destination), ...intents.map((i) => i.destination)])]);
  }
  return heard;
}

export class OutcomeCommitter {
  constructor(
    private readonly deps: PollDeps,
    private readonly info: OutcomeSource,
  ) {}

  /** `commit`, evaluated again when an alert changed meanwhile (a chat command, another source's poll). */
  async commitRetrying(
    outcome: PollOutcome,
    cursors: FeedCursor[] = [],
    attempts = 3,
    options: CommitOptions = {},
  ): Promise<CommitReport> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.commit(outcome, cursors, options);
      } catch (err) {
        if (!(err instanceof StoreConflictError) || attempt >= attempts) throw err;
        this.deps.logger.debug({ source: this.info.id, attempt }, 'alert changed while evaluating; evaluating again');
      }
    }
  }

  async commit(outcome: PollOutcome, cursors: FeedCursor[] = [], options: CommitOptions = {}): Promise<CommitReport> {
    const { store, clock, logger, metrics } = this.deps;
    const source = this.info.id;
    const now = outcome.at;
    const [alerts, state] = await Promise.all([
      store.alertsForEvaluation(source, fingerprintsToLoad(outcome)),
      store.getSourceState(source),
    ]);
    let provisional = 0;
    const result = evaluatePoll({
      outcome,
      alerts,
      firstSight: state?.firstSuccessAt === undefined,
      ...(state?.lastSuccessAt !== undefined && { lastReadAt: state.lastSuccessAt }),
      now,
      config: this.deps.engine,
      newId: () => `${PROVISIONAL}${++provisional}`,
      failuresBeforeAlert: this.info.failuresBeforeAlert,
      sourceName: this.info.name,
    });
    if (options.keepSourceHealth) {
      const health = fingerprint.sourceHealth(source);
      result.alerts = result.alerts.filter((a) => a.fingerprint !== health);
      result.events = result.events.filter((e) => e.alert.fingerprint !== health);
    }
    await assignIds(result, store);
    const newId = () => `${PROVISIONAL}${++provisional}`;
    const correlated = await this.correlate(result, now, newId);
    await assignIds(correlated, store);
    const grouped = await this.groupStorms(correlated, now, newId);
    await assignIds(grouped, store);
    const policy = await loadPolicyContext(store, this.deps.routing, clock.now());
    policy.heard = await heardOf(store, grouped.events);
    const { intents, suppressed, alerts: decided, events } = applyPolicy(grouped.events, grouped.alerts, policy);
    const failures = outcome.ok ? 0 : (state?.consecutiveFailures ?? 0) + 1;
    await store.commitEvaluation({
      alerts: decided,
      intents,
      cursors,
      ...(!options.keepSourceHealth && {
        sourceState: {
          source,
          consecutiveFailures: failures,
          ...(state?.firstSuccessAt !== undefined && { firstSuccessAt: state.firstSuccessAt }),
          ...(outcome.ok && state?.firstSuccessAt === undefined && { firstSuccessAt: now }),
          ...(outcome.ok
            ? { lastSuccessAt: now }
            : state?.lastSuccessAt !== undefined && { lastSuccessAt: state.lastSuccessAt }),
          ...(!outcome.ok ? { lastFailureAt: now, lastError: outcome.error.message } : {}),
        },
      }),
    });
    for (const e of events) {
      logger.info(
        { alert: e.alert.id, fingerprint: e.alert.fingerprint, event: e.type, version: e.version, reason: e.reason },
        'alert event',
      );
      metrics.eventsEmitted(e.type, 1);
    }
    for (const s of suppressed) logger.info(s, 'delivery suppressed');
    if (intents.length > 0) this.deps.onIntents();
    return { events: events.length, intents: intents.length, stored: decided.length };
  }

  /** Alerts about one institution, from any source, become members of its one institution incident. */
  private async correlate(result: { alerts: Alert[]; events: AlertEvent[] }, now: number, newId: () => string) {
    const fingerprints = incidentFingerprints(result.events);
    if (fingerprints.length === 0) return result;
    const [stored, links] = await Promise.all([
      this.deps.store.alertsForEvaluation('bot', fingerprints),
      this.deps.linkImpact?.(),
    ]);
    const correlated = correlateInstitutions({
      events: result.events,
      alerts: result.alerts,
      incidents: stored.filter((a) => isIncidentKind(a.kind)),
      now,
      newId,
      reopenWithinMs: this.deps.engine.flapping.windowMs,
      timelineLimit: this.deps.engine.timelineLimit,
      ...(links && { links }),
    });
    for (const note of correlated.notes) this.deps.logger.info({ source: this.info.id }, note);
    return correlated;
  }

  /** Institutions failing together become one storm (when storms are configured and this batch opens any). */
  private async groupStorms(result: { alerts: Alert[]; events: AlertEvent[] }, now: number, newId: () => string) {
    const storms = this.deps.routing.policy?.storms;
    const touchesInstitutions = result.events.some((e) => e.alert.institution !== undefined);
    if (!storms || !touchesInstitutions) return { alerts: result.alerts, events: result.events };
    const firing = await this.deps.store.listAlerts({ states: ['firing'] });
    const grouped = groupStorms({ events: result.events, alerts: result.alerts, firing, config: storms, now, newId });
    for (const note of grouped.notes) this.deps.logger.warn({ source: this.info.id }, note);
    return grouped;
  }
}
