import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../src/domain/alert.js';
import type { Silence } from '../../../src/domain/silence.js';
import type { Subscription } from '../../../src/domain/subscription.js';
import { applyPolicy, type PolicyContext } from '../../../src/engine/policy.js';
import type { PolicyConfig } from '../../../src/engine/policy-config.js';
import { quietDigests } from '../../../src/engine/quiet-digest.js';
import { policyTick } from '../../../src/engine/time-driven.js';
import { makeAlert, T0 } from '../../contract/alert-factory.js';

const MIN = 60_000;
const HOUR = 60 * MIN;

const paging: PolicyConfig['paging'] = {
  criticalInstitutions: [],
  rules: [{ name: 'lingering', match: { minSeverity: 'major' }, afterMs: 15 * MIN, destinations: ['pd'] }],
};

function alert(over: Partial<Alert> = {}): Alert {
  return makeAlert({
    id: 'A1',
    kind: 'statuspage.component',
    source: 'institutions',
    state: 'firing',
    severity: 'major',
    peakSeverity: 'major',
    firedAt: T0,
    maintenance: undefined,
    acknowledged: undefined,
    resolvedAt: undefined,
    paging: { rule: 'lingering', destinations: ['pd'], dueAt: T0 + 15 * MIN },
    ...over,
  });
}

function ctx(now: number, over: { silences?: Silence[]; reminderEveryMs?: number } = {}): PolicyContext {
  return {
    subscriptions: [{ id: 's', destination: 'chat', filter: {}, createdAt: T0 }],
    silences: over.silences ?? [],
    now,
    policy: { paging, reminderEveryMs: over.reminderEveryMs ?? 0 },
  };
}

/** One check: the tick's events through the policy, as the ticker commits them. */
function check(alerts: Alert[], c: PolicyContext) {
  const t = policyTick(alerts, c);
  return applyPolicy(t.events, t.alerts, c);
}

describe('escalation', () => {
  it.each([
    ['14 minutes in: nothing yet', alert(), T0 + 14 * MIN, []],
    [
      '15 minutes in, unacknowledged: pages, and says so in the thread',
      alert(),
      T0 + 15 * MIN,
      ['pd:trigger', 'chat:updated'],
    ],
    [
      'acknowledged at minute 10: never pages',
      alert({ acknowledged: { by: 'ana', at: T0 + 10 * MIN } }),
      T0 + 20 * MIN,
      [],
    ],
    [
      'already paged: not again',
      alert({ paging: { rule: 'lingering', destinations: ['pd'], dueAt: T0, pagedAt: T0, pager: 'triggered' } }),
      T0 + HOUR,
      [],
    ],
    ['resolved before it was due: nothing', alert({ state: 'resolved' }), T0 + HOUR, []],
  ])('%s', (_, a, now, expected) => {
    const r = check([a], ctx(now));
    expect(r.intents.map((i) => `${i.destination}:${i.event.page ?? i.event.type}`)).toEqual(expected);
  });

  it('the escalation is a new version that tells why', () => {
    const r = check([alert()], ctx(T0 + 16 * MIN));
    expect(r.events[0]).toMatchObject({
      version: 2,
      reason: 'firing for 16m and not acknowledged: paging on-call (rule "lingering")',
    });
    expect(r.alerts[0]?.paging).toMatchObject({ pagedAt: T0 + 16 * MIN, pager: 'triggered' });
  });
});

describe('reminders', () => {
  const every = 2 * HOUR;
  it.each([
    ['off by default', alert({ paging: undefined }), T0 + 10 * HOUR, 0, []],
    ['not yet due', alert({ paging: undefined }), T0 + HOUR, every, []],
    ['due: a reminder in the thread, no page', alert({ paging: undefined }), T0 + 2 * HOUR, every, ['chat:reminder']],
    [
      'acknowledged: no reminder',
      alert({ paging: undefined, acknowledged: { by: 'ana', at: T0 } }),
      T0 + 5 * HOUR,
      every,
      [],
    ],
    [
      'counted from the last reminder',
      alert({ paging: undefined, remindedAt: T0 + 2 * HOUR }),
      T0 + 3 * HOUR,
      every,
      [],
    ],
  ])('%s', (_, a, now, reminderEveryMs, expected) => {
    const r = check([a], ctx(now, { reminderEveryMs }));
    expect(r.intents.map((i) => `${i.destination}:${i.event.page ?? i.event.type}`)).toEqual(expected);
  });
});

