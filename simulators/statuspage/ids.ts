// Statuspage ids are 12 lowercase alphanumerics (`n4njzfn1mqy0`). Derived from a seed and a counter so a scripted
// scenario produces the same ids on every run, and golden tests stay stable.
import { createHash } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

export class IdSource {
  private counter = 0;
  private readonly numberBase: number;
  private numberCounter = 0;

  constructor(private readonly seed: string) {
    // Atom entry numbers are sequential database ids in the millions on real pages.
    this.numberBase = 10_000_000 + (createHash('sha256').update(`${seed}:atom`).digest().readUInt32BE(0) % 9_000_000);
  }

  /** A fresh 12-char id (or `length` chars, e.g. 7 for a shortlink). */
  next(length = 12): string {
    const digest = createHash('sha256')
      .update(`${this.seed}:${this.counter++}`)
      .digest();
    let out = '';
    for (let i = 0; i < length; i++) out += ALPHABET[digest[i]! % ALPHABET.length];
    return out;
  }

  /** The Atom feed's numeric incident id, unrelated to the JSON id. */
  nextNumber(): number {
    this.numberCounter += 1 + (this.numberCounter % 7);
    return this.numberBase + this.numberCounter * 13;
  }
}
