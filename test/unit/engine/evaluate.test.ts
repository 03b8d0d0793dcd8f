import { describe, expect, it } from 'vitest';
import { detectStatusPage, type StatusPageSourceInfo } from '../../../src/detect/status-page.js';
import type { Alert, AlertEvent } from '../../../src/domain/alert.js';
import type { PollOutcome, Signal } from '../../../src/domain/signal.js';
import type { StatusPageSnapshot } from '../../../src/domain/status-page.js';
import { DEFAULT_ENGINE_CONFIG, type EngineConfig } from '../../../src/engine/engine-config.js';
import { evaluatePoll, fingerprintsToLoad } from '../../../src/engine/evaluate.js';
import { componentSignal, incidentSignal, MIN } from './drive.js';

const SOURCE = 'api';
const HEALTH = 'bot/source/api/unreachable';
const INCIDENT = 'statuspage/api/incident/abc';
const COMPONENT = 'statuspage/api/component/c1';
const SCOPES = ['statuspage/api/component/', 'statuspage/api/incident/', 'statuspage/api/maintenance/'];

const apiComponent = (over: Partial<Signal> = {}) =>
  componentSignal({ fingerprint: COMPONENT, source: SOURCE, title: 'Payments API: partial outage', ...over });

function ok(at: number, signals: Signal[], completeScopes: string[] = SCOPES): PollOutcome {
  return { ok: true, source: SOURCE, at, signals, completeScopes };
}

function failed(at: number, message: string, code = 'network'): PollOutcome {
  return { ok: false, source: SOURCE, at, error: { code, message } };
}

/**
 * Polls of one source against an in-memory store that honours the Store contract the poller relies on
 * (`alertsForEvaluation`: the latest alert per fingerprint asked for, plus every open alert of the source).
 */
class Harness {
  private readonly rows: Alert[] = [];
  private seq = 0;
  firstSight = true;

  constructor(
    private readonly failuresBeforeAlert = 3,
    private readonly config: EngineConfig = DEFAULT_ENGINE_CONFIG,
  ) {}

  load(outcome: PollOutcome): Alert[] {
    const wanted = new Set(fingerprintsToLoad(outcome));
    const latest = new Map<string, Alert>();
    for (const a of this.rows) if (wanted.has(a.fingerprint)) latest.set(a.fingerprint, a);
    const open = this.rows.filter(
      (a) => a.source === outcome.source && (a.state !== 'resolved' || a.maintenance !== undefined),
    );
    return [...new Set([...latest.values(), ...open])];
  }

  poll(outcome: PollOutcome) {
    const result = evaluatePoll({
      outcome,
      alerts: structuredClone(this.load(outcome)),
      firstSight: this.firstSight,
      now: outcome.at,
      config: this.config,
      newId: () => `A${++this.seq}`,
      failuresBeforeAlert: this.failuresBeforeAlert,
      sourceName: 'Belvo API status page',
    });
    for (const a of result.alerts) {
      const i = this.rows.findIndex((r) => r.id === a.id);
      if (i >= 0) this.rows[i] = a;
      else this.rows.push(a);
    }
    if (outcome.ok) this.firstSight = false;
    return result;
  }

  alert(fingerprint: string): Alert | undefined {
    return this.rows.filter((a) => a.fingerprint === fingerprint).at(-1);
  }
}

const said = (events: AlertEvent[]) => events.map((e) => `${e.type} ${e.alert.fingerprint}: ${e.reason}`);

