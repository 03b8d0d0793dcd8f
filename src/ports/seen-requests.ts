// Signed requests already accepted (Slack and Discord signatures), kept for as long as their signature is accepted,
// so a captured request sent again is refused even after the bot restarted. Durable in the store; the in-memory one
// is for a route mounted without a store (tests of the adapter alone).

export interface SeenRequests {
  /**
   * True the first time `key` is offered (and records it until `until`); false while it is remembered. A key whose
   * time has passed is new again. Expired keys are forgotten as new ones arrive.
   */
  firstSeen(key: string, until: number, now: number): Promise<boolean>;
}

export function inMemorySeenRequests(): SeenRequests {
  const seen = new Map<string, number>();
  return {
    async firstSeen(key, until, now) {
      for (const [k, u] of seen) if (u <= now) seen.delete(k);
      if (seen.has(key)) return false;
      seen.set(key, until);
      return true;
    },
  };
}