describe('silences', () => {
  const s: Silence = {
    id: 'S1',
    matcher: { source: 'institutions' },
    startsAt: T0,
    endsAt: T0 + HOUR,
    createdBy: 'ana',
    reason: 'known',
  };
  const silenced = { id: 'S1', by: 'ana', until: T0 + HOUR, reason: 'known' };

  it('while it lasts: nothing, even when a page is due', () => {
    expect(check([alert({ silenced })], ctx(T0 + 30 * MIN, { silences: [s] })).intents).toEqual([]);
  });

  it('when it ends, what still fires is announced (and pages if due)', () => {
    const r = check([alert({ silenced })], ctx(T0 + HOUR, { silences: [s] }));
    expect(r.intents.map((i) => `${i.destination}:${i.event.page ?? i.event.type}:${i.event.quiet}`)).toEqual([
      'pd:trigger:false',
      'chat:updated:false',
    ]);
    expect(r.events[0]?.reason).toBe('silence S1 ended; still firing');
    expect(r.alerts[0]?.silenced).toBeUndefined();
  });

  it('what resolved during the silence is not announced when it ends', () => {
    expect(check([alert({ silenced, state: 'resolved' })], ctx(T0 + HOUR, { silences: [s] })).intents).toEqual([]);
  });

  it('a config silence beginning after the alert shows on its message, quietly', () => {
    const r = check([alert()], ctx(T0 + MIN, { silences: [s] }));
    expect(r.intents.map((i) => `${i.destination}:${i.event.type}:${i.event.quiet}`)).toEqual(['chat:updated:true']);
    expect(r.alerts[0]?.silenced?.id).toBe('S1');
  });
});

describe('quiet-hours digest', () => {
  // 22:00-07:00 in Mexico City (UTC-6): the window of the night of 9-10 March 2026 ends at 13:00Z.
  const end = Date.parse('2026-03-10T13:00:00Z');
  const sub: Subscription = {
    id: 'sub-1',
    destination: 'slack:C1',
    filter: { quietHours: { from: '22:00', to: '07:00', tz: 'America/Mexico_City' } },
    createdAt: 0,
  };
  const night = (id: string, over: Partial<Alert>) => alert({ id, firedAt: end - 3 * HOUR, ...over });

  it('sums up, once the window ends, what fired or resolved in it below the urgent severity', () => {
    const alerts = [
      night('A1', {}),
      night('A2', { state: 'resolved', resolvedAt: end - HOUR }),
      night('A3', { severity: 'critical', peakSeverity: 'critical' }), // went out at once
      night('A4', { firedAt: end - 30 * HOUR }), // an old one, not of this night
    ];
    expect(quietDigests([sub], alerts, end - MIN)).toEqual([]); // still quiet
    const [digest, ...more] = quietDigests([sub], alerts, end + MIN);
    expect(more).toEqual([]);
    expect(digest).toMatchObject({ alertId: 'digest-sub-1-20260310T1300', version: 1, destination: 'slack:C1' });
    expect(digest?.event.alert).toMatchObject({
      title: 'While quiet (22:00-07:00 America/Mexico_City): 2 alerts',
      status: '1 still firing, 1 resolved',
      state: 'firing',
    });
    expect(digest?.event.alert.members?.map((m) => [m.id, m.state])).toEqual([
      ['A1', 'firing'],
      ['A2', 'resolved'],
    ]);
    // The same digest, asked again, is the same delivery (the outbox keeps the first).
    expect(quietDigests([sub], alerts, end + 5 * MIN)[0]?.alertId).toBe(digest?.alertId);
  });

  it('says nothing after a quiet night, and nothing hours late', () => {
    expect(quietDigests([sub], [], end + MIN)).toEqual([]);
    expect(quietDigests([sub], [night('A1', {})], end + 7 * HOUR)).toEqual([]);
  });
});
