import { describe, expect, it } from 'vitest';
import type { Alert, AlertEvent } from '../../../src/domain/alert.js';
import { INCIDENT_KIND, SERVICE_INCIDENT_KIND } from '../../../src/domain/fingerprint.js';
import { leadTimeText } from '../../../src/domain/incident-text.js';
import { activeSilenceFor, type Silence } from '../../../src/domain/silence.js';
import { correlateInstitutions } from '../../../src/engine/incidents.js';
import { routeEvents } from '../../../src/engine/route.js';
import { T0 } from '../../contract/alert-factory.js';

const MIN = 60_000;
const EREBOR = { name: 'erebor_mx_retail', displayName: 'Banco Erebor', country: 'MX' };

type MemberName = 'spike' | 'ratio' | 'page' | 'api' | 'several';

/** The four sources that speak of one institution, as their detectors make them. */
const MEMBERS: Record<MemberName, Partial<Alert>> = {
  spike: {
    fingerprint: 'belvo/production/token_required-spike/erebor_mx_retail',
    kind: 'belvo.token_required-spike',
    source: 'belvo-production',
    environment: 'production',
    severity: 'minor',
    title: 'Banco Erebor: spike of token_required links',
    status: '14 in 1h',
    evidence: { count: 14, exampleLinks: ['link-1', 'link-2'] },
  },
  ratio: {
    fingerprint: 'belvo/calls/error-ratio/institution/erebor_mx_retail',
    kind: 'belvo.error-ratio.institution',
    source: 'belvo-calls',
    severity: 'major',
    title: 'Banco Erebor: 42.0% institution errors',
    status: '42.0% in 60m',
    evidence: { ratio: 0.42, requestIds: ['req-9', 'req-8'], topCodes: ['institution_unavailable x30'] },
  },
  page: {
    fingerprint: 'statuspage/institutions/component/c1',
    kind: 'statuspage.component',
    source: 'institutions',
    lifecycle: 'observed',
    severity: 'major',
    title: 'Banco Erebor MX - Retail: partial outage',
    status: 'partial_outage',
    url: 'https://status.belvo.com',
    institution: { name: 'erebor_mx_retail', displayName: 'Banco Erebor MX - Retail', country: 'MX' },
    evidence: { component: 'Banco Erebor MX - Retail' },
  },
  several: {
    fingerprint: 'statuspage/institutions/incident/inc7',
    kind: 'statuspage.incident',
    source: 'institutions',
    lifecycle: 'source',
    severity: 'minor',
    title: 'Connection issues with several Mexican banks',
    status: 'investigating',
    institution: undefined,
    affects: [EREBOR, { name: 'gondor_mx_retail', displayName: 'Banco Gondor', country: 'MX' }],
    evidence: {},
  },
  api: {
    fingerprint: 'belvo/production/institution-down/erebor_mx_retail',
    kind: 'belvo.institution-down',
    source: 'belvo-production',
    environment: 'production',
    severity: 'critical',
    title: 'Banco Erebor is down on Belvo (production)',
    status: 'down',
    evidence: {},
  },
};

/** Feeds member events through the correlation batch after batch, keeping what a store would keep. */
class World {
  now = T0;
  private seq = 0;
  readonly stored = new Map<string, Alert>();
  /** Incident events, in order. */
  readonly incidentEvents: AlertEvent[] = [];
  memberEvents: AlertEvent[] = [];

  private memberAlert(name: MemberName, state: Alert['state'], over: Partial<Alert>): Alert {
    const id = `M-${name}`;
    const known = this.stored.get(id);
    const base: Alert = known ?? {
      id,
      fingerprint: '',
      kind: '',
      source: '',
      lifecycle: 'observed',
      state,
      version: 0,
      severity: 'minor',
      peakSeverity: 'minor',
      title: '',
      status: '',
      institution: EREBOR,
      evidence: {},
      flapping: false,
      announced: false,
      counters: { bad: 0, ok: 0 },
      flips: [],
      startedAt: this.now,
      firstSeenAt: this.now,
      lastSeenAt: this.now,
      timeline: [],
      rev: 0,
      ...MEMBERS[name],
    };
    const a: Alert = { ...structuredClone(base), ...over, state, version: base.version + 1, announced: true };
    if (state === 'firing') {
      a.firedAt = a.firedAt ?? this.now;
      delete a.resolvedAt;
    } else {
      a.resolvedAt = this.now;
    }
    return a;
  }

