import { describe, expect, it } from 'vitest';
import { populateInstitutions } from './bulk.js';
import { ManualClock } from './clock.js';
import { SimulatedPage } from './model.js';

const ID = /^[a-z0-9]{12}$/;

function script(seed?: string) {
  const clock = new ManualClock('2022-02-15T21:37:37.407Z');
  const page = new SimulatedPage({ id: 'kctbh9vrtdwd', name: 'Belvo', now: clock.now, ...(seed ? { seed } : {}) });
  const api = page.addComponent({ name: 'API' });
  const bank = page.addComponent({ name: 'Banco X MX - Retail', group: 'Mexico' });
  clock.advance(60_000);
  const incident = page.openIncident({
    name: 'Banco X is down',
    impact: 'major',
    body: 'We are investigating.',
    components: [{ id: bank, status: 'major_outage' }],
  });
  return { clock, page, api, bank, incident };
}

describe('SimulatedPage', () => {
  it('hands out Statuspage-shaped ids, the same ones for the same seed and script', () => {
    const a = script();
    const b = script();
    const c = script('another seed');
    expect(a.incident).toMatch(ID);
    expect(a.bank).toMatch(ID);
    expect([a.api, a.bank, a.incident]).toEqual([b.api, b.bank, b.incident]);
    expect(c.incident).not.toBe(a.incident);
    const shortlink = a.page.incident(a.incident)?.shortlink;
    expect(shortlink).toMatch(/^https:\/\/stspg\.io\/[a-z0-9]{7}$/);
  });

  it('records each update newest first with the components it changed, and bumps updated times', () => {
    const { clock, page, bank, incident } = script();
    const opened = clock.now();
    const versionBefore = page.version;
    clock.advance(5 * 60_000);
    page.updateIncident(incident, { status: 'identified', body: 'A certificate expired.' });
    clock.advance(5 * 60_000);
    page.updateIncident(incident, { status: 'monitoring', body: 'Fix deployed.' });
    clock.advance(5 * 60_000);
    page.resolveIncident(incident, 'Resolved.');

    const i = page.incident(incident)!;
    expect(i.updates.map((u) => u.status)).toEqual(['resolved', 'monitoring', 'identified', 'investigating']);
    expect(i.updates.map((u) => u.createdAt)).toEqual([...i.updates.map((u) => u.createdAt)].sort((x, y) => y - x));
    expect(i.updates[3]?.affectedComponents).toEqual([
      { code: bank, name: 'Banco X MX - Retail', oldStatus: 'operational', newStatus: 'major_outage' },
    ]);
    expect(i.updates[2]?.affectedComponents).toBeNull();
    // Resolving puts the components back, and says so on the resolving update.
    expect(i.updates[0]?.affectedComponents).toEqual([
      { code: bank, name: 'Banco X MX - Retail', oldStatus: 'major_outage', newStatus: 'operational' },
    ]);
    expect(i.status).toBe('resolved');
    expect(i.createdAt).toBe(opened);
    expect(i.monitoringAt).toBe(opened + 10 * 60_000);
    expect(i.resolvedAt).toBe(clock.now());
    expect(i.updatedAt).toBe(clock.now());
    expect(page.component(bank)?.status).toBe('operational');
    expect(page.component(bank)?.updatedAt).toBe(clock.now());
    expect(page.updatedAt).toBe(clock.now());
    expect(page.version).toBeGreaterThan(versionBefore);
  });

  it('keeps a group header at the worst status of its members', () => {
    const { page, bank } = script();
    const group = page.componentByName('Mexico')!;
    expect(group.group).toBe(true);
    expect(group.memberIds).toEqual([bank]);
    expect(page.component(bank)?.groupId).toBe(group.id);
    expect(group.status).toBe('major_outage');
    page.setComponentStatus(bank, 'degraded_performance');
    expect(page.component(group.id)?.status).toBe('degraded_performance');
    expect(() => page.setComponentStatus(group.id, 'operational')).toThrow(/group/);
  });

  it('runs a maintenance through scheduled, in progress and completed', () => {
    const { clock, page, api } = script();
    const m = page.scheduleMaintenance({
      name: 'Database upgrade',
      components: [api],
      scheduledFor: '2022-02-16T10:00:00Z',
      scheduledUntil: '2022-02-16T12:00:00Z',
      body: 'We will upgrade the database.',
    });
    expect(page.incident(m)).toMatchObject({ kind: 'maintenance', status: 'scheduled', impact: 'maintenance' });
    clock.set('2022-02-16T10:00:00Z');
    page.startMaintenance(m, 'Started.');
    expect(page.component(api)?.status).toBe('under_maintenance');
    clock.advance(3_600_000);
    page.completeMaintenance(m, 'Done.');
    expect(page.component(api)?.status).toBe('operational');
    expect(page.incident(m)?.updates.map((u) => u.status)).toEqual(['completed', 'in_progress', 'scheduled']);
    expect(page.incident(m)?.resolvedAt).toBe(clock.now());
    expect(page.maintenances().map((x) => x.id)).toEqual([m]);
    expect(page.incidents().map((x) => x.id)).not.toContain(m);
  });

  it("moves a scheduled maintenance's window in place, with an update saying so", () => {
    const { clock, page, api } = script();
    const m = page.scheduleMaintenance({
      name: 'Database upgrade',
      components: [api],
      scheduledFor: '2022-02-16T10:00:00Z',
      scheduledUntil: '2022-02-16T12:00:00Z',
      body: 'We will upgrade the database.',
    });
    clock.advance(60_000);
    page.rescheduleMaintenance(m, {
      scheduledFor: '2022-02-17T10:00:00Z',
      scheduledUntil: '2022-02-17T11:00:00Z',
      body: 'Moved to tomorrow.',
    });
    expect(page.incident(m)).toMatchObject({
      status: 'scheduled',
      scheduledFor: Date.parse('2022-02-17T10:00:00Z'),
      scheduledUntil: Date.parse('2022-02-17T11:00:00Z'),
      updatedAt: clock.now(),
    });
    expect(page.incident(m)?.updates.map((u) => [u.status, u.body])).toEqual([
      ['scheduled', 'Moved to tomorrow.'],
      ['scheduled', 'We will upgrade the database.'],
    ]);
    expect(page.maintenances().map((x) => x.id)).toEqual([m]);
  });

  it('deletes an incident from every list', () => {
    const { page, incident } = script();
    page.deleteIncident(incident);
    expect(page.incident(incident)).toBeUndefined();
    expect(page.incidents()).toEqual([]);
    expect(() => page.updateIncident(incident, { body: 'x' })).toThrow(/no incident/);
  });
});

