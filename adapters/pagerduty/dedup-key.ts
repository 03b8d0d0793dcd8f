// The PagerDuty dedup_key of an alert: the same alert must always map to the same key (that is what makes a
// repeated trigger update the open PagerDuty alert instead of opening a second one), and on-call should be able to
// recognise the alert from the key alone.
import { createHash } from 'node:crypto';
import { PAGERDUTY_LIMITS } from './limits.js';

export const DEDUP_KEY_PREFIX = 'belvo-status/';

const HASH_HEX_LENGTH = 64;
const HASH_SEPARATOR = '~';

/**
 * `belvo-status/<fingerprint>` when it fits in 255 characters; otherwise a readable start of the fingerprint followed
 * by the sha256 of the whole fingerprint, so two long fingerprints sharing a prefix still get different keys.
 */
export function dedupKeyFor(fingerprint: string): string {
  const readable = `${DEDUP_KEY_PREFIX}${fingerprint}`;
  if (readable.length <= PAGERDUTY_LIMITS.dedupKey) return readable;
  const hash = createHash('sha256').update(fingerprint, 'utf8').digest('hex');
  const room = PAGERDUTY_LIMITS.dedupKey - DEDUP_KEY_PREFIX.length - HASH_SEPARATOR.length - HASH_HEX_LENGTH;
  return `${DEDUP_KEY_PREFIX}${cutAt(fingerprint, room)}${HASH_SEPARATOR}${hash}`;
}

/** The first `max` UTF-16 units, one fewer if the cut would leave half of a surrogate pair. */
function cutAt(text: string, max: number): string {
  const code = text.charCodeAt(max - 1);
  const splitsPair = code >= 0xd800 && code <= 0xdbff;
  return text.slice(0, splitsPair ? max - 1 : max);
}
