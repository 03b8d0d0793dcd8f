import type { Alert, AlertEvent } from '../domain/alert.js';
import type { Silence } from '../domain/silence.js';
import type { Subscription } from '../domain/subscription.js';
import type {
  BelvoDuplicateLinks,
  BelvoLinkEvent,
  BelvoLinkEventCount,
  BelvoLinkEventQuery,
  BelvoLinkListing,
  BelvoLinkState,
  BelvoLinkStatusCount,
  BelvoWebhookQuery,
  BelvoWebhookRecord,
  RecordBelvoWebhooksResult,
} from './belvo-links.js';
import type { MessageRef } from './notifier.js';
import type { FeedCursor } from './source.js';

/** A delivery to be made: one (alert, version, destination), unique. */
export interface NewIntent {
  alertId: string;
  version: number;
  destination: string;
  event: AlertEvent;
  notBefore: number;
}

export type IntentStatus = 'pending' | 'in_flight' | 'delivered' | 'failed' | 'suppressed';

export interface Intent extends NewIntent {
  id: number;
  status: IntentStatus;
  attempts: number;
  nextAttemptAt: number;
  /** Set while a dispatcher holds it; an expired lease means the holder died mid-delivery. */
  leaseUntil?: number;
  lastError?: string;
  createdAt: number;
  deliveredAt?: number;
}

export interface SourceState {
  source: string;
  /** First successful read: before it, the source is at first sight (history is recorded, not posted). */
  firstSuccessAt?: number;
  lastSuccessAt?: number;
  lastFailureAt?: number;
  consecutiveFailures: number;
  lastError?: string;
}

/** Everything one evaluation changes, committed atomically. */
export interface EvaluationCommit {
  /** Alerts to insert or update. An update whose `rev` no longer matches the stored row fails the whole commit. */
  alerts: Alert[];
  intents: NewIntent[];
  cursors: FeedCursor[];
  sourceState?: SourceState;
}

export class StoreConflictError extends Error {
  readonly code = 'store_conflict';
  constructor(message: string) {
    super(message);
    this.name = 'StoreConflictError';
  }
}

export interface ClaimOptions {
  now: number;
  limit: number;
  leaseMs: number;
}

export type IntentCompletion =
  | { status: 'delivered'; at: number; parent?: MessageRef }
  | { status: 'retry'; nextAttemptAt: number; error: string }
  /** Not attempted after all (the destination must wait: pacing, Retry-After): back in line, attempt not counted. */
  | { status: 'defer'; nextAttemptAt: number }
  | { status: 'failed'; error: string };

export interface AlertQuery {
  states?: Alert['state'][];
  source?: string;
  /**
   * Only alerts that were announced (an `opened` event went out): the incidents a channel heard of, not pending
   * alerts nor history recorded at first sight. For `/belvo-status history`; applied before `limit`.
   */
  announcedOnly?: boolean;
  /** Only alerts written at or after this time (a quiet-hours digest sums up a window). */
  changedSince?: number;
  limit?: number;
}

/** Named counters behind the short ids typed in chat (`sub-3`, `S4`); each is independent of the others. */
export type SequenceName = 'subscription' | 'silence';

export interface Store {
  /** Opens the database and applies migrations. */
  init(): Promise<void>;
  close(): Promise<void>;
  isOpen(): boolean;

  // --- evaluation ---
  /**
   * The latest alert for each fingerprint (any state), plus every alert of `source` still active: open, or resolved
   * while a maintenance window holds it (its window's end still has to be settled).
   */
  alertsForEvaluation(source: string, fingerprints: string[]): Promise<Alert[]>;
  commitEvaluation(commit: EvaluationCommit): Promise<void>;
  getSourceState(source: string): Promise<SourceState | undefined>;
  getCursor(key: string): Promise<FeedCursor | undefined>;

  // --- alerts (commands, status) ---
  getAlert(id: string): Promise<Alert | undefined>;
  listAlerts(query?: AlertQuery): Promise<Alert[]>;
  /** Next short alert id (`A1`, `A2`...), unique for the life of the database. */
  nextAlertId(): Promise<string>;
  /** `count` consecutive new ids in one step (a storm opens hundreds of alerts in one poll). */
  reserveAlertIds(count: number): Promise<string[]>;
  /**
   * Next value (1, 2, 3...) of a named counter, never handed out twice for the life of the database, and separate
   * from alert ids. Chat-created subscriptions and silences get short ids from it (`sub-3`, `S4`).
   */
  nextSequence(name: SequenceName): Promise<number>;

  // --- outbox ---
  /**
   * Leases due intents: pending ones whose time has come, and in-flight ones whose lease expired (a crash).
   * Per (alert, destination) only the oldest undelivered intent is eligible, so versions go out in order.
   */
  claimIntents(opts: ClaimOptions): Promise<Intent[]>;
  completeIntent(id: number, completion: IntentCompletion): Promise<void>;
  /**
   * Makes every in-flight intent due now, keeping its attempt count (so the next attempt is flagged as maybe
   * delivered). Called when a dispatcher takes over: only one dispatches at a time (one process on SQLite, the
   * leader on PostgreSQL), so whatever is in flight then was left by a holder that is gone. Returns how many.
   */
  recoverInFlight(now: number): Promise<number>;
  getMessageRef(alertId: string, destination: string): Promise<MessageRef | undefined>;
  /** Every destination's message for an alert (a page links to the chat messages). */
  listMessageRefs(alertId: string): Promise<MessageRef[]>;
  /** Undelivered intents (pending or in flight). */
  outboxDepth(): Promise<number>;
  listIntents(query?: { alertId?: string; status?: IntentStatus }): Promise<Intent[]>;

  // --- subscriptions and silences ---
  listSubscriptions(): Promise<Subscription[]>;
  addSubscription(sub: Subscription): Promise<void>;
  removeSubscription(id: string): Promise<boolean>;
  listSilences(now?: number): Promise<Silence[]>;
  addSilence(silence: Silence): Promise<void>;
  removeSilence(id: string): Promise<boolean>;

  // --- Belvo webhooks and link status ---
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
