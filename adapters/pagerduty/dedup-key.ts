// The dedup_key derivation is the core's (chat commands look alerts up by it); the notifier sends what it derives.
export { DEDUP_KEY_PREFIX, dedupKeyFor } from '../../src/domain/dedup-key.js';