  /** One batch: each member moves (`opened`, `resolved`...); returns the incident events it caused. */
  batch(changes: [MemberName, AlertEvent['type'], Partial<Alert>?][], quiet = false): AlertEvent[] {
    const alerts: Alert[] = [];
    const events: AlertEvent[] = [];
    for (const [name, type, over] of changes) {
      const state = type === 'resolved' ? 'resolved' : 'firing';
      const a = this.memberAlert(name, state, over ?? {});
      alerts.push(a);
      events.push({
        type,
        alert: structuredClone(a),
        version: a.version,
        at: this.now,
        reason: `${name} rule`,
        quiet,
        noPage: false,
      });
    }
    const result = correlateInstitutions({
      events,
      alerts,
      incidents: [...this.stored.values()].filter((a) => a.kind === INCIDENT_KIND),
      now: this.now,
      newId: () => `I${++this.seq}`,
      reopenWithinMs: 30 * MIN,
      timelineLimit: 50,
    });
    for (const a of result.alerts) this.stored.set(a.id, a);
    const mine = result.events.filter((e) => e.alert.kind === INCIDENT_KIND);
    this.memberEvents = result.events.filter((e) => e.alert.kind !== INCIDENT_KIND);
    this.incidentEvents.push(...mine);
    return mine;
  }

  incidents(): Alert[] {
    return [...this.stored.values()].filter((a) => a.kind === INCIDENT_KIND);
  }

  later(ms: number): this {
    this.now += ms;
    return this;
  }
}

/** A channel subscribed to everything (or to `filter`), for routing what a batch produced. */
const ctx = (filter: object, now = T0) => ({
  subscriptions: [{ id: 'sub', destination: 'slack:C1', filter, createdAt: T0 }],
  silences: [],
  now,
});

const types = (events: AlertEvent[]) => events.map((e) => `${e.type} ${e.alert.id}`);

