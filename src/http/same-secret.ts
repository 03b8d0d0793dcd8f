// Constant-time comparison of a presented secret with the configured one. Both sides are hashed first, so neither
// the comparison time nor an early length check tells an attacker anything about the secret's length or prefix.
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

export function sameSecret(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digest(expected)) && expected.length > 0;
}
