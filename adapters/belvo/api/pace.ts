// Keeps one client's calls well under Belvo's rate limit (more than 80 requests in 30 s from one IP gets the HTML
// 403 page; Belvo's developer docs "Hosts and auth"). A token bucket in its GCRA form: one timestamp instead
// of a token count and a refill timer, and reservations are handed out in call order, so waiting callers are served
// first come, first served.

/** Belvo's published limit, per IP: shared by every process the team runs there. */
export const BELVO_RATE_LIMIT = { requests: 80, perMs: 30_000 } as const;

export interface PaceOptions {
  /** Sustained rate: this many requests per `perMs`. Default 40 per 30 s, half of Belvo's limit. */
  requests: number;
  perMs: number;
  /**
   * Requests allowed back to back after a quiet spell. Default half of `requests`, so no 30 s window ever holds more
   * than `burst + requests` = 60 calls of this client: room for the team's own calls from the same IP.
   */
  burst?: number;
}

export const DEFAULT_PACE: PaceOptions = { requests: 40, perMs: 30_000 };

export class TokenBucket {
  /** Milliseconds between two tokens at the sustained rate. */
  private readonly interval: number;
  /** How far ahead of now the schedule may run: `burst - 1` intervals. */
  private readonly tolerance: number;
  /** The theoretical arrival time of the next request (GCRA's TAT). */
  private nextAt = Number.NEGATIVE_INFINITY;

  constructor(
    options: PaceOptions,
    private readonly now: () => number = Date.now,
  ) {
    if (!(options.requests > 0 && options.perMs > 0)) throw new Error('pace: requests and perMs must be positive');
    const burst = Math.max(1, Math.floor(options.burst ?? options.requests / 2));
    this.interval = options.perMs / options.requests;
    this.tolerance = (burst - 1) * this.interval;
  }

  /** Milliseconds a call made now would wait for its token (0: a token is there). */
  waitMs(): number {
    const now = this.now();
    return Math.max(0, Math.max(this.nextAt, now) - this.tolerance - now);
  }

  /**
   * Resolves when the caller may send one request. Never fails for lack of tokens, it waits; rejects only when the
   * signal aborts. An aborted wait does not give its slot back: that can only slow the client, never speed it up.
   */
  async take(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    const now = this.now();
    const at = Math.max(this.nextAt, now);
    const wait = at - this.tolerance - now;
    this.nextAt = at + this.interval;
    if (wait > 0) await sleep(wait, signal);
  }

  /** Belvo said "too many" anyway (another process on the same IP): no token for `ms`, then refill from empty. */
  holdFor(ms: number): void {
    const now = this.now();
    this.nextAt = Math.max(this.nextAt, now + ms + this.tolerance);
  }
}

/** setTimeout as a promise that rejects with the signal's reason when aborted. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
