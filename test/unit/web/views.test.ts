// The page's views as pure functions of what the store holds: what a reader of each section sees.
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../src/domain/alert.js';
import { INCIDENT_KIND } from '../../../src/domain/fingerprint.js';
import { DAY_MS, type PageData } from '../../../src/web/page-data.js';
import { DEFAULT_QUERY, type PageQuery, parsePageQuery } from '../../../src/web/page-query.js';
import { webPaths } from '../../../src/web/paths.js';
import { renderPage } from '../../../src/web/render/page.js';
import { buildHistoryView, TIMELINE_WIDTH } from '../../../src/web/views/history.js';
import { buildInstitutionsView } from '../../../src/web/views/institutions.js';
import { buildNowView } from '../../../src/web/views/now.js';
import { buildPageView } from '../../../src/web/views/page.js';
import { makeAlert } from '../../contract/alert-factory.js';

const NOW = Date.UTC(2026, 10, 27, 9, 0, 0);
const MIN = 60_000;
const EREBOR = { name: 'erebor_mx_retail', displayName: 'Banco Érebor', country: 'MX' };
const GONDOR = { name: 'gondor_co_retail', displayName: 'Banco Gondor', country: 'CO' };
const MORIA = { name: 'moria_mx_retail', displayName: 'Caja Moria', country: 'MX' };

function alert(over: Partial<Alert> & { id: string }): Alert {
  return makeAlert({
    state: 'firing',
    maintenance: undefined,
    acknowledged: undefined,
    url: undefined,
    evidence: {},
    timeline: [],
    startedAt: NOW - 30 * MIN,
    firedAt: NOW - 30 * MIN,
    resolvedAt: undefined,
    ...over,
  });
}

function data(over: Partial<PageData> = {}): PageData {
  return {
    now: NOW,
    days: 7,
    firing: [],
    history: [],
    silences: [],
    sources: [
      {
        id: 'belvo-api',
        name: 'Belvo API',
        role: 'api',
        state: { source: 'belvo-api', lastSuccessAt: NOW, consecutiveFailures: 0 },
      },
      {
        id: 'institutions',
        name: 'Institutions',
        role: 'institutions',
        state: { source: 'institutions', lastSuccessAt: NOW, consecutiveFailures: 0 },
      },
      {
        id: 'belvo-production',
        name: 'Belvo production',
        role: 'belvo-institutions',
        state: { source: 'belvo-production', lastSuccessAt: NOW, consecutiveFailures: 0 },
      },
    ],
    outboxDepth: 0,
    environments: ['production'],
    linkCounts: [
      { institution: 'erebor_mx_retail', status: 'valid', count: 900 },
      { institution: 'erebor_mx_retail', status: 'token_required', count: 57 },
      { institution: 'erebor_mx_retail', status: 'invalid', count: 3 },
      { institution: 'gondor_co_retail', status: 'valid', count: 10 },
      { institution: 'moria_mx_retail', status: 'valid', count: 400 },
      { institution: 'moria_mx_retail', status: 'token_required', count: 200 },
    ],
    calls: {
      all: { calls: 300, failures: 12 },
      of: (i) => (i === 'erebor_mx_retail' ? { calls: 200, failures: 10 } : { calls: 0, failures: 0 }),
    },
    catalogue: new Map([EREBOR, GONDOR, MORIA].map((i) => [i.name, i])),
    ...over,
  };
}

const q = (over: Partial<PageQuery> = {}): PageQuery => ({ ...DEFAULT_QUERY, ...over });