describe('a failed poll is not a recovery', () => {
  it('leaves open alerts exactly as they were and writes nothing but the health alert', () => {
    const h = new Harness();
    h.poll(ok(0, [incidentSignal(), apiComponent()]));
    const incidentBefore = h.alert(INCIDENT);
    const componentBefore = h.alert(COMPONENT);

    const result = h.poll(failed(MIN, 'connect ECONNREFUSED 10.0.0.1:443'));
    expect(result.events).toEqual([]);
    expect(result.alerts.map((a) => a.fingerprint)).toEqual([HEALTH]);
    expect(result.decisions.map((d) => d.fingerprint)).toEqual([HEALTH]);
    expect(h.alert(INCIDENT)).toEqual(incidentBefore);
    expect(h.alert(COMPONENT)).toEqual(componentBefore);

    // And once the page answers again with the same content, nothing is re-announced or resolved.
    expect(h.poll(ok(2 * MIN, [incidentSignal(), apiComponent()])).events).toEqual([]);
    expect(h.alert(INCIDENT)?.state).toBe('firing');
    expect(h.alert(COMPONENT)?.state).toBe('firing');
  });

  it('a failed poll never counts towards resolving a component that is recovering', () => {
    const h = new Harness();
    h.poll(ok(0, [apiComponent()]));
    h.poll(ok(MIN, [apiComponent({ observation: 'ok', status: 'operational' })]));
    h.poll(failed(2 * MIN, 'timeout after 10 s', 'timeout'));
    expect(h.alert(COMPONENT)?.state).toBe('firing');
    const back = h.poll(ok(3 * MIN, [apiComponent({ observation: 'ok', status: 'operational' })]));
    expect(said(back.events)).toEqual([`resolved ${COMPONENT}: 2 consecutive good observations (threshold 2)`]);
  });

  it('the health alert fires after failuresBeforeAlert failures and says the last error', () => {
    const h = new Harness(3);
    h.firstSight = false;
    expect(h.poll(failed(0, 'connect ECONNREFUSED 10.0.0.1:443')).events).toEqual([]);
    expect(h.poll(failed(MIN, 'HTTP 503 Service Unavailable', 'server')).events).toEqual([]);
    const third = h.poll(failed(2 * MIN, 'timeout after 10 s', 'timeout'));
    expect(said(third.events)).toEqual([`opened ${HEALTH}: 3 failed polls in a row (threshold 3)`]);
    const alert = third.events[0]!.alert;
    expect(alert).toMatchObject({
      kind: 'source.health',
      source: 'api',
      title: 'Belvo API status page cannot be read',
      status: 'unreachable',
      severity: 'minor',
      counters: { bad: 3, ok: 0 },
      evidence: { source: 'api', lastError: 'timeout after 10 s', errorCode: 'timeout' },
    });
  });

  it('keeps the latest error while it stays down, without a new message per failure', () => {
    const h = new Harness(2);
    h.poll(failed(0, 'HTTP 503 Service Unavailable', 'server'));
    h.poll(failed(MIN, 'HTTP 500 Internal Server Error', 'server'));
    const third = h.poll(failed(2 * MIN, 'HTTP 502 Bad Gateway', 'server'));
    expect(third.events).toEqual([]);
    expect(h.alert(HEALTH)?.evidence.lastError).toBe('HTTP 502 Bad Gateway');
    expect(h.alert(HEALTH)?.counters.bad).toBe(3);
  });

  it('resolves on the first good poll', () => {
    const h = new Harness(2);
    h.poll(failed(0, 'down'));
    h.poll(failed(MIN, 'down'));
    const back = h.poll(ok(2 * MIN, []));
    expect(said(back.events)).toEqual([`resolved ${HEALTH}: 1 successful poll (threshold 1)`]);
    expect(back.events[0]?.alert.status).toBe('reachable');
  });

  it('a good poll between failures starts the count again', () => {
    const h = new Harness(3);
    const events = [
      failed(0, 'x'),
      failed(MIN, 'x'),
      ok(2 * MIN, []),
      failed(3 * MIN, 'x'),
      failed(4 * MIN, 'x'),
    ].flatMap((o) => h.poll(o).events);
    expect(events).toEqual([]);
    expect(said(h.poll(failed(5 * MIN, 'x')).events)).toEqual([
      `opened ${HEALTH}: 3 failed polls in a row (threshold 3)`,
    ]);
  });

  it('is not subject to first sight: a source unreadable from the start is news', () => {
    const h = new Harness(1);
    expect(h.firstSight).toBe(true);
    const result = h.poll(failed(0, 'getaddrinfo ENOTFOUND status.belvo.com'));
    expect(result.events.map((e) => e.type)).toEqual(['opened']);
    expect(result.events[0]?.alert.evidence.lastError).toBe('getaddrinfo ENOTFOUND status.belvo.com');
  });
});

