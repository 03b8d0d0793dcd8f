// The Store on PostgreSQL, for several replicas on one database: the same ports and contract as SQLite. Writers meet
// on row locks: an alert is updated only from the rev it was read at (a stale decision is a StoreConflictError, and
// the commit service decides again), intents are claimed with FOR UPDATE SKIP LOCKED under a lease, and leader work
// carries a fencing token checked in the commit's own transaction.

import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Alert } from '../../src/domain/alert.js';
import { isProvisional, renameAlertIds, renameEventIds } from '../../src/domain/provisional-ids.js';
import { relatedAlertIds } from '../../src/domain/related-alerts.js';
import type { Silence } from '../../src/domain/silence.js';
import type { Subscription } from '../../src/domain/subscription.js';
import { type Clock, systemClock } from '../../src/ports/clock.js';
import {
  type AlertCommit,
  type AlertCommitResult,
  type AlertQuery,
  type ClaimOptions,
  type CommitContext,
  type CommitContextQuery,
  type IntentCompletion,
  type IntentStatus,
  LeadershipLostError,
  type PrunedAlerts,
  type SequenceName,
  type Store,
  StoreConflictError,
} from '../../src/ports/store.js';
import { belvoStoreMethods } from './belvo-links-store.js';
import { applyPgMigrations } from './migrations.js';
import { notifyChannel } from './notify.js';
import { createPool, inTransaction, isWriteConflict, type PgConnectionOptions } from './pool.js';
import { reportLogMethods } from './report-log-store.js';
import {
  type AlertRow,
  type CursorRow,
  type IntentRow,
  type MessageRefRow,
  type SilenceRow,
  type SourceStateRow,
  type SubscriptionRow,
  toAlert,
  toCursor,
  toIntent,
  toMessageRef,
  toSilence,
  toSourceState,
  toSubscription,
} from './rows.js';

export interface PostgresStoreOptions extends PgConnectionOptions {
  clock?: Clock;
  /** This replica's name in leases and claims; a fresh one per process by default. */
  replicaId?: string;
  /** Apply migrations at init (default). Off: `belvo-status migrate` applied them, and init only checks. */
  migrate?: boolean;
}

/** The database's own clock in ms: leases are judged by one clock, whatever the replicas' clocks say. */
export const DB_NOW_MS = '(extract(epoch from clock_timestamp()) * 1000)::bigint';

/** A PostgreSQL store also tells which replica it is, and hands its pool to the replica machinery. */
export interface PostgresStore extends Store {
  readonly replicaId: string;
  readonly channel: string;
  pool(): pg.Pool;
}

function alertParams(alert: Alert, now: number) {
  const next = alert.rev + 1;
  return [
    alert.id,
    alert.fingerprint,
    alert.source,
    alert.kind,
    alert.state,
    alert.severity,
    alert.maintenance !== undefined,
    alert.announced === true,
    now,
    alert.rev,
    next,
    JSON.stringify({ ...alert, rev: next }),
  ];
}

const UPSERT_ALERT = `
  INSERT INTO alerts (id, fingerprint, source, kind, state, severity, held, announced, updated_at, rev, body)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $11, $12)
  ON CONFLICT (id) DO UPDATE SET
    fingerprint = excluded.fingerprint, source = excluded.source, kind = excluded.kind, state = excluded.state,
    severity = excluded.severity, held = excluded.held, announced = excluded.announced,
    updated_at = excluded.updated_at, rev = excluded.rev, body = excluded.body
  WHERE alerts.rev = $10`;

// Due now, and the oldest undelivered one for its (alert, destination): versions go out in order. SKIP LOCKED: a
// row another replica is claiming right now is left to it rather than waited for.
/** Rows per retention transaction. */
const PRUNE_BATCH = 500;

