// The webhook ids of the last hours, in memory, in place of a UNIQUE index on belvo_webhooks. Belvo's webhook ids are
// random: such an index takes every new row to a random page of a large B-tree, and a commit writes each page it
// touched to the WAL, so storing a webhook cost three to four times as much as appending it, growing with the table.
//
// Exact, not probabilistic: the window keeps a 64-bit hash of (environment, webhook_id) with the second it was
// received; a hash found is checked against the rows of that second (the time index) before a webhook is called a
// duplicate, so a collision costs one indexed read and never a lost webhook. Bounded: 12 bytes a slot, entries older
// than the horizon dropped as the table fills; the store rebuilds the window from its rows of the horizon when it
// opens, so a retry after a restart is still known. A retry later than the horizon after the first delivery would be
// stored again (README: what the bot guarantees).

/** How long a webhook id is remembered: beyond any retry schedule Belvo documents (five retries, linear backoff). */
export const WEBHOOK_DEDUP_HORIZON_MS = 24 * 3600_000;

const EMPTY = 0;

/** Two independent 32-bit FNV-1a hashes of environment, a separator and the id (never both 0: 0 marks empty). */
function hash(environment: string, webhookId: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  const mix = (code: number) => {
    a = Math.imul(a ^ code, 0x01000193);
    b = Math.imul(b ^ code, 0x5bd1e995) ^ (b >>> 15);
  };
  for (let i = 0; i < environment.length; i++) mix(environment.charCodeAt(i));
  mix(0);
  for (let i = 0; i < webhookId.length; i++) mix(webhookId.charCodeAt(i));
  a |= 0;
  b |= 0;
  return a === EMPTY && b === EMPTY ? [1, 0] : [a, b];
}

/** Whole seconds since 1970 (fit 32 unsigned bits until 2106). */
const secondOf = (ms: number): number => Math.max(0, Math.floor(ms / 1000));

export class WebhookIdWindow {
  private hi: Int32Array;
  private lo: Int32Array;
  private seconds: Uint32Array;
  private used = 0;

  constructor(
    private readonly horizonMs: number = WEBHOOK_DEDUP_HORIZON_MS,
    initialCapacity = 1024,
  ) {
    let capacity = 16;
    while (capacity < initialCapacity) capacity *= 2;
    this.hi = new Int32Array(capacity);
    this.lo = new Int32Array(capacity);
    this.seconds = new Uint32Array(capacity);
  }

  /** Entries held (some may be past the horizon until the next clean-up). */
  get size(): number {
    return this.used;
  }

  /** Bytes its tables take. */
  get bytes(): number {
    return this.hi.byteLength + this.lo.byteLength + this.seconds.byteLength;
  }

  /**
   * The seconds (epoch ms of their start) in which a webhook with this id may have been received: a hash match,
   * which the caller checks against the rows of that second. None when the id is new.
   */
  candidates(environment: string, webhookId: string): number[] {
    const [h, l] = hash(environment, webhookId);
    const mask = this.hi.length - 1;
    const out: number[] = [];
    for (let i = (h ^ (l >>> 7)) & mask; ; i = (i + 1) & mask) {
      if (this.hi[i] === EMPTY && this.lo[i] === EMPTY) return out;
      if (this.hi[i] === h && this.lo[i] === l) out.push(this.seconds[i]! * 1000);
    }
  }

  /** Remembers a stored webhook and when it was received (for the horizon). */
  add(environment: string, webhookId: string, receivedAt: number): void {
    if ((this.used + 1) * 4 > this.hi.length * 3) this.makeRoom(receivedAt);
    this.put(hash(environment, webhookId), secondOf(receivedAt));
  }

  private put([h, l]: [number, number], second: number): void {
    const mask = this.hi.length - 1;
    let i = (h ^ (l >>> 7)) & mask;
    while (!(this.hi[i] === EMPTY && this.lo[i] === EMPTY)) i = (i + 1) & mask;
    this.hi[i] = h;
    this.lo[i] = l;
    this.seconds[i] = second;
    this.used++;
  }

  /** Three quarters full: drop what is past the horizon, and grow when what is left still fills a third. */
  private makeRoom(now: number): void {
    const cutoff = secondOf(now - this.horizonMs);
    let live = 0;
    for (let i = 0; i < this.hi.length; i++) {
      if (!(this.hi[i] === EMPTY && this.lo[i] === EMPTY) && this.seconds[i]! >= cutoff) live++;
    }
    const capacity = (live + 1) * 3 > this.hi.length ? this.hi.length * 2 : this.hi.length;
    const old = { hi: this.hi, lo: this.lo, seconds: this.seconds };
    this.hi = new Int32Array(capacity);
    this.lo = new Int32Array(capacity);
    this.seconds = new Uint32Array(capacity);
    this.used = 0;
    for (let i = 0; i < old.hi.length; i++) {
      const h = old.hi[i]!;
      const l = old.lo[i]!;
      if (!(h === EMPTY && l === EMPTY) && old.seconds[i]! >= cutoff) this.put([h, l], old.seconds[i]!);
    }
  }
}
