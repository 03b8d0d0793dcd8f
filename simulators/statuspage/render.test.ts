import Parser from 'rss-parser';
import { describe, expect, it } from 'vitest';
import { ManualClock } from './clock.js';
import { SimulatedPage } from './model.js';
import {
  renderComponentsJson,
  renderHistoryAtom,
  renderHistoryRss,
  renderIncidentsJson,
  renderMaintenancesJson,
  renderStatusJson,
  renderSummaryJson,
  renderUnresolvedJson,
} from './render.js';

const URL_BASE = 'https://institutions.belvo.com';
const LOCAL_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}-08:00$/;

function scenario(offset = '-08:00') {
  const clock = new ManualClock('2022-02-15T21:37:37.407Z');
  const page = new SimulatedPage({
    id: 'kctbh9vrtdwd',
    name: 'Belvo Institutions',
    url: URL_BASE,
    timeZoneOffset: offset,
    now: clock.now,
  });
  const api = page.addComponent({ name: 'API', description: 'Belvo API' });
  const bank = page.addComponent({ name: 'Banco X MX - Retail', group: 'Mexico' });
  const other = page.addComponent({ name: 'Erebor MX - Retail', group: 'Mexico' });
  const open = page.openIncident({
    name: 'Banco X MX - Retail is down',
    impact: 'major',
    body: 'Logins fail with <timeouts> & errors.',
    components: [{ id: bank, status: 'partial_outage' }],
  });
  clock.advance(60_000);
  page.updateIncident(open, { status: 'identified', body: "The bank's portal is down." });
  clock.advance(60_000);
  const closed = page.openIncident({ name: 'Slow API', impact: 'minor', body: 'Looking.', components: [api] });
  clock.advance(60_000);
  page.resolveIncident(closed, 'All good.');
  const upcoming = page.scheduleMaintenance({
    name: 'Erebor maintenance',
    components: [other],
    scheduledFor: '2022-02-20T06:00:00Z',
    scheduledUntil: '2022-02-20T08:00:00Z',
    body: 'Erebor will be down for maintenance.',
  });
  const active = page.scheduleMaintenance({
    name: 'API maintenance',
    components: [api],
    scheduledFor: '2022-02-15T21:40:37.407Z',
    scheduledUntil: '2022-02-15T23:00:00Z',
    body: 'Scheduled.',
  });
  clock.advance(60_000);
  page.startMaintenance(active, 'In progress.');
  return { clock, page, api, bank, other, open, closed, upcoming, active };
}

const COMPONENT_KEYS = [
  'id',
  'name',
  'status',
  'created_at',
  'updated_at',
  'position',
  'description',
  'showcase',
  'start_date',
  'group_id',
  'page_id',
  'group',
  'only_show_if_degraded',
];
const INCIDENT_KEYS = [
  'id',
  'name',
  'status',
  'impact',
  'created_at',
  'updated_at',
  'started_at',
  'monitoring_at',
  'resolved_at',
  'shortlink',
  'page_id',
  'components',
  'incident_updates',
];
const UPDATE_KEYS = [
  'id',
  'status',
  'body',
  'incident_id',
  'created_at',
  'updated_at',
  'display_at',
  'affected_components',
  'deliver_notifications',
];

