// The ChannelSettings port's contract (subscriptions and silences made from chat, and the sequences that name them): every store implementation passes it. Run from describeStoreContract,
// which gives each test a fresh, initialised store.
import { beforeEach, describe, expect, it } from 'vitest';
import type { Silence } from '../../src/domain/silence.js';
import type { Subscription } from '../../src/domain/subscription.js';
import type { Store } from '../../src/ports/store.js';
import { makeAlert, T0 } from './alert-factory.js';

export function describeChannelSettingsContract(get: () => Store): void {
  let store: Store;
  beforeEach(() => {
    store = get();
  });

  describe('subscriptions', () => {
    const sub: Subscription = {
      id: 'sub-1',
      destination: 'slack:C123',
      filter: {
        kinds: ['statuspage'],
        countries: ['MX', 'CO'],
        institutions: ['erebor_mx_retail'],
        minSeverity: 'major',
      },
      createdBy: 'U42',
      createdAt: T0,
    };

    it('adds, lists, replaces by id and removes', async () => {
      const other: Subscription = { id: 'sub-2', destination: 'console', filter: {}, createdAt: T0 + 1 };
      await store.addSubscription(sub);
      await store.addSubscription(other);
      expect(await store.listSubscriptions()).toEqual([sub, other]);

      const changed = { ...sub, filter: { minSeverity: 'critical' as const } };
      await store.addSubscription(changed);
      expect(await store.listSubscriptions()).toEqual([changed, other]);

      expect(await store.removeSubscription('sub-1')).toBe(true);
      expect(await store.removeSubscription('sub-1')).toBe(false);
      expect(await store.listSubscriptions()).toEqual([other]);
    });

    it('keeps quiet hours in the filter as stored data', async () => {
      const quiet: Subscription = {
        id: 'sub-3',
        destination: 'discord:123',
        filter: { minSeverity: 'major', quietHours: { from: '22:00', to: '07:00', tz: 'America/Mexico_City' } },
        createdBy: 'ana',
        createdAt: T0,
      };
      await store.addSubscription(quiet);
      expect(await store.listSubscriptions()).toEqual([quiet]);
    });
  });

  describe('silences', () => {
    const active: Silence = {
      id: 's1',
      matcher: { institution: 'erebor_mx_retail', kind: 'belvo' },
      startsAt: T0,
      endsAt: T0 + 3_600_000,
      createdBy: 'U42',
      reason: 'bank maintenance, known',
    };
    const short: Silence = {
      id: 's2',
      matcher: { fingerprint: 'sp/c1' },
      startsAt: T0 + 1,
      endsAt: T0 + 60_000,
      createdBy: 'U7',
      reason: 'noise',
    };

    it('lists every silence without a time and only unexpired ones with one', async () => {
      await store.addSilence(active);
      await store.addSilence(short);
      expect(await store.listSilences()).toEqual([active, short]);
      expect(await store.listSilences(T0 + 59_999)).toEqual([active, short]);
      expect(await store.listSilences(T0 + 60_000)).toEqual([active]);
      expect(await store.listSilences(T0 + 3_600_000)).toEqual([]);
    });

    it('removes a silence by id', async () => {
      await store.addSilence(active);
      expect(await store.removeSilence('s1')).toBe(true);
      expect(await store.removeSilence('s1')).toBe(false);
      expect(await store.listSilences()).toEqual([]);
    });
  });

  describe('nextSequence', () => {
    it('counts each name from 1 on its own, apart from alert ids', async () => {
      expect(await store.nextSequence('subscription')).toBe(1);
      expect(await store.nextSequence('subscription')).toBe(2);
      expect(await store.nextSequence('silence')).toBe(1);
      expect(await store.nextSequence('subscription')).toBe(3);
      const concurrent = await Promise.all(Array.from({ length: 5 }, () => store.nextSequence('silence')));
      expect([...concurrent].sort((x, y) => x - y)).toEqual([2, 3, 4, 5, 6]);
      const { ids } = await store.commitAlerts({
        alerts: [makeAlert({ id: 'new:1', rev: 0, maintenance: undefined })],
        intents: [],
        cursors: [],
      });
      expect(ids.get('new:1')).toBe('A1');
    });
  });
}