describe('institutions', () => {
  const component = alert({
    id: 'A2',
    kind: 'statuspage.component',
    source: 'institutions',
    institution: EREBOR,
    severity: 'major',
    status: 'partial_outage',
    title: 'Banco Érebor MX - Retail: partial outage',
  });
  const down = alert({
    id: 'A3',
    kind: 'belvo.institution-down',
    source: 'belvo-production',
    institution: GONDOR,
    environment: 'production',
    severity: 'critical',
    status: 'down',
  });

  it('one row per institution the team uses, grouped by country, with the page, the API, links and errors', () => {
    const v = buildInstitutionsView(data({ firing: [component, down] }), q());
    expect(v.groups.map((g) => [g.name, g.rows.map((r) => r.displayName)])).toEqual([
      ['Colombia', ['Banco Gondor']],
      ['Mexico', ['Banco Érebor', 'Caja Moria']],
    ]);
    const erebor = v.groups[1]?.rows[0];
    expect(erebor?.statusPage).toEqual({ level: 'major', text: 'partial outage', alertId: 'A2' });
    expect(erebor?.api).toEqual({ level: 'ok', text: 'up' });
    expect(erebor?.links).toEqual({ valid: 900, tokenRequired: 57, invalid: 3, other: 0, total: 960 });
    expect(erebor?.errors).toEqual({ calls: 200, failures: 10, ratio: 0.05 });
    expect(v.groups[0]?.rows[0]?.api).toEqual({ level: 'critical', text: 'down (production)', alertId: 'A3' });
    expect(v.countries.map((c) => `${c.code} ${c.count}`)).toEqual(['CO 1', 'MX 2']);
  });

  it('filters by country and by any part of a name, without accents, and sorts worst first on request', () => {
    expect(buildInstitutionsView(data(), q({ country: 'MX' })).shown).toBe(2);
    const byName = buildInstitutionsView(data(), q({ q: 'erebor' }));
    expect(byName.groups.flatMap((g) => g.rows.map((r) => r.name))).toEqual(['erebor_mx_retail']);
    expect(byName.shown).toBe(1);
    expect(byName.total).toBe(3);
    const sorted = buildInstitutionsView(data(), q({ sort: 'tokenRequired', dir: 'desc' }));
    expect(sorted.groups[1]?.rows.map((r) => r.name)).toEqual(['moria_mx_retail', 'erebor_mx_retail']);
  });

  it('does not claim a state it has not read', () => {
    const v = buildInstitutionsView(data({ sources: [] }), q());
    expect(v.groups[0]?.rows[0]?.statusPage).toEqual({ level: 'unknown', text: 'not watched' });
    expect(v.groups[0]?.rows[0]?.api).toEqual({ level: 'unknown', text: 'not watched' });
  });
});

describe('now', () => {
  it("lists each incident once with its sources' evidence and lead time, and Belvo's API on its own", () => {
    const spike = alert({
      id: 'A5',
      kind: 'belvo.token_required-spike',
      source: 'belvo-production-links',
      institution: EREBOR,
      incidentId: 'A6',
      evidence: { rule: '14 in 1h', exampleLinks: ['0d3a6f2c-1b2c-4d5e-8f90-1234567890ab'] },
    });
    const incident = alert({
      id: 'A6',
      kind: INCIDENT_KIND,
      source: 'belvo-production-links',
      institution: EREBOR,
      severity: 'major',
      title: 'Banco Érebor (MX): token_required spike (production)',
      acknowledged: { by: 'ana', at: NOW },
      members: [
        {
          id: 'A5',
          kind: spike.kind,
          source: spike.source,
          title: 'token_required spike (production)',
          severity: 'major',
          state: 'firing',
          since: NOW - 30 * MIN,
          detail: '14 in 1h',
        },
      ],
      correlation: { noticedAt: NOW - 30 * MIN, noticedBy: 'token_required spike (production)', early: true },
    });
    const api = alert({
      id: 'A1',
      kind: 'statuspage.incident',
      source: 'belvo-api',
      institution: undefined,
      severity: 'minor',
      status: 'investigating',
      title: 'Slow webhooks',
    });
    const v = buildNowView(data({ firing: [spike, incident, api] }));
    expect(v.incidents.map((i) => i.id)).toEqual(['A6', 'A1']);
    expect(v.headline).toBe('2 open incidents, worst major');
    expect(v.api).toMatchObject({ level: 'minor', text: 'Slow webhooks' });
    const i = v.incidents[0];
    expect(i?.evidence).toEqual([
      {
        id: 'A5',
        text: 'token_required spike (production)',
        detail: '14 in 1h',
        open: true,
        source: 'belvo-production-links',
      },
    ]);
    expect(i?.status).toBe("not yet on Belvo's status page (noticed 08:30 UTC)");
    expect(i?.leadTime).toBe("never on Belvo's status page (noticed from token_required spike (production))");
    expect(v.acknowledged.map((a) => `${a.id} ${a.acknowledgedBy}`)).toEqual(['A6 ana']);
  });

  it('masks link ids in the evidence it shows', () => {
    const spike = alert({
      id: 'A5',
      kind: 'belvo.token_required-spike',
      institution: EREBOR,
      evidence: {
        count: 14,
        exampleLinks: ['0d3a6f2c-1b2c-4d5e-8f90-1234567890ab'],
        exampleExternalIds: ['customer-000042'],
      },
    });
    const facts = buildNowView(data({ firing: [spike] })).incidents[0]?.facts;
    expect(facts).toContainEqual({ label: 'example links', value: '…7890ab' });
    expect(facts).toContainEqual({ label: 'example external ids', value: '…000042' });
    expect(JSON.stringify(facts)).not.toContain('1234567890ab');
  });

  it('a maintenance scheduled ahead is listed last, but the headline and the API line stay all clear', () => {
    const ahead = alert({
      id: 'A6',
      kind: 'statuspage.maintenance',
      source: 'belvo-api',
      severity: 'info',
      peakSeverity: 'info',
      status: 'scheduled',
      title: 'Maintenance: Database upgrade',
      maintenanceWindow: { from: NOW + 60 * MIN, until: NOW + 120 * MIN },
    });
    const v = buildNowView(data({ firing: [ahead] }));
    expect(v.headline).toBe('All clear');
    expect(v.api.level).toBe('ok');
    expect(v.incidents.map((i) => i.title)).toEqual(['Maintenance: Database upgrade']);
    const started = buildNowView(data({ firing: [{ ...ahead, status: 'in_progress' }] }));
    expect(started.headline).toBe('1 open incident, worst info');
  });
});

