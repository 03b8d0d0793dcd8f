// The PostgreSQL schema, versioned like SQLite's but written for PostgreSQL from the start (one version holds what
// SQLite reached in several). Applied once, under an advisory lock, so replicas starting together do not race.
import type { PoolClient } from 'pg';

export interface PgMigration {
  /** Strictly increasing from 1; never renumber or edit one that has shipped, add a new one instead. */
  version: number;
  name: string;
  sql: string;
}

export const PG_MIGRATIONS: readonly PgMigration[] = [
  {
    version: 1,
    name: 'alerts, outbox, settings, Belvo links',
    sql: `
      -- Times are milliseconds since the epoch (BIGINT), as the core counts them. The whole Alert is kept as JSON
      -- text; the columns exist to be indexed and filtered, and are written by the store beside the body.
      CREATE TABLE alerts (
        seq BIGSERIAL PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        fingerprint TEXT NOT NULL,
        source TEXT NOT NULL,
        kind TEXT NOT NULL,
        state TEXT NOT NULL,
        severity TEXT NOT NULL,
        held BOOLEAN NOT NULL,
        announced BOOLEAN NOT NULL,
        updated_at BIGINT NOT NULL,
        rev INTEGER NOT NULL,
        body TEXT NOT NULL
      );
      CREATE INDEX alerts_by_fingerprint ON alerts (fingerprint, seq);
      CREATE INDEX alerts_active_by_source ON alerts (source) WHERE state <> 'resolved' OR held;
      CREATE INDEX alerts_by_state ON alerts (state, seq);
      CREATE INDEX alerts_announced_by_seq ON alerts (seq) WHERE announced;
      -- Two sources can open an institution's incident at once: the second commit fails here and decides again.
      CREATE UNIQUE INDEX one_open_incident_per_institution ON alerts (fingerprint)
        WHERE kind = 'institution.incident' AND state <> 'resolved';

      CREATE TABLE intents (
        id BIGSERIAL PRIMARY KEY,
        alert_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        destination TEXT NOT NULL,
        event TEXT NOT NULL,
        not_before BIGINT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'in_flight', 'delivered', 'failed', 'suppressed')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at BIGINT NOT NULL,
        lease_until BIGINT,
        -- The replica holding the lease: a replica that restarts recovers only what it left, others wait for leases.
        claimed_by TEXT,
        last_error TEXT,
        created_at BIGINT NOT NULL,
        delivered_at BIGINT,
        UNIQUE (alert_id, version, destination)
      );
      CREATE INDEX intents_undelivered ON intents (status, next_attempt_at) WHERE status IN ('pending', 'in_flight');
      CREATE INDEX intents_by_alert_destination ON intents (alert_id, destination, id);

      CREATE TABLE message_refs (
        alert_id TEXT NOT NULL,
        destination TEXT NOT NULL,
        message_id TEXT NOT NULL,
        extra TEXT,
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (alert_id, destination)
      );

      CREATE TABLE feed_cursors (
        key TEXT PRIMARY KEY,
        etag TEXT,
        last_modified TEXT,
        body TEXT,
        fetched_at BIGINT NOT NULL
      );

      CREATE TABLE source_state (
        source TEXT PRIMARY KEY,
        first_success_at BIGINT,
        last_success_at BIGINT,
        last_failure_at BIGINT,
        consecutive_failures INTEGER NOT NULL,
        last_error TEXT
      );

      CREATE TABLE subscriptions (
        id TEXT PRIMARY KEY,
        destination TEXT NOT NULL,
        filter TEXT NOT NULL,
        created_by TEXT,
        created_at BIGINT NOT NULL
      );

      CREATE TABLE silences (
        id TEXT PRIMARY KEY,
        matcher TEXT NOT NULL,
        starts_at BIGINT NOT NULL,
        ends_at BIGINT NOT NULL,
        created_by TEXT NOT NULL,
        reason TEXT NOT NULL
      );
      CREATE INDEX silences_by_end ON silences (ends_at);

      CREATE TABLE counters (
        name TEXT PRIMARY KEY,
        value BIGINT NOT NULL
      );
      INSERT INTO counters (name, value) VALUES ('alert_id', 0);

      CREATE TABLE belvo_webhooks (
        seq BIGSERIAL PRIMARY KEY,
        environment TEXT NOT NULL,
        webhook_id TEXT NOT NULL,
        webhook_type TEXT NOT NULL,
        webhook_code TEXT NOT NULL,
        link_id TEXT,
        external_id TEXT,
        request_id TEXT,
        process_type TEXT,
        received_at BIGINT NOT NULL,
        body TEXT NOT NULL,
        UNIQUE (environment, webhook_id)
      );
      CREATE INDEX belvo_webhooks_by_time ON belvo_webhooks (environment, received_at);

      CREATE TABLE belvo_links (
        environment TEXT NOT NULL,
        link_id TEXT NOT NULL,
        status TEXT NOT NULL,
        institution TEXT,
        external_id TEXT,
        institution_user_id TEXT,
        status_changed_at BIGINT NOT NULL,
        last_event_at BIGINT,
        reconciled_at BIGINT,
        gone_at BIGINT,
        PRIMARY KEY (environment, link_id)
      );
      CREATE INDEX belvo_links_present_by_status ON belvo_links (environment, status, institution)
        WHERE gone_at IS NULL;

      CREATE TABLE belvo_link_events (
        seq BIGSERIAL PRIMARY KEY,
        environment TEXT NOT NULL,
        link_id TEXT NOT NULL,
        code TEXT NOT NULL,
        status TEXT NOT NULL,
        institution TEXT,
        external_id TEXT,
        webhook_id TEXT,
        source TEXT NOT NULL CHECK (source IN ('webhook', 'reconciliation')),
        at BIGINT NOT NULL
      );
      CREATE INDEX belvo_link_events_by_code_time ON belvo_link_events (environment, code, at, institution);
      CREATE INDEX belvo_link_events_by_link ON belvo_link_events (environment, link_id) WHERE institution IS NULL;

      -- Replicas: the leader lease (its token fences commits), and each destination's pace, shared by all.
      CREATE TABLE leases (
        name TEXT PRIMARY KEY,
        holder TEXT NOT NULL,
        token BIGINT NOT NULL,
        expires_at BIGINT NOT NULL
      );
      CREATE TABLE destination_pace (
        destination TEXT PRIMARY KEY,
        next_send_at BIGINT NOT NULL,
        paused_until BIGINT NOT NULL DEFAULT 0
      );
    `,
  },
  {
    version: 2,
    name: 'signed requests seen',
    sql: `
      -- A Slack or Discord request's signature, kept while the signature is accepted: a captured request replayed
      -- after a restart (or to another replica) is refused like one replayed before it.
      CREATE TABLE seen_requests (
        key TEXT PRIMARY KEY,
        until BIGINT NOT NULL
      );
      CREATE INDEX seen_requests_by_until ON seen_requests (until);
    `,
  },
  // Numbered as SQLite's: the same change has the same number in both, whatever order changes land in.
  {
    version: 8,
    name: 'recurring silences',
    sql: `
      -- A silence that repeats weekly on a local clock ({days, from, to, tz} as JSON); starts_at/ends_at are then the
      -- span its windows repeat in, so "live" (ends_at > now) still selects what may mute.
      ALTER TABLE silences ADD COLUMN recurrence TEXT;
    `,
  },
  {
    version: 10,
    name: 'scheduled reports sent',
    sql: `
      -- One row per (schedule, slot) a report went out for, claimed before it is queued: whichever replica inserts
      -- the row sends the report, any other finds it and sends nothing.
      CREATE TABLE report_log (
        schedule TEXT NOT NULL,
        slot BIGINT NOT NULL,
        claimed_at BIGINT NOT NULL,
        PRIMARY KEY (schedule, slot)
      );
    `,
  },
];

