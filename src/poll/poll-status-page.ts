// One poll of one status page: read -> detect -> evaluate -> route -> commit, the state change and the delivery
// intents it causes in one transaction.

import { detectStatusPage, type StatusPageSourceInfo } from '../detect/status-page.js';
import type { Alert, AlertEvent } from '../domain/alert.js';
import type { PollOutcome, Signal } from '../domain/signal.js';
import type { StatusPageSnapshot } from '../domain/status-page.js';
import type { EngineConfig } from '../engine/engine-config.js';
import { evaluatePoll, fingerprintsToLoad } from '../engine/evaluate.js';
import { applyPolicy } from '../engine/policy.js';
import { groupStorms } from '../engine/storms.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { Metrics } from '../ports/metrics.js';
import type { FeedCursor, StatusPageReader } from '../ports/source.js';
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
}

export interface PollReport {
  outcome: 'ok' | 'unchanged' | 'failed';
  events: number;
  intents: number;
  /** The source asked for a pause (Retry-After): the scheduler waits at least this long. */
  notBeforeMs?: number;
}

const COMMIT_ATTEMPTS = 3;
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
  };
  for (const a of result.alerts) if (a.groupId) rename(a);
  for (const e of result.events) rename(e.alert);
}

/** Keeps the signals of the last snapshot: an unchanged feed costs neither a parse nor a detection. */
export class StatusPagePoller {
  private lastSnapshot?: StatusPageSnapshot;
  private lastDetection?: { signals: Signal[]; completeScopes: string[] };
  /**
   * A snapshot whose last evaluation changed nothing: evaluating it again would change nothing either (a steady
   * firing alert is not rewritten, and every rule that moves with time moves a counter that is written), so an
   * unchanged poll of it skips the store altogether.
   */
  private settled?: StatusPageSnapshot;
  private running = false;

  constructor(
    readonly info: StatusPageSourceInfo & { failuresBeforeAlert: number; timeoutMs: number },
    private readonly reader: StatusPageReader,
    private readonly deps: PollDeps,
  ) {}

  get id(): string {
    return this.info.id;
  }

  get busy(): boolean {
    return this.running;
  }

  async poll(): Promise<PollReport> {
    if (this.running) return { outcome: 'unchanged', events: 0, intents: 0 };
    this.running = true;
    const started = performance.now();
    try {
      return await this.pollOnce(started);
    } finally {
      this.running = false;
    }
  }

  private detect(snapshot: StatusPageSnapshot) {
    if (snapshot !== this.lastSnapshot || !this.lastDetection) {
      this.lastDetection = detectStatusPage(this.info, snapshot);
      this.lastSnapshot = snapshot;
    }
    return this.lastDetection;
  }

  private async pollOnce(started: number): Promise<PollReport> {
    const { clock, logger, metrics } = this.deps;
    const source = this.info.id;
    // The reader has its own timeout; this one also bounds a reader that misbehaves.
    const read = await this.reader.read(AbortSignal.timeout(this.info.timeoutMs * 4));
    const at = clock.now();
    let outcome: PollOutcome;
    let cursors: FeedCursor[] = [];
    let unchanged = false;
    if (read.ok && read.unchanged && read.snapshot === this.settled) {
      metrics.pollFinished(source, 'unchanged', (performance.now() - started) / 1000);
      return { outcome: 'unchanged', events: 0, intents: 0 };
    }
    if (read.ok) {
      const detection = this.detect(read.snapshot);
      outcome = { ok: true, source, at, ...detection };
      cursors = read.cursors;
      unchanged = read.unchanged;
    } else {
      outcome = { ok: false, source, at, error: { code: read.error.code, message: read.error.message } };
      logger.warn({ source, error: read.error }, 'status page poll failed');
    }

    for (let attempt = 1; ; attempt++) {
      try {
        const report = await this.evaluateAndCommit(outcome, cursors);
        this.settled = read.ok && report.stored === 0 && report.events === 0 ? read.snapshot : undefined;
        const kind = !outcome.ok ? 'failed' : unchanged ? 'unchanged' : 'ok';
        metrics.pollFinished(
          source,
          kind,
          (performance.now() - started) / 1000,
          outcome.ok ? undefined : outcome.error.code,
        );
        const retryAfterMs = read.ok ? undefined : read.error.retryAfterMs;
        return {
          events: report.events,
          intents: report.intents,
          outcome: kind,
          ...(retryAfterMs !== undefined && { notBeforeMs: retryAfterMs }),
        };
      } catch (err) {
        if (!(err instanceof StoreConflictError) || attempt >= COMMIT_ATTEMPTS) throw err;
        logger.debug({ source, attempt }, 'alert changed while evaluating; evaluating again');
      }
    }
  }

  private async evaluateAndCommit(outcome: PollOutcome, cursors: FeedCursor[]) {
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
      now,
      config: this.deps.engine,
      newId: () => `${PROVISIONAL}${++provisional}`,
      failuresBeforeAlert: this.info.failuresBeforeAlert,
      sourceName: this.info.name,
    });
    await assignIds(result, store);
    const grouped = await this.groupStorms(result, now, () => `${PROVISIONAL}${++provisional}`);
    await assignIds(grouped, store);
    const policy = await loadPolicyContext(store, this.deps.routing, clock.now());
    const { intents, suppressed, alerts: decided, events } = applyPolicy(grouped.events, grouped.alerts, policy);
    const failures = outcome.ok ? 0 : (state?.consecutiveFailures ?? 0) + 1;
    await store.commitEvaluation({
      alerts: decided,
      intents,
      cursors,
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
