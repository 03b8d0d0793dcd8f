import { describe, expect, it } from 'vitest';
import type { Alert, AlertEvent } from '../../../src/domain/alert.js';
import { INCIDENT_KIND } from '../../../src/domain/fingerprint.js';
import { applyPolicy } from '../../../src/engine/policy.js';
import { STORM_KIND } from '../../../src/engine/policy-config.js';
import { groupStorms } from '../../../src/engine/storms.js';
import { makeAlert, makeEvent, T0 } from '../../contract/alert-factory.js';

const config = { count: 5, windowMs: 60_000 };

function bank(n: number, over: Partial<Alert> = {}): Alert {
  return makeAlert({
    id: `A${n}`,
    // Storms group institution incidents (one per institution, whatever raised it).
    fingerprint: `institution/bank_${n}`,
    kind: INCIDENT_KIND,
    source: 'bot',
    title: `Bank ${n} is down`,
    institution: { name: `bank_${n}`, displayName: `Bank ${n}`, country: n % 2 ? 'MX' : 'CO' },
    state: 'firing',
    severity: 'major',
    peakSeverity: 'major',
    firedAt: T0,
    startedAt: T0 - 30_000,
    maintenance: undefined,
    acknowledged: undefined,
    resolvedAt: undefined,
    ...over,
  });
}

const ev = (a: Alert, type: AlertEvent['type'], at = T0): AlertEvent =>
  makeEvent(a, { type, version: a.version, at, quiet: false, noPage: false });

function stormOf(alerts: Alert[]): Alert {
  const s = alerts.find((a) => a.kind === STORM_KIND);
  if (!s) throw new Error('no storm');
  return s;
}

