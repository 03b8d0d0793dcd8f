// The SQLite side of Belvo webhooks and link status (tables of migrations 4 and 7): prepared once, merged into the
// store.
import type BetterSqlite3 from 'better-sqlite3';
import {
  applyListing,
  isWebhookTransition,
  type LinkEventCode,
  linkStatusFromWebhook,
} from '../../src/domain/belvo-link-rules.js';
import type {
  BelvoDuplicateLinks,
  BelvoLinkEvent,
  BelvoLinkEventQuery,
  BelvoLinkListing,
  BelvoLinkState,
  BelvoWebhookOutcome,
  BelvoWebhookQuery,
  BelvoWebhookRecord,
} from '../../src/ports/belvo-links.js';
import type { Store } from '../../src/ports/store.js';

interface WebhookRow {
  environment: string;
  webhook_id: string;
  webhook_type: string;
  webhook_code: string;
  link_id: string | null;
  external_id: string | null;
  request_id: string | null;
  process_type: string | null;
  received_at: number;
  body: string;
}

interface LinkRow {
  environment: string;
  link_id: string;
  status: string;
  institution: string | null;
  external_id: string | null;
  institution_user_id: string | null;
  status_changed_at: number;
  last_event_at: number | null;
  reconciled_at: number | null;
  gone_at: number | null;
}

interface LinkEventRow {
  environment: string;
  link_id: string;
  code: LinkEventCode;
  status: string;
  institution: string | null;
  external_id: string | null;
  webhook_id: string | null;
  source: 'webhook' | 'reconciliation';
  at: number;
  /** 1 while the link is still in the status this event entered (absent in queries that do not ask). */
  still_in_status?: number | null;
}

/** Optional fields come back absent, as they went in. */
function clean<T extends object>(obj: T): T {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== null && v !== undefined)) as T;
}

function toWebhook(row: WebhookRow): BelvoWebhookRecord {
  return clean<BelvoWebhookRecord>({
    environment: row.environment,
    webhookId: row.webhook_id,
    type: row.webhook_type,
    code: row.webhook_code,
    linkId: row.link_id ?? undefined,
    externalId: row.external_id ?? undefined,
    requestId: row.request_id ?? undefined,
    processType: row.process_type ?? undefined,
    receivedAt: row.received_at,
    body: row.body,
  });
}

function toLink(row: LinkRow): BelvoLinkState {
  return clean<BelvoLinkState>({
    environment: row.environment,
    linkId: row.link_id,
    status: row.status,
    institution: row.institution ?? undefined,
    externalId: row.external_id ?? undefined,
    institutionUserId: row.institution_user_id ?? undefined,
    statusChangedAt: row.status_changed_at,
    lastEventAt: row.last_event_at ?? undefined,
    reconciledAt: row.reconciled_at ?? undefined,
    goneAt: row.gone_at ?? undefined,
  });
}

function toLinkEvent(row: LinkEventRow): BelvoLinkEvent {
  return clean<BelvoLinkEvent>({
    environment: row.environment,
    linkId: row.link_id,
    code: row.code,
    status: row.status,
    institution: row.institution ?? undefined,
    externalId: row.external_id ?? undefined,
    webhookId: row.webhook_id ?? undefined,
    source: row.source,
    at: row.at,
    stillInStatus: row.still_in_status == null ? undefined : row.still_in_status === 1,
  });
}

/** Whether a listing says nothing new about a stored link (what the upsert would write is already there). */
function sameAsListed(row: LinkRow, link: BelvoLinkListing, status: string): boolean {
  return (
    row.gone_at === null &&
    row.status === status &&
    (link.institution === undefined || row.institution === link.institution) &&
    (link.externalId === undefined || row.external_id === link.externalId) &&
    (link.institutionUserId === undefined || row.institution_user_id === link.institutionUserId)
  );
}

