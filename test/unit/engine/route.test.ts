import { describe, expect, it } from 'vitest';
import type { Alert, AlertEvent } from '../../../src/domain/alert.js';
import type { Silence, SilenceMatcher } from '../../../src/domain/silence.js';
import type { Subscription, SubscriptionFilter } from '../../../src/domain/subscription.js';
import { type RouteContext, routeEvents } from '../../../src/engine/route.js';
import { makeAlert, makeEvent, T0 } from '../../contract/alert-factory.js';

const HOUR = 3_600_000;

/** An institution alert from Belvo's institution status page, open at `major`. */
function alert(over: Partial<Alert> = {}): Alert {
  return makeAlert({
    id: 'A7',
    fingerprint: 'statuspage/institutions/component/cmp_erebor',
    kind: 'statuspage.component',
    source: 'institutions',
    severity: 'major',
    peakSeverity: 'major',
    environment: 'production',
    maintenance: undefined,
    acknowledged: undefined,
    ...over,
  });
}

function event(over: Partial<Alert> = {}, eventOver: Partial<AlertEvent> = {}): AlertEvent {
  return makeEvent(alert(over), eventOver);
}

function sub(destination: string, filter: SubscriptionFilter, id = `${destination}:${JSON.stringify(filter)}`) {
  return { id, destination, filter, createdAt: T0 - HOUR } satisfies Subscription;
}

function silence(matcher: SilenceMatcher, over: Partial<Silence> = {}): Silence {
  return {
    id: 'S1',
    matcher,
    startsAt: T0 - HOUR,
    endsAt: T0 + HOUR,
    createdBy: 'U042ONCALL',
    reason: 'Erebor announced a migration',
    ...over,
  };
}

function route(events: AlertEvent[], ctx: Partial<RouteContext> = {}) {
  return routeEvents(events, { subscriptions: [], silences: [], now: T0, ...ctx });
}

/** Destinations that hear about the event. */
function heard(filter: SubscriptionFilter, over: Partial<Alert> = {}): boolean {
  const { intents } = route([event(over)], { subscriptions: [sub('#oncall', filter)] });
  return intents.length === 1;
}

const noInstitution = { institution: undefined } satisfies Partial<Alert>;

describe('subscription filters', () => {
  it.each<[string, SubscriptionFilter, Partial<Alert>, boolean]>([
    ['an empty filter hears everything', {}, {}, true],
    // kinds: exact or a dotted prefix
    ['kind exact', { kinds: ['statuspage.component'] }, {}, true],
    ['kind prefix', { kinds: ['statuspage'] }, {}, true],
    ['kind prefix, any case', { kinds: ['StatusPage'] }, {}, true],
    ['kind prefix of an incident', { kinds: ['statuspage'] }, { kind: 'statuspage.incident' }, true],
    ['another kind', { kinds: ['statuspage.incident'] }, {}, false],
    ['a prefix must end at a dot', { kinds: ['status'] }, {}, false],
    ['a kind outside the prefix', { kinds: ['statuspage'] }, { kind: 'source.health' }, false],
    ['one of several kinds', { kinds: ['source.health', 'statuspage.component'] }, {}, true],
    // sources
    ['source', { sources: ['institutions'] }, {}, true],
    ['another source', { sources: ['belvo-api'] }, {}, false],
    // environments
    ['environment', { environments: ['production'] }, {}, true],
    ['another environment', { environments: ['sandbox'] }, {}, false],
    // A status-page alert from a source with no environment concerns every environment.
    ['an alert with no environment', { environments: ['sandbox'] }, { environment: undefined }, true],
    // institutions: Belvo `name` or the page's display name, any case
    ['institution by name', { institutions: ['erebor_mx_retail'] }, {}, true],
    ['institution by display name', { institutions: ['Banco Erebor MX - Retail'] }, {}, true],
    ['institution by display name, any case', { institutions: ['banco erebor mx - retail'] }, {}, true],
    ['one of several institutions', { institutions: ['bancolombia_co', 'erebor_mx_retail'] }, {}, true],
    ['another institution', { institutions: ['bancolombia_co'] }, {}, false],
    ['a part of the name is not the name', { institutions: ['erebor'] }, {}, false],
    ['an alert about no institution', { institutions: ['erebor_mx_retail'] }, noInstitution, false],
    // countries
    ['country', { countries: ['MX'] }, {}, true],
    ['country, lower case', { countries: ['mx'] }, {}, true],
    ['another country', { countries: ['CO', 'BR'] }, {}, false],
    ['an alert with no country', { countries: ['MX'] }, noInstitution, false],
    // minSeverity, on the worst severity while open
    ['minSeverity below', { minSeverity: 'minor' }, {}, true],
    ['minSeverity equal', { minSeverity: 'major' }, {}, true],
    ['minSeverity above', { minSeverity: 'critical' }, {}, false],
    ['minSeverity on an info alert', { minSeverity: 'minor' }, { severity: 'info', peakSeverity: 'info' }, false],
    // every field must match
    ['all fields matching', { kinds: ['statuspage'], countries: ['MX'], minSeverity: 'major' }, {}, true],
    ['all but one matching', { kinds: ['statuspage'], countries: ['MX'], minSeverity: 'critical' }, {}, false],
  ])('%s', (_name, filter, over, expected) => {
    expect(heard(filter, over)).toBe(expected);
  });

  it('a resolved event reaches a minSeverity major channel when the alert peaked at major', () => {
    const resolved = event(
      { state: 'resolved', severity: 'minor', peakSeverity: 'major', version: 3 },
      { type: 'resolved', version: 3, reason: '2 consecutive good observations (threshold 2)' },
    );
    const { intents } = route([resolved], { subscriptions: [sub('#oncall', { minSeverity: 'major' })] });
    expect(intents.map((i) => [i.destination, i.version, i.event.type])).toEqual([['#oncall', 3, 'resolved']]);
  });

  it('an alert that never got past minor does not reach it', () => {
    const { intents, suppressed } = route([event({ severity: 'minor', peakSeverity: 'minor' })], {
      subscriptions: [sub('#oncall', { minSeverity: 'major' })],
    });
    expect(intents).toEqual([]);
    expect(suppressed).toEqual([{ alertId: 'A7', version: 1, reason: 'no subscription matches' }]);
  });
});

