// The full link listing against a store: only a listing read to its end may say a link is gone.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../../adapters/sqlite/sqlite-store.js';
import { syncLinks } from '../../../src/poll/belvo-links.js';
import { type BelvoApi, BelvoApiError, type BelvoLink } from '../../../src/ports/belvo.js';
import type { Store } from '../../../src/ports/store.js';

const T0 = Date.parse('2026-11-27T09:00:00Z');

/** A Belvo API whose listing yields these links, then fails if told to (a page that never came). */
function api(links: BelvoLink[], failAfter?: number): BelvoApi {
  return {
    ping: async () => {},
    listInstitutions: async () => [],
    countLinks: async () => links.length,
    async *listLinks() {
      for (const [i, link] of links.entries()) {
        if (failAfter !== undefined && i === failAfter) {
          throw new BelvoApiError({
            kind: 'belvo',
            status: 503,
            message: 'Belvo sandbox: GET /api/links/?page=2 -> 503',
          });
        }
        yield link;
      }
    },
  };
}

const link = (id: string, status = 'valid'): BelvoLink => ({ id, status, institution: 'erebor_mx_retail' });

describe('syncLinks', () => {
  let store: Store;
  beforeEach(async () => {
    store = createSqliteStore({ path: ':memory:' });
    await store.init();
  });
  afterEach(async () => {
    await store.close();
  });

  const total = async () => (await store.linkStatusCounts('sandbox')).reduce((n, c) => n + c.count, 0);

  it('marks gone what a complete listing no longer names', async () => {
    expect(await syncLinks(store, api([link('a'), link('b'), link('c')]), 'sandbox', T0)).toEqual({
      listed: 3,
      gone: 0,
    });
    expect(await syncLinks(store, api([link('a'), link('c')]), 'sandbox', T0 + 60_000)).toEqual({
      listed: 2,
      gone: 1,
    });
    expect(await total()).toBe(2);
    expect((await store.getBelvoLink('sandbox', 'b'))?.goneAt).toBe(T0 + 60_000);
  });

  it('a listing that fails part-way marks nothing gone', async () => {
    await syncLinks(store, api([link('a'), link('b'), link('c')]), 'sandbox', T0);
    const failing = api([link('a'), link('b'), link('c')], 1);
    await expect(syncLinks(store, failing, 'sandbox', T0 + 60_000)).rejects.toThrow(/503/);
    expect(await total()).toBe(3);
    for (const id of ['a', 'b', 'c']) expect((await store.getBelvoLink('sandbox', id))?.goneAt).toBeUndefined();
  });
});
