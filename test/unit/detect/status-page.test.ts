import { describe, expect, it } from 'vitest';
import { detectStatusPage, type StatusPageSourceInfo } from '../../../src/detect/status-page.js';
import type { Signal } from '../../../src/domain/signal.js';
import type {
  StatusPageComponent,
  StatusPageIncident,
  StatusPageMaintenance,
  StatusPageSnapshot,
} from '../../../src/domain/status-page.js';

const T = Date.UTC(2025, 0, 15, 12, 0, 0);
const MIN = 60_000;

const api: StatusPageSourceInfo = {
  id: 'belvo-api',
  name: 'Belvo API',
  role: 'api',
  url: 'https://status.belvo.com',
  environment: 'production',
};
const institutions: StatusPageSourceInfo = {
  id: 'institutions',
  name: 'Belvo institutions',
  role: 'institutions',
  url: 'https://institutions.belvo.com/',
};

/** A JSON-API-like snapshot: components present, incidents and maintenances complete. */
function snapshot(over: Partial<StatusPageSnapshot> = {}): StatusPageSnapshot {
  return {
    page: { id: 'pg_8x7k2', name: 'Belvo', url: 'https://status.belvo.com' },
    components: [],
    incidents: [],
    maintenances: [],
    incidentsComplete: true,
    maintenancesComplete: true,
    ...over,
  };
}

/** What a history feed (RSS/Atom) gives: no components, never complete. */
function rssSnapshot(over: Partial<StatusPageSnapshot> = {}): StatusPageSnapshot {
  const { components: _none, ...rest } = snapshot({ incidentsComplete: false, maintenancesComplete: false, ...over });
  return rest;
}

function component(over: Partial<StatusPageComponent> = {}): StatusPageComponent {
  return { id: 'cmp_erebor', name: 'Banco Erebor MX - Retail', status: 'operational', ...over };
}

function incident(over: Partial<StatusPageIncident> = {}): StatusPageIncident {
  return {
    id: 'n4njzfn1mqy0',
    name: 'Elevated API errors',
    status: 'investigating',
    impact: 'major',
    createdAt: T - 5 * MIN,
    components: [],
    updates: [{ id: 'upd_1', status: 'investigating', body: 'We are looking into it.', at: T - 5 * MIN }],
    ...over,
  };
}

function maintenance(over: Partial<StatusPageMaintenance> = {}): StatusPageMaintenance {
  return {
    id: 'mnt_db',
    name: 'Database upgrade',
    status: 'in_progress',
    impact: 'maintenance',
    startedAt: T,
    scheduledFor: T,
    scheduledUntil: T + 60 * MIN,
    components: [{ id: 'cmp_erebor', name: 'Banco Erebor MX - Retail' }],
    updates: [{ id: 'mupd_1', status: 'in_progress', body: 'Started.', at: T }],
    ...over,
  };
}

function only(signals: Signal[], kind: string): Signal {
  const found = signals.filter((s) => s.kind === kind);
  expect(found).toHaveLength(1);
  return found[0]!;
}

