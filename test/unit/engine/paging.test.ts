import { describe, expect, it } from 'vitest';
import type { Alert, AlertEvent } from '../../../src/domain/alert.js';
import type { Silence } from '../../../src/domain/silence.js';
import { pagingRuleFor, pagingStep } from '../../../src/engine/paging.js';
import { applyPolicy, type PolicyContext } from '../../../src/engine/policy.js';
import type { PolicyConfig } from '../../../src/engine/policy-config.js';
import { makeAlert, makeEvent, T0 } from '../../contract/alert-factory.js';

const MIN = 60_000;

const policy: PolicyConfig['paging'] = {
  criticalInstitutions: ['erebor_mx_retail'],
  rules: [
    { name: 'api-major', match: { sources: ['belvo-api'], minSeverity: 'major' }, afterMs: 0, destinations: ['pd'] },
    { name: 'critical-down', match: { critical: true, minSeverity: 'major' }, afterMs: 0, destinations: ['pd'] },
    { name: 'lingering', match: { minSeverity: 'major' }, afterMs: 15 * MIN, destinations: ['pd'] },
  ],
};

/** A firing institution alert, announced, neither acknowledged nor under maintenance. */
function alert(over: Partial<Alert> = {}): Alert {
  return makeAlert({
    id: 'A1',
    kind: 'statuspage.component',
    source: 'institutions',
    severity: 'major',
    peakSeverity: 'major',
    state: 'firing',
    firedAt: T0,
    maintenance: undefined,
    acknowledged: undefined,
    resolvedAt: undefined,
    ...over,
  });
}

const other = { name: 'gondor_co_business', displayName: 'Banco Gondor CO - Business', country: 'CO' };

describe('which rule pages an alert', () => {
  it.each([
    ['a Belvo API major outage pages at once', alert({ source: 'belvo-api', institution: undefined }), 'api-major'],
    ['a critical institution down pages at once', alert(), 'critical-down'],
    ['another institution down pages only if it lingers', alert({ institution: other }), 'lingering'],
    ['a minor degradation never pages', alert({ severity: 'minor', peakSeverity: 'minor' }), undefined],
    ['info never pages, whatever the rules say', alert({ severity: 'info', peakSeverity: 'info' }), undefined],
  ])('%s', (_, a, rule) => {
    expect(pagingRuleFor(a, policy)?.name).toBe(rule);
  });

  it('matches a critical institution by its status-page name too, case-insensitively', () => {
    const p = { ...policy, criticalInstitutions: ['banco gondor co - business'] };
    expect(pagingRuleFor(alert({ institution: other }), p)?.name).toBe('critical-down');
  });
});

