import { describe, expect, it } from 'vitest';
import { fixture, type Json, jsonFixture } from '../../test/fixtures/statuspage/load.js';
import {
  parseIncidents,
  parseMaintenances,
  parseSummary,
  StatusPageFormatError,
  snapshotFromJson,
} from './parse-json.js';

const at = (iso: string) => new Date(iso).getTime();

function fullSnapshot() {
  return snapshotFromJson({
    summary: parseSummary(fixture('summary.json')),
    incidents: parseIncidents(fixture('incidents.json')),
    maintenances: parseMaintenances(fixture('scheduled-maintenances.json')),
  });
}

function malformed(run: () => unknown): StatusPageFormatError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(StatusPageFormatError);
    return error as StatusPageFormatError;
  }
  throw new Error('expected a StatusPageFormatError, nothing was thrown');
}

describe('parseSummary', () => {
  const summary = parseSummary(fixture('summary.json'));

  it('reads the page', () => {
    expect(summary.page).toEqual({
      id: 'kctbh9vrtdwd',
      name: 'Belvo Institutions',
      url: 'https://institutions.belvo.com',
    });
  });

  it('lists institutions, not group headers, each with its country group', () => {
    expect(summary.components.map((c) => [c.name, c.groupName, c.status])).toEqual([
      ['Banco X MX - Retail', 'Mexico', 'degraded_performance'],
      ['Banco X MX - Business', 'Mexico', 'operational'],
      ['Erebor MX - Retail', 'Mexico', 'operational'],
      ['Banco Y CO - Retail', 'Colombia', 'major_outage'],
      ['Banco Y CO - Business', 'Colombia', 'operational'],
      ['Banco Z BR - PF', 'Brazil', 'under_maintenance'],
      ['Banco Z BR - PJ', 'Brazil', 'partial_outage'],
      ['Belvo Dashboard', undefined, 'operational'],
    ]);
    expect(summary.components.map((c) => c.id)).not.toContain('grp0mx00aaaa');
  });

  it('covers all five component statuses', () => {
    expect(new Set(summary.components.map((c) => c.status))).toEqual(
      new Set(['operational', 'degraded_performance', 'partial_outage', 'major_outage', 'under_maintenance']),
    );
  });

  it('reads component times with the page offset', () => {
    const retail = summary.components.find((c) => c.id === 'cmpmxbxret01');
    expect(retail?.updatedAt).toBe(at('2025-02-18T16:02:15.311Z'));
  });

  it('takes the group from the header member list when a member lacks group_id', () => {
    const doc = jsonFixture('summary.json');
    doc.components[1].group_id = null;
    const parsed = parseSummary(JSON.stringify(doc));
    expect(parsed.components[0]?.groupName).toBe('Mexico');
  });

  it('keeps an unknown component status, lower-cased', () => {
    const doc = jsonFixture('summary.json');
    doc.components[1].status = 'Under_Review';
    expect(parseSummary(JSON.stringify(doc)).components[0]?.status).toBe('under_review');
  });

  it('ignores unknown fields at every level and tolerates nulls', () => {
    const doc = jsonFixture('summary.json');
    doc.brand_new_section = { anything: [1, 2, 3] };
    doc.page.new_setting = true;
    doc.components[1].ai_summary = 'new';
    doc.incidents[0].impact_override = null;
    doc.incidents[0].incident_updates[0].translations = { es: 'hola' };
    doc.incidents[0].components = null;
    doc.incidents[0].incident_updates[1].affected_components = null;
    doc.incidents[0].name = null;
    const parsed = parseSummary(JSON.stringify(doc));
    const plain = parseSummary(fixture('summary.json'));
    expect(parsed.components).toEqual(plain.components);
    expect(parsed.incidents[0]?.components).toEqual([]);
    expect(parsed.incidents[0]?.name).toBe('');
    expect(parsed.incidents[0]?.updates[1]?.affectedComponents).toBeUndefined();
    expect(parsed.incidents[0]?.updates.map((u) => u.id)).toEqual(plain.incidents[0]?.updates.map((u) => u.id));
  });

  it('maintenances are undefined (not empty) when the summary has no scheduled_maintenances key', () => {
    const doc = jsonFixture('summary.json');
    delete doc.scheduled_maintenances;
    expect(parseSummary(JSON.stringify(doc)).maintenances).toBeUndefined();
  });
});