describe('components', () => {
  it.each([
    ['operational', 'ok', 'Banco Erebor MX - Retail: operational'],
    ['degraded_performance', 'bad', 'Banco Erebor MX - Retail: degraded performance'],
    ['partial_outage', 'bad', 'Banco Erebor MX - Retail: partial outage'],
    ['major_outage', 'bad', 'Banco Erebor MX - Retail: major outage'],
    ['under_maintenance', 'ok', 'Banco Erebor MX - Retail: under maintenance'],
    ['a_status_from_the_future', 'bad', 'Banco Erebor MX - Retail: a status from the future'],
  ])('%s is observed %s, titled as the page says it', (status, observation, title) => {
    const s = only(
      detectStatusPage(api, snapshot({ components: [component({ status })] })).signals,
      'statuspage.component',
    );
    expect(s).toMatchObject({ observation, title, status, lifecycle: 'observed', source: 'belvo-api' });
  });

  it.each([
    ['degraded_performance', 'minor'],
    ['partial_outage', 'major'],
    ['major_outage', 'critical'],
    // Not operational, but not known to be the worst either.
    ['a_status_from_the_future', 'minor'],
  ])('%s has severity %s', (status, severity) => {
    const s = only(
      detectStatusPage(api, snapshot({ components: [component({ status })] })).signals,
      'statuspage.component',
    );
    expect(s.severity).toBe(severity);
  });

  it('a component under maintenance with no announced maintenance still carries a maintenance of its own', () => {
    const s = only(
      detectStatusPage(api, snapshot({ components: [component({ status: 'under_maintenance' })] })).signals,
      'statuspage.component',
    );
    expect(s.maintenance).toEqual({ id: 'component:cmp_erebor', title: 'Banco Erebor MX - Retail under maintenance' });
  });

  it('links to the page, keeps the environment and names the component and its group as evidence', () => {
    const s = only(
      detectStatusPage(
        api,
        snapshot({ components: [component({ id: 'cmp_api', name: 'Payments API', groupName: 'APIs' })] }),
      ).signals,
      'statuspage.component',
    );
    expect(s).toMatchObject({
      fingerprint: 'statuspage/belvo-api/component/cmp_api',
      url: 'https://status.belvo.com',
      environment: 'production',
      evidence: { component: 'Payments API', group: 'APIs' },
    });
    expect(s.maintenance).toBeUndefined();
  });

  it('on the API page a component is not an institution', () => {
    const s = only(detectStatusPage(api, snapshot({ components: [component()] })).signals, 'statuspage.component');
    expect(s.institution).toBeUndefined();
  });

  it.each([
    ['the group', 'Banco Azteca', 'Mexico', { name: 'banco_azteca', displayName: 'Banco Azteca', country: 'MX' }],
    [
      'an accented group',
      'Itaú Personas',
      'Brasil',
      { name: 'itau_personas', displayName: 'Itaú Personas', country: 'BR' },
    ],
    [
      'the name suffix',
      'Bancolombia CO - Personas',
      undefined,
      { name: 'bancolombia_co_personas', displayName: 'Bancolombia CO - Personas', country: 'CO' },
    ],
    [
      'the name when the group is no country',
      'Banco Erebor MX - Retail',
      'Retail banks',
      { name: 'banco_erebor_mx_retail', displayName: 'Banco Erebor MX - Retail', country: 'MX' },
    ],
    [
      'nothing (no country)',
      'Fintech Sandbox Bank',
      undefined,
      { name: 'fintech_sandbox_bank', displayName: 'Fintech Sandbox Bank' },
    ],
  ])('on the institutions page a component is an institution, country from %s', (_from, name, groupName, expected) => {
    const c = component({ name, status: 'partial_outage', ...(groupName !== undefined && { groupName }) });
    const s = only(detectStatusPage(institutions, snapshot({ components: [c] })).signals, 'statuspage.component');
    expect(s.institution).toEqual(expected);
  });
});

