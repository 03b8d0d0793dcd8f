// What the bot remembers of each source between polls: conditional-GET cursors, and whether (and when) it was read.
import type { FeedCursor } from './source.js';

export interface SourceState {
  source: string;
  /** First successful read: before it, the source is at first sight (history is recorded, not posted). */
  firstSuccessAt?: number;
  lastSuccessAt?: number;
  lastFailureAt?: number;
  consecutiveFailures: number;
  lastError?: string;
}

export interface FeedState {
  getSourceState(source: string): Promise<SourceState | undefined>;
  getCursor(key: string): Promise<FeedCursor | undefined>;
}