describe('things gone from a complete scope', () => {
  it('an open incident missing from a complete incident list resolves as "no longer listed"', () => {
    const h = new Harness();
    h.poll(ok(0, [incidentSignal({ fingerprint: INCIDENT })]));
    const result = h.poll(ok(MIN, []));
    expect(said(result.events)).toEqual([`resolved ${INCIDENT}: no longer listed by the source (1 poll)`]);
    expect(result.events[0]?.alert).toMatchObject({ state: 'resolved', status: 'no longer listed', severity: 'major' });
  });

  it('but not when the poll did not see its scope completely (an RSS history window)', () => {
    const h = new Harness();
    h.poll(ok(0, [incidentSignal({ fingerprint: INCIDENT })]));
    const result = h.poll(ok(MIN, [], []));
    expect(result.events).toEqual([]);
    expect(h.alert(INCIDENT)?.state).toBe('firing');
  });

  it('nor when only another scope was complete', () => {
    const h = new Harness();
    h.poll(ok(0, [incidentSignal({ fingerprint: INCIDENT })]));
    expect(h.poll(ok(MIN, [], ['statuspage/api/component/'])).events).toEqual([]);
  });

  it('a component removed from a complete component list resolves after two polls, saying it is gone', () => {
    const h = new Harness();
    h.poll(ok(0, [apiComponent()]));
    expect(h.poll(ok(MIN, [])).events).toEqual([]);
    const result = h.poll(ok(2 * MIN, []));
    expect(said(result.events)).toEqual([`resolved ${COMPONENT}: no longer listed by the source (2 polls)`]);
    // The resolved message says what it was, at the severity it had, and that it is gone rather than fixed.
    expect(result.events[0]?.alert).toMatchObject({
      status: 'no longer listed',
      severity: 'major',
      peakSeverity: 'major',
    });
  });

  it('a scope is a prefix of this source only: another source with a longer id is not touched', () => {
    const h = new Harness();
    const other = incidentSignal({ fingerprint: 'statuspage/api-sandbox/incident/zz', source: 'api' });
    h.poll(ok(0, [other]));
    expect(h.poll(ok(MIN, [])).events).toEqual([]);
  });
});

describe('one poll, one observation per fingerprint', () => {
  it('a feed listing a component twice counts as one bad observation', () => {
    const config: EngineConfig = {
      ...DEFAULT_ENGINE_CONFIG,
      thresholds: { ...DEFAULT_ENGINE_CONFIG.thresholds, byKind: { 'statuspage.component': { fail: 2, ok: 2 } } },
    };
    const h = new Harness(3, config);
    const first = h.poll(ok(0, [apiComponent(), apiComponent()]));
    expect(first.events).toEqual([]);
    expect(h.alert(COMPONENT)?.counters).toEqual({ bad: 1, ok: 0 });
    expect(said(h.poll(ok(MIN, [apiComponent()])).events)).toEqual([
      `opened ${COMPONENT}: 2 consecutive bad observations (threshold 2)`,
    ]);
  });

  it('a feed listing an incident twice opens it once', () => {
    const h = new Harness();
    const result = h.poll(
      ok(0, [incidentSignal({ fingerprint: INCIDENT }), incidentSignal({ fingerprint: INCIDENT })]),
    );
    expect(said(result.events)).toEqual([`opened ${INCIDENT}: the source says investigating`]);
    expect(result.alerts.filter((a) => a.fingerprint === INCIDENT)).toHaveLength(1);
  });
});

describe('first sight', () => {
  it('records resolved history without events and posts what is open now', () => {
    const h = new Harness();
    const old = 'statuspage/api/incident/old';
    const result = h.poll(
      ok(0, [
        incidentSignal({ fingerprint: old, observation: 'ok', status: 'resolved', title: 'Last week' }),
        incidentSignal({ fingerprint: INCIDENT }),
        apiComponent(),
      ]),
    );
    expect(said(result.events)).toEqual([
      `opened ${INCIDENT}: the source says investigating`,
      `opened ${COMPONENT}: the source says partial_outage`,
    ]);
    expect(h.alert(old)).toMatchObject({ state: 'resolved', announced: false, version: 0 });
    // The history is known afterwards: seeing it again is not news either.
    const again = h.poll(
      ok(MIN, [
        incidentSignal({ fingerprint: old, observation: 'ok', status: 'resolved', title: 'Last week' }),
        incidentSignal({ fingerprint: INCIDENT }),
        apiComponent(),
      ]),
    );
    expect(again.events).toEqual([]);
  });
});