describe('incidents', () => {
  it.each([
    ['investigating', 'bad'],
    ['identified', 'bad'],
    ['monitoring', 'bad'],
    ['resolved', 'ok'],
    ['postmortem', 'ok'],
  ])('status %s is observed %s; the page owns the lifecycle', (status, observation) => {
    const s = only(
      detectStatusPage(api, snapshot({ incidents: [incident({ status })] })).signals,
      'statuspage.incident',
    );
    expect(s).toMatchObject({ observation, status, lifecycle: 'source', reportLateResolution: true });
  });

  it.each([
    ['none', 'info'],
    ['minor', 'minor'],
    ['major', 'major'],
    ['critical', 'critical'],
    // RSS/Atom do not say the impact.
    ['unknown', 'minor'],
  ])('impact %s has severity %s', (impact, severity) => {
    const s = only(
      detectStatusPage(api, snapshot({ incidents: [incident({ impact })] })).signals,
      'statuspage.incident',
    );
    expect(s.severity).toBe(severity);
  });

  it('every update becomes a timeline entry from the source', () => {
    const updates = [
      { id: 'upd_2', status: 'identified', body: 'Cause found.', at: T },
      { id: 'upd_1', status: 'investigating', body: 'We are looking into it.', at: T - 5 * MIN },
    ];
    const s = only(
      detectStatusPage(api, snapshot({ incidents: [incident({ updates })] })).signals,
      'statuspage.incident',
    );
    expect(s.updates).toEqual([
      { id: 'upd_2', at: T, status: 'identified', text: 'Cause found.', origin: 'source' },
      { id: 'upd_1', at: T - 5 * MIN, status: 'investigating', text: 'We are looking into it.', origin: 'source' },
    ]);
  });

  it('is titled, linked and dated as the page says', () => {
    const s = only(
      detectStatusPage(
        api,
        snapshot({
          incidents: [incident({ url: 'https://stspg.io/abc', startedAt: T - 9 * MIN, createdAt: T - 5 * MIN })],
        }),
      ).signals,
      'statuspage.incident',
    );
    expect(s).toMatchObject({
      fingerprint: 'statuspage/belvo-api/incident/n4njzfn1mqy0',
      title: 'Elevated API errors',
      url: 'https://stspg.io/abc',
      startedAt: T - 9 * MIN,
      environment: 'production',
      evidence: { page: 'Belvo API' },
    });
  });

  it('without a url it links to <page>/incidents/<id>, whatever trailing slash the page url has', () => {
    const a = only(detectStatusPage(api, snapshot({ incidents: [incident()] })).signals, 'statuspage.incident');
    const b = only(
      detectStatusPage(institutions, snapshot({ incidents: [incident()] })).signals,
      'statuspage.incident',
    );
    expect(a.url).toBe('https://status.belvo.com/incidents/n4njzfn1mqy0');
    expect(b.url).toBe('https://institutions.belvo.com/incidents/n4njzfn1mqy0');
  });

  it('started when it was created, when the page gives no start; no start when it gives neither', () => {
    const created = only(detectStatusPage(api, snapshot({ incidents: [incident()] })).signals, 'statuspage.incident');
    expect(created.startedAt).toBe(T - 5 * MIN);
    const { createdAt: _c, ...undated } = incident();
    const none = only(detectStatusPage(api, snapshot({ incidents: [undated] })).signals, 'statuspage.incident');
    expect(none).not.toHaveProperty('startedAt');
  });

  it('an incident naming one institution component is about that institution', () => {
    const erebor = component({ id: 'cmp_erebor', name: 'Banco Erebor MX - Retail', groupName: 'Mexico' });
    const s = only(
      detectStatusPage(
        institutions,
        snapshot({
          components: [erebor, component({ id: 'cmp_other', name: 'Banco Otro CO' })],
          incidents: [incident({ components: [{ id: 'cmp_erebor', name: 'Banco Erebor MX - Retail' }] })],
        }),
      ).signals,
      'statuspage.incident',
    );
    expect(s.institution).toEqual({
      name: 'banco_erebor_mx_retail',
      displayName: 'Banco Erebor MX - Retail',
      country: 'MX',
    });
    expect(s.evidence).toEqual({ page: 'Belvo institutions', components: ['Banco Erebor MX - Retail'] });
  });

  it('an incident naming several institution components affects each of them (and is about none alone)', () => {
    const s = only(
      detectStatusPage(
        institutions,
        snapshot({
          components: [
            component({ id: 'a', name: 'Banco A MX', groupName: 'Mexico' }),
            component({ id: 'b', name: 'Banco B CO', groupName: 'Colombia' }),
          ],
          incidents: [
            incident({
              components: [
                { id: 'a', name: 'Banco A MX' },
                { id: 'b', name: 'Banco B CO' },
              ],
            }),
          ],
        }),
      ).signals,
      'statuspage.incident',
    );
    expect(s.institution).toBeUndefined();
    expect(s.affects).toEqual([
      { name: 'banco_a_mx', displayName: 'Banco A MX', country: 'MX' },
      { name: 'banco_b_co', displayName: 'Banco B CO', country: 'CO' },
    ]);
  });

  it.each([
    [
      'names two institutions',
      institutions,
      snapshot({
        components: [component({ id: 'a', name: 'Banco A MX' }), component({ id: 'b', name: 'Banco B MX' })],
        incidents: [
          incident({
            components: [
              { id: 'a', name: 'Banco A MX' },
              { id: 'b', name: 'Banco B MX' },
            ],
          }),
        ],
      }),
    ],
    [
      'is on the API page',
      api,
      snapshot({
        components: [component({ id: 'a', name: 'Banco A MX' })],
        incidents: [incident({ components: [{ id: 'a', name: 'Banco A MX' }] })],
      }),
    ],
    [
      'names a component the snapshot does not list (RSS)',
      institutions,
      rssSnapshot({ incidents: [incident({ components: [{ id: 'a', name: 'Banco A MX' }] })] }),
    ],
  ])('an incident that %s carries no institution', (_why, src, snap) => {
    const s = only(detectStatusPage(src, snap).signals, 'statuspage.incident');
    expect(s.institution).toBeUndefined();
  });

  it('a change of impact or of the components named changes the revision; the order of components does not', () => {
    const rev = (i: StatusPageIncident) =>
      only(detectStatusPage(api, snapshot({ incidents: [i] })).signals, 'statuspage.incident').revision;
    const ab = [
      { id: 'a', name: 'A' },
      { id: 'b', name: 'B' },
    ];
    expect(rev(incident({ components: ab }))).toBe('impact=major;components=a,b');
    expect(rev(incident({ components: [...ab].reverse() }))).toBe('impact=major;components=a,b');
    expect(rev(incident({ components: ab, impact: 'critical' }))).toBe('impact=critical;components=a,b');
  });
});