export function prepareBelvoStatements(db: BetterSqlite3.Database) {
  // One statement per combination of filters, so each can use the (environment, received_at) index when it applies.
  const listVariants = new Map<string, BetterSqlite3.Statement>();
  for (const env of [false, true]) {
    for (const since of [false, true]) {
      const where = [
        env ? 'environment = @environment' : undefined,
        since ? 'received_at >= @since' : undefined,
        '(@type IS NULL OR webhook_type = @type)',
        '(@code IS NULL OR webhook_code = @code)',
      ].filter((w) => w !== undefined);
      listVariants.set(
        `${env}/${since}`,
        db.prepare(`SELECT * FROM belvo_webhooks WHERE ${where.join(' AND ')}
          ORDER BY received_at DESC, seq DESC LIMIT @limit`),
      );
    }
  }
  const goneVariants = new Map<string, BetterSqlite3.Statement>();
  for (const after of [false, true]) {
    for (const upTo of [false, true]) {
      const range = [after ? 'AND link_id > @after' : '', upTo ? 'AND link_id <= @upTo' : ''].join(' ');
      goneVariants.set(
        `${after}/${upTo}`,
        db.prepare(`
          UPDATE belvo_links SET gone_at = @listedAt
          WHERE environment = @environment ${range} AND gone_at IS NULL
            AND (reconciled_at IS NULL OR reconciled_at < @listedAt)
            AND (last_event_at IS NULL OR last_event_at <= @listedAt)`),
      );
    }
  }
  return {
    insertWebhook: db.prepare(`
      INSERT INTO belvo_webhooks (environment, webhook_id, webhook_type, webhook_code, link_id, external_id,
        request_id, process_type, received_at, body)
      VALUES (@environment, @webhookId, @type, @code, @linkId, @externalId, @requestId, @processType, @receivedAt,
        @body)
      ON CONFLICT (environment, webhook_id) DO NOTHING`),
    listWebhooks: (env: boolean, since: boolean) => listVariants.get(`${env}/${since}`)!,
    lastWebhookAt: db.prepare('SELECT MAX(received_at) AS at FROM belvo_webhooks WHERE environment = ?'),
    getLink: db.prepare('SELECT * FROM belvo_links WHERE environment = ? AND link_id = ?'),
    // From a webhook: the status and when it changed; institution and ids kept when the event does not say.
    upsertLinkFromEvent: db.prepare(`
      INSERT INTO belvo_links (environment, link_id, status, external_id, status_changed_at, last_event_at)
      VALUES (@environment, @linkId, @status, @externalId, @at, @at)
      ON CONFLICT (environment, link_id) DO UPDATE SET
        status = excluded.status,
        external_id = COALESCE(excluded.external_id, belvo_links.external_id),
        status_changed_at = CASE WHEN belvo_links.status = excluded.status
          THEN belvo_links.status_changed_at ELSE excluded.status_changed_at END,
        last_event_at = excluded.last_event_at,
        gone_at = NULL`),
    upsertLinkFromListing: db.prepare(`
      INSERT INTO belvo_links (environment, link_id, status, institution, external_id, institution_user_id,
        status_changed_at, reconciled_at)
      VALUES (@environment, @linkId, @status, @institution, @externalId, @institutionUserId, @statusChangedAt,
        @observedAt)
      ON CONFLICT (environment, link_id) DO UPDATE SET
        status = excluded.status,
        institution = COALESCE(excluded.institution, belvo_links.institution),
        external_id = COALESCE(excluded.external_id, belvo_links.external_id),
        institution_user_id = COALESCE(excluded.institution_user_id, belvo_links.institution_user_id),
        status_changed_at = excluded.status_changed_at,
        reconciled_at = excluded.reconciled_at,
        gone_at = NULL`),
    // A listing's batch in one read and one write (a statement per link made a 100,000-link listing cost seconds).
    getLinks: db.prepare(
      'SELECT * FROM belvo_links WHERE environment = ? AND link_id IN (SELECT value FROM json_each(?))',
    ),
    markListed: db.prepare(`
      UPDATE belvo_links SET reconciled_at = @observedAt
      WHERE environment = @environment AND link_id IN (SELECT value FROM json_each(@ids))`),
    // The last link id of the next range of @limit links after @after (none: the rest is one range). Ranges of the
    // primary key, so that each step reads its own links only: the first range and the next ones are separate
    // statements, as an `@after IS NULL OR` would make SQLite walk the whole table each time.
    firstLinkRangeEnd: db.prepare(`
      SELECT link_id AS linkId FROM belvo_links WHERE environment = @environment
      ORDER BY link_id LIMIT 1 OFFSET @limit - 1`),
    nextLinkRangeEnd: db.prepare(`
      SELECT link_id AS linkId FROM belvo_links WHERE environment = @environment AND link_id > @after
      ORDER BY link_id LIMIT 1 OFFSET @limit - 1`),
    // Not named by the listing that started at @listedAt (every link it named was stored with reconciled_at =
    // @listedAt), and no webhook about it since: Belvo no longer has it. One range of link ids at a time, after
    // @after (if any) up to @upTo (if any): a statement per shape, each reading its range only.
    markLinksGone: (after: boolean, upTo: boolean) => goneVariants.get(`${after}/${upTo}`)!,
    insertLinkEvent: db.prepare(`
      INSERT INTO belvo_link_events (environment, link_id, code, status, institution, external_id, webhook_id, source,
        at)
      VALUES (@environment, @linkId, @code, @status, @institution, @externalId, @webhookId, @source, @at)`),
    fillEventInstitution: db.prepare(`
      UPDATE belvo_link_events SET institution = @institution
      WHERE environment = @environment AND link_id = @linkId AND institution IS NULL`),
    // Kept by triggers (migration 9): one row per (institution, status), never a walk over the links.
    linkStatusCounts: db.prepare(`
      SELECT NULLIF(institution, '') AS institution, status, count FROM belvo_link_counts
      WHERE environment = ? AND count > 0 ORDER BY institution, status`),
    duplicateLinks: db.prepare(`
      SELECT institution, institution_user_id AS institutionUserId, COUNT(*) AS count FROM belvo_links
      WHERE environment = ? AND institution_user_id IS NOT NULL AND institution IS NOT NULL AND gone_at IS NULL
      GROUP BY institution, institution_user_id HAVING COUNT(*) > 1 ORDER BY count DESC, institution LIMIT 100`),
    linkEvents: db.prepare(`
      SELECT e.*, (l.status = e.status AND l.gone_at IS NULL) AS still_in_status FROM belvo_link_events e
        LEFT JOIN belvo_links l ON l.environment = e.environment AND l.link_id = e.link_id
      WHERE e.environment = @environment AND e.code = @code AND e.at >= @since AND e.at < @until
      ORDER BY e.at, e.seq`),
    // The oldest rows by seq (creation order follows time): each step reads at most @limit rows, never the table.
    pruneWebhooks: db.prepare(`
      DELETE FROM belvo_webhooks WHERE seq IN (
        SELECT seq FROM (SELECT seq, received_at FROM belvo_webhooks ORDER BY seq LIMIT @limit)
        WHERE received_at < @before)`),
    pruneLinkEvents: db.prepare(`
      DELETE FROM belvo_link_events WHERE seq IN (
        SELECT seq FROM (SELECT seq, at FROM belvo_link_events ORDER BY seq LIMIT @limit) WHERE at < @before)`),
    linkEventCounts: db.prepare(`
      SELECT institution, COUNT(*) AS count FROM belvo_link_events
      WHERE environment = @environment AND code = @code AND at >= @since AND at < @until
      GROUP BY institution ORDER BY count DESC, institution`),
  };
}