describe('snapshotFromJson', () => {
  const snapshot = fullSnapshot();

  it('merges unresolved (summary) and recent (incidents.json) incidents by id', () => {
    expect(snapshot.incidents.map((i) => [i.id, i.status, i.impact])).toEqual([
      ['n4njzfn1mqy0', 'identified', 'minor'],
      ['r7t9v2b5c1xq', 'resolved', 'major'],
      ['p0stm0rtem01', 'postmortem', 'critical'],
    ]);
    expect(snapshot.incidentsComplete).toBe(true);
    expect(snapshot.maintenancesComplete).toBe(true);
  });

  it('keeps updates newest first with their ids, statuses and local-offset times', () => {
    const open = snapshot.incidents[0]!;
    expect(open.updates.map((u) => [u.id, u.status, u.at])).toEqual([
      ['upd0n4nj0003', 'update', at('2025-02-18T17:10:42.118Z')],
      ['upd0n4nj0002', 'identified', at('2025-02-18T16:41:05.500Z')],
      ['upd0n4nj0001', 'investigating', at('2025-02-18T16:02:11.386Z')],
    ]);
    expect(open.updates[1]?.body).toBe(
      "The issue has been identified on the institution's side: logins are slow & some time out.",
    );
    expect(open.updates[2]?.affectedComponents).toEqual([
      {
        code: 'cmpmxbxret01',
        name: 'Mexico - Banco X MX - Retail',
        oldStatus: 'operational',
        newStatus: 'degraded_performance',
      },
    ]);
    expect(open.components).toEqual([{ id: 'cmpmxbxret01', name: 'Banco X MX - Retail' }]);
    expect(open.createdAt).toBe(at('2025-02-18T16:02:11.386Z'));
    expect(open.startedAt).toBe(at('2025-02-18T15:55:00Z'));
    expect(open.resolvedAt).toBeUndefined();
  });

  it('uses display_at, then created_at, for an update time', () => {
    const postmortem = snapshot.incidents.find((i) => i.id === 'p0stm0rtem01')!;
    // its first update has display_at: null
    expect(postmortem.updates[2]?.at).toBe(at('2024-11-05T14:00:00Z'));
  });

  it('links to the shortlink, or to <page url>/incidents/<id>', () => {
    expect(snapshot.incidents.map((i) => i.url)).toEqual([
      'https://stspg.io/n4njzfn1mqy0',
      'https://stspg.io/r7t9v2b5c1xq',
      'https://institutions.belvo.com/incidents/p0stm0rtem01',
    ]);
  });

  it('reads resolved incidents with a fractional-second offset time', () => {
    const resolved = snapshot.incidents.find((i) => i.id === 'r7t9v2b5c1xq')!;
    expect(resolved.resolvedAt).toBe(at('2025-01-01T08:20:31.712Z'));
  });

  it('merges maintenances from the summary and scheduled-maintenances.json', () => {
    expect(snapshot.maintenances.map((m) => [m.id, m.status, m.impact, m.scheduledFor, m.scheduledUntil])).toEqual([
      ['k8m2x0qz7d4p', 'in_progress', 'maintenance', at('2025-02-18T14:00:00Z'), at('2025-02-18T16:00:00Z')],
      ['s5ch3dul3d01', 'scheduled', 'maintenance', at('2025-02-26T06:00:00Z'), at('2025-02-26T09:00:00Z')],
      ['c0mpl3t3d001', 'completed', 'maintenance', at('2025-01-22T10:00:00Z'), at('2025-01-22T12:00:00Z')],
    ]);
    expect(snapshot.maintenances[1]?.url).toBe('https://institutions.belvo.com/incidents/s5ch3dul3d01');
  });

  it('lets incidents.json win for the same id', () => {
    const list = jsonFixture('incidents.json');
    list.incidents[0].name = 'Renamed in the list';
    const merged = snapshotFromJson({
      summary: parseSummary(fixture('summary.json')),
      incidents: parseIncidents(JSON.stringify(list)),
    });
    expect(merged.incidents.find((i) => i.id === 'n4njzfn1mqy0')?.name).toBe('Renamed in the list');
    expect(merged.incidents.filter((i) => i.id === 'n4njzfn1mqy0')).toHaveLength(1);
  });

  it('keeps the summary copy when it has a strictly newer update (a stale list must not step a status back)', () => {
    const list = jsonFixture('incidents.json');
    list.incidents[0].status = 'investigating';
    list.incidents[0].incident_updates = list.incidents[0].incident_updates.slice(2);
    const merged = snapshotFromJson({
      summary: parseSummary(fixture('summary.json')),
      incidents: parseIncidents(JSON.stringify(list)),
    });
    expect(merged.incidents.find((i) => i.id === 'n4njzfn1mqy0')?.status).toBe('identified');
  });

  it('works from the summary alone (incidents.json missing): unresolved incidents are still complete', () => {
    const alone = snapshotFromJson({ summary: parseSummary(fixture('summary.json')) });
    expect(alone.incidents.map((i) => i.id)).toEqual(['n4njzfn1mqy0']);
    expect(alone.maintenances.map((m) => m.id)).toEqual(['k8m2x0qz7d4p', 's5ch3dul3d01']);
    expect(alone.incidentsComplete).toBe(true);
    expect(alone.maintenancesComplete).toBe(true);
  });

  it('does not claim complete maintenances when no document listed them', () => {
    const doc = jsonFixture('summary.json');
    delete doc.scheduled_maintenances;
    const alone = snapshotFromJson({ summary: parseSummary(JSON.stringify(doc)) });
    expect(alone.maintenances).toEqual([]);
    expect(alone.maintenancesComplete).toBe(false);
  });

  it('routes a maintenance found in incidents.json to maintenances', () => {
    const list = jsonFixture('incidents.json');
    const maintenance = jsonFixture('scheduled-maintenances.json').scheduled_maintenances[2];
    list.incidents.push(maintenance);
    const parsed = parseIncidents(JSON.stringify(list));
    expect(parsed.incidents.map((i) => i.id)).not.toContain('c0mpl3t3d001');
    expect(parsed.maintenances.map((m) => m.id)).toEqual(['c0mpl3t3d001']);
  });
});