const CLAIM_INTENTS = `
  WITH due AS (
    SELECT i.id FROM intents i
    WHERE ((i.status = 'pending' AND i.next_attempt_at <= $1) OR (i.status = 'in_flight' AND i.lease_until <= $1))
      AND i.destination <> ALL($5::text[])
      AND NOT EXISTS (
        SELECT 1 FROM intents o
        WHERE o.alert_id = i.alert_id AND o.destination = i.destination AND o.id < i.id
          AND o.status IN ('pending', 'in_flight'))
    ORDER BY i.id LIMIT $2
    FOR UPDATE SKIP LOCKED)
  UPDATE intents SET status = 'in_flight', lease_until = $3, claimed_by = $4
  FROM due WHERE intents.id = due.id
  RETURNING intents.*`;

export function createPostgresStore(options: PostgresStoreOptions): PostgresStore {
  const clock = options.clock ?? systemClock;
  const replicaId = options.replicaId ?? randomUUID();
  const channel = notifyChannel(options.schema);
  let pool: pg.Pool | undefined;

  function open(): pg.Pool {
    if (!pool) throw new Error('postgres store is not open: call init() first');
    return pool;
  }

  async function query<R extends pg.QueryResultRow>(name: string, text: string, values: unknown[] = []) {
    // Named: parsed and planned once per connection.
    return open().query<R>({ name, text, values });
  }

  const belvo = belvoStoreMethods(open, channel);

  return {
    replicaId,
    channel,
    pool: open,

    async init() {
      if (pool) return;
      const opened = createPool(options);
      try {
        const client = await opened.connect();
        try {
          if (options.migrate !== false) await applyPgMigrations(client, options.schema, undefined, clock.now);
          else await client.query('SELECT 1 FROM schema_migrations LIMIT 1');
        } finally {
          client.release();
        }
      } catch (err) {
        await opened.end().catch(() => undefined);
        throw err;
      }
      pool = opened;
    },

    async close() {
      const p = pool;
      pool = undefined;
      await p?.end();
    },

    isOpen() {
      return pool !== undefined;
    },

    async countAttempt(id: number) {
      const { rows } = await query<{ attempts: number }>(
        'count-attempt',
        'UPDATE intents SET attempts = attempts + 1 WHERE id = $1 RETURNING attempts',
        [id],
      );
      if (!rows[0]) throw new Error(`no outbox intent with id ${id}`);
      return rows[0].attempts;
    },

    async loadCommitContext(q: CommitContextQuery): Promise<CommitContext> {
      // One snapshot: what the decision sees is one consistent moment of the store.
      return inTransaction(
        open(),
        async (c) => {
          const openRows =
            q.open === 'all'
              ? await c.query<AlertRow>(`SELECT rev, body FROM alerts WHERE state <> 'resolved' OR held ORDER BY seq`)
              : await c.query<AlertRow>(
                  `SELECT rev, body FROM alerts WHERE (state <> 'resolved' OR held)
                     AND (source = $1 OR kind = ANY($2::text[])) ORDER BY seq`,
                  [q.open.source ?? null, q.open.kinds],
                );
          const openAlerts = openRows.rows.map(toAlert);
          const latest = await c.query<AlertRow>(
            `SELECT DISTINCT ON (fingerprint) rev, body, seq FROM alerts WHERE fingerprint = ANY($1::text[])
             ORDER BY fingerprint, seq DESC`,
            [q.fingerprints],
          );
          const ids = openAlerts.map((a) => a.id);
          const heardRows = await c.query<{ alert_id: string; destination: string }>(
            `SELECT alert_id, destination FROM message_refs WHERE alert_id = ANY($1::text[])
             UNION SELECT alert_id, destination FROM intents WHERE alert_id = ANY($1::text[])`,
            [ids],
          );
          const heard = new Map<string, string[]>();
          for (const row of heardRows.rows)
            heard.set(row.alert_id, [...(heard.get(row.alert_id) ?? []), row.destination]);
          const state =
            q.source !== undefined
              ? (await c.query<SourceStateRow>('SELECT * FROM source_state WHERE source = $1', [q.source])).rows[0]
              : undefined;
          const subs = await c.query<SubscriptionRow>('SELECT * FROM subscriptions ORDER BY created_at, id');
          const silences = await c.query<SilenceRow>(
            'SELECT * FROM silences WHERE ends_at > $1 ORDER BY starts_at, id',
            [q.now],
          );
          const latestAlerts = latest.rows.map((r) => ({ seq: (r as AlertRow & { seq: number }).seq, a: toAlert(r) }));
          latestAlerts.sort((x, y) => x.seq - y.seq);
          return {
            open: openAlerts,
            latest: latestAlerts.map((x) => x.a),
            ...(state && { sourceState: toSourceState(state) }),
            subscriptions: subs.rows.map(toSubscription),
            silences: silences.rows.map(toSilence),
            heard,
          };
        },
        'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
      );
    },

    async commitAlerts(commit: AlertCommit): Promise<AlertCommitResult> {
      const now = clock.now();
      let outcome: { revs: number[]; ids: Map<string, string> };
      try {
        outcome = await inTransaction(open(), async (c) => {
          if (commit.fence !== undefined) {
            // FOR SHARE: a takeover (which updates this row) waits for this commit, or this commit sees it.
            const held = await c.query(
              `SELECT 1 FROM leases WHERE name = 'leader' AND holder = $1 AND token = $2 AND expires_at > ${DB_NOW_MS}
               FOR SHARE`,
              [replicaId, commit.fence],
            );
            if (held.rowCount === 0) {
              throw new LeadershipLostError(`leadership ${commit.fence} was lost: the change is left to the leader`);
            }
          }
          const fresh = commit.alerts.filter((a) => isProvisional(a.id));
          const ids = new Map<string, string>();
          if (fresh.length > 0) {
            const { rows } = await c.query<{ value: number }>(
              `UPDATE counters SET value = value + $1 WHERE name = 'alert_id' RETURNING value`,
              [fresh.length],
            );
            const value = rows[0]!.value;
            for (const [i, a] of fresh.entries()) ids.set(a.id, `A${value - fresh.length + 1 + i}`);
          }
          const revs: number[] = [];
          for (const original of commit.alerts) {
            let alert = original;
            if (ids.size > 0) {
              alert = structuredClone(original);
              renameAlertIds(alert, ids);
            }
            const res = await c.query({ name: 'upsert-alert', text: UPSERT_ALERT, values: alertParams(alert, now) });
            if (res.rowCount === 0) {
              throw new StoreConflictError(`alert ${alert.id} changed since it was read (rev ${alert.rev} is stale)`);
            }
            revs.push(alert.rev + 1);
          }
          for (const intent of commit.intents) {
            let event = intent.event;
            if (ids.size > 0) {
              event = structuredClone(event);
              renameEventIds(event, ids);
            }
            await c.query({
              name: 'insert-intent',
              text: `INSERT INTO intents (alert_id, version, destination, event, not_before, status, attempts,
                       next_attempt_at, created_at)
                     VALUES ($1, $2, $3, $4, $5, 'pending', 0, $5, $6)
                     ON CONFLICT (alert_id, version, destination) DO NOTHING`,
              values: [
                ids.get(intent.alertId) ?? intent.alertId,
                intent.version,
                intent.destination,
                JSON.stringify(event),
                intent.notBefore,
                now,
              ],
            });
          }
          for (const cur of commit.cursors) {
            await c.query({
              name: 'upsert-cursor',
              text: `INSERT INTO feed_cursors (key, etag, last_modified, body, fetched_at) VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (key) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified,
                       body = excluded.body, fetched_at = excluded.fetched_at`,
              values: [cur.key, cur.etag ?? null, cur.lastModified ?? null, cur.body ?? null, cur.fetchedAt],
            });
          }
          const s = commit.sourceState;
          if (s) {
            await c.query({
              name: 'upsert-source-state',
              text: `INSERT INTO source_state (source, first_success_at, last_success_at, last_failure_at,
                       consecutive_failures, last_error)
                     VALUES ($1, $2, $3, $4, $5, $6)
                     ON CONFLICT (source) DO UPDATE SET first_success_at = excluded.first_success_at,
                       last_success_at = excluded.last_success_at, last_failure_at = excluded.last_failure_at,
                       consecutive_failures = excluded.consecutive_failures, last_error = excluded.last_error`,
              values: [
                s.source,
                s.firstSuccessAt ?? null,
                s.lastSuccessAt ?? null,
                s.lastFailureAt ?? null,
                s.consecutiveFailures,
                s.lastError ?? null,
              ],
            });
          }
          // Delivered at commit: every replica's dispatcher looks at the outbox now, not at its next idle check.
          if (commit.intents.length > 0) await c.query('SELECT pg_notify($1, $2)', [channel, 'intents']);
          return { revs, ids };
        });
      } catch (err) {
        if (isWriteConflict(err)) {
          const first = commit.alerts[0];
          throw new StoreConflictError(
            `another writer changed ${first ? `${first.kind} ${first.fingerprint}` : 'the alerts'} first`,
          );
        }
        throw err;
      }
      const { revs, ids } = outcome;
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
      const { rows } = await query<SourceStateRow>('get-source-state', 'SELECT * FROM source_state WHERE source = $1', [
        source,
      ]);
      return rows[0] ? toSourceState(rows[0]) : undefined;
    },

    async getCursor(key) {
      const { rows } = await query<CursorRow>('get-cursor', 'SELECT * FROM feed_cursors WHERE key = $1', [key]);
      return rows[0] ? toCursor(rows[0]) : undefined;
    },

    async getAlert(id) {
      const { rows } = await query<AlertRow>('get-alert', 'SELECT rev, body FROM alerts WHERE id = $1', [id]);
      return rows[0] ? toAlert(rows[0]) : undefined;
    },

    async listAlerts(q: AlertQuery = {}) {
      const where: string[] = [];
      const values: unknown[] = [];
      if (q.states !== undefined) where.push(`state = ANY($${values.push(q.states)}::text[])`);
      if (q.source !== undefined) where.push(`source = $${values.push(q.source)}`);
      if (q.announcedOnly) where.push('announced');
      if (q.changedSince !== undefined) where.push(`updated_at >= $${values.push(q.changedSince)}`);
      const limit = q.limit !== undefined ? `LIMIT $${values.push(q.limit)}` : '';
      const { rows } = await open().query<AlertRow>(
        `SELECT rev, body FROM alerts ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC ${limit}`,
        values,
      );
      return rows.map(toAlert);
    },

    async pruneResolvedAlerts(before: number, options: { batchSize?: number } = {}): Promise<PrunedAlerts> {
      const limit = Math.max(1, options.batchSize ?? PRUNE_BATCH);
      const pruned: PrunedAlerts = { alerts: 0, intents: 0, messageRefs: 0 };
      // What an open alert speaks through or is listed on, and the open alerts themselves, read once: alerts opened
      // during the pass are newer than any candidate and point at no alert old enough to go.
      const active = new Set<string>();
      const linked = new Set<string>();
      const live = await query<{ id: string; body: string }>(
        'active-alert-bodies',
        `SELECT id, body FROM alerts WHERE state <> 'resolved' OR held`,
      );
      for (const row of live.rows) {
        active.add(row.id);
        for (const id of relatedAlertIds(JSON.parse(row.body) as Alert)) linked.add(id);
      }
      let after = 0;
      for (;;) {
        const { rows: page } = await query<{
          seq: string;
          id: string;
          updated_at: string;
          held: boolean;
          body: string;
        }>(
          'resolved-page',
          `SELECT seq, id, updated_at, held, body FROM alerts WHERE state = 'resolved' AND seq > $1 ORDER BY seq LIMIT $2`,
          [after, limit],
        );
        if (page.length === 0) break;
        after = Number(page[page.length - 1]!.seq);
        const doomed = page
          .filter((row) => Number(row.updated_at) < before && !row.held && !linked.has(row.id))
          .filter((row) => !relatedAlertIds(JSON.parse(row.body) as Alert).some((id) => active.has(id)))
          .map((row) => row.id);
        if (doomed.length > 0) {
          // One small transaction per page: webhooks and commands arriving meanwhile wait for one page at most.
          const client = await open().connect();
          try {
            await client.query('BEGIN');
            const a = await client.query('DELETE FROM alerts WHERE id = ANY($1)', [doomed]);
            // Undelivered intents of a forgotten alert stay: the dispatcher finishes them.
            const i = await client.query(
              `DELETE FROM intents WHERE alert_id = ANY($1) AND status NOT IN ('pending', 'in_flight')`,
              [doomed],
            );
            const m = await client.query('DELETE FROM message_refs WHERE alert_id = ANY($1)', [doomed]);
            await client.query('COMMIT');
            pruned.alerts += a.rowCount ?? 0;
            pruned.intents += i.rowCount ?? 0;
            pruned.messageRefs += m.rowCount ?? 0;
          } catch (err) {
            await client.query('ROLLBACK').catch(() => {});
            throw err;
          } finally {
            client.release();
          }
        }
        if (page.length < limit) break;
      }
      return pruned;
    },

    async probeWrite(now: number) {
      await query(
        'probe-write',
        `INSERT INTO counters (name, value) VALUES ('readiness_probe', $1)
         ON CONFLICT (name) DO UPDATE SET value = excluded.value`,
        [now],
      );
    },

    async firstSeen(key: string, until: number, now: number) {
      // Expired keys go as new ones arrive; a key whose time has passed is new again.
      await query('forget-seen', 'DELETE FROM seen_requests WHERE until <= $1', [now]);
      const { rowCount } = await query(
        'first-seen',
        'INSERT INTO seen_requests (key, until) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING',
        [key, until],
      );
      return rowCount === 1;
    },

    async nextSequence(name: SequenceName) {
      // Suffixed so a sequence can never share a row with the alert id counter.
      const { rows } = await query<{ value: number }>(
        'next-sequence',
        `INSERT INTO counters (name, value) VALUES ($1, 1)
         ON CONFLICT (name) DO UPDATE SET value = counters.value + 1 RETURNING value`,
        [`${name}_id`],
      );
      return rows[0]!.value;
    },

    async claimIntents(opts: ClaimOptions) {
      const { rows } = await query<IntentRow>('claim-intents', CLAIM_INTENTS, [
        opts.now,
        opts.limit,
        opts.now + opts.leaseMs,
        replicaId,
        opts.skipDestinations ?? [],
      ]);
      return rows.sort((a, b) => a.id - b.id).map(toIntent);
    },

    async completeIntent(id: number, completion: IntentCompletion) {
      await inTransaction(open(), async (c) => {
        const current = await c.query<{ status: IntentStatus }>('SELECT status FROM intents WHERE id = $1 FOR UPDATE', [
          id,
        ]);
        const status = current.rows[0]?.status;
        if (!status) throw new Error(`no outbox intent with id ${id}`);
        // A late report from a holder whose lease expired must not undo a final outcome recorded since.
        if (status !== 'pending' && status !== 'in_flight') return;
        switch (completion.status) {
          case 'delivered': {
            await c.query(
              `UPDATE intents SET status = 'delivered', delivered_at = $2, lease_until = NULL WHERE id = $1`,
              [id, completion.at],
            );
            const p = completion.parent;
            if (p) {
              await c.query(
                `INSERT INTO message_refs (alert_id, destination, message_id, extra, updated_at)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (alert_id, destination) DO UPDATE SET
                   message_id = excluded.message_id, extra = excluded.extra, updated_at = excluded.updated_at`,
                [p.alertId, p.destination, p.messageId, p.extra ? JSON.stringify(p.extra) : null, completion.at],
              );
            }
            return;
          }
          case 'defer':
            await c.query(
              `UPDATE intents SET status = 'pending', next_attempt_at = $2, lease_until = NULL WHERE id = $1`,
              [id, completion.nextAttemptAt],
            );
            return;
          case 'retry':
            await c.query(
              `UPDATE intents SET status = 'pending', next_attempt_at = $2, last_error = $3, lease_until = NULL
               WHERE id = $1`,
              [id, completion.nextAttemptAt, completion.error],
            );
            return;
          case 'failed':
            await c.query(`UPDATE intents SET status = 'failed', last_error = $2, lease_until = NULL WHERE id = $1`, [
              id,
              completion.error,
            ]);
            return;
        }
      });
    },

    async getMessageRef(alertId, destination) {
      const { rows } = await query<MessageRefRow>(
        'get-message-ref',
        'SELECT * FROM message_refs WHERE alert_id = $1 AND destination = $2',
        [alertId, destination],
      );
      return rows[0] ? toMessageRef(rows[0]) : undefined;
    },

    async listMessageRefs(alertId) {
      const { rows } = await query<MessageRefRow>(
        'list-message-refs',
        'SELECT * FROM message_refs WHERE alert_id = $1 ORDER BY destination',
        [alertId],
      );
      return rows.map(toMessageRef);
    },

    async recoverInFlight(now: number) {
      // Ours (this replica restarted within its lease: nothing of ours is really in flight) or expired; another
      // live replica's claims are left to it.
      const res = await open().query(
        `UPDATE intents SET status = 'pending', next_attempt_at = $1, lease_until = NULL
         WHERE status = 'in_flight' AND (claimed_by = $2 OR claimed_by IS NULL OR lease_until <= $1)`,
        [now, replicaId],
      );
      return res.rowCount ?? 0;
    },

    async lastDeliveries(since: number) {
      const { rows } = await query<{ destination: string; at: number }>(
        'last-deliveries',
        `SELECT destination, MAX(delivered_at) AS at FROM intents
         WHERE status = 'delivered' AND delivered_at >= $1 GROUP BY destination`,
        [since],
      );
      return new Map(rows.map((r) => [r.destination, Number(r.at)]));
    },

    async outboxDepth() {
      const { rows } = await query<{ n: number }>(
        'outbox-depth',
        `SELECT COUNT(*)::int AS n FROM intents WHERE status IN ('pending', 'in_flight')`,
      );
      return rows[0]!.n;
    },

    async listIntents(q: { alertId?: string; status?: IntentStatus } = {}) {
      const { rows } = await query<IntentRow>(
        'list-intents',
        `SELECT * FROM intents WHERE ($1::text IS NULL OR alert_id = $1) AND ($2::text IS NULL OR status = $2)
         ORDER BY id`,
        [q.alertId ?? null, q.status ?? null],
      );
      return rows.map(toIntent);
    },

    async listSubscriptions() {
      const { rows } = await query<SubscriptionRow>(
        'list-subscriptions',
        'SELECT * FROM subscriptions ORDER BY created_at, id',
      );
      return rows.map(toSubscription);
    },

    async addSubscription(sub: Subscription) {
      // Upsert: subscriptions from config are re-applied at every start.
      await open().query(
        `INSERT INTO subscriptions (id, destination, filter, created_by, created_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (id) DO UPDATE SET destination = excluded.destination, filter = excluded.filter,
           created_by = excluded.created_by, created_at = excluded.created_at`,
        [sub.id, sub.destination, JSON.stringify(sub.filter), sub.createdBy ?? null, sub.createdAt],
      );
    },

    async removeSubscription(id) {
      return ((await open().query('DELETE FROM subscriptions WHERE id = $1', [id])).rowCount ?? 0) > 0;
    },

    async listSilences(now?: number) {
      const { rows } =
        now === undefined
          ? await open().query<SilenceRow>('SELECT * FROM silences ORDER BY starts_at, id')
          : await open().query<SilenceRow>('SELECT * FROM silences WHERE ends_at > $1 ORDER BY starts_at, id', [now]);
      return rows.map(toSilence);
    },

    async addSilence(silence: Silence) {
      await open().query(
        `INSERT INTO silences (id, matcher, starts_at, ends_at, created_by, reason, recurrence)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (id) DO UPDATE SET matcher = excluded.matcher, starts_at = excluded.starts_at,
           ends_at = excluded.ends_at, created_by = excluded.created_by, reason = excluded.reason,
           recurrence = excluded.recurrence`,
        [
          silence.id,
          JSON.stringify(silence.matcher),
          silence.startsAt,
          silence.endsAt,
          silence.createdBy,
          silence.reason,
          silence.recurrence ? JSON.stringify(silence.recurrence) : null,
        ],
      );
    },

    async removeSilence(id) {
      return ((await open().query('DELETE FROM silences WHERE id = $1', [id])).rowCount ?? 0) > 0;
    },

    ...belvo,
    ...reportLogMethods(open),
  };
}
