// The PostgreSQL side of Belvo webhooks and link status: batches go in as arrays (one statement per batch, not per
// row), and the link rules of src/domain decide what each webhook or listing does to a link.
import type pg from 'pg';
import { applyListing, isWebhookTransition, linkStatusFromWebhook } from '../../src/domain/belvo-link-rules.js';
import type {
  BelvoDuplicateLinks,
  BelvoLinkEvent,
  BelvoLinkEventQuery,
  BelvoLinkListing,
  BelvoLinkState,
  BelvoWebhookOutcome,
  BelvoWebhookQuery,
  BelvoWebhookRecord,
  LinkEventCode,
} from '../../src/ports/belvo-links.js';
import type { Store } from '../../src/ports/store.js';
import { inTransaction } from './pool.js';
import { clean } from './rows.js';

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
  still_in_status?: boolean | null;
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
    stillInStatus: row.still_in_status ?? undefined,
  });
}

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

/** Rows deleted per transaction while pruning: short transactions, so webhooks arriving meanwhile barely wait. */
const PRUNE_CHUNK = 2000;

const INSERT_EVENT = `
  INSERT INTO belvo_link_events (environment, link_id, code, status, institution, external_id, webhook_id, source, at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`;

interface LinkChange {
  w: BelvoWebhookRecord;
  linkId: string;
  code: string;
  status: string;
}

/**
 * The link changes of one webhook batch, in a few statements whatever its size (a round trip per webhook made the
 * commit, and so every webhook's answer, wait on the network): the links are locked in one read, the batch is
 * applied to them in order in memory (a link may change twice in one batch), then the links are written and the
 * transitions recorded in one statement each. Returns the number of transitions.
 */
async function applyLinkChanges(c: pg.PoolClient, changes: LinkChange[]): Promise<number> {
  const keyOf = (environment: string, linkId: string) => `${environment}\u0000${linkId}`;
  const wanted = [...new Map(changes.map((ch) => [keyOf(ch.w.environment, ch.linkId), ch])).values()];
  const { rows } = await c.query<LinkRow>(
    `SELECT l.* FROM belvo_links l
     JOIN unnest($1::text[], $2::text[]) AS k(e, id) ON l.environment = k.e AND l.link_id = k.id
     ORDER BY l.environment, l.link_id
     FOR UPDATE OF l`,
    [wanted.map((ch) => ch.w.environment), wanted.map((ch) => ch.linkId)],
  );
  const stored = new Map(rows.map((r) => [keyOf(r.environment, r.link_id), r]));
  /** Each link as the batch leaves it. */
  const after = new Map<
    string,
    {
      environment: string;
      linkId: string;
      status: string;
      externalId: string | null;
      changedAt: number;
      eventAt: number;
    }
  >();
  const events: unknown[][] = [[], [], [], [], [], [], [], [], []];
  for (const { w, linkId, code, status } of changes) {
    const key = keyOf(w.environment, linkId);
    const row = stored.get(key);
    const current =
      after.get(key) ?? (row && { status: row.status, externalId: row.external_id, changedAt: row.status_changed_at });
    after.set(key, {
      environment: w.environment,
      linkId,
      status,
      externalId: w.externalId ?? current?.externalId ?? null,
      changedAt: current && current.status === status ? current.changedAt : w.receivedAt,
      eventAt: w.receivedAt,
    });
    if (!isWebhookTransition(current, status)) continue;
    const values = [
      w.environment,
      linkId,
      code,
      status,
      // Known when a reconciliation listed the link before; otherwise filled in when one does.
      row?.institution ?? null,
      w.externalId ?? current?.externalId ?? null,
      w.webhookId,
      'webhook',
      w.receivedAt,
    ];
    for (const [i, v] of values.entries()) events[i]?.push(v);
  }
  const links = [...after.values()];
  await c.query(
    `INSERT INTO belvo_links (environment, link_id, status, external_id, status_changed_at, last_event_at)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[])
     ON CONFLICT (environment, link_id) DO UPDATE SET
       status = excluded.status,
       external_id = excluded.external_id,
       status_changed_at = excluded.status_changed_at,
       last_event_at = excluded.last_event_at,
       gone_at = NULL`,
    [
      links.map((l) => l.environment),
      links.map((l) => l.linkId),
      links.map((l) => l.status),
      links.map((l) => l.externalId),
      links.map((l) => l.changedAt),
      links.map((l) => l.eventAt),
    ],
  );
  const transitions = events[0]?.length ?? 0;
  if (transitions > 0) {
    await c.query(
      `INSERT INTO belvo_link_events (environment, link_id, code, status, institution, external_id, webhook_id, source, at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
         $8::text[], $9::bigint[])`,
      events,
    );
  }
  return transitions;
}

