// What channels asked for: subscriptions (who hears of what) and silences (what is muted until when), made in chat
// and kept; the config's own are added by the alert-commit service.
import type { Silence } from '../domain/silence.js';
import type { Subscription } from '../domain/subscription.js';

/** Named counters behind the short ids typed in chat (`sub-3`, `S4`); each is independent of the others. */
export type SequenceName = 'subscription' | 'silence';

export interface ChannelSettings {
  listSubscriptions(): Promise<Subscription[]>;
  addSubscription(sub: Subscription): Promise<void>;
  removeSubscription(id: string): Promise<boolean>;
  /**
   * Every silence, or with `now` those not yet over (`endsAt > now`). A recurring silence is listed, with its weekly
   * schedule, for as long as its windows repeat, whether or not one is open at `now` (`silenceActive` says that).
   */
  listSilences(now?: number): Promise<Silence[]>;
  addSilence(silence: Silence): Promise<void>;
  removeSilence(id: string): Promise<boolean>;
  /**
   * Next value (1, 2, 3...) of a named counter, never handed out twice for the life of the database, and separate
   * from alert ids. Chat-created subscriptions and silences get short ids from it (`sub-3`, `S4`).
   */
  nextSequence(name: SequenceName): Promise<number>;
}
