// The behaviour every Store must show, whatever it is built on: run it from each implementation's test file. It is
// the composition of one contract per port (each in its own file), as Store is the composition of the ports.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/ports/store.js';
import { describeAlertStoreContract } from './alert-store-contract.js';
import { describeBelvoLinkContract } from './belvo-links-contract.js';
import { describeChannelSettingsContract } from './channel-settings-contract.js';
import { describeFeedStateContract } from './feed-state-contract.js';
import { describeOutboxContract } from './outbox-contract.js';
import { describeReportLogContract } from './report-log-contract.js';
import { describeSeenRequestsContract } from './seen-requests-contract.js';

/**
 * `makeStore` returns a fresh, empty store that has not been initialised yet; the suite calls `init()` and
 * `close()` itself.
 */
export function describeStoreContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;

    beforeEach(async () => {
      store = await makeStore();
      await store.init();
    });

    afterEach(async () => {
      await store.close();
    });

    describe('lifecycle', () => {
      it('is open after init and closed after close', async () => {
        expect(store.isOpen()).toBe(true);
        await store.close();
        expect(store.isOpen()).toBe(false);
      });

      it('takes a probe write while open, and refuses one once closed', async () => {
        await expect(store.probeWrite(1)).resolves.toBeUndefined();
        await expect(store.probeWrite(2)).resolves.toBeUndefined();
        await store.close();
        await expect(store.probeWrite(3)).rejects.toThrow();
      });
    });

    describe('alerts and incidents (AlertStore)', () => {
      describeAlertStoreContract(() => store);
    });

    describe('outbox and message refs (Outbox)', () => {
      describeOutboxContract(() => store);
    });

    describe('cursors and source state (FeedState)', () => {
      describeFeedStateContract(() => store);
    });

    describe('subscriptions and silences (ChannelSettings)', () => {
      describeChannelSettingsContract(() => store);
    });

    describe('Belvo webhooks and links', () => {
      describeBelvoLinkContract(() => store);
    });

    describeSeenRequestsContract(() => store);
    describeReportLogContract(() => store);
  });
}
