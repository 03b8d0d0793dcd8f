import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Alert } from '../../src/domain/alert.js';
import { isProvisional, renameAlertIds, renameEventIds } from '../../src/domain/provisional-ids.js';
import { relatedAlertIds } from '../../src/domain/related-alerts.js';
import type { Silence } from '../../src/domain/silence.js';
import type { Subscription } from '../../src/domain/subscription.js';
import { type Clock, systemClock } from '../../src/ports/clock.js';
import type { MessageRef } from '../../src/ports/notifier.js';
import type { FeedCursor } from '../../src/ports/source.js';
import {
  type AlertCommit,
  type AlertCommitResult,
  type AlertQuery,
  type ClaimOptions,
  type CommitContext,
  type CommitContextQuery,
  type Intent,
  type IntentCompletion,
  type IntentStatus,
  type PrunedAlerts,
  type SequenceName,
  type SourceState,
  type Store,
  StoreConflictError,
} from '../../src/ports/store.js';
import { belvoStoreMethods, prepareBelvoStatements } from './belvo-links-store.js';
import { createDirectories } from './directories.js';
import { applyMigrations } from './migrations.js';
import { prepareReportLogStatements, reportLogMethods } from './report-log-store.js';
import { prepareSeenStatements, seenRequestMethods } from './seen-requests-store.js';

export interface SqliteStoreOptions {
  /** File path (parent directory created if missing) or `:memory:`. */
  path: string;
  clock?: Clock;
  /** How long a writer waits for another process's lock before SQLITE_BUSY. */
  busyTimeoutMs?: number;
}

interface AlertRow {
  rev: number;
  body: string;
}

interface IntentRow {
  id: number;
  alert_id: string;
  version: number;
  destination: string;
  event: string;
  not_before: number;
  status: IntentStatus;
  attempts: number;
  next_attempt_at: number;
  lease_until: number | null;
  last_error: string | null;
  created_at: number;
  delivered_at: number | null;
}

interface CursorRow {
  key: string;
  etag: string | null;
  last_modified: string | null;
  body: string | null;
  fetched_at: number;
}

interface SourceStateRow {
  source: string;
  first_success_at: number | null;
  last_success_at: number | null;
  last_failure_at: number | null;
  consecutive_failures: number;
  last_error: string | null;
}

interface SubscriptionRow {
  id: string;
  destination: string;
  filter: string;
  created_by: string | null;
  created_at: number;
}

interface SilenceRow {
  id: string;
  matcher: string;
  starts_at: number;
  ends_at: number;
  created_by: string;
  reason: string;
  recurrence: string | null;
}

interface MessageRefRow {
  alert_id: string;
  destination: string;
  message_id: string;
  extra: string | null;
}

interface ResolvedRow {
  seq: number;
  id: string;
  updated_at: number;
  held: number;
  /** Only for rows written before the cut-off. */
  body: string | null;
}

/** Rows per retention transaction: a few milliseconds each. */
const PRUNE_BATCH = 500;

/** Lets timers and I/O callbacks (webhooks waiting for their commit) run between two retention transactions. */
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Writes one alert row. A second open incident for the same institution (two sources opening it at once) breaks the
 * unique index on open incidents: that is the same race as a stale rev, and is answered the same way.
 */
function upsertOrConflict(statement: BetterSqlite3.Statement, params: Record<string, unknown>, alert: Alert) {
  try {
    return statement.run(params);
  } catch (err) {
    if (err instanceof BetterSqlite3.SqliteError && err.code === 'SQLITE_CONSTRAINT_UNIQUE') {
      throw new StoreConflictError(`another open ${alert.kind} for ${alert.fingerprint} was written first`);
    }
    throw err;
  }
}

function opt<T>(value: T | null): T | undefined {
  return value === null ? undefined : value;
}

function withoutUndefined<T extends object>(obj: T): T {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as T;
}

function toAlert(row: AlertRow): Alert {
  return { ...(JSON.parse(row.body) as Alert), rev: row.rev };
}