describe('JSON API documents', () => {
  it('summary.json has the reference keys, unresolved incidents and upcoming + active maintenances', () => {
    const s = scenario();
    const summary = renderSummaryJson(s.page);
    expect(Object.keys(summary)).toEqual(['page', 'components', 'incidents', 'scheduled_maintenances', 'status']);
    expect(summary.page).toEqual({
      id: 'kctbh9vrtdwd',
      name: 'Belvo Institutions',
      url: URL_BASE,
      time_zone: 'America/Los_Angeles',
      updated_at: '2022-02-15T13:41:37.407-08:00',
    });
    expect(summary.incidents.map((i) => i.id)).toEqual([s.open]);
    expect(summary.scheduled_maintenances.map((m) => [m.id, m.status])).toEqual([
      [s.active, 'in_progress'],
      [s.upcoming, 'scheduled'],
    ]);
    expect(summary.status).toEqual({ indicator: 'major', description: 'Partial System Outage' });
  });

  it('components.json lists group headers with member ids and members with group_id', () => {
    const s = scenario();
    const { components } = renderComponentsJson(s.page);
    for (const c of components) {
      expect(Object.keys(c)).toEqual(expect.arrayContaining(COMPONENT_KEYS));
      expect(c.page_id).toBe('kctbh9vrtdwd');
      expect(c.created_at).toMatch(LOCAL_TIME);
      expect(c.updated_at).toMatch(LOCAL_TIME);
    }
    const group = components.find((c) => c.name === 'Mexico')!;
    expect(group).toMatchObject({ group: true, group_id: null, components: [s.bank, s.other] });
    expect(group.status).toBe('partial_outage');
    const bank = components.find((c) => c.id === s.bank)!;
    expect(bank).toMatchObject({ group: false, group_id: group.id, status: 'partial_outage', position: 1 });
    expect(bank).not.toHaveProperty('components');
    expect(components.find((c) => c.id === s.api)).toMatchObject({ status: 'under_maintenance', showcase: true });
  });

  it('incidents carry every reference field, updates newest first with affected_components', () => {
    const s = scenario();
    const { incidents } = renderIncidentsJson(s.page);
    expect(incidents.map((i) => i.id)).toEqual([s.closed, s.open]);
    for (const i of incidents) {
      expect(Object.keys(i)).toEqual(expect.arrayContaining(INCIDENT_KEYS));
      expect(i.id).toMatch(/^[a-z0-9]{12}$/);
      const times = i.incident_updates.map((u) => Date.parse(u.created_at));
      expect(times).toEqual([...times].sort((a, b) => b - a));
      for (const u of i.incident_updates) {
        expect(Object.keys(u)).toEqual(expect.arrayContaining(UPDATE_KEYS));
        expect(u.incident_id).toBe(i.id);
        expect(u.created_at).toMatch(LOCAL_TIME);
      }
    }
    const open = incidents.find((i) => i.id === s.open)!;
    expect(open).toMatchObject({
      status: 'identified',
      impact: 'major',
      created_at: '2022-02-15T13:37:37.407-08:00',
      started_at: '2022-02-15T13:37:37.407-08:00',
      updated_at: '2022-02-15T13:38:37.407-08:00',
      resolved_at: null,
      monitoring_at: null,
    });
    expect(open.incident_updates.map((u) => u.status)).toEqual(['identified', 'investigating']);
    expect(open.incident_updates[1]?.affected_components).toEqual([
      { code: s.bank, name: 'Banco X MX - Retail', old_status: 'operational', new_status: 'partial_outage' },
    ]);
    expect(open.incident_updates[0]?.affected_components).toBeNull();
    expect(open.components.map((c) => c.id)).toEqual([s.bank]);
    const closed = incidents.find((i) => i.id === s.closed)!;
    expect(closed).toMatchObject({ status: 'resolved', resolved_at: '2022-02-15T13:40:37.407-08:00' });
  });

  it('incidents.json keeps the latest 50 of any status; unresolved.json only the open ones', () => {
    const clock = new ManualClock(0);
    const page = new SimulatedPage({ id: 'p', name: 'P', now: clock.now });
    const ids: string[] = [];
    for (let n = 0; n < 55; n++) {
      clock.advance(1000);
      const id = page.openIncident({ name: `Incident ${n}`, impact: 'minor', body: 'x' });
      if (n % 2 === 0) page.resolveIncident(id, 'done');
      ids.push(id);
    }
    const all = renderIncidentsJson(page).incidents;
    expect(all.map((i) => i.id)).toEqual(ids.slice(5).reverse());
    expect(new Set(all.map((i) => i.status))).toEqual(new Set(['resolved', 'investigating']));
    const open = renderUnresolvedJson(page).incidents;
    expect(open.map((i) => i.id)).toEqual(ids.filter((_, n) => n % 2 === 1).reverse());
  });

  it('scheduled-maintenances.json and its upcoming/active subsets', () => {
    const s = scenario();
    const all = renderMaintenancesJson(s.page, 'all').scheduled_maintenances;
    expect(all.map((m) => m.id).sort()).toEqual([s.upcoming, s.active].sort());
    for (const m of all) {
      expect(m.impact).toBe('maintenance');
      expect(m.scheduled_for).toMatch(LOCAL_TIME);
      expect(m.scheduled_until).toMatch(LOCAL_TIME);
    }
    expect(renderMaintenancesJson(s.page, 'upcoming').scheduled_maintenances.map((m) => m.id)).toEqual([s.upcoming]);
    const active = renderMaintenancesJson(s.page, 'active').scheduled_maintenances;
    expect(active.map((m) => m.id)).toEqual([s.active]);
    expect(active[0]?.scheduled_for).toBe('2022-02-15T13:40:37.407-08:00');
    expect(active[0]?.incident_updates[0]?.affected_components).toEqual([
      { code: s.api, name: 'API', old_status: 'operational', new_status: 'under_maintenance' },
    ]);
  });

  it('status.json follows the worst open incident or component, and says maintenance when that is all', () => {
    const s = scenario();
    expect(renderStatusJson(s.page).status.indicator).toBe('major');
    s.page.resolveIncident(s.open, 'Back.');
    expect(renderStatusJson(s.page).status).toEqual({
      indicator: 'maintenance',
      description: 'Service Under Maintenance',
    });
    s.page.completeMaintenance(s.active, 'Done.');
    expect(renderStatusJson(s.page).status).toEqual({ indicator: 'none', description: 'All Systems Operational' });
    s.page.setComponentStatus(s.other, 'major_outage');
    expect(renderStatusJson(s.page).status).toEqual({ indicator: 'critical', description: 'Major System Outage' });
  });

  it('prints times in the page offset: Z for UTC pages, +01:00 for CET pages', () => {
    expect(renderSummaryJson(scenario('+00:00').page).page).toMatchObject({
      time_zone: 'Etc/UTC',
      updated_at: '2022-02-15T21:41:37.407Z',
    });
    expect(renderSummaryJson(scenario('+01:00').page).page).toMatchObject({
      time_zone: 'Europe/Berlin',
      updated_at: '2022-02-15T22:41:37.407+01:00',
    });
  });
});