type BelvoStatements = ReturnType<typeof prepareBelvoStatements>;

type BelvoStoreMethods = Pick<
  Store,
  | 'recordBelvoWebhooks'
  | 'listBelvoWebhooks'
  | 'lastBelvoWebhookAt'
  | 'getBelvoLink'
  | 'linkStatusCounts'
  | 'duplicateLinks'
  | 'linkEvents'
  | 'linkEventCounts'
  | 'upsertLinks'
  | 'markLinksGone'
  | 'pruneBelvo'
>;

/** Rows deleted per transaction while pruning: a few milliseconds each, so the webhook receiver barely waits. */
const PRUNE_CHUNK = 2000;

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Links judged gone (or not) per transaction at the end of a listing: about a millisecond each. */
const GONE_CHUNK = 5000;

/** Links per transaction when applying a listing: a few milliseconds each. */
const LISTING_BATCH = 200;

/**
 * Runs a write without waiting for its own fsync (synchronous=NORMAL in WAL mode): for what the bot can read again
 * from Belvo (a listing). A power loss may lose such a batch, never a later fully synced commit's (the WAL is
 * synced in order), and the next reconciliation lists it again. Webhooks keep FULL: Belvo was answered 2xx.
 */
function relaxedSync<T>(db: BetterSqlite3.Database, write: () => T): T {
  db.pragma('synchronous = NORMAL');
  try {
    return write();
  } finally {
    db.pragma('synchronous = FULL');
  }
}

