// The FeedState port's contract (what each source last saw: cursors and source state, written with the alerts they caused): every store implementation passes it. Run from describeStoreContract,
// which gives each test a fresh, initialised store.
import { beforeEach, describe, expect, it } from 'vitest';
import type { FeedCursor } from '../../src/ports/source.js';
import type { AlertCommit, Store } from '../../src/ports/store.js';
import { T0 } from './alert-factory.js';

export function describeFeedStateContract(get: () => Store): void {
  let store: Store;
  beforeEach(() => {
    store = get();
  });

  async function commit(parts: Partial<AlertCommit>): Promise<void> {
    await store.commitAlerts({ alerts: [], intents: [], cursors: [], ...parts });
  }

  describe('cursors and source state', () => {
    it('stores, replaces and returns feed cursors', async () => {
      const full: FeedCursor = {
        key: 'sp/summary',
        etag: 'W/"abc"',
        lastModified: 'Wed, 15 Jan 2025 12:00:00 GMT',
        body: '{"page":{"id":"x"}}',
        fetchedAt: T0,
      };
      const bare: FeedCursor = { key: 'sp/rss', fetchedAt: T0 };
      await commit({ cursors: [full, bare] });
      expect(await store.getCursor('sp/summary')).toEqual(full);
      expect(await store.getCursor('sp/rss')).toEqual(bare);
      expect(await store.getCursor('nope')).toBeUndefined();

      await commit({ cursors: [{ key: 'sp/summary', etag: 'W/"def"', fetchedAt: T0 + 60_000 }] });
      expect(await store.getCursor('sp/summary')).toEqual({
        key: 'sp/summary',
        etag: 'W/"def"',
        fetchedAt: T0 + 60_000,
      });
    });

    it('stores and replaces source state as a whole', async () => {
      const failing = {
        source: 'sp',
        firstSuccessAt: T0 - 10_000,
        lastSuccessAt: T0 - 5000,
        lastFailureAt: T0,
        consecutiveFailures: 3,
        lastError: 'timeout after 10s',
      };
      await commit({ sourceState: failing });
      expect(await store.getSourceState('sp')).toEqual(failing);
      expect(await store.getSourceState('other')).toBeUndefined();

      const recovered = { source: 'sp', firstSuccessAt: T0 - 10_000, lastSuccessAt: T0 + 1, consecutiveFailures: 0 };
      await commit({ sourceState: recovered });
      expect(await store.getSourceState('sp')).toEqual(recovered);
    });
  });
}