describe('history', () => {
  const past = alert({
    id: 'A9',
    kind: INCIDENT_KIND,
    institution: EREBOR,
    state: 'resolved',
    severity: 'minor',
    peakSeverity: 'critical',
    title: 'Banco Érebor (MX): down',
    startedAt: NOW - 2 * DAY_MS,
    firedAt: NOW - 2 * DAY_MS,
    resolvedAt: NOW - 2 * DAY_MS + 65 * MIN,
    acknowledged: { by: 'ana', at: NOW - 2 * DAY_MS },
    correlation: {
      noticedAt: NOW - 2 * DAY_MS,
      noticedBy: 'token_required spike (production)',
      early: true,
      confirmedAt: NOW - 2 * DAY_MS + 9 * MIN,
    },
  });

  it('puts each incident on its institution timeline where and as long as it happened, coloured by its worst', () => {
    const v = buildHistoryView(data({ history: [past] }), q());
    const row = v.rows.find((r) => r.name === 'erebor_mx_retail');
    const bar = row?.bars[0];
    expect(bar?.severity).toBe('critical');
    expect(bar?.x).toBeCloseTo((5 / 7) * TIMELINE_WIDTH, 0);
    expect(bar?.width).toBeCloseTo((65 / (7 * 24 * 60)) * TIMELINE_WIDTH, 0);
    expect(v.rows[0]?.label).toBe("Belvo's API");
    const listed = v.incidents[0];
    expect(listed?.duration).toBe('lasted 1h 5m');
    expect(listed?.leadTime).toBe("9m before Belvo's status page (noticed from token_required spike (production))");
    expect(listed?.acknowledgedBy).toBe('ana');
  });

  it('a filter keeps the institutions it names and drops the rest, Belvo API included', () => {
    const other = { ...past, id: 'A10', institution: GONDOR };
    const v = buildHistoryView(data({ history: [past, other] }), q({ country: 'CO' }));
    expect(v.rows.map((r) => r.name)).toEqual(['gondor_co_retail']);
    expect(v.incidents.map((i) => i.id)).toEqual(['A10']);
  });
});

describe('the page', () => {
  it('renders text from a status page as text, never as markup', () => {
    const evil = '<img src=x onerror=alert(1)>';
    const component = alert({
      id: 'A2',
      kind: 'statuspage.component',
      institution: { name: 'img_src_x', displayName: evil, country: 'MX' },
      title: `${evil}: major outage`,
      status: 'major_outage',
      url: 'javascript:alert(1)',
    });
    const html = renderPage(
      webPaths(''),
      buildPageView(data({ firing: [component], history: [{ ...component }] }), q()),
      q(),
      0,
    );
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toContain('javascript:');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)/);
    expect(html).not.toMatch(/\sstyle=/);
    expect(html).not.toMatch(/<[^>]*\son[a-z]+=/i);
  });

  it('reads the query of a URL, keeping only what it can answer', () => {
    expect(parsePageQuery(new URLSearchParams('q=%20erebor%20&country=mx&sort=errors&dir=desc&days=30'))).toEqual({
      q: 'erebor',
      country: 'MX',
      sort: 'errors',
      dir: 'desc',
      days: 30,
    });
    expect(parsePageQuery(new URLSearchParams('country=Mexico&sort=drop&days=9'))).toEqual(DEFAULT_QUERY);
  });
});
