// The Outbox port's contract (delivery intents written with the change that caused them, claimed, completed, recovered; where each message lives): every store implementation passes it. Run from describeStoreContract,
// which gives each test a fresh, initialised store.
import { beforeEach, describe, expect, it } from 'vitest';
import type { AlertCommit, Store } from '../../src/ports/store.js';
import { makeAlert, makeIntent, T0 } from './alert-factory.js';

export function describeOutboxContract(get: () => Store): void {
  let store: Store;
  beforeEach(() => {
    store = get();
  });

  async function commit(parts: Partial<AlertCommit>): Promise<void> {
    await store.commitAlerts({ alerts: [], intents: [], cursors: [], ...parts });
  }

  describe('outbox intents', () => {
    const dest = 'slack-oncall';

    it('stores new intents as pending, due at notBefore, with the event intact', async () => {
      const alert = makeAlert({ id: 'A1' });
      const intent = makeIntent(alert, dest, { notBefore: T0 + 500 });
      await commit({ alerts: [alert], intents: [intent] });

      const [stored, ...rest] = await store.listIntents();
      expect(rest).toEqual([]);
      expect(stored).toMatchObject({
        alertId: 'A1',
        version: 1,
        destination: dest,
        status: 'pending',
        attempts: 0,
        notBefore: T0 + 500,
        nextAttemptAt: T0 + 500,
      });
      expect(stored?.event).toEqual(intent.event);
      expect(typeof stored?.id).toBe('number');
      expect(typeof stored?.createdAt).toBe('number');
      expect(await store.outboxDepth()).toBe(1);
    });

    it('a deferred intent goes back in line at its new time without counting an attempt', async () => {
      const a1 = makeAlert({ id: 'A1' });
      await commit({ alerts: [a1], intents: [makeIntent(a1, dest)] });
      const [claimed] = await store.claimIntents({ now: T0, limit: 10, leaseMs: 60_000 });
      await store.completeIntent(claimed?.id ?? -1, { status: 'defer', nextAttemptAt: T0 + 1000 });
      expect(await store.claimIntents({ now: T0 + 999, limit: 10, leaseMs: 60_000 })).toEqual([]);
      const [again] = await store.claimIntents({ now: T0 + 1000, limit: 10, leaseMs: 60_000 });
      expect(again).toMatchObject({ alertId: 'A1', attempts: 0, status: 'in_flight' });
      expect(again?.lastError).toBeUndefined();
    });

    it('recoverInFlight makes what a gone holder left in flight due at once, keeping its attempts', async () => {
      const a1 = makeAlert({ id: 'A1' });
      const a2 = makeAlert({ id: 'A2' });
      await commit({ alerts: [a1, a2], intents: [makeIntent(a1, dest), makeIntent(a2, dest)] });
      const [sent] = await store.claimIntents({ now: T0, limit: 1, leaseMs: 60_000 });
      expect(await store.countAttempt(sent?.id ?? -1)).toBe(1);

      expect(await store.recoverInFlight(T0 + 5)).toBe(1);
      const reclaimed = await store.claimIntents({ now: T0 + 5, limit: 10, leaseMs: 60_000 });
      expect(reclaimed.map((i) => [i.alertId, i.attempts])).toEqual([
        ['A1', 1],
        ['A2', 0],
      ]);
      expect(await store.recoverInFlight(T0 + 6)).toBe(2);
    });

    it('tells when each destination last took a delivery, since a time', async () => {
      const a1 = makeAlert({ id: 'A1' });
      const a2 = makeAlert({ id: 'A2' });
      await commit({
        alerts: [a1, a2],
        intents: [makeIntent(a1, dest), makeIntent(a2, dest), makeIntent(a1, 'console')],
      });
      const claimed = await store.claimIntents({ now: T0, limit: 10, leaseMs: 60_000 });
      const byKey = new Map(claimed.map((i) => [`${i.alertId} ${i.destination}`, i.id]));
      await store.completeIntent(byKey.get(`A1 ${dest}`) ?? -1, { status: 'delivered', at: T0 + 100 });
      await store.completeIntent(byKey.get(`A2 ${dest}`) ?? -1, { status: 'delivered', at: T0 + 900 });
      await store.completeIntent(byKey.get('A1 console') ?? -1, { status: 'delivered', at: T0 + 50 });
      expect(await store.lastDeliveries(T0)).toEqual(
        new Map([
          [dest, T0 + 900],
          ['console', T0 + 50],
        ]),
      );
      expect(await store.lastDeliveries(T0 + 60)).toEqual(new Map([[dest, T0 + 900]]));
      expect(await store.lastDeliveries(T0 + 1000)).toEqual(new Map());
    });

    it('ignores a duplicate (alert, version, destination), in the same commit or a later one', async () => {
      const alert = makeAlert({ id: 'A1' });
      const first = makeIntent(alert, dest);
      const dupe = makeIntent(alert, dest, { event: { ...first.event, reason: 'second decision' } });
      await commit({ alerts: [alert], intents: [first, dupe] });
      await commit({ intents: [dupe] });

      const all = await store.listIntents();
      expect(all).toHaveLength(1);
      expect(all[0]?.event.reason).toBe(first.event.reason);
      expect(await store.outboxDepth()).toBe(1);
    });

    it('filters listIntents by alert and status', async () => {
      const a = makeAlert({ id: 'A1' });
      const b = makeAlert({ id: 'A2' });
      await commit({ alerts: [a, b], intents: [makeIntent(a, dest), makeIntent(b, dest)] });
      const [claimed] = await store.claimIntents({ now: T0, limit: 1, leaseMs: 1000 });

      expect((await store.listIntents({ alertId: 'A2' })).map((i) => i.alertId)).toEqual(['A2']);
      expect((await store.listIntents({ status: 'in_flight' })).map((i) => i.id)).toEqual([claimed?.id]);
      expect(await store.listIntents({ alertId: 'A1', status: 'delivered' })).toEqual([]);
    });

    it('claims nothing before notBefore, then leases it; an attempt counts only when counted (sent)', async () => {
      const alert = makeAlert({ id: 'A1' });
      const intent = makeIntent(alert, dest, { notBefore: T0 + 1000 });
      await commit({ alerts: [alert], intents: [intent] });

      expect(await store.claimIntents({ now: T0 + 999, limit: 10, leaseMs: 30_000 })).toEqual([]);
      const claimed = await store.claimIntents({ now: T0 + 1000, limit: 10, leaseMs: 30_000 });
      expect(claimed).toHaveLength(1);
      expect(claimed[0]).toMatchObject({ status: 'in_flight', attempts: 0, leaseUntil: T0 + 31_000 });
      expect(claimed[0]?.event).toEqual(intent.event);
      expect(await store.listIntents({ status: 'in_flight' })).toEqual(claimed);
      expect(await store.outboxDepth()).toBe(1);
      expect(await store.countAttempt(claimed[0]?.id ?? -1)).toBe(1);
      expect(await store.countAttempt(claimed[0]?.id ?? -1)).toBe(2);
      expect(await store.listIntents({ status: 'in_flight' })).toMatchObject([{ attempts: 2 }]);
    });

    it('claims at most `limit`, oldest first', async () => {
      const alerts = ['A1', 'A2', 'A3'].map((id) => makeAlert({ id }));
      await commit({ alerts, intents: alerts.map((a) => makeIntent(a, dest)) });
      const first = await store.claimIntents({ now: T0, limit: 2, leaseMs: 1000 });
      expect(first.map((i) => i.alertId)).toEqual(['A1', 'A2']);
      const second = await store.claimIntents({ now: T0, limit: 2, leaseMs: 1000 });
      expect(second.map((i) => i.alertId)).toEqual(['A3']);
    });

    it('leaves the intents of destinations the caller is still delivering to, and claims the others', async () => {
      const a = makeAlert({ id: 'A1' });
      const b = makeAlert({ id: 'A2' });
      await commit({
        alerts: [a, b],
        intents: [makeIntent(a, dest), makeIntent(a, 'pagerduty'), makeIntent(b, dest), makeIntent(b, 'discord-ops')],
      });
      const claimed = await store.claimIntents({
        now: T0,
        limit: 10,
        leaseMs: 1000,
        skipDestinations: [dest, 'discord-ops'],
      });
      expect(claimed.map((i) => `${i.alertId}/${i.destination}`)).toEqual(['A1/pagerduty']);
      // Skipped, not leased: claimable at once when the destination is free again.
      const later = await store.claimIntents({ now: T0, limit: 10, leaseMs: 1000, skipDestinations: [] });
      expect(later.map((i) => `${i.alertId}/${i.destination}`)).toEqual([`A1/${dest}`, `A2/${dest}`, 'A2/discord-ops']);
    });

    it('does not claim a later version while an earlier one for the same alert and destination is undelivered', async () => {
      const a = makeAlert({ id: 'A1' });
      const b = makeAlert({ id: 'A2' });
      await commit({
        alerts: [a, b],
        intents: [
          makeIntent(a, dest, { version: 1 }),
          makeIntent(a, dest, { version: 2 }),
          makeIntent(a, 'discord-ops', { version: 1 }),
          makeIntent(b, dest, { version: 1 }),
        ],
      });

      const first = await store.claimIntents({ now: T0, limit: 10, leaseMs: 1000 });
      expect(first.map((i) => `${i.alertId}/${i.destination}/v${i.version}`).sort()).toEqual([
        'A1/discord-ops/v1',
        'A1/slack-oncall/v1',
        'A2/slack-oncall/v1',
      ]);
      // v1 in flight: v2 waits.
      expect(await store.claimIntents({ now: T0 + 1, limit: 10, leaseMs: 1000 })).toEqual([]);

      const v1 = first.find((i) => i.alertId === 'A1' && i.destination === dest && i.version === 1)!;
      await store.completeIntent(v1.id, { status: 'delivered', at: T0 + 2 });
      const next = await store.claimIntents({ now: T0 + 2, limit: 10, leaseMs: 1000 });
      expect(next.map((i) => `${i.alertId}/${i.destination}/v${i.version}`)).toEqual(['A1/slack-oncall/v2']);
    });

    it('holds a later version while the earlier one is pending but not yet due', async () => {
      const a = makeAlert({ id: 'A1' });
      await commit({
        alerts: [a],
        intents: [makeIntent(a, dest, { version: 1, notBefore: T0 + 60_000 }), makeIntent(a, dest, { version: 2 })],
      });
      expect(await store.claimIntents({ now: T0, limit: 10, leaseMs: 1000 })).toEqual([]);
      const claimed = await store.claimIntents({ now: T0 + 60_000, limit: 10, leaseMs: 1000 });
      expect(claimed.map((i) => i.version)).toEqual([1]);
    });

    it('re-claims an intent whose lease expired (the holder crashed), keeping the attempts it counted', async () => {
      const a = makeAlert({ id: 'A1' });
      await commit({ alerts: [a], intents: [makeIntent(a, dest)] });
      const [first] = await store.claimIntents({ now: T0, limit: 10, leaseMs: 5000 });
      await store.countAttempt(first?.id ?? -1);

      expect(await store.claimIntents({ now: T0 + 4999, limit: 10, leaseMs: 5000 })).toEqual([]);
      const again = await store.claimIntents({ now: T0 + 5000, limit: 10, leaseMs: 5000 });
      expect(again).toHaveLength(1);
      expect(again[0]).toMatchObject({ id: first?.id, status: 'in_flight', attempts: 1, leaseUntil: T0 + 10_000 });
    });

    it('puts a retried intent back in line at nextAttemptAt with its error, still blocking later versions', async () => {
      const a = makeAlert({ id: 'A1' });
      await commit({
        alerts: [a],
        intents: [makeIntent(a, dest, { version: 1 }), makeIntent(a, dest, { version: 2 })],
      });
      const [v1] = await store.claimIntents({ now: T0, limit: 10, leaseMs: 30_000 });
      await store.countAttempt(v1!.id);
      await store.completeIntent(v1!.id, { status: 'retry', nextAttemptAt: T0 + 5000, error: 'slack 503' });

      const [row] = await store.listIntents({ alertId: 'A1' });
      expect(row).toMatchObject({ status: 'pending', nextAttemptAt: T0 + 5000, lastError: 'slack 503', attempts: 1 });
      expect(row?.leaseUntil).toBeUndefined();
      expect(await store.claimIntents({ now: T0 + 4999, limit: 10, leaseMs: 30_000 })).toEqual([]);
      const retried = await store.claimIntents({ now: T0 + 5000, limit: 10, leaseMs: 30_000 });
      expect(retried.map((i) => [i.version, i.attempts])).toEqual([[1, 1]]);
      expect(await store.outboxDepth()).toBe(2);
    });

    it('records delivery and the parent message reference in one step', async () => {
      const a = makeAlert({ id: 'A1' });
      await commit({ alerts: [a], intents: [makeIntent(a, dest)] });
      const [c] = await store.claimIntents({ now: T0, limit: 10, leaseMs: 30_000 });
      const parent = { alertId: 'A1', destination: dest, messageId: '1700000000.000100', extra: { channel: 'C1' } };

      expect(await store.getMessageRef('A1', dest)).toBeUndefined();
      await store.completeIntent(c!.id, { status: 'delivered', at: T0 + 100, parent });

      expect(await store.getMessageRef('A1', dest)).toEqual(parent);
      expect(await store.getMessageRef('A1', 'discord-ops')).toBeUndefined();
      expect(await store.listMessageRefs('A1')).toEqual([parent]);
      expect(await store.listMessageRefs('A2')).toEqual([]);
      const [row] = await store.listIntents({ alertId: 'A1' });
      expect(row).toMatchObject({ status: 'delivered', deliveredAt: T0 + 100 });
      expect(row?.leaseUntil).toBeUndefined();
      expect(await store.outboxDepth()).toBe(0);
      expect(await store.claimIntents({ now: T0 + 10_000_000, limit: 10, leaseMs: 1000 })).toEqual([]);
    });

    it('re-keys the parent when a later delivery posts a new one, and keeps it when none is given', async () => {
      const a = makeAlert({ id: 'A1' });
      await commit({
        alerts: [a],
        intents: [1, 2, 3].map((version) => makeIntent(a, dest, { version })),
      });
      const deliverNext = async (parentId?: string) => {
        const [c] = await store.claimIntents({ now: T0, limit: 1, leaseMs: 1000 });
        const parent = parentId ? { alertId: 'A1', destination: dest, messageId: parentId } : undefined;
        await store.completeIntent(c!.id, { status: 'delivered', at: T0, ...(parent ? { parent } : {}) });
      };
      await deliverNext('m1');
      await deliverNext('m2');
      expect(await store.getMessageRef('A1', dest)).toEqual({ alertId: 'A1', destination: dest, messageId: 'm2' });
      await deliverNext();
      expect((await store.getMessageRef('A1', dest))?.messageId).toBe('m2');
    });

    it('treats failed as terminal: never claimed again, and later versions go ahead', async () => {
      const a = makeAlert({ id: 'A1' });
      await commit({
        alerts: [a],
        intents: [makeIntent(a, dest, { version: 1 }), makeIntent(a, dest, { version: 2 })],
      });
      const [v1] = await store.claimIntents({ now: T0, limit: 10, leaseMs: 1000 });
      await store.completeIntent(v1!.id, { status: 'failed', error: 'channel_not_found' });

      expect(await store.listIntents({ status: 'failed' })).toMatchObject([
        { id: v1?.id, version: 1, lastError: 'channel_not_found' },
      ]);
      expect(await store.outboxDepth()).toBe(1);
      const later = await store.claimIntents({ now: T0 + 10_000_000, limit: 10, leaseMs: 1000 });
      expect(later.map((i) => i.version)).toEqual([2]);
    });

    it('ignores a late completion for an intent that already reached a final state', async () => {
      const a = makeAlert({ id: 'A1' });
      await commit({ alerts: [a], intents: [makeIntent(a, dest)] });
      const [c] = await store.claimIntents({ now: T0, limit: 10, leaseMs: 1000 });
      await store.completeIntent(c!.id, { status: 'delivered', at: T0 + 1 });
      await store.completeIntent(c!.id, { status: 'retry', nextAttemptAt: T0 + 2, error: 'stale holder' });

      const [row] = await store.listIntents();
      expect(row).toMatchObject({ status: 'delivered', deliveredAt: T0 + 1 });
      expect(row?.lastError).toBeUndefined();
      expect(await store.claimIntents({ now: T0 + 1_000_000, limit: 10, leaseMs: 1000 })).toEqual([]);
    });

    it('counts pending and in-flight intents as the outbox depth', async () => {
      const alerts = ['A1', 'A2', 'A3', 'A4'].map((id) => makeAlert({ id }));
      await commit({ alerts, intents: alerts.map((a) => makeIntent(a, dest)) });
      expect(await store.outboxDepth()).toBe(4);
      const claimed = await store.claimIntents({ now: T0, limit: 3, leaseMs: 1000 });
      expect(await store.outboxDepth()).toBe(4);
      await store.completeIntent(claimed[0]!.id, { status: 'delivered', at: T0 });
      await store.completeIntent(claimed[1]!.id, { status: 'failed', error: 'x' });
      await store.completeIntent(claimed[2]!.id, { status: 'retry', nextAttemptAt: T0 + 1, error: 'y' });
      expect(await store.outboxDepth()).toBe(2);
    });
  });
}