describe('what the pager is told', () => {
  it.each([
    ['fires on a critical institution: trigger now', alert(), false, T0, ['trigger'], T0],
    [
      'under maintenance: nothing',
      alert({
        maintenance: {
          id: 'm',
          title: 'm',
          since: T0,
          before: { state: 'pending', severity: 'minor', announced: false },
        },
      }),
      false,
      T0,
      [],
      undefined,
    ],
    ['silenced: nothing', alert(), true, T0, [], undefined],
    ['acknowledged before it paged: nothing', alert({ acknowledged: { by: 'ana', at: T0 } }), false, T0, [], undefined],
    ['absorbed by a storm: the storm pages', alert({ groupId: 'A9' }), false, T0, [], undefined],
    ['not announced yet (pending): nothing', alert({ state: 'pending', announced: false }), false, T0, [], undefined],
    ['lingering rule, 14 minutes in: not yet', alert({ institution: other }), false, T0 + 14 * MIN, [], undefined],
    [
      'lingering rule, 15 minutes in: trigger',
      alert({ institution: other }),
      false,
      T0 + 15 * MIN,
      ['trigger'],
      T0 + 15 * MIN,
    ],
  ])('%s', (_, a, silenced, now, actions, pagedAt) => {
    const step = pagingStep(a, policy, silenced, now);
    expect(step.orders.map((o) => o.action)).toEqual(actions);
    expect(step.paging?.pagedAt).toBe(pagedAt);
  });

  const paged = (over: Partial<Alert> = {}) =>
    alert({
      paging: {
        rule: 'critical-down',
        destinations: ['pd'],
        dueAt: T0,
        pagedAt: T0,
        pager: 'triggered',
        severity: 'major',
      },
      ...over,
    });

  it.each([
    [
      'acknowledged in chat: acknowledge',
      paged({ acknowledged: { by: 'ana', at: T0 + MIN } }),
      ['acknowledge'],
      'acknowledged',
    ],
    ['resolved: resolve', paged({ state: 'resolved', resolvedAt: T0 + MIN }), ['resolve'], 'resolved'],
    [
      'worse than when paged: trigger again with the new severity',
      paged({ severity: 'critical' }),
      ['trigger'],
      'triggered',
    ],
    ['still the same: nothing more', paged(), [], 'triggered'],
    [
      'resolved inside a maintenance window: wait for the window to be settled',
      paged({
        state: 'resolved',
        maintenance: {
          id: 'm',
          title: 'm',
          since: T0,
          before: { state: 'firing', severity: 'major', announced: true },
        },
      }),
      [],
      'triggered',
    ],
  ])('once paged, %s', (_, a, actions, pager) => {
    const step = pagingStep(a, policy, false, T0 + 2 * MIN);
    expect(step.orders.map((o) => o.action)).toEqual(actions);
    expect(step.paging?.pager).toBe(pager);
  });

  it('an acknowledged page is resolved, never acknowledged twice', () => {
    const a = paged({ acknowledged: { by: 'ana', at: T0 }, paging: { ...paged().paging!, pager: 'acknowledged' } });
    expect(pagingStep(a, policy, false, T0 + MIN).orders).toEqual([]);
    const resolved = { ...a, state: 'resolved' as const };
    expect(pagingStep(resolved, policy, false, T0 + MIN).orders).toEqual([{ destination: 'pd', action: 'resolve' }]);
  });

  it('a relapse after a resolved page pages anew', () => {
    const a = paged({ firedAt: T0 + 10 * MIN, paging: { ...paged().paging!, pager: 'resolved' } });
    const step = pagingStep(a, policy, false, T0 + 10 * MIN);
    expect(step.orders).toEqual([{ destination: 'pd', action: 'trigger' }]);
    expect(step.paging?.pagedAt).toBe(T0 + 10 * MIN);
  });
});

describe('applyPolicy', () => {
  const ctx = (silences: Silence[] = []): PolicyContext => ({
    subscriptions: [{ id: 's1', destination: 'chat', filter: {}, createdAt: T0 }],
    silences,
    now: T0,
    policy: { paging: policy, reminderEveryMs: 0 },
  });
  const opened = (a: Alert): AlertEvent =>
    makeEvent(a, { type: 'opened', version: a.version, at: T0, quiet: false, noPage: false });

  it('sends the chat message and the page for the same version, and stores the paging state', () => {
    const a = alert();
    const r = applyPolicy([opened(a)], [a], ctx());
    expect(r.intents.map((i) => [i.destination, i.event.page])).toEqual([
      ['pd', 'trigger'],
      ['chat', undefined],
    ]);
    expect(r.alerts[0]?.paging).toMatchObject({ rule: 'critical-down', pagedAt: T0, pager: 'triggered' });
    // The chat message can say it paged.
    expect(r.intents[1]?.event.alert.paging?.pager).toBe('triggered');
  });

  it('a silenced alert keeps its state, shows the silence, and pages nobody', () => {
    const a = alert();
    const s: Silence = {
      id: 'S2',
      matcher: { institution: 'erebor_mx_retail' },
      startsAt: T0 - MIN,
      endsAt: T0 + 60 * MIN,
      createdBy: 'ana',
      reason: 'bank says 1h',
    };
    const r = applyPolicy([opened(a)], [a], ctx([s]));
    expect(r.intents.map((i) => [i.destination, i.event.page, i.event.quiet])).toEqual([['chat', undefined, true]]);
    expect(r.alerts[0]).toMatchObject({ state: 'firing', silenced: { id: 'S2', by: 'ana', reason: 'bank says 1h' } });
    expect(r.alerts[0]?.paging?.pagedAt).toBeUndefined();
  });

  it('an event that must not page (a maintenance note) still acknowledges or resolves a page', () => {
    const a = alert({
      acknowledged: { by: 'ana', at: T0 },
      paging: {
        rule: 'critical-down',
        destinations: ['pd'],
        dueAt: T0,
        pagedAt: T0,
        pager: 'triggered',
        severity: 'major',
      },
    });
    const r = applyPolicy([makeEvent(a, { type: 'updated', at: T0, quiet: false, noPage: true })], [a], ctx());
    expect(r.intents.filter((i) => i.event.page).map((i) => i.event.page)).toEqual(['acknowledge']);
    expect(r.alerts[0]?.paging?.pager).toBe('acknowledged');
  });
});
