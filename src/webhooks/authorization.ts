// Belvo signs nothing: its webhook carries the fixed Authorization value configured on Belvo's side. Both sides are
// hashed before the constant-time compare, so neither the value nor its length shows in the response time.
import * as crypto from 'node:crypto';

// One-shot hashing (Node 20.12+) takes half the time of a Hash object, and this runs for every request; Node 20.11,
// which package.json still accepts, has only the Hash object.
const digest: (value: string) => Buffer =
  typeof crypto.hash === 'function'
    ? (value) => crypto.hash('sha256', value, 'buffer')
    : (value) => crypto.createHash('sha256').update(value, 'utf8').digest();

export type AuthorizationVerdict = 'ok' | 'missing' | 'wrong';

export class FixedAuthorization {
  private readonly expected: Buffer;

  constructor(value: string, what: string) {
    // An empty value would accept an empty header: refuse to start rather than accept anyone.
    if (value.trim() === '') throw new Error(`${what}: the Authorization value is empty`);
    this.expected = digest(value);
  }

  check(header: string | string[] | undefined): AuthorizationVerdict {
    if (header === undefined || header === '') return 'missing';
    // Node joins nothing for Authorization (a repeated header is dropped), but be strict if an array ever shows up.
    if (Array.isArray(header)) return 'wrong';
    return crypto.timingSafeEqual(digest(header), this.expected) ? 'ok' : 'wrong';
  }
}