function toIntent(row: IntentRow): Intent {
  return withoutUndefined<Intent>({
    id: row.id,
    alertId: row.alert_id,
    version: row.version,
    destination: row.destination,
    event: JSON.parse(row.event) as Intent['event'],
    notBefore: row.not_before,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    leaseUntil: opt(row.lease_until),
    lastError: opt(row.last_error),
    createdAt: row.created_at,
    deliveredAt: opt(row.delivered_at),
  });
}

function toCursor(row: CursorRow): FeedCursor {
  return withoutUndefined<FeedCursor>({
    key: row.key,
    etag: opt(row.etag),
    lastModified: opt(row.last_modified),
    body: opt(row.body),
    fetchedAt: row.fetched_at,
  });
}

function toSourceState(row: SourceStateRow): SourceState {
  return withoutUndefined<SourceState>({
    source: row.source,
    firstSuccessAt: opt(row.first_success_at),
    lastSuccessAt: opt(row.last_success_at),
    lastFailureAt: opt(row.last_failure_at),
    consecutiveFailures: row.consecutive_failures,
    lastError: opt(row.last_error),
  });
}

function toSubscription(row: SubscriptionRow): Subscription {
  return withoutUndefined<Subscription>({
    id: row.id,
    destination: row.destination,
    filter: JSON.parse(row.filter) as Subscription['filter'],
    createdBy: opt(row.created_by),
    createdAt: row.created_at,
  });
}

function toSilence(row: SilenceRow): Silence {
  const silence: Silence = {
    id: row.id,
    matcher: JSON.parse(row.matcher) as Silence['matcher'],
    startsAt: row.starts_at,
    endsAt: row.ends_at,
    createdBy: row.created_by,
    reason: row.reason,
  };
  if (row.recurrence !== null) silence.recurrence = JSON.parse(row.recurrence) as Silence['recurrence'];
  return silence;
}

function toMessageRef(row: MessageRefRow): MessageRef {
  const ref: MessageRef = { alertId: row.alert_id, destination: row.destination, messageId: row.message_id };
  if (row.extra !== null) ref.extra = JSON.parse(row.extra) as Record<string, string>;
  return ref;
}

