// A subscription's report end to end: the real bot (buildApp) against a simulated institutions page, a fake Slack and a
// fake PagerDuty, on the test's clock, with a cron the test fires (node-cron's own matching, see fake-cron.ts). The
// report arrives at its cron time as one new message with its sections, pages nobody, and nothing else is posted.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakePagerDuty, startFakePagerDuty } from '../fakes/pagerduty-api.js';
import { type FakeSlack, startFakeSlack } from '../fakes/slack-api.js';
import { SimulatedPage, type SimulatedStatusPageServer, startSimulatedStatusPage } from '../fakes/statuspage.js';
import { FakeCron } from '../support/fake-cron.js';
import { type AppHarness, startApp } from './app-harness.js';

const CHANNEL = 'C0REPORTS1';
const PD_KEY = 'R0UT1NGKEY00000000000000000000PD';
const MIN = 60_000;
/** Thursday 3 December 2026, 07:30 in Mexico City (UTC-6). */
const THURSDAY_0730 = Date.parse('2026-12-03T13:30:00Z');
const THURSDAY_0900 = Date.parse('2026-12-03T15:00:00Z');

describe('reports on a schedule, end to end', () => {
  let page: SimulatedPage;
  let statuspage: SimulatedStatusPageServer;
  let slack: FakeSlack;
  let pd: FakePagerDuty;
  let h: AppHarness | undefined;
  let erebor: string;

  beforeEach(async () => {
    page = new SimulatedPage({ id: 'institutions01', name: 'Belvo institutions' });
    erebor = page.addComponent({ name: 'Banco Erebor MX - Retail', group: 'Mexico' });
    page.addComponent({ name: 'Banco Gondor MX - Business', group: 'Mexico' });
    statuspage = await startSimulatedStatusPage({ page });
    slack = await startFakeSlack({ channels: [CHANNEL] });
    pd = await startFakePagerDuty();
  });

  afterEach(async () => {
    await h?.dispose();
    h = undefined;
    await Promise.all([statuspage.close(), slack.close(), pd.close()]);
  });

  it('posts the report at 09:00 on the channel clock, with its sections, and nothing else', async () => {
    const cron = new FakeCron();
    h = await startApp(
      (dir) => `
storage: { path: ${dir}/state.db }
log: { level: silent }
sources:
  - { id: institutions, type: statuspage, name: Belvo institutions, url: "${statuspage.url}", role: institutions }
engine: { thresholds: { byKind: { statuspage.component: { fail: 1, ok: 1 } } } }
slack: { botToken: { secretEnv: SLACK_BOT_TOKEN }, apiUrl: "${slack.apiUrl}" }
destinations:
  - { id: oncall, type: slack, channel: ${CHANNEL} }
  - { id: pagerduty, type: pagerduty, routingKey: { secretEnv: PD_KEY }, eventsUrl: "${pd.eventsUrl}" }
subscriptions:
  - destination: oncall
    report: { cron: "0 9 * * 1-5", tz: America/Mexico_City }
policy:
  paging:
    rules:
      - { name: majors, match: { minSeverity: major } }
`,
      { SLACK_BOT_TOKEN: 'xoxb-test', PD_KEY },
      THURSDAY_0730,
      { cron },
    );
    const app = h;
    await app.cycle(); // first sight: all operational
    await app.app.reports.start();
    expect(cron.live.map((t) => [t.cron, t.tz])).toEqual([['0 9 * * 1-5', 'America/Mexico_City']]);

    // 07:40 to 08:10: Erebor is down for half an hour, and pages.
    page.setComponentStatus(erebor, 'major_outage');
    await app.cycle(10 * MIN);
    page.setComponentStatus(erebor, 'operational');
    await app.cycle(30 * MIN);
    const alert = slack.history(CHANNEL);
    expect(alert).toHaveLength(1);
    const before = {
      posts: slack.posts(CHANNEL).length,
      updates: slack.updates(CHANNEL).length,
      pages: pd.events.length,
    };

    // 08:59: nothing yet.
    const from = app.clock.now();
    app.clock.t = THURSDAY_0900 - MIN;
    expect(cron.runDue(from, app.clock.now())).toBe(0);
    // 09:00 in Mexico City.
    app.clock.t = THURSDAY_0900;
    expect(cron.runDue(THURSDAY_0900 - MIN, THURSDAY_0900)).toBe(1);
    await app.app.reports.idle();
    await app.deliverAll();

    const messages = slack.history(CHANNEL);
    expect(messages).toHaveLength(2);
    const report = messages[1]!;
    expect(report.text).toBe('Belvo report: nothing open, 1 incident since Wed 2 Dec, 09:00');
    const text = JSON.stringify(report.blocks);
    expect(text).toContain('*Open now*\\nNothing open.');
    expect(text).toContain('*Incidents since Wed 2 Dec, 09:00 (1)*');
    expect(text).toMatch(
      /\[A\d+\] CRITICAL Banco Erebor MX - Retail: major outage on Belvo's status page · started 2026-12-03 13:40 UTC · lasted 30m/,
    );
    expect(text).toContain('*Institutions that failed most*\\nBanco Erebor MX - Retail (MX): 1 incident, down 30m');
    expect(text).toContain(
      'cron \\"0 9 * * 1-5\\" (America/Mexico_City) · 2026-12-02 15:00 UTC to 2026-12-03 15:00 UTC',
    );
    expect(report.attachments ?? []).toEqual([]);
    // One new message, no thread reply, no edit, no page.
    expect(slack.posts(CHANNEL).length).toBe(before.posts + 1);
    expect(slack.updates(CHANNEL).length).toBe(before.updates);
    expect(pd.events.length).toBe(before.pages);

    // Later checks (the catch-up of every minute, a timer firing late) find it sent.
    app.clock.t = THURSDAY_0900 + 20 * MIN;
    expect(await app.app.reports.catchUp()).toBe(0);
    cron.runDue(THURSDAY_0900 - MIN, THURSDAY_0900);
    await app.app.reports.idle();
    await app.deliverAll();
    expect(slack.posts(CHANNEL).length).toBe(before.posts + 1);
  });
});
