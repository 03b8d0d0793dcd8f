// An institution's whole outage in the real program, started the way a user starts it: one page, reminders in the
// Slack thread until someone runs `/belvo-status ack` in the channel, which acknowledges the page and stops them;
// the recovery resolves the page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakePagerDuty, startFakePagerDuty } from '../fakes/pagerduty-api.js';
import { type FakeSlack, startFakeSlack } from '../fakes/slack-api.js';
import { SimulatedPage, type SimulatedStatusPageServer, startSimulatedStatusPage } from '../fakes/statuspage.js';
import { BotProcess, sleep, until } from './bot-process.js';
import { alertIdOf, postSignedToSlackEvents, slashCommandBody } from './slack-requests.js';

const SIGNING_SECRET = 'e2e-signing-secret-paging';
const CHANNEL = 'C0ONCALL2';
const PD_KEY = 'R0UT1NGKEY0000000000000000000E2E';

describe('an institution the team depends on goes down, in the running bot', () => {
  let page: SimulatedPage;
  let statuspage: SimulatedStatusPageServer;
  let slack: FakeSlack;
  let pd: FakePagerDuty;
  let bot: BotProcess;
  let base: string;
  let erebor: string;

  beforeAll(async () => {
    page = new SimulatedPage({ id: 'institutions02', name: 'Belvo institutions' });
    erebor = page.addComponent({ name: 'Banco Erebor MX - Retail', group: 'Mexico' });
    page.addComponent({ name: 'Banco Gondor MX - Business', group: 'Mexico' });
    statuspage = await startSimulatedStatusPage({ page });
    slack = await startFakeSlack({ channels: [CHANNEL] });
    pd = await startFakePagerDuty();
    bot = new BotProcess(
      (dir) => `
server: { host: 127.0.0.1, port: 0 }
storage: { path: ${dir}/state.db }
sources:
  - { id: institutions, type: statuspage, name: Belvo institutions, url: "${statuspage.url}", role: institutions, interval: 150ms, jitter: 0 }
engine: { thresholds: { byKind: { statuspage.component: { fail: 1, ok: 1 } } } }
slack:
  botToken: { secretEnv: SLACK_BOT_TOKEN }
  signingSecret: { secretEnv: SLACK_SIGNING_SECRET }
  apiUrl: "${slack.apiUrl}"
destinations:
  - { id: oncall, type: slack, channel: ${CHANNEL} }
  - { id: pagerduty, type: pagerduty, routingKey: { secretEnv: PD_KEY }, eventsUrl: "${pd.eventsUrl}" }
subscriptions:
  - { destination: oncall }
policy:
  check: 100ms
  paging: { criticalInstitutions: [Banco Erebor MX - Retail] }
  reminders: { every: 1500ms }
`,
    );
    bot.start({ SLACK_BOT_TOKEN: 'xoxb-e2e', SLACK_SIGNING_SECRET: SIGNING_SECRET, PD_KEY });
    const started = await bot.waitForLog('belvo-status-bot started');
    base = `http://127.0.0.1:${started.port as number}`;
    await sleep(450); // first sight
  });

  afterAll(async () => {
    await bot?.dispose();
    await Promise.all([statuspage?.close(), slack?.close(), pd?.close()]);
  });

  const thread = (ts: string) => slack.replies(CHANNEL, ts);
  const reminders = (ts: string) => thread(ts).filter((m) => /Reminder/.test(m.text ?? '')).length;

  it('pages once, reminds until acknowledged in chat, acknowledges the page, and resolves it on recovery', async () => {
    page.setComponentStatus(erebor, 'major_outage');
    await until(
      () => pd.alerts().length === 1 && slack.history(CHANNEL).length === 1,
      15_000,
      'the page and the message',
    );
    const parent = slack.history(CHANNEL)[0];
    const key = pd.alerts()[0]?.dedupKey as string;
    expect(pd.alerts()[0]).toMatchObject({ status: 'triggered', log: ['trigger'] });
    const summary = String(pd.alerts()[0]?.payload['summary']);
    expect(summary).toContain('Banco Erebor MX - Retail');
    expect(summary).toContain('MX');
    // The page links to the chat message.
    await until(
      () => JSON.stringify(slack.message(CHANNEL, parent?.ts ?? '')).includes('paged on-call'),
      15_000,
      'paged shown',
    );

    await until(() => reminders(parent?.ts ?? '') >= 1, 15_000, 'a reminder in the thread');
    expect(slack.history(CHANNEL)).toHaveLength(1); // a reminder is never a new message

    const res = await postSignedToSlackEvents(
      base,
      SIGNING_SECRET,
      slashCommandBody(CHANNEL, `ack ${alertIdOf(parent)}`),
    );
    expect(res.status).toBe(200);
    expect(((await res.json()) as { text: string }).text).toMatch(/acknowledged/i);
    await until(() => pd.alert(PD_KEY, key)?.status === 'acknowledged', 15_000, 'the page acknowledged');
    await sleep(300); // a reminder already in flight may land
    const afterAck = reminders(parent?.ts ?? '');
    await sleep(2500); // longer than the reminder interval
    expect(reminders(parent?.ts ?? '')).toBe(afterAck);

    page.setComponentStatus(erebor, 'operational');
    await until(() => pd.alert(PD_KEY, key)?.status === 'resolved', 15_000, 'the page resolved');
    expect(pd.alert(PD_KEY, key)).toMatchObject({ incidents: 1, log: ['trigger', 'acknowledge', 'resolve'] });
    expect(pd.events.map((e) => e.body?.['event_action'])).toEqual(['trigger', 'acknowledge', 'resolve']);
    const links = JSON.stringify(pd.events[0]?.body?.['links']);
    expect(links).toContain(`/archives/${CHANNEL}/p`);
  });
});
