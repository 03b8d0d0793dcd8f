// The store, split by aggregate: each part of the bot depends on the small port it needs (alerts and incidents, the
// outbox, what channels asked for, feed state, Belvo links); one implementation (SQLite, PostgreSQL) provides them
// all, and each port has its own contract suite.
import type { AlertStore } from './alert-store.js';
import type { BelvoLinkStore } from './belvo-links.js';
import type { ChannelSettings } from './channel-settings.js';
import type { FeedState } from './feed-state.js';
import type { Outbox } from './outbox.js';
import type { ReportLog } from './report-log.js';
import type { SeenRequests } from './seen-requests.js';

export type {
  AlertCommit,
  AlertCommitResult,
  AlertQuery,
  AlertStore,
  CommitContext,
  CommitContextQuery,
  PrunedAlerts,
} from './alert-store.js';
export { LeadershipLostError, StoreConflictError } from './alert-store.js';
export type { BelvoLinkStore } from './belvo-links.js';
export type { ChannelSettings, SequenceName } from './channel-settings.js';
export type { FeedState, SourceState } from './feed-state.js';
export type { ClaimOptions, Intent, IntentCompletion, IntentStatus, NewIntent, Outbox } from './outbox.js';
export type { ReportLog } from './report-log.js';
export type { SeenRequests } from './seen-requests.js';

export interface Store extends AlertStore, Outbox, ChannelSettings, FeedState, BelvoLinkStore, SeenRequests, ReportLog {
  /** Opens the database and applies migrations. */
  init(): Promise<void>;
  close(): Promise<void>;
  isOpen(): boolean;
  /** A small committed write (readiness): throws when the store cannot write (a full disk, a read-only file). */
  probeWrite(now: number): Promise<void>;
}