describe('intents', () => {
  it('several subscriptions of one destination give one intent; each destination gets its own', () => {
    const e = event();
    const { intents, suppressed } = route([e], {
      subscriptions: [
        sub('#oncall', { countries: ['MX'] }),
        sub('#oncall', { kinds: ['statuspage'] }),
        sub('#oncall', {}),
        sub('pagerduty', { minSeverity: 'major' }),
        sub('#colombia', { countries: ['CO'] }),
      ],
    });
    expect(intents).toEqual([
      { alertId: 'A7', version: 1, destination: '#oncall', event: e, notBefore: T0 },
      { alertId: 'A7', version: 1, destination: 'pagerduty', event: e, notBefore: T0 },
    ]);
    expect(suppressed).toEqual([]);
  });

  it('each event is routed on its own', () => {
    const mx = event();
    const co = event(
      {
        id: 'A8',
        version: 2,
        institution: { name: 'bancolombia_co', displayName: 'Bancolombia CO', country: 'CO' },
      },
      { at: T0 + 5000 },
    );
    const { intents, suppressed } = route([mx, co], { subscriptions: [sub('#mexico', { countries: ['MX'] })] });
    expect(intents.map((i) => [i.alertId, i.version, i.destination, i.notBefore])).toEqual([['A7', 1, '#mexico', T0]]);
    expect(suppressed).toEqual([{ alertId: 'A8', version: 2, reason: 'no subscription matches' }]);
  });

  it('an event nobody subscribed to is reported as suppressed, not lost silently', () => {
    expect(route([event()])).toEqual({
      intents: [],
      suppressed: [{ alertId: 'A7', version: 1, reason: 'no subscription matches' }],
    });
  });
});

describe('channels that heard of an alert', () => {
  const heardBy = new Map([['A7', ['#left', '#oncall']]]);

  it('its resolution reaches a channel with its message even with no subscription left there', () => {
    const { intents, suppressed } = route([event({ state: 'resolved' }, { type: 'resolved' })], {
      subscriptions: [sub('#oncall', {})],
      heard: heardBy,
    });
    expect(intents.map((i) => i.destination).sort()).toEqual(['#left', '#oncall']);
    expect(suppressed).toEqual([]);
  });

  it('its other news does not: an unsubscribed channel asked not to hear more', () => {
    const { intents } = route([event({}, { type: 'updated' })], {
      subscriptions: [sub('#oncall', {})],
      heard: heardBy,
    });
    expect(intents.map((i) => i.destination)).toEqual(['#oncall']);
  });
});

