// A maintenance Belvo schedules ahead, end to end: the real bot against a simulated status page, a fake Slack and a
// fake PagerDuty that pages on anything. One message per channel from the day it is scheduled to its completion,
// with its window in the channel's time zone, a reminder before it starts, and never a page nor a mention. The clock
// is the test's (see app-harness.ts).

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { COLORS } from '../../adapters/slack/render.js';
import { type FakePagerDuty, startFakePagerDuty } from '../fakes/pagerduty-api.js';
import { type FakeSlack, type SlackMessage, startFakeSlack } from '../fakes/slack-api.js';
import { SimulatedPage, type SimulatedStatusPageServer, startSimulatedStatusPage } from '../fakes/statuspage.js';
import { type AppHarness, startApp } from './app-harness.js';

const CHANNEL = 'C0MAINT01';
const PD_KEY = 'R0UT1NGKEY00000000000000000000PD';
const MIN = 60_000;
const HOUR = 60 * MIN;
// Friday 4 Dec 2026, 12:00 UTC; 09:00 in São Paulo (UTC-3 all year since 2019).
const T0 = Date.parse('2026-12-04T12:00:00Z');

describe('a maintenance announced ahead', () => {
  let page: SimulatedPage;
  let statuspage: SimulatedStatusPageServer;
  let slack: FakeSlack;
  let pd: FakePagerDuty;
  let h: AppHarness | undefined;
  let erebor: string;
  // The page writes its updates on the test's clock too, so durations are the window's.
  let now = () => T0;

  beforeEach(async () => {
    page = new SimulatedPage({ id: 'institutions01', name: 'Belvo institutions', now: () => now() });
    erebor = page.addComponent({ name: 'Banco Erebor MX - Retail', group: 'Mexico' });
    page.addComponent({ name: 'Banco Gondor MX - Business', group: 'Mexico' });
    statuspage = await startSimulatedStatusPage({ page });
    slack = await startFakeSlack({ channels: [CHANNEL] });
    pd = await startFakePagerDuty();
  });

  afterEach(async () => {
    await h?.dispose();
    h = undefined;
    now = () => T0;
    await Promise.all([statuspage.close(), slack.close(), pd.close()]);
  });

  async function start(subscription: string, role: 'api' | 'institutions' = 'institutions'): Promise<AppHarness> {
    h = await startApp(
      (dir) => `
storage: { path: ${dir}/state.db }
log: { level: silent }
sources:
  - { id: institutions, type: statuspage, name: Belvo institutions, url: "${statuspage.url}", role: ${role} }
slack: { botToken: { secretEnv: SLACK_BOT_TOKEN }, apiUrl: "${slack.apiUrl}" }
destinations:
  - { id: oncall, type: slack, channel: ${CHANNEL} }
  - { id: pagerduty, type: pagerduty, routingKey: { secretEnv: PD_KEY }, eventsUrl: "${pd.eventsUrl}" }
subscriptions:
  - ${subscription}
policy:
  paging:
    criticalInstitutions: [Banco Erebor MX - Retail]
    rules:
      - { name: anything, match: {}, page: immediately }
  reminders: { every: 10m }
`,
      { SLACK_BOT_TOKEN: 'xoxb-test', PD_KEY },
      T0,
    );
    now = h.clock.now;
    await h.cycle(); // first sight: nothing scheduled yet
    return h;
  }

  const parents = () => slack.history(CHANNEL);
  const textOf = (m: unknown) => JSON.stringify(m);
  const colorOf = (m: SlackMessage) => (m.attachments?.[0] as { color?: string } | undefined)?.color;
  const parent = () => slack.message(CHANNEL, parents()[0]?.ts ?? '') as SlackMessage;
  const replies = () => slack.replies(CHANNEL, parents()[0]?.ts ?? '').map((r) => r.text);
  const at = (app: AppHarness, t: number) => app.cycle(t - app.clock.now());

  it('scheduled, reminded, in progress, moved, completed: one message edited in place, no page, no mention', async () => {
    const app = await start(
      '{ destination: oncall, tz: America/Sao_Paulo, mention: { to: [group:S0ONCALL], from: info } }',
    );
    const m = page.scheduleMaintenance({
      name: 'Erebor core banking upgrade',
      components: [erebor],
      scheduledFor: new Date(T0 + 3 * HOUR).toISOString(),
      scheduledUntil: new Date(T0 + 5 * HOUR).toISOString(),
      body: 'Connections to Banco Erebor may fail during the window.',
    });
    await app.cycle(MIN);

    // Announced once, with its window on the channel's clock.
    expect(parents()).toHaveLength(1);
    expect(parent().text).toBe('[INFO] Maintenance: Erebor core banking upgrade');
    expect(textOf(parent())).toContain('Scheduled maintenance');
    expect(textOf(parent())).toContain('Fri 4 Dec 2026 12:00-14:00 America/Sao_Paulo (2h)');
    expect(colorOf(parent())).toBe(COLORS.maintenance);
    expect(replies()).toEqual([]);
    // Planned work is not something broken: /belvo-status lists it apart.
    const status = await app.chat('status', CHANNEL);
    expect(status.title).toBe('Belvo status: all clear');
    expect(status.sections.find((x) => x.heading === 'Upcoming maintenance (1)')?.lines).toEqual([
      '[A1] Maintenance: Erebor core banking upgrade (Banco Erebor MX - Retail (MX)) · Fri 4 Dec 2026 15:00-17:00 UTC (2h)',
    ]);

    // Nothing until an hour before it starts (the general 10-minute reminder is not for planned work).
    await at(app, T0 + 2 * HOUR - MIN);
    expect(replies()).toEqual([]);
    await at(app, T0 + 2 * HOUR + MIN);
    expect(replies()).toEqual([':bell: Reminder: starts in 59m: Fri 4 Dec 2026 12:00-14:00 America/Sao_Paulo (2h)']);
    await at(app, T0 + 2 * HOUR + 30 * MIN);
    expect(replies()).toHaveLength(1); // said once

    app.clock.t = T0 + 3 * HOUR;
    page.startMaintenance(m, 'The upgrade has begun.');
    await app.cycle(MIN);
    expect(textOf(parent())).toContain('In progress maintenance');
    expect(replies().at(-1)).toBe(
      ':arrows_counterclockwise: Update: maintenance in progress\n> *in progress*: The upgrade has begun.',
    );

    page.rescheduleMaintenance(m, {
      scheduledFor: new Date(T0 + 3 * HOUR).toISOString(),
      scheduledUntil: new Date(T0 + 6 * HOUR).toISOString(),
      body: 'We need one more hour.',
    });
    await app.cycle(MIN);
    expect(textOf(parent())).toContain('Fri 4 Dec 2026 12:00-15:00 America/Sao_Paulo (3h)');
    expect(textOf(parent())).not.toContain('12:00-14:00');
    expect(replies().at(-1)).toBe(
      ':arrows_counterclockwise: Update: window moved to Fri 4 Dec 2026 12:00-15:00 America/Sao_Paulo (3h)\n' +
        '> *in progress*: We need one more hour.',
    );

    app.clock.t = T0 + 5 * HOUR + 30 * MIN;
    page.completeMaintenance(m, 'Done.');
    await app.cycle(MIN);
    expect(parents()).toHaveLength(1);
    expect(parent().text).toBe('[Resolved] Maintenance: Erebor core banking upgrade');
    expect(colorOf(parent())).toBe(COLORS.resolved);
    expect(textOf(parent())).toContain('Completed after 2h 30m');
    expect(replies().at(-1)).toMatch(/^:white_check_mark: Resolved: maintenance completed \(after 2h 30m\)/);
    expect(replies()).toHaveLength(4); // reminder, in progress, moved, completed

    // Nothing paged and nobody mentioned, although PagerDuty pages on anything and the channel mentions from info.
    expect(pd.events).toHaveLength(0);
    const everything = textOf([...parents(), ...slack.replies(CHANNEL, parents()[0]?.ts ?? '')]);
    expect(everything).not.toContain('subteam');

    // The same configuration does page (and mention) a real outage: the zero above is the maintenance's doing.
    page.setComponentStatus(erebor, 'major_outage');
    await app.cycle(MIN);
    expect(pd.events.length).toBeGreaterThan(0);
    expect(parents()).toHaveLength(2);
    expect(parents()[1]?.text).toContain('<!subteam^S0ONCALL>');
  });

  it('a channel without a time zone reads the window in UTC; a window moved before it starts re-arms the reminder', async () => {
    const app = await start('{ destination: oncall }');
    const m = page.scheduleMaintenance({
      name: 'Gondor channel change',
      components: [erebor],
      scheduledFor: new Date(T0 + 3 * HOUR).toISOString(),
      scheduledUntil: new Date(T0 + 4 * HOUR).toISOString(),
      body: 'Planned.',
    });
    await app.cycle(MIN);
    expect(textOf(parent())).toContain('Fri 4 Dec 2026 15:00-16:00 UTC (1h)');

    await at(app, T0 + 2 * HOUR + MIN);
    expect(replies()).toEqual([':bell: Reminder: starts in 59m: Fri 4 Dec 2026 15:00-16:00 UTC (1h)']);

    // Postponed to the next day before it began: the message says the new window, and reminds again before it.
    page.rescheduleMaintenance(m, {
      scheduledFor: new Date(T0 + 27 * HOUR).toISOString(),
      scheduledUntil: new Date(T0 + 28 * HOUR).toISOString(),
      body: 'Postponed by a day.',
    });
    await app.cycle(MIN);
    expect(textOf(parent())).toContain('Sat 5 Dec 2026 15:00-16:00 UTC (1h)');
    expect(replies().at(-1)).toBe(
      ':arrows_counterclockwise: Update: window moved to Sat 5 Dec 2026 15:00-16:00 UTC (1h)\n' +
        '> *scheduled*: Postponed by a day.',
    );
    await at(app, T0 + 25 * HOUR);
    expect(replies()).toHaveLength(2);
    await at(app, T0 + 26 * HOUR + MIN);
    expect(replies().at(-1)).toBe(':bell: Reminder: starts in 59m: Sat 5 Dec 2026 15:00-16:00 UTC (1h)');
    expect(parents()).toHaveLength(1);
    expect(pd.events).toHaveLength(0);
  });

  it('a maintenance the page never closes is closed an hour after its window, once, and stays closed', async () => {
    const app = await start('{ destination: oncall }');
    const m = page.scheduleMaintenance({
      name: 'Erebor switch upgrade',
      components: [erebor],
      scheduledFor: new Date(T0 + HOUR).toISOString(),
      scheduledUntil: new Date(T0 + 2 * HOUR).toISOString(),
      body: 'Planned.',
    });
    await app.cycle(MIN);
    app.clock.t = T0 + HOUR;
    page.startMaintenance(m, 'Started.');
    await app.cycle(MIN);
    expect(textOf(parent())).toContain('In progress maintenance');

    // The window ends; the page still says in progress. An hour later the bot closes it.
    await at(app, T0 + 3 * HOUR - MIN);
    expect(parent().text).toBe('[INFO] Maintenance: Erebor switch upgrade');
    await at(app, T0 + 3 * HOUR);
    expect(parent().text).toBe('[Resolved] Maintenance: Erebor switch upgrade');
    expect(textOf(parent())).toContain('Window ended after 1h');
    expect(replies().at(-1)).toBe(
      ':white_check_mark: Resolved: window ended; the page never said it completed (after 1h 0m)',
    );
    const said = replies().length;
    expect((await app.chat('status', CHANNEL)).sections.map((x) => x.heading)).not.toContain(
      'Upcoming maintenance (1)',
    );

    // The page keeps showing it in progress: nothing more, however long.
    await at(app, T0 + 5 * HOUR);
    await at(app, T0 + 30 * HOUR);
    expect(replies()).toHaveLength(said);
    expect(parents()).toHaveLength(1);
    expect(pd.events).toHaveLength(0);
  });

  it("on Belvo's API page: its own message beside the API's incident, never listed on it, never paged", async () => {
    const api = page.addComponent({ name: 'API' });
    const app = await start('{ destination: oncall }', 'api');
    page.scheduleMaintenance({
      name: 'Database upgrade',
      components: [api],
      scheduledFor: new Date(T0 + 3 * HOUR).toISOString(),
      scheduledUntil: new Date(T0 + 4 * HOUR).toISOString(),
      body: 'Planned.',
    });
    page.openIncident({ name: 'Elevated error rates', impact: 'major', body: 'Investigating.', components: [api] });
    await app.cycle(MIN);

    const texts = parents().map((p) => p.text);
    expect(texts).toHaveLength(2);
    expect(texts).toContain('[INFO] Maintenance: Database upgrade');
    const incident = parents().find((p) => p.text !== '[INFO] Maintenance: Database upgrade');
    expect(incident?.text).toMatch(/^\[MAJOR\] Belvo institutions: Elevated error rates/);
    expect(textOf(incident)).not.toContain('Database upgrade');
    // The incident pages (PagerDuty pages on anything); the maintenance adds nothing to it.
    expect(pd.alerts()).toHaveLength(1);
    expect(String(pd.alerts()[0]?.payload['summary'])).not.toContain('Database upgrade');
  });
});
