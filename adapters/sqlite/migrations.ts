import type { Database } from 'better-sqlite3';

export interface Migration {
  /** Strictly increasing from 1; never renumber or edit one that has shipped, add a new one instead. */
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
      -- seq is the creation order ("latest alert for a fingerprint"); an explicit INTEGER PRIMARY KEY survives VACUUM,
      -- an implicit rowid does not. The whole Alert is kept as JSON; the columns exist to be indexed and filtered.
      CREATE TABLE alerts (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        fingerprint TEXT NOT NULL,
        source TEXT NOT NULL,
        kind TEXT NOT NULL,
        state TEXT NOT NULL,
        severity TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        rev INTEGER NOT NULL,
        body TEXT NOT NULL
      );
      CREATE INDEX alerts_by_fingerprint ON alerts (fingerprint, seq);
      CREATE INDEX alerts_open_by_source ON alerts (source) WHERE state <> 'resolved';
      CREATE INDEX alerts_by_state ON alerts (state, seq);

      -- Durable outbox. No foreign key to alerts: a grouped (storm) message may be keyed on an id that is no alert row.
      CREATE TABLE intents (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        alert_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        destination TEXT NOT NULL,
        event TEXT NOT NULL,
        not_before INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'in_flight', 'delivered', 'failed', 'suppressed')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        lease_until INTEGER,
        last_error TEXT,
        created_at INTEGER NOT NULL,
        delivered_at INTEGER,
        UNIQUE (alert_id, version, destination)
      );
      CREATE INDEX intents_undelivered ON intents (status, next_attempt_at)
        WHERE status IN ('pending', 'in_flight');
      CREATE INDEX intents_by_alert_destination ON intents (alert_id, destination, id);

      CREATE TABLE message_refs (
        alert_id TEXT NOT NULL,
        destination TEXT NOT NULL,
        message_id TEXT NOT NULL,
        extra TEXT,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (alert_id, destination)
      );

      CREATE TABLE feed_cursors (
        key TEXT PRIMARY KEY,
        etag TEXT,
        last_modified TEXT,
        body TEXT,
        fetched_at INTEGER NOT NULL
      );

      CREATE TABLE source_state (
        source TEXT PRIMARY KEY,
        first_success_at INTEGER,
        last_success_at INTEGER,
        last_failure_at INTEGER,
        consecutive_failures INTEGER NOT NULL,
        last_error TEXT
      );

      CREATE TABLE subscriptions (
        id TEXT PRIMARY KEY,
        destination TEXT NOT NULL,
        filter TEXT NOT NULL,
        created_by TEXT,
        created_at INTEGER NOT NULL
      );

      CREATE TABLE silences (
        id TEXT PRIMARY KEY,
        matcher TEXT NOT NULL,
        starts_at INTEGER NOT NULL,
        ends_at INTEGER NOT NULL,
        created_by TEXT NOT NULL,
        reason TEXT NOT NULL
      );
      CREATE INDEX silences_by_end ON silences (ends_at);

      -- Monotonic counters (alert ids): a counter, not MAX(id), so an id is never handed out twice.
      CREATE TABLE counters (
        name TEXT PRIMARY KEY,
        value INTEGER NOT NULL
      );
      INSERT INTO counters (name, value) VALUES ('alert_id', 0);
    `,
  },
  {
    version: 2,
    name: 'alerts held by a maintenance window are active',
    sql: `
      -- An alert that resolved inside a maintenance window is still evaluated until the window ends (its end decides
      -- what is announced), so "active" is: not resolved, or held by a maintenance.
      ALTER TABLE alerts ADD COLUMN held INTEGER GENERATED ALWAYS AS (json_extract(body, '$.maintenance') IS NOT NULL) VIRTUAL;
      DROP INDEX alerts_open_by_source;
      CREATE INDEX alerts_active_by_source ON alerts (source) WHERE state <> 'resolved' OR held;
    `,
  },
  {
    version: 3,
    name: 'announced alerts listed for history',
    sql: `
      -- /belvo-status history lists announced alerts newest first; most stored alerts are never announced (history
      -- recorded at first sight, pending ones), so a partial index keeps the query from walking past them.
      ALTER TABLE alerts ADD COLUMN announced INTEGER GENERATED ALWAYS AS (json_extract(body, '$.announced') IS 1) VIRTUAL;
      CREATE INDEX alerts_announced_by_seq ON alerts (seq) WHERE announced;
    `,
  },
  {
    version: 4,
    name: 'belvo webhooks, link states and link events',
    sql: `
      -- Every webhook Belvo delivered, once: a retry carries the same webhook_id and is refused by the UNIQUE key.
      -- Per environment, so an id seen on sandbox never hides a production event.
      CREATE TABLE belvo_webhooks (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        environment TEXT NOT NULL,
        webhook_id TEXT NOT NULL,
        webhook_type TEXT NOT NULL,
        webhook_code TEXT NOT NULL,
        link_id TEXT,
        external_id TEXT,
        request_id TEXT,
        process_type TEXT,
        received_at INTEGER NOT NULL,
        body TEXT NOT NULL,
        UNIQUE (environment, webhook_id)
      );
      -- Listing newest first and "age of the last webhook" per environment. Type/code filters scan this range.
      CREATE INDEX belvo_webhooks_by_time ON belvo_webhooks (environment, received_at);

      CREATE TABLE belvo_links (
        environment TEXT NOT NULL,
        link_id TEXT NOT NULL,
        status TEXT NOT NULL,
        institution TEXT,
        external_id TEXT,
        institution_user_id TEXT,
        status_changed_at INTEGER NOT NULL,
        last_event_at INTEGER,
        reconciled_at INTEGER,
        PRIMARY KEY (environment, link_id)
      ) WITHOUT ROWID;
      -- Counts by (institution, status) read only this index.
      CREATE INDEX belvo_links_by_status ON belvo_links (environment, status, institution);

      -- Links entering token_required or invalid: spike detectors count them per institution in a short window and
      -- over a long baseline, so the index leads with (environment, code, at) and covers institution.
      CREATE TABLE belvo_link_events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        environment TEXT NOT NULL,
        link_id TEXT NOT NULL,
        code TEXT NOT NULL,
        status TEXT NOT NULL,
        institution TEXT,
        external_id TEXT,
        webhook_id TEXT,
        source TEXT NOT NULL CHECK (source IN ('webhook', 'reconciliation')),
        at INTEGER NOT NULL
      );
      CREATE INDEX belvo_link_events_by_code_time ON belvo_link_events (environment, code, at, institution);
      -- A reconciliation fills in the institution of a link's earlier events.
      CREATE INDEX belvo_link_events_by_link ON belvo_link_events (environment, link_id) WHERE institution IS NULL;
    `,
  },
  {
    version: 5,
    name: 'one open incident per institution',
    sql: `
      -- Two sources (the status page, the team's spikes) can open an institution's incident at the same moment; the
      -- second commit fails on this index and is evaluated again, joining the incident the first one opened.
      CREATE UNIQUE INDEX one_open_incident_per_institution ON alerts (fingerprint)
        WHERE kind = 'institution.incident' AND state <> 'resolved';
    `,
  },
  {
    version: 6,
    name: 'signed requests seen',
    sql: `
      -- A Slack or Discord request's signature, kept while the signature is accepted (5 minutes either side): a
      -- captured request replayed after a restart is refused like one replayed before it.
      CREATE TABLE seen_requests (
        key TEXT PRIMARY KEY,
        until INTEGER NOT NULL
      );
      CREATE INDEX seen_requests_by_until ON seen_requests (until);
    `,
  },
  {
    version: 7,
    name: 'links Belvo no longer lists are gone',
    sql: `
      -- A link a complete listing no longer names (deleted, or never the account's) keeps its row, for history and
      -- for the webhook-vs-listing rules, but leaves the counts: otherwise they never agree with Belvo's and the
      -- drift check lists every link on every cycle. A later webhook or listing naming it clears the mark.
      ALTER TABLE belvo_links ADD COLUMN gone_at INTEGER;
      DROP INDEX belvo_links_by_status;
      CREATE INDEX belvo_links_present_by_status ON belvo_links (environment, status, institution)
        WHERE gone_at IS NULL;
    `,
  },
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
    version: 9,
    name: 'link counts kept per institution and status',
    sql: `
      -- Spike checks, incident impact, the drift check and the web page ask for the present links per (institution,
      -- status). Counted from belvo_links that is a walk over every link (100,000 for a large account) on every
      -- webhook batch; kept here by triggers it is one row per (institution, status), whatever the number of links.
      -- A link not yet listed has no institution: '' here (a primary key column cannot hold NULL as a value).
      CREATE TABLE belvo_link_counts (
        environment TEXT NOT NULL,
        institution TEXT NOT NULL,
        status TEXT NOT NULL,
        count INTEGER NOT NULL,
        PRIMARY KEY (environment, institution, status)
      ) WITHOUT ROWID;
      INSERT INTO belvo_link_counts (environment, institution, status, count)
        SELECT environment, COALESCE(institution, ''), status, COUNT(*) FROM belvo_links WHERE gone_at IS NULL
        GROUP BY environment, COALESCE(institution, ''), status;

      CREATE TRIGGER belvo_link_counts_on_insert AFTER INSERT ON belvo_links WHEN new.gone_at IS NULL
      BEGIN
        INSERT INTO belvo_link_counts (environment, institution, status, count)
          VALUES (new.environment, COALESCE(new.institution, ''), new.status, 1)
          ON CONFLICT (environment, institution, status) DO UPDATE SET count = count + 1;
      END;

      -- Most listing upserts change nothing that is counted: the WHEN keeps them from touching this table.
      CREATE TRIGGER belvo_link_counts_on_update AFTER UPDATE OF status, institution, gone_at ON belvo_links
        WHEN old.status IS NOT new.status OR old.institution IS NOT new.institution
          OR (old.gone_at IS NULL) <> (new.gone_at IS NULL)
      BEGIN
        UPDATE belvo_link_counts SET count = count - 1
          WHERE old.gone_at IS NULL AND environment = old.environment
            AND institution = COALESCE(old.institution, '') AND status = old.status;
        INSERT INTO belvo_link_counts (environment, institution, status, count)
          SELECT new.environment, COALESCE(new.institution, ''), new.status, 1 WHERE new.gone_at IS NULL
          ON CONFLICT (environment, institution, status) DO UPDATE SET count = count + 1;
      END;

      CREATE TRIGGER belvo_link_counts_on_delete AFTER DELETE ON belvo_links WHEN old.gone_at IS NULL
      BEGIN
        UPDATE belvo_link_counts SET count = count - 1
          WHERE environment = old.environment AND institution = COALESCE(old.institution, '') AND status = old.status;
      END;
    `,
  },
  {
    version: 10,
    name: 'scheduled reports sent',
    sql: `
      -- One row per (schedule, slot) a report went out for, claimed before it is queued: a restart's catch-up and a
      -- second sender find the row and send nothing.
      CREATE TABLE report_log (
        schedule TEXT NOT NULL,
        slot INTEGER NOT NULL,
        claimed_at INTEGER NOT NULL,
        PRIMARY KEY (schedule, slot)
      ) WITHOUT ROWID;
    `,
  },
];

const CREATE_LEDGER = `
  CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at INTEGER NOT NULL
  )`;

/**
 * Applies every migration not yet recorded, in order, in one IMMEDIATE transaction (a second process starting at
 * the same time waits, then finds nothing to do). Returns the versions applied now; re-running returns [].
 */
export function applyMigrations(
  db: Database,
  migrations: readonly Migration[] = MIGRATIONS,
  now: () => number = Date.now,
): number[] {
  const run = db.transaction((): number[] => {
    db.exec(CREATE_LEDGER);
    const rows = db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[];
    const done = new Set(rows.map((r) => r.version));
    const known = Math.max(0, ...migrations.map((m) => m.version));
    const newest = Math.max(0, ...done);
    if (newest > known) {
      // Written by a newer release: running old code on it could corrupt it, so refuse.
      throw new Error(`database schema version ${newest} is newer than this program knows (${known})`);
    }
    const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
    const applied: number[] = [];
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (done.has(m.version)) continue;
      db.exec(m.sql);
      record.run(m.version, m.name, now());
      applied.push(m.version);
    }
    return applied;
  });
  return run.immediate();
}