describe('history feeds', () => {
  const parser = new Parser({ customFields: { item: ['id', 'published', 'updated'] } });

  it('RSS: one item per incident and maintenance, guid == link == <url>/incidents/<JSON id>', async () => {
    const s = scenario();
    const feed = await parser.parseString(renderHistoryRss(s.page));
    expect(feed.title).toBe('Belvo Institutions Status - Incident History');
    expect(feed.items).toHaveLength(4);
    const jsonIds = [
      ...renderIncidentsJson(s.page).incidents.map((i) => i.id),
      ...renderMaintenancesJson(s.page).scheduled_maintenances.map((m) => m.id),
    ];
    expect(feed.items.map((i) => i.guid).sort()).toEqual(jsonIds.map((id) => `${URL_BASE}/incidents/${id}`).sort());
    for (const item of feed.items) expect(item.link).toBe(item.guid);
  });

  it('RSS: description holds every update newest first in the Statuspage block format, pubDate RFC 822', async () => {
    const s = scenario();
    const xml = renderHistoryRss(s.page);
    const feed = await parser.parseString(xml);
    const item = feed.items.find((i) => i.guid === `${URL_BASE}/incidents/${s.open}`)!;
    expect(item.title).toBe('Banco X MX - Retail is down');
    expect(item.pubDate).toBe('Tue, 15 Feb 2022 13:37:37 -0800');
    expect(item.content).toBe(
      "<p><small>Feb <var data-var='date'>15</var>, <var data-var='time'>13:38</var> PST</small><br>" +
        '<strong>Identified</strong> - The bank&#39;s portal is down.</p>' +
        "<p><small>Feb <var data-var='date'>15</var>, <var data-var='time'>13:37</var> PST</small><br>" +
        '<strong>Investigating</strong> - Logins fail with &lt;timeouts&gt; &amp; errors.</p>',
    );
    const maintenance = feed.items.find((i) => i.guid?.endsWith(s.active))!;
    expect(maintenance.content).toMatch(/^<p><small>.*<strong>In progress<\/strong> - In progress\.<\/p>/);
    expect(maintenance.content).toContain('<strong>Scheduled</strong> - Scheduled.');
  });

  it('RSS: a repeated status shows as "Update"; a CET page prints CET; the item keeps its guid', async () => {
    const s = scenario('+01:00');
    const before = await parser.parseString(renderHistoryRss(s.page));
    s.page.updateIncident(s.open, { body: 'Still working on it.' });
    const after = await parser.parseString(renderHistoryRss(s.page));
    const item = after.items.find((i) => i.guid?.endsWith(s.open))!;
    expect(item.content).toMatch(
      /^<p><small>Feb <var data-var='date'>15<\/var>, <var data-var='time'>22:41<\/var> CET/,
    );
    expect(item.content).toContain('<strong>Update</strong> - Still working on it.');
    expect(item.pubDate).toBe('Tue, 15 Feb 2022 22:37:37 +0100');
    expect(after.items.map((i) => i.guid)).toEqual(before.items.map((i) => i.guid));
  });

  it('RSS without <var> tags for the older style', async () => {
    const s = scenario();
    const feed = await parser.parseString(renderHistoryRss(s.page, { feedVarTags: false }));
    expect(feed.items[0]?.content).toMatch(/^<p><small>Feb 15, 13:41 PST<\/small><br><strong>/);
  });

  it('Atom: the entry id is a number unrelated to the JSON id; the alternate link carries the JSON id', async () => {
    const s = scenario();
    const xml = renderHistoryAtom(s.page);
    const feed = await parser.parseString(xml);
    expect(feed.items).toHaveLength(4);
    const numbers = new Set<string>();
    for (const entry of feed.items as ({ id?: string; published?: string; updated?: string } & Parser.Item)[]) {
      const m = /^tag:institutions\.belvo\.com,2005:Incident\/(\d+)$/.exec(entry.id ?? '');
      expect(m, entry.id).not.toBeNull();
      const jsonId = entry.link?.replace(`${URL_BASE}/incidents/`, '') ?? '';
      expect(jsonId).toMatch(/^[a-z0-9]{12}$/);
      expect(m?.[1]).not.toBe(jsonId);
      numbers.add(m?.[1] ?? '');
      expect(entry.published).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}-08:00$/);
      expect(entry.updated).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}-08:00$/);
    }
    expect(numbers.size).toBe(4);
    const open = feed.items.find((i) => i.link === `${URL_BASE}/incidents/${s.open}`)!;
    expect(open.content).toContain('<strong>Identified</strong> - The bank&#39;s portal is down.');
    expect(xml).toContain(`<link rel="alternate" type="text/html" href="${URL_BASE}/incidents/${s.open}"/>`);
    expect(xml).toContain('<content type="html">&lt;p&gt;&lt;small&gt;');
  });

  it('drops deleted incidents from both feeds', () => {
    const s = scenario();
    s.page.deleteIncident(s.closed);
    expect(renderHistoryRss(s.page)).not.toContain(s.closed);
    expect(renderHistoryAtom(s.page)).not.toContain(s.closed);
    expect(renderIncidentsJson(s.page).incidents.map((i) => i.id)).toEqual([s.open]);
  });
});
