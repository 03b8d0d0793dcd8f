// The one alert-commit service: every change to alerts (a poll's outcome, a chat command's acknowledgement, time
// passing, the bot's own health) is read in one store call, decided by one pure function at one `now`, and written
// in one transaction with the delivery intents it causes, where new alerts get their ids. A change decided on stale
// data (another writer got there first) is read and decided again.
import { INCIDENT_KIND, SERVICE_INCIDENT_KIND, STORM_KIND } from '../domain/fingerprint.js';
import { renameInText } from '../domain/provisional-ids.js';
import type { EngineConfig } from '../engine/engine-config.js';
import { fingerprintsToLoad } from '../engine/evaluate.js';
import { problemOf } from '../engine/incidents.js';
import type { AlertStore, CommitContextQuery } from '../ports/alert-store.js';
import { LeadershipLostError, StoreConflictError } from '../ports/alert-store.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { Metrics } from '../ports/metrics.js';
import type { AlertChange, CommitReport } from './change.js';
import { type DecideExtras, decide } from './decide.js';
import type { RoutingSources } from './routing-sources.js';

export interface AlertCommitDeps {
  store: AlertStore;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  engine: EngineConfig;
  routing: RoutingSources;
  /** Called after a commit that queued deliveries (wakes the dispatcher). */
  onIntents: () => void;
  /**
   * The team's links per institution in one environment, when a Belvo account is configured: every institution
   * incident's impact.
   */
  linkImpact?: { environment: string; read: () => Promise<DecideExtras['links']> };
  /**
   * Several replicas: the leadership token while this replica leads, else undefined. Polls and ticks are leader work:
   * they commit under the token (the store refuses a token no longer current) and are refused here without one.
   */
  fence?: () => number | undefined;
}

/** Reads and decisions a change gets before it gives up on a store that keeps changing under it. */
const ATTEMPTS = 3;
/** How far back a quiet-hours digest looks for what changed (a night's window, plus the latest it may go out). */
const DIGEST_LOOKBACK_MS = 36 * 3_600_000;
/** Kinds every poll's decision may need open: the incidents and storms its alerts may join. */
const GROUP_KINDS = [INCIDENT_KIND, SERVICE_INCIDENT_KIND, STORM_KIND];

export class AlertCommitter {
  constructor(private readonly deps: AlertCommitDeps) {}

  async commit(change: AlertChange): Promise<CommitReport> {
    // Chat changes were made on the alert as read by the command: a conflict is for it to answer.
    const attempts = change.type === 'events' ? 1 : ATTEMPTS;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once(change);
      } catch (err) {
        if (!(err instanceof StoreConflictError) || attempt >= attempts) throw err;
        this.deps.logger.debug({ change: change.type, attempt }, 'alert changed while deciding; deciding again');
      }
    }
  }

  private async once(change: AlertChange): Promise<CommitReport> {
    const { store, clock, logger, metrics } = this.deps;
    const now = change.type === 'poll' ? change.outcome.at : clock.now();
    const [ctx, links] = await Promise.all([store.loadCommitContext(queryFor(change, now)), this.links(change)]);
    // A quiet-hours digest sums up what changed during the window that may just have ended.
    const quiet = [...this.deps.routing.configSubscriptions, ...ctx.subscriptions].some((s) => s.filter.quietHours);
    const changed =
      change.type === 'tick' && quiet ? await store.listAlerts({ changedSince: now - DIGEST_LOOKBACK_MS }) : undefined;
    const decision = decide(change, ctx, { engine: this.deps.engine, routing: this.deps.routing }, now, {
      ...(links && { links }),
      ...(changed && { changed }),
    });
    const fence = this.fenceFor(change);
    if (
      decision.alerts.length === 0 &&
      decision.intents.length === 0 &&
      decision.cursors.length === 0 &&
      !decision.sourceState
    ) {
      return { events: 0, intents: 0, stored: 0 };
    }
    const { ids } = await store.commitAlerts({
      alerts: decision.alerts,
      intents: decision.intents,
      cursors: decision.cursors,
      ...(decision.sourceState && { sourceState: decision.sourceState }),
      ...(fence !== undefined && { fence }),
    });
    const source = change.type === 'poll' ? change.source.id : undefined;
    for (const note of decision.notes) logger[note.level]({ source }, renameInText(note.text, ids));
    for (const e of decision.events) {
      const id = ids.get(e.alert.id) ?? e.alert.id;
      logger.info(
        { alert: id, fingerprint: e.alert.fingerprint, event: e.type, version: e.version, reason: e.reason },
        'alert event',
      );
      metrics.eventsEmitted(e.type, 1);
    }
    for (const s of decision.suppressed) {
      logger.info({ ...s, alertId: ids.get(s.alertId) ?? s.alertId }, 'delivery suppressed');
    }
    if (decision.intents.length > 0) this.deps.onIntents();
    return { events: decision.events.length, intents: decision.intents.length, stored: decision.alerts.length };
  }

  /** The token leader work commits under; none for other work, or with one process alone. */
  private fenceFor(change: AlertChange): number | undefined {
    if (!this.deps.fence || (change.type !== 'poll' && change.type !== 'tick')) return undefined;
    const token = this.deps.fence();
    if (token === undefined)
      throw new LeadershipLostError(`a ${change.type} is leader work and this replica does not lead`);
    return token;
  }

  /** The links an institution incident touches, read beside the alerts when a poll speaks of institutions. */
  private async links(change: AlertChange): Promise<DecideExtras['links']> {
    const impact = this.deps.linkImpact;
    if (change.type !== 'poll' || !impact || !touchesInstitutions(change)) return undefined;
    // The poll has just read them to judge its own signals (100,000 links are a few thousand rows): once is enough.
    if (change.linkCounts?.environment === impact.environment) return change.linkCounts.counts;
    return impact.read();
  }
}

function touchesInstitutions(change: AlertChange & { type: 'poll' }): boolean {
  return change.outcome.ok && change.outcome.signals.some((s) => s.institution !== undefined);
}

/** What one change needs to read, so that it reads it in one store call. */
export function queryFor(change: AlertChange, now: number): CommitContextQuery {
  switch (change.type) {
    case 'poll': {
      const { outcome } = change;
      const fingerprints = new Set(fingerprintsToLoad(outcome));
      if (outcome.ok) {
        // The incidents its alerts may join, resolved ones included (a relapse soon after reopens the same one).
        // Only a failing signal can open or reopen one; the open incidents come with `open` whatever the signals
        // (an ok spike check speaks of every institution with a transition in its window: hundreds at scale).
        for (const s of outcome.signals) {
          if (s.observation !== 'bad' && !s.maintenance) continue;
          if (s.institution || s.service) fingerprints.add(problemOf(s));
          for (const i of s.affects ?? []) fingerprints.add(problemOf({ institution: i }));
        }
      }
      return {
        open: { source: outcome.source, kinds: GROUP_KINDS },
        fingerprints: [...fingerprints],
        source: outcome.source,
        now,
      };
    }
    case 'observe':
      return { open: { source: change.signal.source, kinds: [] }, fingerprints: [change.signal.fingerprint], now };
    case 'events':
      return { open: { kinds: [] }, fingerprints: [], now };
    case 'tick':
      return { open: 'all', fingerprints: [], now };
  }
}