export function belvoStoreMethods(open: () => pg.Pool, channel: string): BelvoStoreMethods {
  return {
    async recordBelvoWebhooks(batch) {
      if (batch.length === 0) return { outcomes: [], inserted: 0, duplicates: 0, linkTransitions: 0 };
      return inTransaction(open(), async (c) => {
        const col = <K extends keyof BelvoWebhookRecord>(k: K) => batch.map((w) => w[k] ?? null);
        // One statement for the batch; a webhook_id already stored (or earlier in the batch) is skipped.
        const { rows } = await c.query<{ environment: string; webhook_id: string }>(
          `INSERT INTO belvo_webhooks (environment, webhook_id, webhook_type, webhook_code, link_id, external_id,
             request_id, process_type, received_at, body)
           SELECT e, w, t, c, l, x, r, p, at, body FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
             $8::text[], $9::bigint[], $10::text[]) WITH ORDINALITY AS b(e, w, t, c, l, x, r, p, at, body, n)
           ORDER BY n
           ON CONFLICT (environment, webhook_id) DO NOTHING
           RETURNING environment, webhook_id`,
          [
            col('environment'),
            col('webhookId'),
            col('type'),
            col('code'),
            col('linkId'),
            col('externalId'),
            col('requestId'),
            col('processType'),
            col('receivedAt'),
            col('body'),
          ],
        );
        const fresh = new Set(rows.map((r) => `${r.environment}\u0000${r.webhook_id}`));
        const outcomes: BelvoWebhookOutcome[] = batch.map((w) => {
          const key = `${w.environment}\u0000${w.webhookId}`;
          // The first of the batch with this key is the one inserted; any later one is its duplicate.
          if (!fresh.delete(key)) return 'duplicate';
          return 'inserted';
        });
        const changes = batch.flatMap((w, i) => {
          const change = outcomes[i] === 'inserted' ? linkStatusFromWebhook(w) : undefined;
          return change ? [{ w, ...change }] : [];
        });
        const linkTransitions = changes.length > 0 ? await applyLinkChanges(c, changes) : 0;
        const inserted = outcomes.filter((o) => o === 'inserted').length;
        // The leader's link detectors look now, whichever replica received the batch.
        if (inserted > 0) await c.query('SELECT pg_notify($1, $2)', [channel, 'webhooks']);
        return { outcomes, inserted, duplicates: outcomes.length - inserted, linkTransitions };
      });
    },

    async listBelvoWebhooks(query: BelvoWebhookQuery = {}) {
      const { rows } = await open().query<WebhookRow>(
        `SELECT * FROM belvo_webhooks
         WHERE ($1::text IS NULL OR environment = $1) AND ($2::bigint IS NULL OR received_at >= $2)
           AND ($3::text IS NULL OR webhook_type = $3) AND ($4::text IS NULL OR webhook_code = $4)
         ORDER BY received_at DESC, seq DESC LIMIT $5`,
        [query.environment ?? null, query.since ?? null, query.type ?? null, query.code ?? null, query.limit ?? null],
      );
      return rows.map(toWebhook);
    },

    async pruneBelvo({ webhooksBefore, linkEventsBefore }) {
      // The oldest rows by seq (creation order follows time): each step reads at most PRUNE_CHUNK rows.
      const drain = async (table: string, column: string, before: number): Promise<number> => {
        let total = 0;
        for (;;) {
          const res = await open().query(
            `DELETE FROM ${table} WHERE seq IN (
               SELECT seq FROM (SELECT seq, ${column} FROM ${table} ORDER BY seq LIMIT $2) oldest
               WHERE ${column} < $1)`,
            [before, PRUNE_CHUNK],
          );
          const n = res.rowCount ?? 0;
          total += n;
          if (n === 0) return total;
        }
      };
      return {
        webhooks: await drain('belvo_webhooks', 'received_at', webhooksBefore),
        linkEvents: await drain('belvo_link_events', 'at', linkEventsBefore),
      };
    },

    async lastBelvoWebhookAt(environment) {
      const { rows } = await open().query<{ at: number | null }>(
        'SELECT MAX(received_at) AS at FROM belvo_webhooks WHERE environment = $1',
        [environment],
      );
      return rows[0]?.at ?? undefined;
    },

    async getBelvoLink(environment, linkId) {
      const { rows } = await open().query<LinkRow>(
        'SELECT * FROM belvo_links WHERE environment = $1 AND link_id = $2',
        [environment, linkId],
      );
      return rows[0] ? toLink(rows[0]) : undefined;
    },

    async duplicateLinks(environment) {
      const { rows } = await open().query<BelvoDuplicateLinks>(
        `SELECT institution, institution_user_id AS "institutionUserId", COUNT(*)::int AS count FROM belvo_links
         WHERE environment = $1 AND institution_user_id IS NOT NULL AND institution IS NOT NULL AND gone_at IS NULL
         GROUP BY institution, institution_user_id HAVING COUNT(*) > 1 ORDER BY count DESC, institution LIMIT 100`,
        [environment],
      );
      return rows;
    },

    async linkStatusCounts(environment) {
      const { rows } = await open().query<{ institution: string | null; status: string; count: number }>(
        `SELECT institution, status, COUNT(*)::int AS count FROM belvo_links WHERE environment = $1 AND gone_at IS NULL
         GROUP BY status, institution ORDER BY institution NULLS FIRST, status`,
        [environment],
      );
      return rows;
    },

    async linkEvents(query: BelvoLinkEventQuery) {
      const { rows } = await open().query<LinkEventRow>(
        `SELECT e.*, (l.status = e.status AND l.gone_at IS NULL) AS still_in_status FROM belvo_link_events e
           LEFT JOIN belvo_links l ON l.environment = e.environment AND l.link_id = e.link_id
         WHERE e.environment = $1 AND e.code = $2 AND e.at >= $3 AND e.at < $4
         ORDER BY e.at, e.seq`,
        [query.environment, query.code, query.since, query.until ?? Number.MAX_SAFE_INTEGER],
      );
      return rows.map(toLinkEvent);
    },

    async linkEventCounts(query: BelvoLinkEventQuery) {
      const { rows } = await open().query<{ institution: string | null; count: number }>(
        `SELECT institution, COUNT(*)::int AS count FROM belvo_link_events
         WHERE environment = $1 AND code = $2 AND at >= $3 AND at < $4
         GROUP BY institution ORDER BY count DESC, institution NULLS FIRST`,
        [query.environment, query.code, query.since, query.until ?? Number.MAX_SAFE_INTEGER],
      );
      return rows;
    },

    async upsertLinks(environment: string, links: BelvoLinkListing[], observedAt: number) {
      if (links.length === 0) return { statusChanges: 0 };
      return inTransaction(open(), async (c) => {
        // A listing names a link once; should a page repeat one, its last mention stands.
        const listed = [...new Map(links.map((l) => [l.id, l])).values()];
        const { rows } = await c.query<LinkRow>(
          'SELECT * FROM belvo_links WHERE environment = $1 AND link_id = ANY($2::text[]) FOR UPDATE',
          [environment, listed.map((l) => l.id)],
        );
        const known = new Map(rows.map((r) => [r.link_id, r]));
        const decisions = listed.map((link) => {
          const before = known.get(link.id);
          const decision = applyListing(
            before && {
              status: before.status,
              statusChangedAt: before.status_changed_at,
              ...(before.last_event_at !== null && { lastEventAt: before.last_event_at }),
            },
            link,
            observedAt,
          );
          return { link, before, decision, institution: link.institution ?? before?.institution ?? null };
        });
        await c.query(
          `INSERT INTO belvo_links (environment, link_id, status, institution, external_id, institution_user_id,
             status_changed_at, reconciled_at)
           SELECT $1, l, s, i, x, u, ch, $8 FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
             $7::bigint[]) AS v(l, s, i, x, u, ch)
           ON CONFLICT (environment, link_id) DO UPDATE SET
             status = excluded.status,
             institution = COALESCE(excluded.institution, belvo_links.institution),
             external_id = COALESCE(excluded.external_id, belvo_links.external_id),
             institution_user_id = COALESCE(excluded.institution_user_id, belvo_links.institution_user_id),
             status_changed_at = excluded.status_changed_at,
             reconciled_at = excluded.reconciled_at,
             gone_at = NULL`,
          [
            environment,
            decisions.map((d) => d.link.id),
            decisions.map((d) => d.decision.status),
            decisions.map((d) => d.link.institution ?? null),
            decisions.map((d) => d.link.externalId ?? null),
            decisions.map((d) => d.link.institutionUserId ?? null),
            decisions.map((d) => d.decision.statusChangedAt),
            observedAt,
          ],
        );
        const named = decisions.filter((d) => d.institution !== null);
        if (named.length > 0) {
          await c.query(
            `UPDATE belvo_link_events e SET institution = v.i
             FROM unnest($2::text[], $3::text[]) AS v(l, i)
             WHERE e.environment = $1 AND e.link_id = v.l AND e.institution IS NULL`,
            [environment, named.map((d) => d.link.id), named.map((d) => d.institution)],
          );
        }
        const events = decisions.filter((d) => d.decision.eventCode !== undefined);
        for (const d of events) {
          await c.query(INSERT_EVENT, [
            environment,
            d.link.id,
            d.decision.eventCode,
            d.decision.status,
            d.institution,
            d.link.externalId ?? d.before?.external_id ?? null,
            null,
            'reconciliation',
            // When the listing saw it: the change happened at some point before, no later than this.
            observedAt,
          ]);
        }
        return { statusChanges: decisions.filter((d) => d.decision.changed).length };
      });
    },

    async markLinksGone(environment: string, listedAt: number) {
      // Not named by the listing that started at listedAt (every link it named was stored with reconciled_at =
      // listedAt), and no webhook about it since: Belvo no longer has it.
      const res = await open().query(
        `UPDATE belvo_links SET gone_at = $2
         WHERE environment = $1 AND gone_at IS NULL
           AND (reconciled_at IS NULL OR reconciled_at < $2)
           AND (last_event_at IS NULL OR last_event_at <= $2)`,
        [environment, listedAt],
      );
      return { gone: res.rowCount ?? 0 };
    },
  };
}