/** Every statement the store runs, prepared once per connection. */
function prepareStatements(db: BetterSqlite3.Database) {
  // One statement per combination of filters, so each can use its index (a `@x IS NULL OR` form would not).
  const alertVariants = new Map<string, BetterSqlite3.Statement>();
  for (const hasStates of [false, true]) {
    for (const hasSource of [false, true]) {
      for (const announcedOnly of [false, true]) {
        for (const hasSince of [false, true]) {
          const where = [
            hasStates ? 'state IN (SELECT value FROM json_each(@states))' : undefined,
            hasSource ? 'source = @source' : undefined,
            // Written exactly as the partial index's WHERE, so SQLite picks alerts_announced_by_seq.
            announcedOnly ? 'announced' : undefined,
            hasSince ? 'updated_at >= @since' : undefined,
          ].filter((w) => w !== undefined);
          const sql = `SELECT rev, body FROM alerts ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
            ORDER BY seq DESC LIMIT @limit`;
          alertVariants.set(`${hasStates}/${hasSource}/${announcedOnly}/${hasSince}`, db.prepare(sql));
        }
      }
    }
  }
  return {
    // Active: open, or resolved but held by a maintenance window (its end still decides what is announced). Every
    // commit reads them: through the partial index that holds only active alerts, as SQLite does not choose it by
    // itself and would read the whole history (months of resolved alerts) each time.
    openAlerts: db.prepare(
      `SELECT rev, body FROM alerts INDEXED BY alerts_active_by_source WHERE state <> 'resolved' OR held ORDER BY seq`,
    ),
    openAlertsOf: db.prepare(`
      SELECT rev, body FROM alerts INDEXED BY alerts_active_by_source WHERE (state <> 'resolved' OR held)
        AND (source = @source OR kind IN (SELECT value FROM json_each(@kinds)))
      ORDER BY seq`),
    // Latest row per asked fingerprint (creation order).
    latestAlerts: db.prepare(`
      SELECT rev, body FROM alerts WHERE seq IN (
        SELECT MAX(seq) FROM alerts WHERE fingerprint IN (SELECT value FROM json_each(@fps)) GROUP BY fingerprint
      ) ORDER BY seq`),
    // Destinations that have (or are about to post) a message for these alerts.
    heardOf: db.prepare(`
      SELECT alert_id, destination FROM message_refs WHERE alert_id IN (SELECT value FROM json_each(@ids))
      UNION
      SELECT alert_id, destination FROM intents WHERE alert_id IN (SELECT value FROM json_each(@ids))`),
    // Insert when new; otherwise update only if the stored rev is still the one the caller read.
    upsertAlert: db.prepare(`
      INSERT INTO alerts (id, fingerprint, source, kind, state, severity, updated_at, rev, body)
      VALUES (@id, @fingerprint, @source, @kind, @state, @severity, @updatedAt, @nextRev, @body)
      ON CONFLICT (id) DO UPDATE SET
        fingerprint = excluded.fingerprint, source = excluded.source, kind = excluded.kind, state = excluded.state,
        severity = excluded.severity, updated_at = excluded.updated_at, rev = excluded.rev, body = excluded.body
      WHERE alerts.rev = @rev`),
    getAlert: db.prepare('SELECT rev, body FROM alerts WHERE id = ?'),
    // Retention: resolved alerts in creation order from a cursor, a bounded page at a time (alerts_by_state).
    resolvedPage: db.prepare(`
      SELECT seq, id, updated_at, held, CASE WHEN updated_at < @before THEN body END AS body FROM alerts
      WHERE state = 'resolved' AND seq > @after ORDER BY seq LIMIT @limit`),
    activeAlertBodies: db.prepare(`SELECT id, body FROM alerts WHERE state <> 'resolved' OR held`),
    deleteAlert: db.prepare('DELETE FROM alerts WHERE seq = ?'),
    // Undelivered intents of a forgotten alert stay: the dispatcher finishes them (and none should exist this late).
    deleteFinishedIntents: db.prepare(
      `DELETE FROM intents WHERE alert_id = ? AND status NOT IN ('pending', 'in_flight')`,
    ),
    deleteMessageRefs: db.prepare('DELETE FROM message_refs WHERE alert_id = ?'),
    listAlerts: (hasStates: boolean, hasSource: boolean, announcedOnly: boolean, hasSince: boolean) =>
      alertVariants.get(`${hasStates}/${hasSource}/${announcedOnly}/${hasSince}`)!,
    reserveAlertIds: db.prepare(`UPDATE counters SET value = value + @count WHERE name = 'alert_id' RETURNING value`),
    // Created on first use: a new sequence needs no migration.
    nextSequence: db.prepare(`
      INSERT INTO counters (name, value) VALUES (@name, 1)
      ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value`),

    // A duplicate (alert, version, destination) is the same delivery decided twice: keep the first.
    insertIntent: db.prepare(`
      INSERT INTO intents (alert_id, version, destination, event, not_before, status, attempts, next_attempt_at,
        created_at)
      VALUES (@alertId, @version, @destination, @event, @notBefore, 'pending', 0, @notBefore, @createdAt)
      ON CONFLICT (alert_id, version, destination) DO NOTHING`),
    // Due now, and the oldest undelivered one for its (alert, destination): versions go out in order.
    dueIntents: db.prepare(`
      SELECT * FROM intents i
      WHERE ((i.status = 'pending' AND i.next_attempt_at <= @now)
          OR (i.status = 'in_flight' AND i.lease_until <= @now))
        AND i.destination NOT IN (SELECT value FROM json_each(@skip))
        AND NOT EXISTS (
          SELECT 1 FROM intents o
          WHERE o.alert_id = i.alert_id AND o.destination = i.destination AND o.id < i.id
            AND o.status IN ('pending', 'in_flight'))
      ORDER BY i.id LIMIT @limit`),
    leaseIntent: db.prepare(`UPDATE intents SET status = 'in_flight', lease_until = @leaseUntil WHERE id = @id`),
    intentStatus: db.prepare('SELECT status FROM intents WHERE id = ?'),
    countAttempt: db.prepare('UPDATE intents SET attempts = attempts + 1 WHERE id = ? RETURNING attempts'),
    markDelivered: db.prepare(
      `UPDATE intents SET status = 'delivered', delivered_at = @at, lease_until = NULL WHERE id = @id`,
    ),
    markDeferred: db.prepare(`
      UPDATE intents SET status = 'pending', next_attempt_at = @nextAttemptAt, lease_until = NULL
      WHERE id = @id`),
    markRetry: db.prepare(`
      UPDATE intents SET status = 'pending', next_attempt_at = @nextAttemptAt, last_error = @error, lease_until = NULL
      WHERE id = @id`),
    markFailed: db.prepare(
      `UPDATE intents SET status = 'failed', last_error = @error, lease_until = NULL WHERE id = @id`,
    ),
    recoverInFlight: db.prepare(
      `UPDATE intents SET status = 'pending', next_attempt_at = @now, lease_until = NULL WHERE status = 'in_flight'`,
    ),
    lastDeliveries: db.prepare(`
      SELECT destination, MAX(delivered_at) AS at FROM intents
      WHERE status = 'delivered' AND delivered_at >= @since GROUP BY destination`),
    outboxDepth: db.prepare(`SELECT COUNT(*) AS n FROM intents WHERE status IN ('pending', 'in_flight')`),
    listIntents: db.prepare(`
      SELECT * FROM intents
      WHERE (@alertId IS NULL OR alert_id = @alertId) AND (@status IS NULL OR status = @status)
      ORDER BY id`),
    upsertMessageRef: db.prepare(`
      INSERT INTO message_refs (alert_id, destination, message_id, extra, updated_at)
      VALUES (@alertId, @destination, @messageId, @extra, @updatedAt)
      ON CONFLICT (alert_id, destination) DO UPDATE SET
        message_id = excluded.message_id, extra = excluded.extra, updated_at = excluded.updated_at`),
    getMessageRef: db.prepare('SELECT * FROM message_refs WHERE alert_id = ? AND destination = ?'),
    listMessageRefs: db.prepare('SELECT * FROM message_refs WHERE alert_id = ? ORDER BY destination'),

    upsertCursor: db.prepare(`
      INSERT INTO feed_cursors (key, etag, last_modified, body, fetched_at)
      VALUES (@key, @etag, @lastModified, @body, @fetchedAt)
      ON CONFLICT (key) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified,
        body = excluded.body, fetched_at = excluded.fetched_at`),
    getCursor: db.prepare('SELECT * FROM feed_cursors WHERE key = ?'),
    upsertSourceState: db.prepare(`
      INSERT INTO source_state (source, first_success_at, last_success_at, last_failure_at, consecutive_failures,
        last_error)
      VALUES (@source, @firstSuccessAt, @lastSuccessAt, @lastFailureAt, @consecutiveFailures, @lastError)
      ON CONFLICT (source) DO UPDATE SET first_success_at = excluded.first_success_at,
        last_success_at = excluded.last_success_at, last_failure_at = excluded.last_failure_at,
        consecutive_failures = excluded.consecutive_failures, last_error = excluded.last_error`),
    getSourceState: db.prepare('SELECT * FROM source_state WHERE source = ?'),

    listSubscriptions: db.prepare('SELECT * FROM subscriptions ORDER BY created_at, id'),
    // Upsert: subscriptions from config are re-applied at every start.
    upsertSubscription: db.prepare(`
      INSERT INTO subscriptions (id, destination, filter, created_by, created_at)
      VALUES (@id, @destination, @filter, @createdBy, @createdAt)
      ON CONFLICT (id) DO UPDATE SET destination = excluded.destination, filter = excluded.filter,
        created_by = excluded.created_by, created_at = excluded.created_at`),
    deleteSubscription: db.prepare('DELETE FROM subscriptions WHERE id = ?'),
    listSilences: db.prepare('SELECT * FROM silences ORDER BY starts_at, id'),
    listLiveSilences: db.prepare('SELECT * FROM silences WHERE ends_at > ? ORDER BY starts_at, id'),
    upsertSilence: db.prepare(`
      INSERT INTO silences (id, matcher, starts_at, ends_at, created_by, reason, recurrence)
      VALUES (@id, @matcher, @startsAt, @endsAt, @createdBy, @reason, @recurrence)
      ON CONFLICT (id) DO UPDATE SET matcher = excluded.matcher, starts_at = excluded.starts_at,
        ends_at = excluded.ends_at, created_by = excluded.created_by, reason = excluded.reason,
        recurrence = excluded.recurrence`),
    deleteSilence: db.prepare('DELETE FROM silences WHERE id = ?'),
    // A real commit (fsync included), as small as one can be: the readiness probe.
    probeWrite: db.prepare(`
      INSERT INTO counters (name, value) VALUES ('readiness_probe', ?)
      ON CONFLICT (name) DO UPDATE SET value = excluded.value`),
    belvo: prepareBelvoStatements(db),
    seen: prepareSeenStatements(db),
    reports: prepareReportLogStatements(db),
  };
}

