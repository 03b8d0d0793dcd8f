// The changes the alert-commit service takes: whatever moves an alert goes through it.
import type { Alert, AlertEvent } from '../domain/alert.js';
import type { PollOutcome, Signal } from '../domain/signal.js';
import type { FeedCursor } from '../ports/source.js';

/** The team's links per institution in one Belvo environment, as a poll read them (undefined: none stored). */
export interface PollLinkCounts {
  environment: string;
  counts: { byInstitution: Map<string, number>; total: number } | undefined;
}

/** A polled source, as its alerts need it. */
export interface OutcomeSource {
  id: string;
  /** Human name, for the "cannot be read" alert's title. */
  name: string;
  /** Consecutive failures before that alert fires. */
  failuresBeforeAlert: number;
}

export type AlertChange =
  /** What one read of a source saw (or that it could not be read), with the cursors to keep if it commits. */
  | {
      type: 'poll';
      outcome: PollOutcome;
      source: OutcomeSource;
      cursors?: FeedCursor[];
      /**
       * The outcome judges data the bot already holds (a detector woken by a push), not a read of the source: the
       * source's health (its "cannot be read" alert, its failure count) stays what its last read made it.
       */
      keepSourceHealth?: boolean;
      /**
       * The link counts the poll read to judge its signals: the commit weighs institution incidents with these
       * rather than reading them again, when they are of the environment it counts impact in.
       */
      linkCounts?: PollLinkCounts;
    }
  /** Changes already made to alerts (an acknowledgement from chat): the policy and routing decide who hears. */
  | { type: 'events'; events: AlertEvent[]; alerts: Alert[] }
  /** Time alone: escalations, reminders, silences ending, quiet-hours digests. */
  | { type: 'tick' }
  /** The bot's own observation of itself (a destination refusing its messages). */
  | { type: 'observe'; signal: Signal };

export interface CommitReport {
  events: number;
  intents: number;
  /** Alerts written (0 with 0 events: nothing changed). */
  stored: number;
}