describe('silences', () => {
  const everyone = [sub('#oncall', {}), sub('pagerduty', {})];
  const reason = 'silenced by U042ONCALL until 2025-01-15T13:00:00.000Z: Erebor announced a migration';

  it.each<[string, SilenceMatcher]>([
    ['fingerprint', { fingerprint: 'statuspage/institutions/component/cmp_erebor' }],
    ['institution name', { institution: 'erebor_mx_retail' }],
    ['institution display name, any case', { institution: 'BANCO EREBOR MX - RETAIL' }],
    ['source', { source: 'institutions' }],
    ['kind', { kind: 'statuspage.component' }],
    ['kind prefix', { kind: 'statuspage' }],
    ['several fields, all matching', { source: 'institutions', institution: 'erebor_mx_retail' }],
  ])(
    'an active silence by %s mutes every destination (quiet edits only, no page) and says who, until when and why',
    (_n, matcher) => {
      const { intents, suppressed } = route([event()], { subscriptions: everyone, silences: [silence(matcher)] });
      expect(intents.map((i) => [i.destination, i.event.quiet, i.event.noPage])).toEqual([
        ['#oncall', true, true],
        ['pagerduty', true, true],
      ]);
      expect(suppressed).toEqual([{ alertId: 'A7', version: 1, reason }]);
    },
  );

  it.each<[string, SilenceMatcher]>([
    ['another fingerprint', { fingerprint: 'statuspage/institutions/component/other' }],
    ['another institution', { institution: 'bancolombia_co' }],
    ['another source', { source: 'belvo-api' }],
    ['a kind that is only a string prefix', { kind: 'status' }],
    ['one of several fields not matching', { source: 'institutions', institution: 'bancolombia_co' }],
    ['nothing at all (an empty matcher matches nothing)', {}],
  ])('a silence on %s does not suppress', (_n, matcher) => {
    const { intents, suppressed } = route([event()], { subscriptions: everyone, silences: [silence(matcher)] });
    expect(intents.map((i) => i.destination)).toEqual(['#oncall', 'pagerduty']);
    expect(suppressed).toEqual([]);
  });

  it.each([
    ['expired', { startsAt: T0 - 2 * HOUR, endsAt: T0 - 1 }],
    ['ending right now', { startsAt: T0 - 2 * HOUR, endsAt: T0 }],
    ['not started yet', { startsAt: T0 + 1, endsAt: T0 + HOUR }],
  ])('an %s silence does not suppress', (_n, window) => {
    const { intents } = route([event()], {
      subscriptions: everyone,
      silences: [silence({ institution: 'erebor_mx_retail' }, window)],
    });
    expect(intents.map((i) => i.destination)).toEqual(['#oncall', 'pagerduty']);
  });

  it('a silence starting right now already suppresses', () => {
    const { intents } = route([event()], {
      subscriptions: everyone,
      silences: [silence({ institution: 'erebor_mx_retail' }, { startsAt: T0 })],
    });
    expect(intents.every((i) => i.event.quiet && i.event.noPage)).toBe(true);
  });

  it('a silence mutes only the alerts it matches', () => {
    const other = event({ id: 'A9', institution: { name: 'bancolombia_co', displayName: 'Bancolombia CO' } });
    const { intents, suppressed } = route([event(), other], {
      subscriptions: [sub('#oncall', {})],
      silences: [silence({ institution: 'erebor_mx_retail' })],
    });
    expect(intents.map((i) => [i.alertId, i.event.quiet])).toEqual([
      ['A7', true],
      ['A9', false],
    ]);
    expect(suppressed.map((s) => s.alertId)).toEqual(['A7']);
  });

  it('the first active matching silence is the one named', () => {
    const { suppressed } = route([event()], {
      subscriptions: everyone,
      silences: [
        silence({ institution: 'erebor_mx_retail' }, { id: 'old', endsAt: T0 - 1, createdBy: 'U_OLD' }),
        silence(
          { kind: 'statuspage' },
          { id: 'S2', createdBy: 'U_ANA', reason: 'page is noisy', endsAt: T0 + 2 * HOUR },
        ),
      ],
    });
    expect(suppressed).toEqual([
      { alertId: 'A7', version: 1, reason: 'silenced by U_ANA until 2025-01-15T14:00:00.000Z: page is noisy' },
    ]);
  });
});

describe('quiet hours', () => {
  // T0 is 12:00Z: 06:00 in Mexico City, inside 22:00-07:00.
  const quietHours = { from: '22:00', to: '07:00', tz: 'America/Mexico_City' };

  it.each<[string, Partial<Alert>, Partial<AlertEvent>, number, string[]]>([
    ['a major alert waits for the digest', {}, {}, T0, []],
    ['a critical alert goes out at once', { severity: 'critical', peakSeverity: 'critical' }, {}, T0, ['#night']],
    ['a quiet edit goes out (it notifies nobody)', {}, { quiet: true }, T0, ['#night']],
    ['after 07:00 local, everything goes out', {}, {}, T0 + 3_600_000, ['#night']],
  ])('%s', (_, over, eventOver, now, expected) => {
    const { intents, suppressed } = route([event(over, eventOver)], {
      subscriptions: [sub('#night', { quietHours })],
      now,
    });
    expect(intents.map((i) => i.destination)).toEqual(expected);
    if (expected.length === 0) {
      expect(suppressed.map((s) => s.reason)).toEqual(['quiet hours at #night: waits for the digest']);
    }
  });

  it('a destination also subscribed without quiet hours hears it at once', () => {
    const { intents } = route([event()], {
      subscriptions: [sub('#night', { quietHours }), sub('#night', { minSeverity: 'minor' })],
    });
    expect(intents.map((i) => i.destination)).toEqual(['#night']);
  });
});

describe('storms', () => {
  it("an alert absorbed by a storm is told by the storm's message only (an acknowledgement of it too)", () => {
    const { intents, suppressed } = route([event({ groupId: 'A40' }, { type: 'updated' })], {
      subscriptions: [sub('#oncall', {})],
    });
    expect(intents).toEqual([]);
    expect(suppressed.map((x) => x.reason)).toEqual(['part of A40, whose message lists it']);
  });
});