describe('maintenances', () => {
  it('a scheduled maintenance is announced ahead: open, at severity info, carrying its window from its start', () => {
    const scheduled = maintenance({ status: 'scheduled', startedAt: T - 3 * 24 * 60 * MIN, scheduledFor: T + 2 * MIN });
    const s = only(detectStatusPage(api, snapshot({ maintenances: [scheduled] })).signals, 'statuspage.maintenance');
    expect(s).toMatchObject({
      observation: 'bad',
      severity: 'info',
      status: 'scheduled',
      // Its start is the window's, not when the page posted it.
      startedAt: T + 2 * MIN,
      maintenanceWindow: { from: T + 2 * MIN, until: T + 60 * MIN },
    });
    // Not the Belvo API's problem: no service, so it never joins the API's incident.
    expect(s.service).toBeUndefined();
  });

  it('on the institutions page, a maintenance naming one institution is about it; naming two, about neither', () => {
    const page = (components: { id: string; name: string }[]) =>
      only(
        detectStatusPage(
          institutions,
          snapshot({
            components: [component(), component({ id: 'cmp_other', name: 'Banco Otro CO' })],
            maintenances: [maintenance({ status: 'scheduled', components })],
          }),
        ).signals,
        'statuspage.maintenance',
      );
    expect(page([{ id: 'cmp_erebor', name: 'Banco Erebor MX - Retail' }]).institution).toMatchObject({
      displayName: 'Banco Erebor MX - Retail',
      country: 'MX',
    });
    expect(
      page([
        { id: 'cmp_erebor', name: 'Banco Erebor MX - Retail' },
        { id: 'cmp_other', name: 'Banco Otro CO' },
      ]).institution,
    ).toBeUndefined();
  });

  it.each([
    ['in_progress', 'bad'],
    ['verifying', 'bad'],
    ['completed', 'ok'],
  ])('%s is observed %s, at severity info', (status, observation) => {
    const s = only(
      detectStatusPage(api, snapshot({ maintenances: [maintenance({ status })] })).signals,
      'statuspage.maintenance',
    );
    expect(s).toMatchObject({
      fingerprint: 'statuspage/belvo-api/maintenance/mnt_db',
      observation,
      severity: 'info',
      lifecycle: 'source',
      title: 'Maintenance: Database upgrade',
      status,
      url: 'https://status.belvo.com/incidents/mnt_db',
      startedAt: T,
      evidence: {
        page: 'Belvo API',
        components: ['Banco Erebor MX - Retail'],
        until: '2025-01-15T13:00:00.000Z',
      },
      updates: [{ id: 'mupd_1', at: T, status: 'in_progress', text: 'Started.', origin: 'source' }],
    });
  });

  it.each([
    ['in_progress', { id: 'mnt_db', title: 'Database upgrade', until: T + 60 * MIN }],
    ['verifying', { id: 'mnt_db', title: 'Database upgrade', until: T + 60 * MIN }],
    ['scheduled', undefined],
    ['completed', undefined],
  ])('a component covered by a %s maintenance carries %o', (status, expected) => {
    const { signals } = detectStatusPage(
      institutions,
      snapshot({
        components: [component({ status: 'major_outage' }), component({ id: 'cmp_other', name: 'Banco Otro CO' })],
        maintenances: [maintenance({ status })],
      }),
    );
    const covered = signals.find((s) => s.fingerprint === 'statuspage/institutions/component/cmp_erebor');
    const other = signals.find((s) => s.fingerprint === 'statuspage/institutions/component/cmp_other');
    expect(covered?.maintenance).toEqual(expected);
    expect(other?.maintenance).toBeUndefined();
  });

  it('a component under maintenance inside an announced window carries the announced maintenance', () => {
    const { signals } = detectStatusPage(
      api,
      snapshot({ components: [component({ status: 'under_maintenance' })], maintenances: [maintenance()] }),
    );
    expect(signals.find((s) => s.kind === 'statuspage.component')?.maintenance).toEqual({
      id: 'mnt_db',
      title: 'Database upgrade',
      until: T + 60 * MIN,
    });
  });
});

