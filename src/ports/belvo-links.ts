// What the store keeps of Belvo webhooks and of the team's links: the types of the Store methods that hold them.
import type { LinkEventCode } from '../domain/belvo-link-rules.js';

export { LINK_STATUS_BY_CODE, type LinkEventCode } from '../domain/belvo-link-rules.js';

/** One webhook as accepted by the receiver: the fields worth filtering on, and the body exactly as received. */
export interface BelvoWebhookRecord {
  environment: string;
  webhookId: string;
  type: string;
  code: string;
  linkId?: string;
  externalId?: string;
  requestId?: string;
  processType?: string;
  receivedAt: number;
  /** The JSON text as Belvo sent it (evidence, and re-processing when a new code becomes meaningful). */
  body: string;
}

/** Per record of a batch, in order: `duplicate` when this (environment, webhook_id) was already stored. */
export type BelvoWebhookOutcome = 'inserted' | 'duplicate';

export interface RecordBelvoWebhooksResult {
  outcomes: BelvoWebhookOutcome[];
  inserted: number;
  duplicates: number;
  /** Links whose status changed to token_required or invalid because of this batch. */
  linkTransitions: number;
}

export interface BelvoWebhookQuery {
  environment?: string;
  /** Received at or after (ms). */
  since?: number;
  type?: string;
  code?: string;
  /** Newest first; all when absent. */
  limit?: number;
}

/** Belvo's link statuses (`valid | invalid | unconfirmed | token_required`); other strings are kept as sent. */
export type BelvoLinkStatus = 'valid' | 'invalid' | 'unconfirmed' | 'token_required' | (string & {});

/** The bot's view of one link: from webhooks as they arrive, corrected by the reconciliation's listings. */
export interface BelvoLinkState {
  environment: string;
  linkId: string;
  status: BelvoLinkStatus;
  /** Belvo institution name; unknown until a reconciliation lists the link (LINK webhooks do not carry it). */
  institution?: string;
  externalId?: string;
  institutionUserId?: string;
  statusChangedAt: number;
  /** Last webhook about this link. */
  lastEventAt?: number;
  /** Last time a reconciliation listed it. */
  reconciledAt?: number;
  /**
   * When a complete listing no longer named it (deleted, or never the account's): it is left out of the counts
   * until a webhook or a listing names it again.
   */
  goneAt?: number;
}

/**
 * A link entering token_required or invalid: what spike detectors count. Recorded on a change of status only (Belvo
 * repeats token_required for a link stuck in it), from a webhook or, when no webhook said so, a reconciliation.
 */
export interface BelvoLinkEvent {
  environment: string;
  linkId: string;
  code: LinkEventCode;
  status: BelvoLinkStatus;
  institution?: string;
  externalId?: string;
  /** The webhook that said so; absent when a reconciliation noticed it. */
  webhookId?: string;
  source: 'webhook' | 'reconciliation';
  at: number;
  /**
   * Whether the link is still in `status` now (false once it was re-connected or left it otherwise, or once Belvo no
   * longer lists it).
   */
  stillInStatus?: boolean;
}

export interface BelvoLinkEventQuery {
  environment: string;
  code: LinkEventCode;
  since: number;
  /** Exclusive; now when absent. */
  until?: number;
}

/** How many links enter a status per institution (null: institution not yet known). */
export interface BelvoLinkEventCount {
  institution: string | null;
  count: number;
}

export interface BelvoLinkStatusCount {
  institution: string | null;
  status: BelvoLinkStatus;
  count: number;
}

/** One link as a Belvo `GET /api/links/` listing shows it. */
export interface BelvoLinkListing {
  id: string;
  status: BelvoLinkStatus;
  institution?: string;
  externalId?: string;
  institutionUserId?: string;
}

/** One user linked more than once at one institution (same `institution_user_id`): duplicate links. */
export interface BelvoDuplicateLinks {
  institution: string;
  institutionUserId: string;
  count: number;
}

/** Belvo webhooks and the team's links, as the store keeps them. */
export interface BelvoLinkStore {
  /**
   * Stores a batch of webhooks in one transaction (all or nothing), skipping any (environment, webhook_id) already
   * stored, earlier in the same batch included. A new LINK `token_required` / `invalid_credentials` event with a
   * link_id also updates that link's state, and records a link event when its status changed.
   */
  recordBelvoWebhooks(batch: BelvoWebhookRecord[]): Promise<RecordBelvoWebhooksResult>;
  /** Newest first. */
  listBelvoWebhooks(query?: BelvoWebhookQuery): Promise<BelvoWebhookRecord[]>;
  /** When the newest webhook of an environment was received, if any. */
  lastBelvoWebhookAt(environment: string): Promise<number | undefined>;
  getBelvoLink(environment: string, linkId: string): Promise<BelvoLinkState | undefined>;
  /**
   * Links by (institution, status); institution null for links no reconciliation has listed yet. Gone links (see
   * `markLinksGone`) are not counted.
   */
  linkStatusCounts(environment: string): Promise<BelvoLinkStatusCount[]>;
  /**
   * Users linked more than once at one institution (by institution_user_id), most duplicated first, at most 100;
   * gone links left out.
   */
  duplicateLinks(environment: string): Promise<BelvoDuplicateLinks[]>;
  /** Links entering a status in [since, until), oldest first. */
  linkEvents(query: BelvoLinkEventQuery): Promise<BelvoLinkEvent[]>;
  /** The same events counted per institution: a spike detector's short window and long baseline. */
  linkEventCounts(query: BelvoLinkEventQuery): Promise<BelvoLinkEventCount[]>;
  /**
   * Applies a reconciliation's listing, fetched at `observedAt`: institution, external and user ids always; the
   * status unless a webhook about the link arrived after `observedAt` (the newer word wins). A known link found in
   * token_required or invalid by this listing records a link event; a link seen for the first time does not (history,
   * not a transition). Fills the institution of the link's earlier events. Returns how many statuses changed.
   */
  upsertLinks(environment: string, links: BelvoLinkListing[], observedAt: number): Promise<{ statusChanges: number }>;
  /**
   * Closes a complete listing fetched from `listedAt` (every page read, each stored with `upsertLinks` at
   * `listedAt`): a link of the environment that listing did not name, and that no webhook named after `listedAt`,
   * is marked gone at `listedAt`. Its row stays (history, the webhook-vs-listing rules); a later webhook or listing
   * naming it brings it back. Call it only when the listing ended without error. Returns how many were marked.
   */
  markLinksGone(environment: string, listedAt: number): Promise<{ gone: number }>;
  /**
   * Forgets webhooks received before `webhooksBefore` and link events before `linkEventsBefore`, a bounded number of
   * rows per transaction so webhooks arriving meanwhile never wait long. Link states are kept. Returns how many went.
   */
  pruneBelvo(limits: {
    webhooksBefore: number;
    linkEventsBefore: number;
  }): Promise<{ webhooks: number; linkEvents: number }>;
}
