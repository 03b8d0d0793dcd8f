// The PagerDuty dedup_key of an alert: the same alert must always map to the same key (that is what makes a
// repeated trigger update the open PagerDuty alert instead of opening a second one), and on-call should be able to
// recognise the alert from the key alone, or paste it into `/belvo-status ack`. Pure: the PagerDuty adapter sends
// it, the chat commands look alerts up by it.
import { createHash } from 'node:crypto';

export const DEDUP_KEY_PREFIX = 'belvo-status/';

/** https://developer.pagerduty.com/docs/send-alert-event (dedup_key: at most 255 characters) */
export const DEDUP_KEY_MAX = 255;

const HASH_HEX_LENGTH = 64;
const HASH_SEPARATOR = '~';

/**
 * `belvo-status/<fingerprint>` when it fits in 255 characters; otherwise a readable start of the fingerprint followed
 * by the sha256 of the whole fingerprint, so two long fingerprints sharing a prefix still get different keys.
 */
export function dedupKeyFor(fingerprint: string): string {
  const readable = `${DEDUP_KEY_PREFIX}${fingerprint}`;
  if (readable.length <= DEDUP_KEY_MAX) return readable;
  const hash = createHash('sha256').update(fingerprint, 'utf8').digest('hex');
  const room = DEDUP_KEY_MAX - DEDUP_KEY_PREFIX.length - HASH_SEPARATOR.length - HASH_HEX_LENGTH;
  return `${DEDUP_KEY_PREFIX}${cutAt(fingerprint, room)}${HASH_SEPARATOR}${hash}`;
}

/**
 * What a dedup key says of its alert: the whole fingerprint when it was short enough to be written out, or only
 * that it was hashed (compare `dedupKeyFor` of candidate fingerprints then). Undefined for a text that is no key.
 */
export function parseDedupKey(key: string): { fingerprint: string } | { hashed: true } | undefined {
  if (!key.startsWith(DEDUP_KEY_PREFIX) || key.length > DEDUP_KEY_MAX) return undefined;
  const rest = key.slice(DEDUP_KEY_PREFIX.length);
  if (rest === '') return undefined;
  const hashed = new RegExp(`${HASH_SEPARATOR}[0-9a-f]{${HASH_HEX_LENGTH}}$`);
  // A hashed key fills the limit (one short when the cut kept a character whole).
  return key.length >= DEDUP_KEY_MAX - 1 && hashed.test(rest) ? { hashed: true } : { fingerprint: rest };
}

/** The first `max` UTF-16 units, one fewer if the cut would leave half of a surrogate pair. */
function cutAt(text: string, max: number): string {
  const code = text.charCodeAt(max - 1);
  const splitsPair = code >= 0xd800 && code <= 0xdbff;
  return text.slice(0, splitsPair ? max - 1 : max);
}
