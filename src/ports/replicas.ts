// What several replicas of the bot share through their database: who leads (polls and ticks), and each
// destination's pace. One process alone (SQLite) leads for ever and keeps its pace in memory.

/** The leader lease: one holder at a time, for a time; the token grows with every new holder (a fencing token). */
export interface LeaderLease {
  /**
   * Takes the lease, or renews it when this replica holds it, for `ttlMs` from now (the database's clock). Returns
   * the fencing token while held; undefined while another replica holds an unexpired lease.
   */
  tryAcquire(ttlMs: number): Promise<number | undefined>;
  /** Gives the lease up at once (a clean stop), so another replica need not wait for it to expire. */
  release(): Promise<void>;
}

/** Each destination's pace (platform limits: one post per second per Slack channel), kept for all replicas. */
export interface SendPacing {
  /**
   * May this destination be sent to at `now`? When yes, the send is reserved (another replica asking now is told to
   * wait) and the answer is `now` or earlier; when no, the time to try again.
   */
  reserve(destination: string, minIntervalMs: number, now: number): Promise<number>;
  /** A send ended at `at`: the next one waits `minIntervalMs` from then. */
  sent(destination: string, minIntervalMs: number, at: number): Promise<void>;
  /** The destination asked to be left alone until then (Retry-After). */
  pause(destination: string, until: number): Promise<void>;
}
