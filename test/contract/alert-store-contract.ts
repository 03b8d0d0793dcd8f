// The AlertStore port's contract (alerts and incidents: reads, the one-call commit context, the one-transaction commit, public ids assigned there): every store implementation passes it. Run from describeStoreContract,
// which gives each test a fresh, initialised store.
import { beforeEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../src/domain/alert.js';
import { INCIDENT_KIND } from '../../src/domain/fingerprint.js';
import type { FeedCursor } from '../../src/ports/source.js';
import { type AlertCommit, type CommitContextQuery, type Store, StoreConflictError } from '../../src/ports/store.js';
import { makeAlert, makeIntent, T0 } from './alert-factory.js';

export function describeAlertStoreContract(get: () => Store): void {
  let store: Store;
  beforeEach(() => {
    store = get();
  });

  async function commit(parts: Partial<AlertCommit>): Promise<void> {
    await store.commitAlerts({ alerts: [], intents: [], cursors: [], ...parts });
  }

  async function ids(alerts: Promise<Alert[]>): Promise<string[]> {
    return (await alerts).map((a) => a.id).sort();
  }

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
      expect((await store.listAlerts({ states: ['firing', 'pending'] })).map((a) => a.id)).toEqual(['A4', 'A3', 'A2']);
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

  describe('alert ids', () => {
    const fresh = (id: string, over: Partial<Alert> = {}) => makeAlert({ id, rev: 0, maintenance: undefined, ...over });

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

  describe('retention of resolved alerts', () => {
    const dest = 'slack-oncall';
    /** Delivers every due intent, recording a message reference for each. */
    async function deliverAll(): Promise<void> {
      for (const intent of await store.claimIntents({ now: T0 + 10 ** 12, limit: 1000, leaseMs: 60_000 })) {
        await store.completeIntent(intent.id, {
          status: 'delivered',
          at: T0,
          parent: { alertId: intent.alertId, destination: intent.destination, messageId: `m-${intent.alertId}` },
        });
      }
    }
    const plain = (id: string, state: Alert['state'], extra: Partial<Alert> = {}) => {
      const alert = makeAlert({ id, state, ...extra });
      delete alert.maintenance;
      return alert;
    };

    it('forgets resolved alerts with their outbox rows and references, keeps open ones and what they speak through', async () => {
      const alerts = [
        plain('A1', 'resolved'),
        plain('A2', 'resolved'),
        plain('A3', 'firing'),
        // An open incident and its resolved member; a resolved incident and its open member.
        plain('A4', 'firing', { kind: INCIDENT_KIND, fingerprint: 'institution/erebor_mx_retail' }),
        plain('A5', 'resolved', { incidentId: 'A4' }),
        plain('A6', 'resolved', { kind: INCIDENT_KIND, fingerprint: 'institution/gringotts_co_retail' }),
        plain('A7', 'firing', { incidentId: 'A6' }),
        // Resolved, but held by a maintenance window whose end still decides what is announced.
        makeAlert({ id: 'A8', state: 'resolved' }),
      ];
      await commit({ alerts, intents: alerts.map((a) => makeIntent(a, dest)) });
      await deliverAll();
      // A later version of A2 still waiting for delivery stays in the outbox.
      await commit({ intents: [makeIntent(alerts[1]!, dest, { version: 2 })] });

      // Nothing was written before 0: nothing goes.
      expect(await store.pruneResolvedAlerts(0)).toEqual({ alerts: 0, intents: 0, messageRefs: 0 });
      const pruned = await store.pruneResolvedAlerts(Date.now() + 60_000, { batchSize: 2 });
      expect(pruned).toEqual({ alerts: 2, intents: 2, messageRefs: 2 });
      expect(await ids(store.listAlerts())).toEqual(['A3', 'A4', 'A5', 'A6', 'A7', 'A8']);
      expect(await store.getAlert('A1')).toBeUndefined();
      expect(await store.listMessageRefs('A1')).toEqual([]);
      expect((await store.listIntents()).filter((i) => i.alertId === 'A1')).toEqual([]);
      expect((await store.listIntents({ alertId: 'A2' })).map((i) => i.status)).toEqual(['pending']);
      expect(await store.getMessageRef('A5', dest)).toMatchObject({ messageId: 'm-A5' });
      // Again: nothing more to forget.
      expect(await store.pruneResolvedAlerts(Date.now() + 60_000)).toEqual({ alerts: 0, intents: 0, messageRefs: 0 });
    });

    it('lets the event loop run between its batches', async () => {
      const many = Array.from({ length: 40 }, (_, i) => plain(`A${i + 1}`, 'resolved'));
      await commit({ alerts: many });
      let turns = 0;
      let done = false;
      const spin = (): void => {
        if (done) return;
        turns++;
        setImmediate(spin);
      };
      setImmediate(spin);
      const pruned = await store.pruneResolvedAlerts(Date.now() + 60_000, { batchSize: 5 });
      done = true;
      expect(pruned.alerts).toBe(40);
      // Eight batches: something else ran between them.
      expect(turns).toBeGreaterThanOrEqual(7);
    });
  });
}
