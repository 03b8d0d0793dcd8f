// The store, split by aggregate: each part of the bot depends on the small port it needs (alerts and incidents, the
// outbox, what channels asked for, feed state, Belvo links); one implementation (SQLite, PostgreSQL) provides them
// all, and each port has its own contract suite.
import type { AlertStore } from './alert-store.js';
import type { BelvoLinkStore } from './belvo-links.js';
import type { ChannelSettings } from './channel-settings.js';
import type { FeedState } from './feed-state.js';
import type { Outbox } from './outbox.js';

export type {
  AlertCommit,
  AlertCommitResult,
  AlertQuery,
  AlertStore,
  CommitContext,
  CommitContextQuery,
  PrunedAlerts,
} from './alert-store.js';
export { StoreConflictError } from './alert-store.js';
export type { BelvoLinkStore } from './belvo-links.js';
export type { ChannelSettings, SequenceName } from './channel-settings.js';
export type { FeedState, SourceState } from './feed-state.js';
export type { ClaimOptions, Intent, IntentCompletion, IntentStatus, NewIntent, Outbox } from './outbox.js';

export interface Store extends AlertStore, Outbox, ChannelSettings, FeedState, BelvoLinkStore {
  /** Opens the database and applies migrations. */
  init(): Promise<void>;
  close(): Promise<void>;
  isOpen(): boolean;
}