describe('institution incidents', () => {
  it('the team sees it first: one incident, "not yet on Belvo’s status page", then confirmed with the lead time', () => {
    const w = new World();
    const [opened] = w.batch([['spike', 'opened']]);
    expect(opened).toMatchObject({ type: 'opened', reason: 'token_required spike (production): spike rule' });
    expect(opened?.alert).toMatchObject({
      id: 'I1',
      fingerprint: 'institution/erebor_mx_retail',
      title: 'Banco Erebor (MX): token_required spike (production)',
      status: "not yet on Belvo's status page (noticed 12:00 UTC)",
      severity: 'minor',
      environment: 'production',
      evidence: { exampleLinks: ['link-1', 'link-2'] },
    });
    // The member's own event goes nowhere: the incident speaks for it.
    expect(w.memberEvents.map((e) => e.alert.incidentId)).toEqual(['I1']);
    expect(w.stored.get('M-spike')?.incidentId).toBe('I1');

    const [ratio] = w.later(3 * MIN).batch([['ratio', 'opened']]);
    expect(ratio).toMatchObject({ type: 'updated', reason: "now also 42.0% institution errors in the team's calls" });
    expect(ratio?.alert.severity).toBe('major'); // the worst open member
    expect(ratio?.alert.evidence).toMatchObject({ requestIds: ['req-9', 'req-8'], exampleLinks: ['link-1', 'link-2'] });

    const [confirmed] = w.later(9 * MIN).batch([['page', 'opened']]);
    expect(confirmed?.type).toBe('updated');
    expect(confirmed?.reason).toBe(
      "confirmed by partial outage on Belvo's status page 12m after the bot noticed (token_required spike (production))",
    );
    expect(confirmed?.alert).toMatchObject({
      id: 'I1',
      status: "on Belvo's status page since 12:12 UTC, 12m after the bot noticed",
      url: 'https://status.belvo.com',
    });
    expect(confirmed?.alert.members?.map((m) => [m.id, m.title, m.state])).toEqual([
      ['M-spike', 'token_required spike (production)', 'firing'],
      ['M-ratio', "42.0% institution errors in the team's calls", 'firing'],
      ['M-page', "partial outage on Belvo's status page", 'firing'],
    ]);
    expect(leadTimeText(confirmed?.alert as Alert)).toBe(
      "12m before Belvo's status page (noticed from token_required spike (production))",
    );

    w.later(10 * MIN).batch([['spike', 'resolved']]);
    w.later(MIN).batch([['page', 'resolved']]);
    const [last] = w.later(MIN).batch([['ratio', 'resolved']]);
    expect(last).toMatchObject({ type: 'resolved' });
    expect(last?.alert.resolvedAt).toBe(w.now);
    expect(last?.alert.title).toContain('token_required spike (production)');
    expect(types(w.incidentEvents)).toEqual([
      'opened I1',
      'updated I1',
      'updated I1',
      'updated I1',
      'updated I1',
      'resolved I1',
    ]);
    expect(w.incidentEvents[3]?.reason).toBe('recovered: token_required spike (production) (2 still failing)');
  });

  it('the status page alone: an incident that never claims to be early', () => {
    const w = new World();
    const [opened] = w.batch([['page', 'opened']]);
    expect(opened?.alert).toMatchObject({
      // Named as its first source names it: here, the status page.
      title: "Banco Erebor MX - Retail: partial outage on Belvo's status page",
      status: "on Belvo's status page",
      correlation: { early: false },
    });
    expect(leadTimeText(opened?.alert as Alert)).toBe("first seen on Belvo's status page");
    const [later] = w.later(5 * MIN).batch([['api', 'opened']]);
    expect(later?.reason).toBe("now also down on Belvo's API (production)");
    expect(later?.alert.severity).toBe('critical');
    w.later(MIN).batch([['api', 'resolved']]);
    const [resolved] = w.later(MIN).batch([['page', 'resolved']]);
    expect(resolved?.type).toBe('resolved');
    expect(w.incidents()).toHaveLength(1);
  });

  it('members opening and resolving in every order: one opening, one resolution, open while any member is', () => {
    const names: MemberName[] = ['spike', 'ratio', 'page'];
    const orders = (xs: MemberName[]): MemberName[][] =>
      xs.length <= 1
        ? [xs]
        : xs.flatMap((x, i) => orders([...xs.slice(0, i), ...xs.slice(i + 1)]).map((r) => [x, ...r]));
    for (const opening of orders(names)) {
      for (const closing of orders(names)) {
        const w = new World();
        for (const n of opening) w.later(MIN).batch([[n, 'opened']]);
        for (const [i, n] of closing.entries()) {
          w.later(MIN).batch([[n, 'resolved']]);
          const open = i < closing.length - 1;
          expect(w.incidents()[0]?.state, `${opening} / ${closing} after ${n}`).toBe(open ? 'firing' : 'resolved');
        }
        const kinds = w.incidentEvents.map((e) => e.type);
        expect(kinds.filter((k) => k === 'opened')).toHaveLength(1);
        expect(kinds.filter((k) => k === 'resolved')).toHaveLength(1);
        expect(kinds.at(-1)).toBe('resolved');
        expect(w.incidents()).toHaveLength(1);
        // Confirmed exactly when the status page joined, and early only if it was not first.
        const c = w.incidents()[0]?.correlation;
        expect(c?.early).toBe(opening[0] !== 'page');
        expect(c?.confirmedAt).toBe(T0 + (opening.indexOf('page') + 1) * MIN);
      }
    }
  });

  it('a flapping member: the incident reopens (same id) and says it is flapping; much later a relapse is a new incident', () => {
    const w = new World();
    w.batch([['spike', 'opened']]);
    w.later(MIN).batch([['spike', 'resolved']]);
    const [reopened] = w.later(MIN).batch([['spike', 'reopened']]);
    expect(reopened).toMatchObject({ type: 'reopened' });
    expect(reopened?.alert.id).toBe('I1');
    w.later(MIN).batch([['spike', 'resolved']]);
    const [flapping] = w.later(MIN).batch([['spike', 'flapping', { flapping: true }]]);
    expect(flapping).toMatchObject({ type: 'flapping', reason: 'token_required spike (production): spike rule' });
    expect(flapping?.alert.flapping).toBe(true);
    // A flapping member stays firing; it settles, then recovers.
    const [settled] = w.later(30 * MIN).batch([['spike', 'updated', { flapping: false }]]);
    expect(settled).toMatchObject({ type: 'updated', quiet: false });
    expect(settled?.reason).toMatch(/^stopped flapping, still failing; /);
    w.later(MIN).batch([['spike', 'resolved']]);

    const [relapse] = w.later(2 * 60 * MIN).batch([['spike', 'opened']]);
    expect(relapse).toMatchObject({ type: 'opened' });
    expect(relapse?.alert.id).toBe('I2');
    expect(relapse?.alert.fingerprint).toBe('institution/erebor_mx_retail');
  });

  it('a member silenced: the incident is muted only while every open member is', () => {
    const w = new World();
    w.batch([['spike', 'opened']]);
    w.later(MIN).batch([['page', 'opened']]);
    const incident = w.incidents()[0] as Alert;
    const silence = (matcher: Silence['matcher']): Silence[] => [
      { id: 'S1', matcher, startsAt: T0, endsAt: T0 + 60 * MIN, createdBy: 'ana', reason: 'known' },
    ];
    const spikeOnly = silence({ fingerprint: MEMBERS.spike.fingerprint as string });
    expect(activeSilenceFor(spikeOnly, incident, w.now)).toBeUndefined(); // the status page is still heard
    expect(activeSilenceFor(silence({ institution: 'erebor_mx_retail' }), incident, w.now)?.id).toBe('S1');
    expect(activeSilenceFor(silence({ kind: 'statuspage' }), incident, w.now)).toBeUndefined();

    const [recovered] = w.later(MIN).batch([['page', 'resolved']]);
    expect(activeSilenceFor(spikeOnly, recovered?.alert as Alert, w.now)?.id).toBe('S1'); // only the spike is left
  });

  it('routing: member events go nowhere, the incident reaches the channel', () => {
    const w = new World();
    const events = w.batch([['spike', 'opened']]);
    const routed = routeEvents([...w.memberEvents, ...events], {
      subscriptions: [
        { id: 'sub', destination: 'slack:C1', filter: { institutions: ['erebor_mx_retail'] }, createdAt: T0 },
      ],
      silences: [],
      now: w.now,
    });
    expect(routed.intents.map((i) => i.alertId)).toEqual(['I1']);
    expect(routed.suppressed.map((s) => s.reason)).toEqual(['part of I1, whose message lists it']);
  });

  it('a filter on a source or kind hears the incident through its members', () => {
    const w = new World();
    w.batch([['spike', 'opened']]);
    const [confirmed] = w.later(MIN).batch([['page', 'opened']]);
    expect(routeEvents([confirmed as AlertEvent], ctx({ kinds: ['statuspage'] })).intents).toHaveLength(1);
    expect(routeEvents([confirmed as AlertEvent], ctx({ sources: ['belvo-production'] })).intents).toHaveLength(1);
    expect(routeEvents([confirmed as AlertEvent], ctx({ countries: ['CO'] })).intents).toHaveLength(0);
  });

  it('a status-page incident naming several institutions confirms their open incidents and is theirs to tell', () => {
    const w = new World();
    w.batch([['spike', 'opened']]);
    const events = w.later(4 * MIN).batch([['several', 'opened']]);
    expect(events.map((e) => [e.type, e.alert.id, e.reason])).toEqual([
      [
        'updated',
        'I1',
        "confirmed by on Belvo's status page: Connection issues with several Mexican banks 4m after the bot noticed (token_required spike (production))",
      ],
    ]);
    // Not a member of any one incident, and no incident opened for Gondor; listed on Erebor's, which speaks (and
    // pages) for it: no message or page of its own.
    expect(w.memberEvents.map((e) => [e.alert.id, e.alert.incidentId, e.alert.listedOn])).toEqual([
      ['M-several', undefined, ['I1']],
    ]);
    expect(w.stored.get('M-several')?.listedOn).toEqual(['I1']);
    expect(routeEvents(w.memberEvents, ctx({}, w.now)).intents).toHaveLength(0);
    expect(w.incidents().map((i) => i.institution?.name)).toEqual(['erebor_mx_retail']);
    // Listed on Erebor's incident, which stays open while Belvo still names it.
    w.later(MIN).batch([['spike', 'resolved']]);
    expect(w.incidents()[0]?.state).toBe('firing');
    const [over] = w.later(MIN).batch([['several', 'resolved']]);
    expect(over?.type).toBe('resolved');
  });

  it('a status-page incident naming several institutions, none of them failing yet, keeps its own message', () => {
    const w = new World();
    w.batch([['several', 'opened']]);
    expect(w.memberEvents.map((e) => [e.alert.id, e.alert.listedOn])).toEqual([['M-several', undefined]]);
    expect(routeEvents(w.memberEvents, ctx({}, w.now)).intents).toHaveLength(1);
    expect(w.incidents()).toEqual([]);
  });

  it('a member whose institution gets Belvo’s name while it fails stays with the incident it joined', () => {
    const w = new World();
    const slug = { name: 'banco_erebor_mx_retail', displayName: 'Banco Erebor MX - Retail', country: 'MX' };
    const [opened] = w.batch([['page', 'opened', { institution: slug }]]);
    expect(opened?.alert.fingerprint).toBe('institution/banco_erebor_mx_retail');
    // The catalogue learnt the API's list: the component's alert now names erebor_mx_retail.
    const [resolved] = w.later(MIN).batch([['page', 'resolved', { institution: EREBOR }]]);
    expect(resolved).toMatchObject({ type: 'resolved' });
    expect(resolved?.alert.id).toBe(opened?.alert.id);
    expect(w.incidents()).toHaveLength(1);
  });

  it('opened before Belvo’s names were known, it takes the institution’s name when a source brings it', () => {
    const w = new World();
    const bare = { name: 'erebor_mx_retail', displayName: 'erebor_mx_retail' };
    const [opened] = w.batch([['spike', 'opened', { institution: bare }]]);
    expect(opened?.alert.title).toBe('erebor_mx_retail: token_required spike (production)');
    const [named] = w.later(MIN).batch([['ratio', 'opened']]);
    expect(named?.alert.title).toBe(
      "Banco Erebor (MX): token_required spike (production), 42.0% institution errors in the team's calls",
    );
  });

  it('an alert announced on its own before incidents existed keeps its own message to its end', () => {
    const w = new World();
    const legacy = w.batch([['api', 'updated']]);
    expect(legacy).toEqual([]);
    expect(w.memberEvents[0]?.alert.incidentId).toBeUndefined();
  });
});

