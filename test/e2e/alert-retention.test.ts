// Retention in the running app: resolved alerts older than retention.alerts are forgotten on the bot's own schedule,
// with their outbox rows and message references, and so are the claims of reports due that long ago; open incidents
// (and what they speak through) stay, and `/belvo-status history` still lists what the retention keeps.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../src/domain/alert.js';
import { INCIDENT_KIND } from '../../src/domain/fingerprint.js';
import { makeAlert, makeIntent } from '../contract/alert-factory.js';
import { type AppHarness, startApp } from './app-harness.js';

const DAY = 86_400_000;
const START = Date.parse('2026-03-01T09:00:00Z');
const CHANNEL = 'C0ONCALL01';

function incident(id: string, institution: string, state: Alert['state'], at: number, extra: Partial<Alert> = {}) {
  const alert = makeAlert({
    id,
    kind: INCIDENT_KIND,
    fingerprint: `institution/${institution}`,
    source: 'bot',
    state,
    institution: { name: institution, displayName: institution, country: 'MX' },
    startedAt: at,
    firstSeenAt: at,
    firedAt: at,
    lastSeenAt: at + 3_600_000,
    ...(state === 'resolved' ? { resolvedAt: at + 3_600_000 } : {}),
    ...extra,
  });
  delete alert.maintenance;
  delete alert.acknowledged;
  if (state !== 'resolved') delete alert.resolvedAt;
  return alert;
}

describe('alert retention', () => {
  let h: AppHarness | undefined;

  beforeEach(async () => {
    h = await startApp(
      (dir) => `
storage: { path: ${dir}/state.db }
log: { level: silent }
retention: { alerts: 90d }
destinations: [{ id: console, type: console }]
subscriptions: [{ destination: console }]
`,
      {},
      START,
    );
  });

  afterEach(async () => {
    await h?.dispose();
  });

  it('forgets resolved alerts past the retention with their outbox rows; open incidents and recent history stay', async () => {
    const app = h as AppHarness;
    const commit = (alerts: Alert[]) =>
      app.app.store.commitAlerts({
        alerts,
        intents: alerts.map((a) => makeIntent(a, 'console', { notBefore: app.clock.now() })),
        cursors: [],
      });
    // Four months ago: an incident that ended, and one still open today with a member that ended back then.
    await commit([
      incident('A1', 'erebor_mx_retail', 'resolved', START),
      incident('A2', 'gringotts_mx_retail', 'firing', START),
    ]);
    const member = makeAlert({ id: 'A3', state: 'resolved', incidentId: 'A2', startedAt: START, announced: false });
    delete member.maintenance;
    await commit([member]);
    await app.deliverAll();
    // Last week: another incident that ended.
    app.clock.advance(120 * DAY);
    await commit([incident('A4', 'ofelia_mx_retail', 'resolved', app.clock.now() - 7 * DAY)]);
    await app.deliverAll();
    const before = (await app.chat('history 10', CHANNEL)).sections.flatMap((s) => s.lines).join('\n');
    expect(before).toMatch(/\[A1\]/);

    // Scheduled reports' claims: one due four months ago, one yesterday.
    await app.app.store.claimReport('weekly', START, START);
    await app.app.store.claimReport('weekly', app.clock.now() - DAY, app.clock.now() - DAY);

    await app.cycle();

    expect((await app.app.store.listAlerts()).map((a) => a.id).sort()).toEqual(['A2', 'A3', 'A4']);
    // The report log keeps what the retention keeps.
    expect(await app.app.store.lastReport('weekly', app.clock.now() - 2 * DAY)).toBeUndefined();
    expect(await app.app.store.lastReport('weekly', app.clock.now())).toBe(app.clock.now() - DAY);
    expect(await app.app.store.listIntents({ alertId: 'A1' })).toEqual([]);
    expect((await app.app.store.listIntents({ alertId: 'A2' })).length).toBe(1);
    const history = (await app.chat('history 10', CHANNEL)).sections.flatMap((s) => s.lines).join('\n');
    expect(history).toMatch(/\[A4\]/);
    expect(history).not.toMatch(/\[A1\]/);
    // The open incident is still open, with its member.
    expect((await app.app.store.getAlert('A2'))?.state).toBe('firing');
  });
});
