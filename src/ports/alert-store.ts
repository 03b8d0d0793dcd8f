// Alerts and incidents: what the alert-commit service reads in one call before deciding, and writes in one
// transaction after (the alerts, the delivery intents they cause, the source's cursors and health).
import type { Alert } from '../domain/alert.js';
import type { Silence } from '../domain/silence.js';
import type { Subscription } from '../domain/subscription.js';
import type { SourceState } from './feed-state.js';
import type { NewIntent } from './outbox.js';
import type { FeedCursor } from './source.js';

/** What one decision needs to read. */
export interface CommitContextQuery {
  /** The alerts that are open (or resolved but still held by a maintenance window) to load: all, or these. */
  open: 'all' | { source?: string; kinds: string[] };
  /** Fingerprints whose latest alert (any state) the decision needs: a relapse reopens, history is not news. */
  fingerprints: string[];
  /** The source whose state (first sight, last read) a poll's decision needs. */
  source?: string;
  /** Live silences are those not ended at this time. */
  now: number;
}

export interface CommitContext {
  /** Open alerts as asked (see CommitContextQuery.open), oldest first. */
  open: Alert[];
  /** The latest alert of each asked fingerprint, any state. */
  latest: Alert[];
  sourceState?: SourceState;
  /** Subscriptions and live silences made in chat (the config's own are added by the caller). */
  subscriptions: Subscription[];
  silences: Silence[];
  /**
   * For each open alert returned: the destinations that have a message for it, or one queued. A resolution reaches
   * them even when no subscription matches any more.
   */
  heard: Map<string, string[]>;
}

/** Everything one decision changes, committed atomically. */
export interface AlertCommit {
  /**
   * Alerts to insert or update. An update whose `rev` no longer matches the stored row fails the whole commit
   * (StoreConflictError): the caller reads and decides again. New alerts carry provisional ids (`new:1`): the store
   * gives them their short public ids (`A12`) in the same transaction, everywhere they are referred to.
   */
  alerts: Alert[];
  intents: NewIntent[];
  cursors: FeedCursor[];
  sourceState?: SourceState;
  /**
   * The leadership token the change was decided under (several replicas: only the leader polls and ticks). The store
   * refuses the whole commit (LeadershipLostError) unless that token is still the current leader's, so a leader
   * paused past its lease cannot write after another took over. Absent: not leader work (a chat action, a delivery's
   * health), or one process alone.
   */
  fence?: number;
}

export interface AlertCommitResult {
  /** Provisional id -> the id it was given. */
  ids: Map<string, string>;
}

export class StoreConflictError extends Error {
  readonly code = 'store_conflict';
  constructor(message: string) {
    super(message);
    this.name = 'StoreConflictError';
  }
}

/** A commit made under a leadership token that is no longer the leader's: not retried, the new leader decides. */
export class LeadershipLostError extends Error {
  readonly code = 'leadership_lost';
  constructor(message: string) {
    super(message);
    this.name = 'LeadershipLostError';
  }
}

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

export interface AlertStore {
  /** One read: the open alerts, the latest of some fingerprints, the source's state, subscriptions and silences. */
  loadCommitContext(query: CommitContextQuery): Promise<CommitContext>;
  /** One transaction: alerts (final ids assigned), intents, cursors, the source's state. */
  commitAlerts(commit: AlertCommit): Promise<AlertCommitResult>;
  getAlert(id: string): Promise<Alert | undefined>;
  listAlerts(query?: AlertQuery): Promise<Alert[]>;
  /**
   * Forgets alerts resolved and last written before `before`, with their delivered outbox rows and message
   * references. Kept whatever their age: open alerts, alerts held by a maintenance, and resolved ones an open alert
   * still speaks through or is listed on (an open incident's members, the incident of an open member). Works
   * `batchSize` rows per transaction and lets the event loop run between transactions, so webhooks and commands
   * arriving meanwhile wait for one small batch at most.
   */
  pruneResolvedAlerts(before: number, options?: { batchSize?: number }): Promise<PrunedAlerts>;
}

export interface PrunedAlerts {
  alerts: number;
  intents: number;
  messageRefs: number;
}