describe('fingerprintsToLoad', () => {
  it('asks for bad, source-lifecycle and maintenance signals and the health alert, not ok observed components', () => {
    const maintenance = { id: 'm1', title: 'Upgrade' };
    const outcome = ok(0, [
      apiComponent({ fingerprint: 'statuspage/api/component/bad' }),
      apiComponent({ fingerprint: 'statuspage/api/component/fine', observation: 'ok', status: 'operational' }),
      apiComponent({ fingerprint: 'statuspage/api/component/maint', observation: 'ok', maintenance }),
      incidentSignal({ fingerprint: 'statuspage/api/incident/closed', observation: 'ok', status: 'resolved' }),
      incidentSignal({ fingerprint: 'statuspage/api/incident/open' }),
    ]);
    expect(fingerprintsToLoad(outcome)).toEqual([
      HEALTH,
      'statuspage/api/component/bad',
      'statuspage/api/component/maint',
      'statuspage/api/incident/closed',
      'statuspage/api/incident/open',
    ]);
  });

  it('a failed poll needs only the health alert', () => {
    expect(fingerprintsToLoad(failed(0, 'down'))).toEqual([HEALTH]);
  });
});

describe('through the detector and the store contract', () => {
  const src: StatusPageSourceInfo = { id: SOURCE, name: 'Belvo API', role: 'api', url: 'https://status.belvo.com' };
  const page = (status: string, maintenance?: 'in_progress' | 'completed'): PollOutcome & { ok: true } => {
    const snap: StatusPageSnapshot = {
      page: {},
      components: [{ id: 'c1', name: 'Payments API', status }],
      incidents: [],
      maintenances: maintenance
        ? [
            {
              id: 'm1',
              name: 'Payments upgrade',
              status: maintenance,
              impact: 'maintenance',
              components: [{ id: 'c1', name: 'Payments API' }],
              updates: [],
            },
          ]
        : [],
      incidentsComplete: true,
      maintenancesComplete: true,
    };
    return { ok: true, source: SOURCE, at: 0, ...detectStatusPage(src, snap) };
  };
  const at = (o: PollOutcome & { ok: true }, t: number) => ({ ...o, at: t });

  it('a component that fails and recovers outside any maintenance: opened, then resolved', () => {
    const h = new Harness();
    const events = [
      at(page('partial_outage'), 0),
      at(page('operational'), MIN),
      at(page('operational'), 2 * MIN),
    ].flatMap((o) => h.poll(o).events);
    expect(said(events)).toEqual([
      `opened ${COMPONENT}: the source says partial_outage`,
      `resolved ${COMPONENT}: 2 consecutive good observations (threshold 2)`,
    ]);
  });

  // An announced alert that recovers inside the window is resolved silently and held by the maintenance, so the
  // store keeps handing it to the engine until the window's end settles it (and posts the resolution).
  it('an alert fixed during a maintenance is reported resolved when the window ends', () => {
    const h = new Harness();
    const events = [
      at(page('partial_outage'), 0),
      at(page('partial_outage', 'in_progress'), MIN),
      at(page('operational', 'in_progress'), 2 * MIN),
      at(page('operational', 'in_progress'), 3 * MIN),
      at(page('operational', 'completed'), 61 * MIN),
    ].flatMap((o) => h.poll(o).events);
    expect(said(events.filter((e) => e.alert.fingerprint === COMPONENT))).toEqual([
      `opened ${COMPONENT}: the source says partial_outage`,
      `updated ${COMPONENT}: under maintenance: Payments upgrade`,
      `resolved ${COMPONENT}: recovered by the end of Payments upgrade`,
    ]);
  });

  // Once settled, the alert carries no stale maintenance: a real outage later is announced, not a quiet edit.
  it('a real outage days after such a maintenance is announced', () => {
    const h = new Harness();
    for (const o of [
      at(page('partial_outage'), 0),
      at(page('partial_outage', 'in_progress'), MIN),
      at(page('operational', 'in_progress'), 2 * MIN),
      at(page('operational', 'in_progress'), 3 * MIN),
      at(page('operational', 'completed'), 61 * MIN),
    ])
      h.poll(o);
    const later = h.poll(at(page('partial_outage'), 3 * 24 * 60 * MIN));
    const component = later.events.filter((e) => e.alert.fingerprint === COMPONENT);
    // A new alert (`opened`) or the old one reopened: either way a message that is not a quiet edit.
    expect(component).toHaveLength(1);
    expect(component[0]).toMatchObject({ type: expect.stringMatching(/^(opened|reopened)$/), quiet: false });
  });
});
