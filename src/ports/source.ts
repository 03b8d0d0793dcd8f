import type { StatusPageSnapshot } from '../domain/status-page.js';

/** Conditional-GET state of one feed URL, kept in the store across restarts. */
export interface FeedCursor {
  key: string;
  etag?: string;
  lastModified?: string;
  /** The last body that parsed, so a 304 after a restart still knows what the feed says. */
  body?: string;
  fetchedAt: number;
}

export interface CursorAccess {
  get(key: string): Promise<FeedCursor | undefined>;
}

export type SourceFailureCode = 'timeout' | 'network' | 'http_status' | 'too_large' | 'malformed' | 'rate_limited';

export interface SourceFailure {
  code: SourceFailureCode;
  message: string;
  /** HTTP status when there was one. */
  status?: number;
  /** The server asked us to wait this long (Retry-After): the next poll is not sooner. */
  retryAfterMs?: number;
}

export type StatusPageReadResult =
  | {
      ok: true;
      snapshot: StatusPageSnapshot;
      /** Every feed answered 304 (or the same bytes): the snapshot is the previous one. */
      unchanged: boolean;
      /** Cursors to store with the evaluation this poll leads to (in the same transaction). */
      cursors: FeedCursor[];
    }
  | { ok: false; error: SourceFailure };

/** A status page, read through whichever feed it is configured with. */
export interface StatusPageReader {
  readonly sourceId: string;
  read(signal: AbortSignal): Promise<StatusPageReadResult>;
}