describe('populateInstitutions', () => {
  it('creates 1,000 grouped institutions with stable, unique Belvo-style names', () => {
    const make = () => {
      const page = new SimulatedPage({ id: 'instpage0001', name: 'Belvo Institutions', now: () => 0 });
      return { page, result: populateInstitutions(page, { count: 1000, countries: ['Mexico', 'Colombia', 'Brazil'] }) };
    };
    const { page, result } = make();
    expect(result.institutions).toHaveLength(1000);
    expect(Object.keys(result.groups)).toEqual(['Mexico', 'Colombia', 'Brazil']);
    const names = result.institutions.map((i) => i.displayName);
    expect(new Set(names).size).toBe(1000);
    expect(new Set(result.institutions.map((i) => i.name)).size).toBe(1000);
    expect(result.institutions[0]).toMatchObject({
      displayName: 'Banco X MX - Retail',
      name: 'bancox_mx_retail',
      country: 'Mexico',
      countryCode: 'MX',
    });
    for (const inst of result.institutions) {
      expect(inst.displayName).toMatch(/^.+ (MX|CO|BR) - [A-Za-z]+$/);
      expect(page.component(inst.id)?.groupId).toBe(result.groups[inst.country]);
    }
    expect(page.components()).toHaveLength(1003);
    expect(make().result).toEqual(result);
  });
});
