// A page is never late because a chat API is slow: while the Slack post of an alert hangs, the PagerDuty trigger
// the same alert raises a minute later goes out at once, and Slack still gets its one message once it answers again.
// The whole app in this process with its dispatcher running on its own (see app-harness.ts).
import { afterEach, describe, expect, it } from 'vitest';
import { type FakePagerDuty, startFakePagerDuty } from '../fakes/pagerduty-api.js';
import { type FakeSlack, startFakeSlack } from '../fakes/slack-api.js';
import { SimulatedPage, type SimulatedStatusPageServer, startSimulatedStatusPage } from '../fakes/statuspage.js';
import { type AppHarness, startApp } from './app-harness.js';
import { until } from './bot-process.js';

const ONCALL = 'C0ONCALL1';
const PD_KEY = 'R0UT1NGKEY00000000000000000000PD';
const MIN = 60_000;
const T0 = Date.parse('2026-12-01T14:00:00Z');

describe('a slow chat API does not delay a page', () => {
  let statuspage: SimulatedStatusPageServer | undefined;
  let slack: FakeSlack | undefined;
  let pd: FakePagerDuty | undefined;
  let h: AppHarness | undefined;

  afterEach(async () => {
    slack?.faults.clear();
    await slack?.close(); // ends a request still hanging, so the dispatcher can stop
    await h?.app.dispatcher.stop();
    await h?.dispose();
    await Promise.all([statuspage?.close(), pd?.close()]);
  });

  it('the trigger goes out while the Slack post of the same alert hangs; Slack gets its one message after', async () => {
    let now = () => T0;
    const page = new SimulatedPage({ id: 'belvoapi01', name: 'Belvo API', now: () => now() });
    const api = page.addComponent({ name: 'API' });
    statuspage = await startSimulatedStatusPage({ page });
    const fakeSlack = await startFakeSlack({ channels: [ONCALL] });
    slack = fakeSlack;
    const fakePd = await startFakePagerDuty();
    pd = fakePd;
    const app = await startApp(
      (dir) => `
storage: { path: ${dir}/state.db }
log: { level: silent }
sources:
  - { id: belvo-api, type: statuspage, name: Belvo API, url: "${statuspage?.url}", role: api }
slack: { botToken: { secretEnv: SLACK_BOT_TOKEN }, apiUrl: "${fakeSlack.apiUrl}", timeout: 8s }
destinations:
  - { id: oncall, type: slack, channel: ${ONCALL} }
  - { id: pagerduty, type: pagerduty, routingKey: { secretEnv: PD_KEY }, eventsUrl: "${fakePd.eventsUrl}" }
subscriptions:
  - { destination: oncall }
`,
      { SLACK_BOT_TOKEN: 'xoxb-test', PD_KEY },
      T0,
    );
    h = app;
    now = () => app.clock.now();
    await app.cycle(); // first sight: everything operational
    // From here the dispatcher delivers on its own, as in the running bot; the test only moves time and polls.
    await app.app.dispatcher.start();
    const observe = async (advanceMs: number) => {
      app.clock.advance(advanceMs);
      for (const target of app.app.pollTargets) await target.poll();
      await app.app.ticker.check();
    };
    const slackIntents = async () =>
      (await app.app.store.listIntents()).filter((i) => i.destination === `slack:${ONCALL}`);

    // Slack takes the post and never answers.
    fakeSlack.faults.hang('chat.postMessage');
    page.setComponentStatus(api, 'degraded_performance');
    await observe(MIN);
    await until(() => fakeSlack.calls.some((c) => c.method === 'chat.postMessage'), 20_000, 'the Slack post');
    expect(fakePd.alerts()).toHaveLength(0); // minor: no page

    // It gets worse while Slack still hangs: the same alert, now major, pages.
    page.openIncident({
      name: 'API latency',
      impact: 'major',
      body: 'Requests are slow.',
      components: [{ id: api, status: 'partial_outage' }],
    });
    await observe(MIN);
    // The page waits a moment for related changes to group (its intent's notBefore), then comes due.
    app.clock.advance(10_000);
    await until(() => fakePd.alerts().length === 1, 20_000, 'the PagerDuty trigger');
    // Sent before Slack's post was given up on: nothing waited for it.
    expect((await slackIntents()).map((i) => [i.version, i.status])).toEqual([
      [1, 'in_flight'],
      [2, 'pending'],
    ]);
    expect(fakePd.alerts()[0]).toMatchObject({ status: 'triggered', log: ['trigger'] });
    expect(String(fakePd.alerts()[0]?.payload['summary'])).toContain('API latency');

    // Slack answers again; the timed-out post is retried once it could have landed: one message, up to date.
    fakeSlack.faults.clear();
    await until(async () => (await slackIntents())[0]?.status === 'pending', 30_000, 'the Slack post to time out');
    app.clock.advance(MIN);
    // Moving the clock past Slack's pace (one post per second per channel) as the deliveries go.
    const drained = async () => {
      app.clock.advance(1100);
      app.app.dispatcher.wake();
      return (await app.app.store.outboxDepth()) === 0;
    };
    await until(drained, 30_000, 'the outbox to drain');
    const parents = fakeSlack.history(ONCALL);
    expect(parents).toHaveLength(1);
    expect(JSON.stringify(fakeSlack.message(ONCALL, parents[0]?.ts ?? ''))).toContain('API latency');
    expect(fakePd.alerts()).toHaveLength(1);
  });
});