describe('complete scopes', () => {
  const listed = () => ({
    components: [component()],
    incidents: [incident()],
    maintenances: [maintenance()],
  });

  it('the JSON API sees components, incidents and maintenances completely', () => {
    expect(detectStatusPage(api, snapshot(listed())).completeScopes).toEqual([
      'statuspage/belvo-api/component/',
      'statuspage/belvo-api/incident/',
      'statuspage/belvo-api/maintenance/',
    ]);
  });

  it('an empty list is never complete: a page answering 200 with nothing listed must not resolve everything', () => {
    expect(detectStatusPage(api, snapshot({ components: [], incidents: [], maintenances: [] })).completeScopes).toEqual(
      [],
    );
  });

  it('an RSS/Atom history has no complete scope: nothing it does not list is implied resolved', () => {
    const detection = detectStatusPage(api, rssSnapshot({ incidents: [incident()] }));
    expect(detection.completeScopes).toEqual([]);
    expect(detection.signals.map((s) => s.kind)).toEqual(['statuspage.incident']);
  });

  it('maintenances are complete only when the snapshot says so', () => {
    expect(detectStatusPage(api, snapshot({ ...listed(), maintenancesComplete: false })).completeScopes).toEqual([
      'statuspage/belvo-api/component/',
      'statuspage/belvo-api/incident/',
    ]);
  });
});

describe('fingerprints', () => {
  const full = () =>
    snapshot({
      components: [component({ status: 'partial_outage' })],
      incidents: [incident()],
      maintenances: [maintenance()],
    });

  it('are built from the configured source id, not the page id', () => {
    const fps = detectStatusPage(api, full()).signals.map((s) => s.fingerprint);
    expect(fps).toEqual([
      'statuspage/belvo-api/component/cmp_erebor',
      'statuspage/belvo-api/incident/n4njzfn1mqy0',
      'statuspage/belvo-api/maintenance/mnt_db',
    ]);
    expect(fps.join(' ')).not.toContain('pg_8x7k2');
  });

  it('are stable across detections and across feed formats (JSON and RSS name the same incident alike)', () => {
    expect(detectStatusPage(api, full())).toEqual(detectStatusPage(api, full()));
    const json = only(detectStatusPage(api, full()).signals, 'statuspage.incident');
    const rss = only(
      detectStatusPage(api, rssSnapshot({ page: {}, incidents: [incident({ impact: 'unknown' })] })).signals,
      'statuspage.incident',
    );
    expect(rss.fingerprint).toBe(json.fingerprint);
  });

  it('two sources watching pages with the same ids do not collide', () => {
    const a = detectStatusPage(api, full()).signals.map((s) => s.fingerprint);
    const b = detectStatusPage({ ...api, id: 'belvo-api-sandbox' }, full()).signals.map((s) => s.fingerprint);
    expect(a.filter((fp) => b.includes(fp))).toEqual([]);
  });
});