describe('the Belvo API incident', () => {
  const service = { id: 'belvo-api', name: 'Belvo API' };
  const api = (over: Partial<Alert>): Alert => ({
    id: 'X',
    fingerprint: '',
    kind: 'statuspage.component',
    source: 'belvo-api',
    lifecycle: 'observed',
    state: 'firing',
    version: 1,
    severity: 'major',
    peakSeverity: 'major',
    title: '',
    status: '',
    service,
    evidence: {},
    flapping: false,
    announced: true,
    counters: { bad: 1, ok: 0 },
    flips: [],
    startedAt: T0,
    firstSeenAt: T0,
    lastSeenAt: T0,
    firedAt: T0,
    timeline: [],
    rev: 0,
    ...over,
  });
  const component = api({
    id: 'C1',
    fingerprint: 'statuspage/belvo-api/component/c1',
    title: 'API: partial outage',
    status: 'partial_outage',
    evidence: { component: 'API' },
  });
  const incident = api({
    id: 'P1',
    fingerprint: 'statuspage/belvo-api/incident/p1',
    kind: 'statuspage.incident',
    lifecycle: 'source',
    title: 'Elevated error rates',
    status: 'investigating',
    startedAt: T0 - 5 * MIN,
    timeline: [{ id: 'u1', at: T0 - 5 * MIN, status: 'investigating', text: 'Looking into it', origin: 'source' }],
  });
  const event = (a: Alert, type: AlertEvent['type']): AlertEvent => ({
    type,
    alert: structuredClone(a),
    version: a.version,
    at: T0,
    reason: `${a.id} rule`,
    quiet: false,
    noPage: false,
  });
  const run = (events: AlertEvent[], incidents: Alert[], now = T0) => {
    let n = 0;
    return correlateInstitutions({
      events,
      alerts: events.map((e) => structuredClone(e.alert)),
      incidents,
      now,
      newId: () => `I${++n}`,
      reopenWithinMs: 30 * MIN,
      timelineLimit: 50,
    });
  };

  it('the page’s incident and the component it names open one incident, which alone is routed and paged', () => {
    const result = run([event(component, 'opened'), event(incident, 'opened')], []);
    const opened = result.events.filter((e) => e.alert.kind === SERVICE_INCIDENT_KIND);
    expect(opened.map((e) => e.type)).toEqual(['opened']);
    expect(opened[0]?.alert).toMatchObject({
      fingerprint: 'belvo-api/belvo-api',
      source: 'belvo-api',
      title: 'Belvo API: Elevated error rates, API: partial outage',
      status: 'investigating',
      startedAt: T0 - 5 * MIN,
    });
    expect(opened[0]?.updates?.map((u) => u.status)).toEqual(['investigating']);
    const routed = routeEvents(result.events, ctx({ sources: ['belvo-api'] }));
    expect(routed.intents.map((i) => i.alertId)).toEqual(['I1']);
  });

  it('a component alone opens it; the incident the page posts later joins the same message', () => {
    const first = run([event(component, 'opened')], []);
    const opened = first.alerts.find((a) => a.kind === SERVICE_INCIDENT_KIND) as Alert;
    expect(opened.title).toBe('Belvo API: API: partial outage');
    expect(opened.status).toBe('one component affected');
    const withIncident = { ...incident, startedAt: T0 + MIN };
    const later = run([event(withIncident, 'opened')], [opened], T0 + 2 * MIN);
    const updated = later.events.filter((e) => e.alert.kind === SERVICE_INCIDENT_KIND);
    expect(updated.map((e) => [e.type, e.alert.id, e.reason])).toEqual([
      ['updated', 'I1', 'now also Elevated error rates'],
    ]);
  });

  it('resolves when its last member does, at the time the page says it ended', () => {
    const open = run([event(component, 'opened'), event(incident, 'opened')], []);
    const stored = open.alerts.find((a) => a.kind === SERVICE_INCIDENT_KIND) as Alert;
    const endedOnPage = T0 + 40 * MIN;
    const resolvedIncident = {
      ...incident,
      incidentId: 'I1',
      state: 'resolved' as const,
      status: 'resolved',
      resolvedAt: endedOnPage,
    };
    const resolvedComponent = {
      ...component,
      incidentId: 'I1',
      state: 'resolved' as const,
      status: 'operational',
      resolvedAt: T0 + 38 * MIN,
    };
    const over = run(
      [event(resolvedIncident, 'resolved'), event(resolvedComponent, 'resolved')],
      [stored],
      T0 + 90 * MIN,
    ).events.filter((e) => e.alert.kind === SERVICE_INCIDENT_KIND);
    expect(over.map((e) => [e.type, e.reason])).toEqual([
      ['resolved', 'Elevated error rates: resolved, API: operational'],
    ]);
    expect(over[0]?.alert.resolvedAt).toBe(endedOnPage);
  });

  it('a new incident on the page soon after the last one ended is a new message; the same one relapsing is not', () => {
    const first = run([event(incident, 'opened')], []);
    const opened = first.alerts.find((a) => a.kind === SERVICE_INCIDENT_KIND) as Alert;
    const resolved = run(
      [
        event(
          { ...incident, incidentId: opened.id, state: 'resolved', status: 'resolved', resolvedAt: T0 + MIN },
          'resolved',
        ),
      ],
      [opened],
      T0 + MIN,
    ).alerts.find((a) => a.kind === SERVICE_INCIDENT_KIND) as Alert;
    expect(resolved.state).toBe('resolved');
    const other = api({
      id: 'P2',
      fingerprint: 'statuspage/belvo-api/incident/p2',
      kind: 'statuspage.incident',
      title: 'Webhooks delayed',
    });
    const next = run([event(other, 'opened')], [resolved], T0 + 2 * MIN).events.filter(
      (e) => e.alert.kind === SERVICE_INCIDENT_KIND,
    );
    expect(next.map((e) => [e.type, e.alert.version])).toEqual([['opened', 1]]); // a new incident, not the old one
    const again = run([event(incident, 'reopened')], [resolved], T0 + 2 * MIN).events.filter(
      (e) => e.alert.kind === SERVICE_INCIDENT_KIND,
    );
    expect(again.map((e) => [e.type, e.alert.id])).toEqual([['reopened', resolved.id]]);
  });
});
