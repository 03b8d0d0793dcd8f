// The behaviour every Store must show, whatever it is built on: run it from each implementation's test file.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../src/domain/alert.js';
import { INCIDENT_KIND } from '../../src/domain/fingerprint.js';
import type { Silence } from '../../src/domain/silence.js';
import type { Subscription } from '../../src/domain/subscription.js';
import type { FeedCursor } from '../../src/ports/source.js';
import { type AlertCommit, type CommitContextQuery, type Store, StoreConflictError } from '../../src/ports/store.js';
import { makeAlert, makeIntent, T0 } from './alert-factory.js';
import { describeBelvoLinkContract } from './belvo-links-contract.js';

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

    async function commit(parts: Partial<AlertCommit>): Promise<void> {
      await store.commitAlerts({ alerts: [], intents: [], cursors: [], ...parts });
    }

    async function ids(alerts: Promise<Alert[]>): Promise<string[]> {
      return (await alerts).map((a) => a.id).sort();
    }

    describe('lifecycle', () => {
      it('is open after init and closed after close', async () => {
        expect(store.isOpen()).toBe(true);
        await store.close();
        expect(store.isOpen()).toBe(false);
      });
    });

    describe('alerts', () => {
      it('returns an alert exactly as committed, every nested field included', async () => {
        const alert = makeAlert({ id: 'A1' });
        const sent = structuredClone(alert);
        await commit({ alerts: [alert] });

        const got = await store.getAlert('A1');
        expect(got).toEqual({ ...sent, rev: alert.rev });
        expect(got?.timeline[0]?.text).toBe('We are investigating — ñ, é');
        expect(got?.maintenance?.before).toEqual({ state: 'pending', severity: 'minor', announced: false });
        expect(got?.institution).toEqual({
          name: 'erebor_mx_retail',
          displayName: 'Banco Erebor MX - Retail',
          country: 'MX',
        });
        expect(got?.evidence['affectedComponents']).toEqual(['cmp_1', 'cmp_2']);
      });

      it('keeps an alert with no optional fields free of them', async () => {
        const bare = makeAlert({ id: 'A1' });
        for (const k of [
          'url',
          'environment',
          'institution',
          'revision',
          'maintenance',
          'acknowledged',
          'firedAt',
          'resolvedAt',
          'okSince',
          'lastBadAt',
        ] as const) {
          delete bare[k];
        }
        await commit({ alerts: [bare] });
        const got = await store.getAlert('A1');
        expect(got).toEqual(bare);
        expect(got && 'institution' in got).toBe(false);
      });

      it('returns undefined for an unknown id', async () => {
        expect(await store.getAlert('A404')).toBeUndefined();
      });

      it('updates the caller’s rev after a commit so the same object can be committed again', async () => {
        const alert = makeAlert({ id: 'A1', rev: 0 });
        await commit({ alerts: [alert] });
        const first = alert.rev;
        expect((await store.getAlert('A1'))?.rev).toBe(first);

        alert.title = 'Banco Erebor MX - Retail is back';
        alert.state = 'resolved';
        await commit({ alerts: [alert] });
        expect(alert.rev).not.toBe(first);
        const got = await store.getAlert('A1');
        expect(got?.rev).toBe(alert.rev);
        expect(got?.title).toBe('Banco Erebor MX - Retail is back');
        expect(got?.state).toBe('resolved');
      });

      it('rejects an update made from a stale copy and keeps the newer row', async () => {
        const alert = makeAlert({ id: 'A1' });
        await commit({ alerts: [alert] });
        const stale = structuredClone(alert);

        alert.title = 'winner';
        await commit({ alerts: [alert] });

        stale.title = 'loser';
        await expect(commit({ alerts: [stale] })).rejects.toBeInstanceOf(StoreConflictError);
        expect((await store.getAlert('A1'))?.title).toBe('winner');
      });

      it('rejects inserting a second alert with an id that is already stored', async () => {
        await commit({ alerts: [makeAlert({ id: 'A1', title: 'first' })] });
        await expect(commit({ alerts: [makeAlert({ id: 'A1', title: 'second' })] })).rejects.toBeInstanceOf(
          StoreConflictError,
        );
        expect((await store.getAlert('A1'))?.title).toBe('first');
      });

      it('keeps one open incident per institution: a second one opened at the same moment is a conflict', async () => {
        const incident = (id: string, state: 'firing' | 'resolved') =>
          makeAlert({ id, fingerprint: 'institution/erebor_mx_retail', kind: INCIDENT_KIND, source: 'bot', state });
        await commit({ alerts: [incident('A1', 'firing')] });
        await expect(commit({ alerts: [incident('A2', 'firing'), makeAlert({ id: 'A3' })] })).rejects.toBeInstanceOf(
          StoreConflictError,
        );
        expect(await store.getAlert('A3')).toBeUndefined(); // the whole commit was refused
        // Once it is resolved, the next problem at that institution is a new incident.
        const [open] = await store.listAlerts({ states: ['firing'] });
        await commit({ alerts: [{ ...(open as Alert), state: 'resolved' }] });
        await commit({ alerts: [incident('A4', 'firing')] });
        expect((await store.listAlerts({ states: ['firing'] })).map((a) => a.id)).toEqual(['A4']);
      });

      it('lists alerts newest first, filtered by state and source, limited', async () => {
        await commit({ alerts: [makeAlert({ id: 'A1', state: 'resolved', source: 'sp' })] });
        await commit({ alerts: [makeAlert({ id: 'A2', state: 'firing', source: 'sp' })] });
        await commit({ alerts: [makeAlert({ id: 'A3', state: 'pending', source: 'belvo' })] });
        await commit({ alerts: [makeAlert({ id: 'A4', state: 'firing', source: 'belvo' })] });

        expect((await store.listAlerts()).map((a) => a.id)).toEqual(['A4', 'A3', 'A2', 'A1']);
        expect((await store.listAlerts({ states: ['firing', 'pending'] })).map((a) => a.id)).toEqual([
          'A4',
          'A3',
          'A2',
        ]);
        expect((await store.listAlerts({ source: 'sp' })).map((a) => a.id)).toEqual(['A2', 'A1']);
        expect((await store.listAlerts({ states: ['firing'], source: 'belvo' })).map((a) => a.id)).toEqual(['A4']);
        expect((await store.listAlerts({ limit: 2 })).map((a) => a.id)).toEqual(['A4', 'A3']);
        expect(await store.listAlerts({ states: [] })).toEqual([]);
      });

      it('lists the alerts written since a time (a quiet-hours digest reads its window)', async () => {
        await commit({ alerts: [makeAlert({ id: 'A1', state: 'firing' })] });
        await new Promise((r) => setTimeout(r, 5));
        const since = Date.now();
        await commit({ alerts: [makeAlert({ id: 'A2', state: 'resolved' })] });
        expect(await ids(store.listAlerts({ changedSince: since }))).toEqual(['A2']);
        expect(await ids(store.listAlerts({ changedSince: since, states: ['firing'] }))).toEqual([]);
        expect(await ids(store.listAlerts({ changedSince: 0 }))).toEqual(['A1', 'A2']);
      });

      it('lists only announced alerts when asked, the limit counting announced ones only', async () => {
        await commit({ alerts: [makeAlert({ id: 'A1', announced: true, state: 'resolved' })] });
        await commit({ alerts: [makeAlert({ id: 'A2', announced: false, state: 'resolved' })] });
        await commit({ alerts: [makeAlert({ id: 'A3', announced: true, state: 'firing', source: 'sp' })] });
        await commit({ alerts: [makeAlert({ id: 'A4', announced: false, state: 'pending' })] });
        await commit({ alerts: [makeAlert({ id: 'A5', announced: false, state: 'resolved' })] });

        const listed = (q: Parameters<Store['listAlerts']>[0]) => store.listAlerts(q).then((a) => a.map((x) => x.id));
        expect(await listed({ announcedOnly: true })).toEqual(['A3', 'A1']);
        expect(await listed({ announcedOnly: true, limit: 1 })).toEqual(['A3']);
        expect(await listed({ announcedOnly: true, states: ['resolved'] })).toEqual(['A1']);
        expect(await listed({ announcedOnly: true, source: 'sp' })).toEqual(['A3']);
        expect(await listed({ announcedOnly: false, limit: 2 })).toEqual(['A5', 'A4']);

        // Announcing later (a pending alert that fires) moves it into the list; the order stays creation order.
        const pending = await store.getAlert('A4');
        if (!pending) throw new Error('A4 missing');
        await commit({ alerts: [{ ...pending, state: 'firing', announced: true }] });
        expect(await listed({ announcedOnly: true })).toEqual(['A4', 'A3', 'A1']);
      });
    });

    describe('loadCommitContext', () => {
      const ask = (q: Partial<CommitContextQuery>) =>
        store.loadCommitContext({ open: { kinds: [] }, fingerprints: [], now: T0, ...q });
      const idsOf = (alerts: Alert[]) => alerts.map((a) => a.id).sort();

      it('returns the latest alert per asked fingerprint, and every active alert of the source and of the kinds', async () => {
        const fp = 'statuspage/belvo/incident/inc1';
        const closed = { state: 'resolved' as const, maintenance: undefined };
        await commit({ alerts: [makeAlert({ id: 'old', fingerprint: fp, source: 'sp', ...closed })] });
        await commit({ alerts: [makeAlert({ id: 'new', fingerprint: fp, source: 'sp', ...closed })] });
        await commit({
          alerts: [
            makeAlert({ id: 'open-firing', fingerprint: 'sp/c1', source: 'sp', state: 'firing' }),
            makeAlert({ id: 'open-pending', fingerprint: 'sp/c2', source: 'sp', state: 'pending' }),
            makeAlert({ id: 'closed', fingerprint: 'sp/c3', source: 'sp', ...closed }),
            // Resolved inside a maintenance window: active until the window's end is settled.
            makeAlert({ id: 'held', fingerprint: 'sp/c4', source: 'sp', state: 'resolved' }),
            makeAlert({ id: 'other-open', fingerprint: 'belvo/x', source: 'belvo', state: 'firing' }),
            makeAlert({ id: 'other-asked', fingerprint: 'belvo/y', source: 'belvo', ...closed }),
            makeAlert({ id: 'incident', fingerprint: 'institution/x', source: 'bot', kind: 'institution.incident' }),
          ],
        });

        const ctx = await ask({
          open: { source: 'sp', kinds: ['institution.incident'] },
          fingerprints: [fp, 'belvo/y', 'never/seen'],
        });
        expect(idsOf(ctx.open)).toEqual(['held', 'incident', 'open-firing', 'open-pending']);
        expect(idsOf(ctx.latest)).toEqual(['new', 'other-asked']);
        expect(idsOf((await ask({ open: 'all' })).open)).toEqual([
          'held',
          'incident',
          'open-firing',
          'open-pending',
          'other-open',
        ]);
        // Once the window is settled (no maintenance any more) it is history like any resolved alert.
        const held = (await ask({ open: { source: 'sp', kinds: [] } })).open.find((a) => a.id === 'held');
        if (!held) throw new Error('held alert missing');
        delete held.maintenance;
        await commit({ alerts: [held] });
        expect(idsOf((await ask({ open: { source: 'sp', kinds: [] } })).open)).toEqual(['open-firing', 'open-pending']);
      });

      it('reads the stored revision, so a decision on it commits', async () => {
        await commit({ alerts: [makeAlert({ id: 'A1', fingerprint: 'sp/c1', source: 'sp', state: 'firing' })] });
        const { open, latest } = await ask({ open: { source: 'sp', kinds: [] }, fingerprints: ['sp/c1'] });
        expect(open[0]?.rev).toBe((await store.getAlert('A1'))?.rev);
        expect(latest[0]?.rev).toBe(open[0]?.rev);
        await commit({ alerts: [{ ...(open[0] as Alert), title: 'again' }] });
        expect((await store.getAlert('A1'))?.title).toBe('again');
      });

      it('prefers the later-created alert for a fingerprint even when the earlier one was updated later', async () => {
        const fp = 'sp/c1';
        const early = makeAlert({ id: 'early', fingerprint: fp, source: 'sp', state: 'resolved' });
        await commit({ alerts: [early] });
        await commit({ alerts: [makeAlert({ id: 'late', fingerprint: fp, source: 'sp', state: 'resolved' })] });
        early.title = 'touched again';
        await commit({ alerts: [early] });

        expect(idsOf((await ask({ fingerprints: [fp] })).latest)).toEqual(['late']);
      });

      it('says which destinations heard of each open alert, the source’s state, subscriptions and live silences', async () => {
        const a = makeAlert({ id: 'A1', source: 'sp', state: 'firing', maintenance: undefined });
        await commit({
          alerts: [a, makeAlert({ id: 'A2', source: 'sp', state: 'firing', maintenance: undefined })],
          intents: [makeIntent(a, 'slack:C1'), makeIntent(a, 'slack:C2')],
          sourceState: { source: 'sp', consecutiveFailures: 2, lastSuccessAt: T0 - 1000 },
        });
        const [claimed] = await store.claimIntents({ now: T0 + 60_000, limit: 1, leaseMs: 1000 });
        await store.completeIntent(claimed?.id ?? 0, {
          status: 'delivered',
          at: T0 + 60_000,
          parent: { alertId: 'A1', destination: 'slack:C1', messageId: 'ts1' },
        });
        await store.addSubscription({ id: 'sub-1', destination: 'slack:C9', filter: {}, createdAt: T0 });
        await store.addSilence({
          id: 'S1',
          matcher: { source: 'sp' },
          startsAt: T0 - 1000,
          endsAt: T0 + 1000,
          createdBy: 'ana',
          reason: 'r',
        });
        await store.addSilence({
          id: 'S2',
          matcher: { source: 'sp' },
          startsAt: T0 - 9000,
          endsAt: T0 - 1,
          createdBy: 'ana',
          reason: 'over',
        });
        const ctx = await ask({ open: { source: 'sp', kinds: [] }, source: 'sp' });
        expect([...(ctx.heard.get('A1') ?? [])].sort()).toEqual(['slack:C1', 'slack:C2']);
        expect(ctx.heard.get('A2')).toBeUndefined();
        expect(ctx.sourceState).toEqual({ source: 'sp', consecutiveFailures: 2, lastSuccessAt: T0 - 1000 });
        expect(ctx.subscriptions.map((x) => x.id)).toEqual(['sub-1']);
        expect(ctx.silences.map((x) => x.id)).toEqual(['S1']);
        expect((await ask({ source: 'nobody' })).sourceState).toBeUndefined();
      });
    });

    describe('commitAlerts atomicity', () => {
      it('rolls back intents, cursors, source state and other alerts when one alert conflicts', async () => {
        const alert = makeAlert({ id: 'A1' });
        await commit({
          alerts: [alert],
          sourceState: { source: 'sp', consecutiveFailures: 0, lastSuccessAt: T0 },
        });
        const stale = structuredClone(alert);
        await commit({ alerts: [alert] });

        const fresh = makeAlert({ id: 'A2', rev: 0 });
        const cursor: FeedCursor = { key: 'sp/summary', etag: '"abc"', fetchedAt: T0 };
        await expect(
          commit({
            alerts: [fresh, stale],
            intents: [makeIntent(fresh, 'slack-oncall'), makeIntent(stale, 'slack-oncall')],
            cursors: [cursor],
            sourceState: { source: 'sp', consecutiveFailures: 5, lastFailureAt: T0 + 1, lastError: 'boom' },
          }),
        ).rejects.toThrow(StoreConflictError);

        expect(await store.getAlert('A2')).toBeUndefined();
        expect(await store.listIntents()).toEqual([]);
        expect(await store.outboxDepth()).toBe(0);
        expect(await store.getCursor('sp/summary')).toBeUndefined();
        expect(await store.getSourceState('sp')).toEqual({ source: 'sp', consecutiveFailures: 0, lastSuccessAt: T0 });
        // The caller's objects are untouched, so it can re-read and retry.
        expect(fresh.rev).toBe(0);
      });

      it('a conflict error carries the store_conflict code', async () => {
        const alert = makeAlert({ id: 'A1' });
        await commit({ alerts: [alert] });
        const err = await commit({ alerts: [{ ...alert, rev: alert.rev - 1 }] }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(StoreConflictError);
        expect((err as StoreConflictError).code).toBe('store_conflict');
      });
    });

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
        expect(again).toMatchObject({ alertId: 'A1', attempts: 1, status: 'in_flight' });
        expect(again?.lastError).toBeUndefined();
      });

      it('recoverInFlight makes what a gone holder left in flight due at once, keeping its attempts', async () => {
        const a1 = makeAlert({ id: 'A1' });
        const a2 = makeAlert({ id: 'A2' });
        await commit({ alerts: [a1, a2], intents: [makeIntent(a1, dest), makeIntent(a2, dest)] });
        await store.claimIntents({ now: T0, limit: 1, leaseMs: 60_000 });

        expect(await store.recoverInFlight(T0 + 5)).toBe(1);
        const reclaimed = await store.claimIntents({ now: T0 + 5, limit: 10, leaseMs: 60_000 });
        expect(reclaimed.map((i) => [i.alertId, i.attempts])).toEqual([
          ['A1', 2],
          ['A2', 1],
        ]);
        expect(await store.recoverInFlight(T0 + 6)).toBe(2);
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

      it('claims nothing before notBefore, then leases it with attempts counted', async () => {
        const alert = makeAlert({ id: 'A1' });
        const intent = makeIntent(alert, dest, { notBefore: T0 + 1000 });
        await commit({ alerts: [alert], intents: [intent] });

        expect(await store.claimIntents({ now: T0 + 999, limit: 10, leaseMs: 30_000 })).toEqual([]);
        const claimed = await store.claimIntents({ now: T0 + 1000, limit: 10, leaseMs: 30_000 });
        expect(claimed).toHaveLength(1);
        expect(claimed[0]).toMatchObject({ status: 'in_flight', attempts: 1, leaseUntil: T0 + 31_000 });
        expect(claimed[0]?.event).toEqual(intent.event);
        expect(await store.listIntents({ status: 'in_flight' })).toEqual(claimed);
        expect(await store.outboxDepth()).toBe(1);
      });

      it('claims at most `limit`, oldest first', async () => {
        const alerts = ['A1', 'A2', 'A3'].map((id) => makeAlert({ id }));
        await commit({ alerts, intents: alerts.map((a) => makeIntent(a, dest)) });
        const first = await store.claimIntents({ now: T0, limit: 2, leaseMs: 1000 });
        expect(first.map((i) => i.alertId)).toEqual(['A1', 'A2']);
        const second = await store.claimIntents({ now: T0, limit: 2, leaseMs: 1000 });
        expect(second.map((i) => i.alertId)).toEqual(['A3']);
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

      it('re-claims an intent whose lease expired (the holder crashed), counting the attempt', async () => {
        const a = makeAlert({ id: 'A1' });
        await commit({ alerts: [a], intents: [makeIntent(a, dest)] });
        const [first] = await store.claimIntents({ now: T0, limit: 10, leaseMs: 5000 });

        expect(await store.claimIntents({ now: T0 + 4999, limit: 10, leaseMs: 5000 })).toEqual([]);
        const again = await store.claimIntents({ now: T0 + 5000, limit: 10, leaseMs: 5000 });
        expect(again).toHaveLength(1);
        expect(again[0]).toMatchObject({ id: first?.id, status: 'in_flight', attempts: 2, leaseUntil: T0 + 10_000 });
      });

      it('puts a retried intent back in line at nextAttemptAt with its error, still blocking later versions', async () => {
        const a = makeAlert({ id: 'A1' });
        await commit({
          alerts: [a],
          intents: [makeIntent(a, dest, { version: 1 }), makeIntent(a, dest, { version: 2 })],
        });
        const [v1] = await store.claimIntents({ now: T0, limit: 10, leaseMs: 30_000 });
        await store.completeIntent(v1!.id, { status: 'retry', nextAttemptAt: T0 + 5000, error: 'slack 503' });

        const [row] = await store.listIntents({ alertId: 'A1' });
        expect(row).toMatchObject({ status: 'pending', nextAttemptAt: T0 + 5000, lastError: 'slack 503', attempts: 1 });
        expect(row?.leaseUntil).toBeUndefined();
        expect(await store.claimIntents({ now: T0 + 4999, limit: 10, leaseMs: 30_000 })).toEqual([]);
        const retried = await store.claimIntents({ now: T0 + 5000, limit: 10, leaseMs: 30_000 });
        expect(retried.map((i) => [i.version, i.attempts])).toEqual([[1, 2]]);
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

      it('keeps a recurring silence with its weekly schedule, listed as long as its windows repeat', async () => {
        const weekly: Silence = {
          id: 's3',
          matcher: { institution: 'erebor_mx_retail' },
          startsAt: T0,
          endsAt: T0 + 30 * 86_400_000,
          createdBy: 'ana',
          reason: 'weekly core banking window',
          recurrence: { days: [0], from: '02:00', to: '04:00', tz: 'America/Sao_Paulo' },
        };
        await store.addSilence(weekly);
        await store.addSilence(short);
        expect(await store.listSilences(T0 + 86_400_000)).toEqual([weekly]);
        expect(await store.listSilences(T0 + 30 * 86_400_000)).toEqual([]);
        // Replacing it (same id) keeps one row; a one-off written over it loses the schedule.
        const { recurrence: _, ...once } = weekly;
        await store.addSilence(once);
        expect(await store.listSilences(T0 + 86_400_000)).toEqual([once]);
      });

      it('removes a silence by id', async () => {
        await store.addSilence(active);
        expect(await store.removeSilence('s1')).toBe(true);
        expect(await store.removeSilence('s1')).toBe(false);
        expect(await store.listSilences()).toEqual([]);
      });
    });

    describe('alert ids', () => {
      const fresh = (id: string, over: Partial<Alert> = {}) =>
        makeAlert({ id, rev: 0, maintenance: undefined, ...over });

      it('gives new alerts short, unique, increasing ids in the commit, and renames every reference to them', async () => {
        const incident = fresh('new:1', { kind: 'institution.incident', members: [] });
        const member = fresh('new:2', { incidentId: 'new:1' });
        incident.members = [
          {
            id: 'new:2',
            kind: member.kind,
            source: member.source,
            title: 't',
            severity: 'major',
            state: 'firing',
            since: T0,
          },
        ];
        const storm = fresh('new:3', { kind: 'bot.storm', listedOn: ['new:1'] });
        const intent = makeIntent(incident, 'slack:C1');
        intent.alertId = 'new:1';
        const { ids } = await store.commitAlerts({ alerts: [incident, member, storm], intents: [intent], cursors: [] });
        const [i, m, st] = ['new:1', 'new:2', 'new:3'].map((p) => ids.get(p) ?? '') as [string, string, string];
        for (const id of [i, m, st]) expect(id).toMatch(/^A[1-9]\d*$/);
        const n = (id: string) => Number(id.slice(1));
        expect([n(m) - n(i), n(st) - n(i)]).toEqual([1, 2]);
        // The caller's objects carry them too, and so does every stored reference.
        expect([incident.id, member.id, storm.id]).toEqual([i, m, st]);
        expect((await store.getAlert(m))?.incidentId).toBe(i);
        expect((await store.getAlert(i))?.members?.map((x) => x.id)).toEqual([m]);
        expect((await store.getAlert(st))?.listedOn).toEqual([i]);
        const [stored] = await store.listIntents({ alertId: i });
        expect(stored?.event.alert.id).toBe(i);
        expect(stored?.event.alert.members?.[0]?.id).toBe(m);

        const next = await store.commitAlerts({ alerts: [fresh('new:1')], intents: [], cursors: [] });
        expect(n(next.ids.get('new:1') ?? '')).toBe(n(st) + 1);
      });

      it('a commit that fails hands out no id', async () => {
        await commit({ alerts: [makeAlert({ id: 'A900', rev: 0 })] });
        const stale = { ...((await store.getAlert('A900')) as Alert), rev: 0 };
        await commit({ alerts: [{ ...stale, rev: stale.rev }] }).catch(() => undefined);
        await expect(
          store.commitAlerts({
            alerts: [fresh('new:1'), { ...stale, rev: 0, title: 'stale' }],
            intents: [],
            cursors: [],
          }),
        ).rejects.toBeInstanceOf(StoreConflictError);
        const { ids } = await store.commitAlerts({ alerts: [fresh('new:1')], intents: [], cursors: [] });
        expect(ids.get('new:1')).toBe('A1');
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

    describe('Belvo webhooks and links', () => {
      describeBelvoLinkContract(() => store);
    });
  });
}