export function belvoStoreMethods(open: () => { db: BetterSqlite3.Database; st: BelvoStatements }): BelvoStoreMethods {
  return {
    async recordBelvoWebhooks(batch) {
      const { db, st } = open();
      const run = db.transaction(() => {
        const outcomes: BelvoWebhookOutcome[] = [];
        let linkTransitions = 0;
        for (const w of batch) {
          const res = st.insertWebhook.run({
            environment: w.environment,
            webhookId: w.webhookId,
            type: w.type,
            code: w.code,
            linkId: w.linkId ?? null,
            externalId: w.externalId ?? null,
            requestId: w.requestId ?? null,
            processType: w.processType ?? null,
            receivedAt: w.receivedAt,
            body: w.body,
          });
          // A retry of an event already stored changes nothing, link state included.
          if (res.changes === 0) {
            outcomes.push('duplicate');
            continue;
          }
          outcomes.push('inserted');
          const change = linkStatusFromWebhook(w);
          if (!change) continue;
          const { linkId, code, status } = change;
          const before = st.getLink.get(w.environment, linkId) as LinkRow | undefined;
          st.upsertLinkFromEvent.run({
            environment: w.environment,
            linkId,
            status,
            externalId: w.externalId ?? null,
            at: w.receivedAt,
          });
          if (!isWebhookTransition(before, status)) continue;
          linkTransitions++;
          st.insertLinkEvent.run({
            environment: w.environment,
            linkId,
            code,
            status,
            // Known when a reconciliation listed the link before; otherwise filled in when one does.
            institution: before?.institution ?? null,
            externalId: w.externalId ?? before?.external_id ?? null,
            webhookId: w.webhookId,
            source: 'webhook',
            at: w.receivedAt,
          });
        }
        return { outcomes, linkTransitions };
      });
      // IMMEDIATE: take the write lock up front, so a concurrent writer makes this wait rather than fail mid-way.
      const { outcomes, linkTransitions } = run.immediate();
      const inserted = outcomes.filter((o) => o === 'inserted').length;
      return { outcomes, inserted, duplicates: outcomes.length - inserted, linkTransitions };
    },

    async listBelvoWebhooks(query: BelvoWebhookQuery = {}) {
      const { st } = open();
      const rows = st.listWebhooks(query.environment !== undefined, query.since !== undefined).all({
        environment: query.environment ?? null,
        since: query.since ?? 0,
        type: query.type ?? null,
        code: query.code ?? null,
        limit: query.limit ?? -1,
      }) as WebhookRow[];
      return rows.map(toWebhook);
    },

    async pruneBelvo({ webhooksBefore, linkEventsBefore }) {
      // Webhooks arriving meanwhile get their commit between two chunks: the event loop runs between them.
      const drain = async (pick: (st: BelvoStatements) => BetterSqlite3.Statement, before: number) => {
        let total = 0;
        for (;;) {
          const { db, st } = open();
          const n = db.transaction(() => pick(st).run({ before, limit: PRUNE_CHUNK }).changes).immediate();
          total += n;
          if (n === 0) return total;
          await yieldToEventLoop();
        }
      };
      return {
        webhooks: await drain((st) => st.pruneWebhooks, webhooksBefore),
        linkEvents: await drain((st) => st.pruneLinkEvents, linkEventsBefore),
      };
    },

    async lastBelvoWebhookAt(environment) {
      const row = open().st.lastWebhookAt.get(environment) as { at: number | null };
      return row.at ?? undefined;
    },

    async getBelvoLink(environment, linkId) {
      const row = open().st.getLink.get(environment, linkId) as LinkRow | undefined;
      return row ? toLink(row) : undefined;
    },

    async duplicateLinks(environment) {
      return open().st.duplicateLinks.all(environment) as BelvoDuplicateLinks[];
    },

    async linkStatusCounts(environment) {
      return open().st.linkStatusCounts.all(environment) as {
        institution: string | null;
        status: string;
        count: number;
      }[];
    },

    async linkEvents(query: BelvoLinkEventQuery) {
      const rows = open().st.linkEvents.all({
        environment: query.environment,
        code: query.code,
        since: query.since,
        until: query.until ?? Number.MAX_SAFE_INTEGER,
      }) as LinkEventRow[];
      return rows.map(toLinkEvent);
    },

    async linkEventCounts(query: BelvoLinkEventQuery) {
      return open().st.linkEventCounts.all({
        environment: query.environment,
        code: query.code,
        since: query.since,
        until: query.until ?? Number.MAX_SAFE_INTEGER,
      }) as { institution: string | null; count: number }[];
    },

    async upsertLinks(environment: string, links: BelvoLinkListing[], observedAt: number) {
      const apply = (st: BelvoStatements, batch: BelvoLinkListing[]): number => {
        let statusChanges = 0;
        const known = new Map<string, LinkRow>();
        for (const row of st.getLinks.all(environment, JSON.stringify(batch.map((l) => l.id))) as LinkRow[]) {
          known.set(row.link_id, row);
        }
        // Links as they were: only "listed now" is written, for all of them at the end of the batch.
        const unchanged: string[] = [];
        for (const link of batch) {
          // A link written earlier in this batch (listed twice) is read again, as it now is.
          const before = known.has(link.id)
            ? known.get(link.id)
            : (st.getLink.get(environment, link.id) as LinkRow | undefined);
          const decision = applyListing(
            before && {
              status: before.status,
              statusChangedAt: before.status_changed_at,
              ...(before.last_event_at !== null && { lastEventAt: before.last_event_at }),
            },
            link,
            observedAt,
          );
          if (before && sameAsListed(before, link, decision.status)) {
            // Most of a listing is links as they were: no indexed column touched.
            unchanged.push(link.id);
            continue;
          }
          known.delete(link.id);
          st.upsertLinkFromListing.run({
            environment,
            linkId: link.id,
            status: decision.status,
            institution: link.institution ?? null,
            externalId: link.externalId ?? null,
            institutionUserId: link.institutionUserId ?? null,
            statusChangedAt: decision.statusChangedAt,
            observedAt,
          });
          const institution = link.institution ?? before?.institution ?? null;
          // Events only lack an institution while their link did: once it is known, later events are written with it.
          if (institution !== null && before !== undefined && before.institution !== institution) {
            st.fillEventInstitution.run({ environment, linkId: link.id, institution });
          }
          if (!decision.changed) continue;
          statusChanges++;
          if (!decision.eventCode) continue;
          st.insertLinkEvent.run({
            environment,
            linkId: link.id,
            code: decision.eventCode,
            status: decision.status,
            institution,
            externalId: link.externalId ?? before?.external_id ?? null,
            webhookId: null,
            source: 'reconciliation',
            // When the listing saw it: the change happened at some point before, no later than this.
            at: observedAt,
          });
        }
        if (unchanged.length > 0) st.markListed.run({ environment, ids: JSON.stringify(unchanged), observedAt });
        return statusChanges;
      };
      // A page of a listing is 1,000 links: written in smaller transactions, the event loop running between them,
      // so webhooks arriving during a reconciliation wait for one small batch at most.
      let statusChanges = 0;
      for (let from = 0; from < links.length; from += LISTING_BATCH) {
        if (from > 0) await yieldToEventLoop();
        const { db, st } = open();
        const batch = links.slice(from, from + LISTING_BATCH);
        statusChanges += relaxedSync(db, () => db.transaction(() => apply(st, batch)).immediate());
      }
      return { statusChanges };
    },

    async markLinksGone(environment: string, listedAt: number) {
      // A range of links per transaction, the event loop running between them: one statement over 100,000 links
      // held webhooks back for tens of milliseconds. Each link is judged on its own row, so ranges need no snapshot.
      let gone = 0;
      let after: string | undefined;
      for (;;) {
        const { db, st } = open();
        const step = db.transaction(() => {
          const end = (
            after === undefined
              ? st.firstLinkRangeEnd.get({ environment, limit: GONE_CHUNK })
              : st.nextLinkRangeEnd.get({ environment, after, limit: GONE_CHUNK })
          ) as { linkId: string } | undefined;
          const upTo = end?.linkId;
          const markGone = st.markLinksGone(after !== undefined, upTo !== undefined);
          return {
            n: markGone.run({
              environment,
              listedAt,
              ...(after !== undefined && { after }),
              ...(upTo !== undefined && { upTo }),
            }).changes,
            last: upTo,
          };
        });
        const { n, last } = step.immediate();
        gone += n;
        if (last === undefined) return { gone };
        after = last;
        await yieldToEventLoop();
      }
    },
  };
}