type Statements = ReturnType<typeof prepareStatements>;

/** Opens the file with the pragmas the durability promise depends on. */
function openDatabase(path: string, busyTimeoutMs: number): BetterSqlite3.Database {
  const inMemory = path === ':memory:' || path === '';
  if (!inMemory && !path.startsWith('file:')) createDirectories(dirname(path));
  const db = new BetterSqlite3(path);
  try {
    // WAL: readers (commands) never block the writer (engine, dispatcher). An in-memory database reports 'memory'.
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (!inMemory && mode !== 'wal') {
      // Some filesystems (network mounts) cannot hold the WAL's shared memory: say so rather than run slower silently.
      throw new Error(`sqlite store: could not enable WAL on ${path} (journal_mode is ${String(mode)})`);
    }
    // FULL, not NORMAL: in WAL mode NORMAL skips the fsync at commit, so a power loss can undo a commit the HTTP
    // layer already answered 2xx for ("committed before the 2xx"). Measured on the dev VM: FULL ~0.25 ms/commit
    // (~3,900 commits/s) vs NORMAL ~0.05 ms, still above the 2,000 req/s webhook target.
    db.pragma('synchronous = FULL');
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
    db.pragma('foreign_keys = ON');
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

/** The embedded default Store: one SQLite file (WAL), migrations applied by `init()`. */
export function createSqliteStore(options: SqliteStoreOptions): Store {
  const clock = options.clock ?? systemClock;
  let db: BetterSqlite3.Database | undefined;
  let st: Statements | undefined;

  function open(): { db: BetterSqlite3.Database; st: Statements } {
    if (!db || !st) throw new Error('sqlite store is not open: call init() first');
    return { db, st };
  }

  return {
    async init() {
      if (db) return;
      const opened = openDatabase(options.path, options.busyTimeoutMs ?? 5000);
      try {
        applyMigrations(opened, undefined, () => clock.now());
        st = prepareStatements(opened);
      } catch (err) {
        opened.close();
        throw err;
      }
      db = opened;
    },

    async close() {
      db?.close();
      db = undefined;
      st = undefined;
    },

    isOpen() {
      return db?.open === true;
    },

    async probeWrite(now: number) {
      open().st.probeWrite.run(now);
    },

    async loadCommitContext(query: CommitContextQuery): Promise<CommitContext> {
      const { db, st } = open();
      // One read transaction: what the decision sees is one consistent moment of the store.
      const read = db.transaction((): CommitContext => {
        const openRows = (
          query.open === 'all'
            ? st.openAlerts.all()
            : st.openAlertsOf.all({ source: query.open.source ?? null, kinds: JSON.stringify(query.open.kinds) })
        ) as AlertRow[];
        const openAlerts = openRows.map(toAlert);
        const latest = (st.latestAlerts.all({ fps: JSON.stringify(query.fingerprints) }) as AlertRow[]).map(toAlert);
        const heard = new Map<string, string[]>();
        const ids = openAlerts.map((a) => a.id);
        for (const row of st.heardOf.all({ ids: JSON.stringify(ids) }) as { alert_id: string; destination: string }[]) {
          heard.set(row.alert_id, [...(heard.get(row.alert_id) ?? []), row.destination]);
        }
        const state =
          query.source !== undefined ? (st.getSourceState.get(query.source) as SourceStateRow | undefined) : undefined;
        return {
          open: openAlerts,
          latest,
          ...(state && { sourceState: toSourceState(state) }),
          subscriptions: (st.listSubscriptions.all() as SubscriptionRow[]).map(toSubscription),
          silences: (st.listLiveSilences.all(query.now) as SilenceRow[]).map(toSilence),
          heard,
        };
      });
      return read();
    },

    async commitAlerts(commit: AlertCommit): Promise<AlertCommitResult> {
      const { db, st } = open();
      const now = clock.now();
      const run = db.transaction((): { revs: number[]; ids: Map<string, string> } => {
        // New alerts get their short public ids here, in the transaction that writes them: a rolled-back commit
        // hands out none.
        const fresh = commit.alerts.filter((a) => isProvisional(a.id));
        const ids = new Map<string, string>();
        if (fresh.length > 0) {
          const { value } = st.reserveAlertIds.get({ count: fresh.length }) as { value: number };
          for (const [i, a] of fresh.entries()) ids.set(a.id, `A${value - fresh.length + 1 + i}`);
        }
        const alerts = commit.alerts.map((a) => {
          if (ids.size === 0) return a;
          const copy = structuredClone(a);
          renameAlertIds(copy, ids);
          return copy;
        });
        const revs: number[] = [];
        for (const alert of alerts) {
          const next = alert.rev + 1;
          const res = upsertOrConflict(
            st.upsertAlert,
            {
              id: alert.id,
              fingerprint: alert.fingerprint,
              source: alert.source,
              kind: alert.kind,
              state: alert.state,
              severity: alert.severity,
              updatedAt: now,
              rev: alert.rev,
              nextRev: next,
              body: JSON.stringify({ ...alert, rev: next }),
            },
            alert,
          );
          // The upsert's DO UPDATE is guarded by the old rev: no change means someone else wrote this alert first.
          if (res.changes === 0) {
            throw new StoreConflictError(`alert ${alert.id} changed since it was read (rev ${alert.rev} is stale)`);
          }
          revs.push(next);
        }
        for (const intent of commit.intents) {
          let event = intent.event;
          if (ids.size > 0) {
            event = structuredClone(event);
            renameEventIds(event, ids);
          }
          st.insertIntent.run({
            alertId: ids.get(intent.alertId) ?? intent.alertId,
            version: intent.version,
            destination: intent.destination,
            event: JSON.stringify(event),
            notBefore: intent.notBefore,
            createdAt: now,
          });
        }
        for (const c of commit.cursors) {
          st.upsertCursor.run({
            key: c.key,
            etag: c.etag ?? null,
            lastModified: c.lastModified ?? null,
            body: c.body ?? null,
            fetchedAt: c.fetchedAt,
          });
        }
        const s = commit.sourceState;
        if (s) {
          st.upsertSourceState.run({
            source: s.source,
            firstSuccessAt: s.firstSuccessAt ?? null,
            lastSuccessAt: s.lastSuccessAt ?? null,
            lastFailureAt: s.lastFailureAt ?? null,
            consecutiveFailures: s.consecutiveFailures,
            lastError: s.lastError ?? null,
          });
        }
        return { revs, ids };
      });
      const { revs, ids } = run.immediate();
      // Only after the commit: a rolled-back commit leaves the caller's alerts as they were, ready to re-read.
      commit.alerts.forEach((alert, i) => {
        renameAlertIds(alert, ids);
        alert.rev = revs[i] ?? alert.rev;
      });
      for (const intent of commit.intents) {
        intent.alertId = ids.get(intent.alertId) ?? intent.alertId;
        renameEventIds(intent.event, ids);
      }
      return { ids };
    },

    async getSourceState(source) {
      const row = open().st.getSourceState.get(source) as SourceStateRow | undefined;
      return row ? toSourceState(row) : undefined;
    },

    async getCursor(key) {
      const row = open().st.getCursor.get(key) as CursorRow | undefined;
      return row ? toCursor(row) : undefined;
    },

    async getAlert(id) {
      const row = open().st.getAlert.get(id) as AlertRow | undefined;
      return row ? toAlert(row) : undefined;
    },

    async listAlerts(query: AlertQuery = {}) {
      const { st } = open();
      const stmt = st.listAlerts(
        query.states !== undefined,
        query.source !== undefined,
        query.announcedOnly === true,
        query.changedSince !== undefined,
      );
      const rows = stmt.all({
        states: JSON.stringify(query.states ?? []),
        source: query.source ?? null,
        since: query.changedSince ?? 0,
        limit: query.limit ?? -1,
      }) as AlertRow[];
      return rows.map(toAlert);
    },

    async pruneResolvedAlerts(before: number, options: { batchSize?: number } = {}): Promise<PrunedAlerts> {
      const limit = Math.max(1, options.batchSize ?? PRUNE_BATCH);
      const pruned: PrunedAlerts = { alerts: 0, intents: 0, messageRefs: 0 };
      // What an open alert speaks through or is listed on, and the open alerts themselves, read once: alerts opened
      // during the pass are newer than any candidate and point at no alert old enough to go.
      const active = new Set<string>();
      const linked = new Set<string>();
      for (const row of open().st.activeAlertBodies.all() as { id: string; body: string }[]) {
        active.add(row.id);
        for (const id of relatedAlertIds(JSON.parse(row.body) as Alert)) linked.add(id);
      }
      let after = 0;
      for (;;) {
        const { db, st } = open();
        // Bodies are read only for rows old enough to go: a pass over recent history copies no alert bodies.
        const page = st.resolvedPage.all({ after, limit, before }) as ResolvedRow[];
        if (page.length === 0) break;
        after = page[page.length - 1]!.seq;
        const doomed = page.filter((row) => {
          if (row.body === null || row.held || linked.has(row.id)) return false;
          return !relatedAlertIds(JSON.parse(row.body) as Alert).some((id) => active.has(id));
        });
        if (doomed.length > 0) {
          const step = db.transaction(() => {
            for (const row of doomed) {
              pruned.alerts += st.deleteAlert.run(row.seq).changes;
              pruned.intents += st.deleteFinishedIntents.run(row.id).changes;
              pruned.messageRefs += st.deleteMessageRefs.run(row.id).changes;
            }
          });
          step.immediate();
        }
        if (page.length < limit) break;
        await yieldToEventLoop();
      }
      return pruned;
    },

    async nextSequence(name: SequenceName) {
      // Suffixed so a sequence can never share a row with the alert id counter.
      const row = open().st.nextSequence.get({ name: `${name}_id` }) as { value: number };
      return row.value;
    },

    async claimIntents(opts: ClaimOptions) {
      const { db, st } = open();
      const leaseUntil = opts.now + opts.leaseMs;
      const run = db.transaction((): Intent[] => {
        const rows = st.dueIntents.all({
          now: opts.now,
          limit: opts.limit,
          skip: JSON.stringify(opts.skipDestinations ?? []),
        }) as IntentRow[];
        return rows.map((row) => {
          st.leaseIntent.run({ id: row.id, leaseUntil });
          return toIntent({ ...row, status: 'in_flight', lease_until: leaseUntil });
        });
      });
      return run.immediate();
    },

    async countAttempt(id: number) {
      const row = open().st.countAttempt.get(id) as { attempts: number } | undefined;
      if (!row) throw new Error(`no outbox intent with id ${id}`);
      return row.attempts;
    },

    async completeIntent(id: number, completion: IntentCompletion) {
      const { db, st } = open();
      const run = db.transaction(() => {
        const current = st.intentStatus.get(id) as { status: IntentStatus } | undefined;
        if (!current) throw new Error(`no outbox intent with id ${id}`);
        // A late report from a holder whose lease expired must not undo a final outcome recorded since.
        if (current.status !== 'pending' && current.status !== 'in_flight') return;
        switch (completion.status) {
          case 'delivered': {
            st.markDelivered.run({ id, at: completion.at });
            const p = completion.parent;
            if (p) {
              st.upsertMessageRef.run({
                alertId: p.alertId,
                destination: p.destination,
                messageId: p.messageId,
                extra: p.extra ? JSON.stringify(p.extra) : null,
                updatedAt: completion.at,
              });
            }
            return;
          }
          case 'defer':
            st.markDeferred.run({ id, nextAttemptAt: completion.nextAttemptAt });
            break;
          case 'retry':
            st.markRetry.run({ id, nextAttemptAt: completion.nextAttemptAt, error: completion.error });
            return;
          case 'failed':
            st.markFailed.run({ id, error: completion.error });
            return;
        }
      });
      run.immediate();
    },

    async getMessageRef(alertId, destination) {
      const row = open().st.getMessageRef.get(alertId, destination) as MessageRefRow | undefined;
      return row ? toMessageRef(row) : undefined;
    },

    async listMessageRefs(alertId) {
      return (open().st.listMessageRefs.all(alertId) as MessageRefRow[]).map(toMessageRef);
    },

    async recoverInFlight(now: number) {
      return open().st.recoverInFlight.run({ now }).changes;
    },

    async lastDeliveries(since: number) {
      const rows = open().st.lastDeliveries.all({ since }) as { destination: string; at: number }[];
      return new Map(rows.map((r) => [r.destination, r.at]));
    },

    async outboxDepth() {
      return (open().st.outboxDepth.get() as { n: number }).n;
    },

    async listIntents(query: { alertId?: string; status?: IntentStatus } = {}) {
      const rows = open().st.listIntents.all({
        alertId: query.alertId ?? null,
        status: query.status ?? null,
      }) as IntentRow[];
      return rows.map(toIntent);
    },

    async listSubscriptions() {
      return (open().st.listSubscriptions.all() as SubscriptionRow[]).map(toSubscription);
    },

    async addSubscription(sub: Subscription) {
      open().st.upsertSubscription.run({
        id: sub.id,
        destination: sub.destination,
        filter: JSON.stringify(sub.filter),
        createdBy: sub.createdBy ?? null,
        createdAt: sub.createdAt,
      });
    },

    async removeSubscription(id) {
      return open().st.deleteSubscription.run(id).changes > 0;
    },

    async listSilences(now?: number) {
      const { st } = open();
      const rows = (now === undefined ? st.listSilences.all() : st.listLiveSilences.all(now)) as SilenceRow[];
      return rows.map(toSilence);
    },

    async addSilence(silence: Silence) {
      open().st.upsertSilence.run({
        id: silence.id,
        matcher: JSON.stringify(silence.matcher),
        startsAt: silence.startsAt,
        endsAt: silence.endsAt,
        createdBy: silence.createdBy,
        reason: silence.reason,
        recurrence: silence.recurrence ? JSON.stringify(silence.recurrence) : null,
      });
    },

    async removeSilence(id) {
      return open().st.deleteSilence.run(id).changes > 0;
    },

    ...belvoStoreMethods(() => {
      const { db, st } = open();
      return { db, st: st.belvo };
    }),
    ...seenRequestMethods(() => {
      const { db, st } = open();
      return { db, st: st.seen };
    }),
    ...reportLogMethods(() => open().st.reports),
  };
}