describe('storms', () => {
  it('four institutions failing together stay four alerts (below the threshold)', () => {
    const banks = [1, 2, 3, 4].map((n) => bank(n));
    const r = groupStorms({
      events: banks.map((b) => ev(b, 'opened')),
      alerts: banks,
      firing: [],
      config,
      now: T0,
      newId: () => 'S',
    });
    expect(r.events.map((e) => e.alert.id)).toEqual(['A1', 'A2', 'A3', 'A4']);
    expect(r.alerts.every((a) => a.groupId === undefined)).toBe(true);
  });

  it('twelve at once are one grouped alert, one message and one page; recovery edits it; the last resolves it', () => {
    const banks = Array.from({ length: 12 }, (_, i) => bank(i + 1));
    const formed = groupStorms({
      events: banks.map((b) => ev(b, 'opened')),
      alerts: banks,
      firing: [],
      config,
      now: T0,
      newId: () => 'A100',
    });
    expect(formed.events.map((e) => [e.type, e.alert.id])).toEqual([['opened', 'A100']]);
    const storm = stormOf(formed.alerts);
    expect(storm).toMatchObject({
      title: '12 institutions down at once',
      status: '12 down',
      severity: 'major',
      state: 'firing',
    });
    expect(storm.members?.map((m) => m.id)).toEqual(banks.map((b) => b.id));
    expect(formed.alerts.filter((a) => a.groupId === 'A100')).toHaveLength(12);
    expect(formed.events[0]?.reason).toMatch(
      /^12 institutions failed within 60s \(storm threshold 5\): Bank 1, Bank 2, Bank 3 \+9 more$/,
    );

    // Routed with a paging rule for storms: one chat message and one page for all twelve.
    const policy = {
      paging: {
        criticalInstitutions: [],
        rules: [{ name: 'storm', match: { kinds: [STORM_KIND] }, afterMs: 0, destinations: ['pd'] }],
      },
      reminderEveryMs: 0,
    };
    const ctx = {
      subscriptions: [{ id: 's', destination: 'chat', filter: { countries: ['MX'] }, createdAt: T0 }],
      silences: [],
      now: T0,
      policy,
    };
    const routed = applyPolicy(formed.events, formed.alerts, ctx);
    expect(routed.intents.map((i) => [i.alertId, i.destination, i.event.page])).toEqual([
      ['A100', 'pd', 'trigger'],
      ['A100', 'chat', undefined],
    ]);

    // Members recover one by one: each recovery is an edit of the storm; their own events go nowhere.
    let firing = routed.alerts.filter((a) => a.state === 'firing');
    const members = routed.alerts.filter((a) => a.groupId === 'A100');
    for (const [i, m] of members.entries()) {
      const recovered = { ...m, state: 'resolved' as const, resolvedAt: T0 + (i + 1) * 1000, version: m.version + 1 };
      const r = groupStorms({
        events: [ev(recovered, 'resolved')],
        alerts: [recovered],
        firing,
        config,
        now: T0 + (i + 1) * 1000,
        newId: () => 'X',
      });
      expect(r.events).toHaveLength(1);
      const s = stormOf(r.alerts);
      if (i < 11) {
        expect(r.events[0]).toMatchObject({ type: 'updated', alert: { id: 'A100' } });
        expect(r.events[0]?.reason).toBe(`recovered: Bank ${i + 1} (${11 - i} still down)`);
        expect(s.status).toBe(`${11 - i} down, ${i + 1} recovered`);
      } else {
        expect(r.events[0]).toMatchObject({ type: 'resolved', alert: { id: 'A100', state: 'resolved' } });
        // And the page is resolved with it.
        const last = applyPolicy(r.events, r.alerts, { ...ctx, now: T0 + 12_000 });
        expect(last.intents.map((x) => [x.destination, x.event.page])).toEqual([
          ['pd', 'resolve'],
          ['chat', undefined],
        ]);
      }
      firing = [...firing.filter((a) => a.id !== s.id && a.id !== m.id), ...(s.state === 'firing' ? [s] : [])];
    }
  });

  it('counts recent failures already announced on their own, lists them, and leaves their messages to them', () => {
    const earlier = [1, 2, 3].map((n) => bank(n, { firedAt: T0 - 30_000 }));
    const stale = bank(4, { firedAt: T0 - 5 * 60_000 }); // outside the window: not part of it
    const now = [5, 6].map((n) => bank(n));
    const r = groupStorms({
      events: now.map((b) => ev(b, 'opened')),
      alerts: now,
      firing: [...earlier, stale],
      config,
      now: T0,
      newId: () => 'A50',
    });
    const storm = stormOf(r.alerts);
    expect(storm.members?.map((m) => m.id)).toEqual(['A1', 'A2', 'A3', 'A5', 'A6']);
    expect(r.events.map((e) => e.alert.id)).toEqual(['A50']);
    // A1 recovering: its own message hears of it, and the storm's count follows.
    const a1 = { ...earlier[0]!, state: 'resolved' as const };
    const later = groupStorms({
      events: [ev(a1, 'resolved')],
      alerts: [a1],
      firing: [...earlier, storm],
      config,
      now: T0 + 1000,
      newId: () => 'X',
    });
    expect(later.events.map((e) => [e.type, e.alert.id])).toEqual([
      ['resolved', 'A1'],
      ['updated', 'A50'],
    ]);
  });

  it('an institution failing while a storm is open joins it', () => {
    const banks = [1, 2, 3, 4, 5].map((n) => bank(n));
    const formed = groupStorms({
      events: banks.map((b) => ev(b, 'opened')),
      alerts: banks,
      firing: [],
      config,
      now: T0,
      newId: () => 'A60',
    });
    const storm = stormOf(formed.alerts);
    const late = bank(9, { firedAt: T0 + 10 * 60_000 });
    const r = groupStorms({
      events: [ev(late, 'opened')],
      alerts: [late],
      firing: [storm],
      config,
      now: T0 + 10 * 60_000,
      newId: () => 'X',
    });
    expect(r.events.map((e) => [e.type, e.alert.id, e.reason])).toEqual([
      ['updated', 'A60', '1 more down: Bank 9 (6 still down)'],
    ]);
    expect(r.alerts.find((a) => a.id === 'A9')?.groupId).toBe('A60');
  });

  it('a former member relapsing after the storm is over is on its own again', () => {
    const relapse = bank(3, { groupId: 'A60', version: 4 });
    const r = groupStorms({
      events: [ev(relapse, 'reopened')],
      alerts: [relapse],
      firing: [],
      config,
      now: T0,
      newId: () => 'X',
    });
    expect(r.events.map((e) => [e.type, e.alert.id, e.alert.groupId])).toEqual([['reopened', 'A3', undefined]]);
    expect(r.alerts[0]?.groupId).toBeUndefined();
  });
});