/** Any 64-bit number, the same for every replica: the advisory lock that serialises migrations. */
const MIGRATION_LOCK = 0x62656c766f; // "belvo"

/**
 * Applies every migration not yet recorded, in order, in one transaction holding an advisory lock (a replica starting
 * at the same time waits, then finds nothing to do). Returns the versions applied now; re-running returns [].
 */
export async function applyPgMigrations(
  client: PoolClient,
  schema: string,
  migrations: readonly PgMigration[] = PG_MIGRATIONS,
  now: () => number = Date.now,
): Promise<number[]> {
  // Most starts find nothing to do: see that without taking the lock (and without DDL).
  const known = Math.max(0, ...migrations.map((m) => m.version));
  const ledger = await client
    .query<{ version: number }>('SELECT version FROM schema_migrations')
    .then((r) => new Set(r.rows.map((row) => row.version)))
    .catch(() => new Set<number>());
  if (migrations.every((m) => ledger.has(m.version)) && Math.max(0, ...ledger) <= known) return [];
  await client.query('BEGIN');
  try {
    // Per schema: two bots on two schemas of one database do not wait for each other.
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [MIGRATION_LOCK & 0x7fffffff, schema]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`);
    const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
    const done = new Set(rows.map((r) => r.version));
    const newest = Math.max(0, ...done);
    if (newest > known) {
      // Written by a newer release: running old code on it could corrupt it, so refuse.
      throw new Error(`database schema version ${newest} is newer than this program knows (${known})`);
    }
    const applied: number[] = [];
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (done.has(m.version)) continue;
      await client.query(m.sql);
      await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
        m.version,
        m.name,
        now(),
      ]);
      applied.push(m.version);
    }
    await client.query('COMMIT');
    return applied;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/** A schema name as an SQL identifier. Names are checked by the config (letters, digits, underscore). */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