describe('malformed documents', () => {
  const secret = 'S3CRET-BODY-MARKER-'.repeat(20);

  it.each<[string, string, (body: string) => unknown]>([
    ['not JSON', `<!DOCTYPE html><html><body>${secret}</body></html>`, parseSummary],
    ['truncated JSON', fixture('summary.json').slice(0, 500), parseSummary],
    ['JSON null', 'null', parseSummary],
    ['summary without components', JSON.stringify({ page: {}, incidents: [], note: secret }), parseSummary],
    ['components not an array', JSON.stringify({ components: { a: secret }, incidents: [] }), parseSummary],
    ['summary without incidents', JSON.stringify({ components: [] }), parseSummary],
    ['incidents.json without incidents', JSON.stringify({ page: { name: secret } }), parseIncidents],
    ['maintenances without the list', JSON.stringify({ incidents: [] }), parseMaintenances],
    [
      'a component without an id',
      JSON.stringify({ components: [{ name: secret, status: 'operational' }], incidents: [] }),
      parseSummary,
    ],
    [
      'a component without a status',
      JSON.stringify({ components: [{ id: 'c1', name: 'x' }], incidents: [] }),
      parseSummary,
    ],
    [
      'an incident without an id',
      JSON.stringify({ incidents: [{ name: secret, status: 'resolved' }] }),
      parseIncidents,
    ],
  ])('%s -> malformed, with a short reason that does not echo the body', (_name, body, parse) => {
    const error = malformed(() => parse(body));
    expect(error.code).toBe('malformed');
    expect(error.message.length).toBeLessThan(120);
    expect(error.message).not.toContain('S3CRET');
  });

  it('names the offending path', () => {
    const error = malformed(() =>
      parseSummary(JSON.stringify({ components: [{ status: 'operational' }], incidents: [] })),
    );
    expect(error.message).toContain('components.0.id');
  });

  it('accepts numeric ids as strings', () => {
    const doc: Json = { components: [{ id: 42, name: 'n', status: 'operational' }], incidents: [] };
    expect(parseSummary(JSON.stringify(doc)).components[0]?.id).toBe('42');
  });
});

describe('text shown in chat', () => {
  it('loses direction overrides and zero-width characters on the way in', () => {
    const doc = jsonFixture('incidents.json') as { incidents: Record<string, unknown>[] };
    const first = doc.incidents[0] as { name: string; incident_updates: { body: string }[] };
    first.name = 'Banco \u202Eodalovnet\u202C MX';
    for (const u of first.incident_updates) u.body = `We are\u200B investigating\u2066.\u2069`;
    const parsed = parseIncidents(JSON.stringify(doc));
    const incident = parsed.incidents[0];
    expect(incident?.name).toBe('Banco odalovnet MX');
    expect(incident?.updates.map((u) => u.body)).toContain('We are investigating.');
  });
});
