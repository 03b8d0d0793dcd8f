// What on-call does in PagerDuty, applied to the alert it pages for: what its messages then say, and what the bot
// pages next (nothing, unless the problem gets worse).
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../src/domain/alert.js';
import { applyPagerUpdate } from '../../../src/engine/pager-update.js';
import { applyPolicy, type PolicyContext } from '../../../src/engine/policy.js';
import type { PolicyConfig } from '../../../src/engine/policy-config.js';
import { policyTick } from '../../../src/engine/time-driven.js';
import type { PagerUpdate } from '../../../src/ports/pager-updates.js';
import { makeAlert, T0 } from '../../contract/alert-factory.js';

const MIN = 60_000;
const NOW = T0 + 10 * MIN;
const INCIDENT = { id: 'PGR0VU2', url: 'https://acme.pagerduty.com/incidents/PGR0VU2' };

const paging: PolicyConfig['paging'] = {
  criticalInstitutions: ['erebor_mx_retail'],
  rules: [{ name: 'critical-down', match: { critical: true, minSeverity: 'major' }, afterMs: 0, destinations: ['pd'] }],
};

/** A firing institution alert that paged at T0, nobody has acknowledged it. */
function paged(over: Partial<Alert> = {}): Alert {
  return makeAlert({
    id: 'A7',
    kind: 'statuspage.component',
    source: 'institutions',
    state: 'firing',
    version: 2,
    severity: 'major',
    peakSeverity: 'major',
    firedAt: T0,
    maintenance: undefined,
    acknowledged: undefined,
    resolvedAt: undefined,
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
}

function update(u: Partial<PagerUpdate> & Pick<PagerUpdate, 'type'>): PagerUpdate {
  return { eventId: `evt-${u.type}`, incident: INCIDENT, by: 'Ana', at: NOW - 1000, ...u } as PagerUpdate;
}

function changed(alert: Alert, u: PagerUpdate, now = NOW) {
  const r = applyPagerUpdate(alert, u, now);
  if (!r.changed || !r.event) throw new Error(r.changed ? 'no event' : r.reason);
  return { alert: r.alert, event: r.event };
}

function ctx(now: number, reminderEveryMs = 0): PolicyContext {
  return {
    subscriptions: [{ id: 's', destination: 'chat', filter: {}, createdAt: T0 }],
    silences: [],
    now,
    policy: { paging, reminderEveryMs },
  };
}

/** What a commit of these changes sends: `destination:action-or-event-type`. */
function sent(alerts: Alert[], events: ReturnType<typeof changed>['event'][], now = NOW) {
  const r = applyPolicy(events, alerts, ctx(now));
  return { alerts: r.alerts, sent: r.intents.map((i) => `${i.destination}:${i.event.page ?? i.event.type}`) };
}

describe('acknowledged in PagerDuty', () => {
  it('shows who acknowledged it there, in one new version, and acknowledges the page wherever it went', () => {
    const { alert, event } = changed(paged(), update({ type: 'acknowledged' }));
    expect(alert.acknowledged).toEqual({ by: 'Ana', at: NOW, via: 'pagerduty' });
    expect(alert.paging).toMatchObject({
      incident: INCIDENT,
      pagerEvents: ['evt-acknowledged'],
    });
    expect(event).toMatchObject({
      type: 'updated',
      version: 3,
      reason: 'acknowledged in PagerDuty by Ana',
      noPage: true,
    });
    const after = sent([alert], [event]);
    expect(after.sent).toEqual(['pd:acknowledge', 'chat:updated']);
    expect(after.alerts[0]?.paging?.pager).toBe('acknowledged');
  });

  it('stops reminders and escalation', () => {
    const { alert } = changed(paged({ remindedAt: T0 }), update({ type: 'acknowledged' }));
    expect(policyTick([alert], ctx(T0 + 5 * 60 * MIN, 30 * MIN)).events).toEqual([]);
    const notYetPaged = paged({ paging: { rule: 'later', destinations: ['pd'], dueAt: T0 + 60 * MIN } });
    const acked = changed(notYetPaged, update({ type: 'acknowledged' })).alert;
    expect(policyTick([acked], ctx(T0 + 2 * 60 * MIN)).events).toEqual([]);
  });

  it('ignores an event from before this page was sent (a delivery of an earlier page, sent again)', () => {
    const relapsed = paged({ paging: { ...paged().paging!, pagedAt: T0 + 5 * MIN } });
    expect(applyPagerUpdate(relapsed, update({ type: 'acknowledged', at: T0 + 3 * MIN }), NOW)).toEqual({
      changed: false,
      reason: 'event evt-acknowledged happened before this page was sent',
    });
    // The pager's clock may run a little behind the bot's.
    expect(applyPagerUpdate(relapsed, update({ type: 'acknowledged', at: T0 + 4.5 * MIN }), NOW)).toMatchObject({
      changed: true,
    });
  });

  it('changes nothing the second time the same event comes, nor for an alert acknowledged or resolved already', () => {
    const { alert } = changed(paged(), update({ type: 'acknowledged' }));
    expect(applyPagerUpdate(alert, update({ type: 'acknowledged' }), NOW + 1)).toEqual({
      changed: false,
      reason: 'event evt-acknowledged was already applied',
    });
    const inChat = paged({ acknowledged: { by: 'bruno', at: T0 }, paging: { ...paged().paging!, incident: INCIDENT } });
    expect(applyPagerUpdate(inChat, update({ type: 'acknowledged', eventId: 'e2' }), NOW)).toEqual({
      changed: false,
      reason: 'A7 was already acknowledged by bruno',
    });
    const over = paged({ state: 'resolved', resolvedAt: T0 + MIN, paging: { ...paged().paging!, incident: INCIDENT } });
    expect(applyPagerUpdate(over, update({ type: 'acknowledged', eventId: 'e3' }), NOW)).toMatchObject({
      changed: false,
    });
  });
});

describe('resolved in PagerDuty while the source still fails', () => {
  it('keeps the alert open and says so; nothing is paged again at once', () => {
    const { alert, event } = changed(paged(), update({ type: 'resolved' }));
    expect(alert.state).toBe('firing');
    expect(alert.paging).toMatchObject({ pager: 'resolved', closedInPager: { by: 'Ana', at: NOW } });
    expect(event.reason).toBe('resolved in PagerDuty by Ana, but Banco Erebor MX - Retail still fails');
    const after = sent([alert], [event]);
    expect(after.sent).toEqual(['chat:updated']);
    // The next poll sees the same outage: still no page, and no reminder nags.
    const again = sent(after.alerts, [{ ...event, version: 4, reason: 'still down', noPage: false }], NOW + MIN);
    expect(again.sent).toEqual(['chat:updated']);
    expect(policyTick(after.alerts, ctx(NOW + 10 * 60 * MIN, 30 * MIN)).events).toEqual([]);
  });

  it('pages again when it gets worse', () => {
    const { alert, event } = changed(paged(), update({ type: 'resolved' }));
    const worse = { ...structuredClone(alert), severity: 'critical' as const, version: 4 };
    const r = sent([worse], [{ ...event, alert: worse, version: 4, reason: 'critical now', noPage: false }], NOW + MIN);
    expect(r.sent).toEqual(['pd:trigger', 'chat:updated']);
    expect(r.alerts[0]?.paging).toMatchObject({ pager: 'triggered', severity: 'critical', pagedAt: NOW + MIN });
    expect(r.alerts[0]?.paging?.closedInPager).toBeUndefined();
  });

  it('forgets the mark once the alert resolves, so a relapse pages anew', () => {
    const { alert, event } = changed(paged(), update({ type: 'resolved' }));
    const over = { ...structuredClone(alert), state: 'resolved' as const, resolvedAt: NOW + MIN, version: 4 };
    const r = sent([over], [{ ...event, type: 'resolved', alert: over, version: 4, noPage: false }], NOW + MIN);
    expect(r.sent).toEqual(['chat:resolved']);
    expect(r.alerts[0]?.paging?.closedInPager).toBeUndefined();
    const relapse = { ...structuredClone(r.alerts[0]!), state: 'firing' as const, firedAt: NOW + 5 * MIN, version: 5 };
    const again = sent(
      [relapse],
      [{ ...event, type: 'reopened', alert: relapse, version: 5, noPage: false }],
      NOW + 5 * MIN,
    );
    expect(again.sent).toEqual(['pd:trigger', 'chat:reopened']);
  });

  it('says nothing new when the alert had resolved already (the bot resolved the page itself)', () => {
    const over = paged({ state: 'resolved', resolvedAt: T0 + MIN, paging: { ...paged().paging!, incident: INCIDENT } });
    expect(applyPagerUpdate(over, update({ type: 'resolved' }), NOW)).toEqual({
      changed: false,
      reason: 'A7 is already resolved',
    });
  });
});

describe('reassigned and annotated in PagerDuty', () => {
  it('notes a reassignment in the thread', () => {
    const { event } = changed(paged(), update({ type: 'reassigned', assignees: ['Bruno', 'Carla'] }));
    expect(event.reason).toBe('reassigned in PagerDuty to Bruno, Carla by Ana');
    expect(sent([event.alert], [event]).sent).toEqual(['chat:updated']);
  });

  it('quotes a note, cleaned of invisible characters, and keeps it in the timeline', () => {
    const note = 'Bank\u200B gateway down <!channel> @everyone, ETA 30 min';
    const { alert, event } = changed(paged(), update({ type: 'annotated', noteId: 'N1', note }));
    expect(event.reason).toBe('note in PagerDuty by Ana');
    const quoted = { id: 'pagerduty-note:N1', at: NOW - 1000, status: 'note', origin: 'engine' };
    expect(event.updates).toEqual([{ ...quoted, text: 'Bank gateway down <!channel> @everyone, ETA 30 min' }]);
    expect(alert.timeline).toContainEqual({ ...quoted, text: 'Bank gateway down <!channel> @everyone, ETA 30 min' });
  });

  it('an incident.triggered only teaches the bot the incident id, quietly', () => {
    const r = applyPagerUpdate(paged(), update({ type: 'triggered' }), NOW);
    expect(r).toMatchObject({ changed: true, alert: { version: 2, paging: { incident: INCIDENT } } });
    if (!r.changed) throw new Error('unchanged');
    expect(r.event).toBeUndefined();
    expect(applyPagerUpdate(r.alert, update({ type: 'triggered', eventId: 'again' }), NOW)).toMatchObject({
      changed: false,
    });
  });
});
