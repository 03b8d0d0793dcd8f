// PagerDuty back to chat: the whole app (HTTP server, SQLite, outbox, Slack and PagerDuty notifiers) in this process
// against a fake Slack and a fake PagerDuty that sends signed v3 webhooks to the bot, as a webhook subscription does.
// Scheduled polls and checks are an hour away and the test clock moves only when the test says: the test polls,
// checks reminders and delivers at the times it chooses.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCommand } from '../../src/commands/grammar.js';
import { handleCommand } from '../../src/commands/handlers.js';
import { parseConfigText } from '../../src/config/load.js';
import { type App, buildApp } from '../../src/main.js';
import { silentLogger } from '../../src/ports/logger.js';
import { type FakePagerDuty, startFakePagerDuty } from '../fakes/pagerduty-api.js';
import { type FakeSlack, startFakeSlack } from '../fakes/slack-api.js';
import { SimulatedPage, type SimulatedStatusPageServer, startSimulatedStatusPage } from '../fakes/statuspage.js';
import { type AppDriver, driveApp, ManualClock } from './app-harness.js';

const CHANNEL = 'C0PDBACK1';
const PD_KEY = 'R0UT1NGKEY00000000000000000PDBCK';
const WEBHOOK_SECRET = 'pd-webhook-subscription-secret-e2e';
const START = Date.parse('2026-12-04T09:00:00Z');
const MIN = 60_000;

describe('PagerDuty back to chat, in the running app', () => {
  let page: SimulatedPage;
  let statuspage: SimulatedStatusPageServer;
  let slack: FakeSlack;
  let pd: FakePagerDuty;
  let app: App;
  let drive: AppDriver;
  let dir: string;
  let base: string;
  const clock = new ManualClock(START);
  let erebor: string;
  let gondor: string;

  beforeAll(async () => {
    page = new SimulatedPage({ id: 'institutions07', name: 'Belvo institutions' });
    erebor = page.addComponent({ name: 'Banco Erebor MX - Retail', group: 'Mexico' });
    gondor = page.addComponent({ name: 'Banco Gondor CO - Business', group: 'Colombia' });
    statuspage = await startSimulatedStatusPage({ page });
    slack = await startFakeSlack({ channels: [CHANNEL] });
    pd = await startFakePagerDuty({ now: () => clock.now() });
    dir = mkdtempSync(join(tmpdir(), 'belvo-status-pd-'));
    const yaml = `
server: { host: 127.0.0.1, port: 0 }
storage: { path: ${dir}/state.db }
sources:
  - { id: institutions, type: statuspage, name: Belvo institutions, url: "${statuspage.url}", role: institutions, interval: 1h, jitter: 0 }
engine: { thresholds: { byKind: { statuspage.component: { fail: 1, ok: 1 } } } }
slack: { botToken: { secretEnv: SLACK_BOT_TOKEN }, apiUrl: "${slack.apiUrl}" }
pagerduty:
  webhookSecrets:
    - { secretEnv: PD_WEBHOOK_SECRET }
destinations:
  - { id: oncall, type: slack, channel: ${CHANNEL} }
  - { id: pagerduty, type: pagerduty, routingKey: { secretEnv: PD_KEY }, eventsUrl: "${pd.eventsUrl}" }
subscriptions:
  - { destination: oncall }
policy:
  check: 1h
  paging: { criticalInstitutions: [Banco Erebor MX - Retail, Banco Gondor CO - Business] }
  reminders: { every: 30m }
`;
    const env = { SLACK_BOT_TOKEN: 'xoxb-test', PD_KEY, PD_WEBHOOK_SECRET: WEBHOOK_SECRET };
    app = await buildApp(parseConfigText(yaml, 'test.yaml', env), { clock, logger: silentLogger });
    drive = driveApp(app, clock);
    const { port } = await app.start();
    base = `http://127.0.0.1:${port}`;
    // Deliveries happen when the test says (deliverAll): a background pass racing it on the test's clock would see
    // its own in-flight leases expire and deliver twice.
    await app.dispatcher.stop();
    pd.subscribe({ url: `${base}/webhooks/pagerduty`, secrets: [WEBHOOK_SECRET] });
    await poll(); // first sight: what is open now is posted, history is not
  });

  afterAll(async () => {
    await pd?.webhooksSettled();
    await app?.stop();
    await Promise.all([statuspage?.close(), slack?.close(), pd?.close()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  // Nothing is delivered, polled or checked unless the test says (see driveApp).
  const deliverAll = () => drive.deliverAll();
  const poll = () => drive.poll();
  const later = (ms: number) => drive.later(ms);

  /** `/belvo-status status` typed in the channel: what on-call reads of the open alerts. */
  const statusReply = async () =>
    JSON.stringify(
      await handleCommand(parseCommand('status'), {
        store: app.store,
        now: clock.now(),
        channel: { platform: 'slack', id: CHANNEL, destination: `slack:${CHANNEL}` },
        user: { id: 'U0ANA', name: 'ana' },
        commitEvents: app.commitEvents,
      }),
    );

  const parentOf = (name: string) => {
    const found = slack.history(CHANNEL).find((m) => JSON.stringify(m).includes(name));
    if (!found) throw new Error(`no message about ${name}`);
    return found;
  };
  const shown = (ts: string) => JSON.stringify(slack.message(CHANNEL, ts));
  const replies = (ts: string, pattern: RegExp) => slack.replies(CHANNEL, ts).filter((m) => pattern.test(m.text));
  const keyOf = (name: string) => {
    const alert = pd.alerts().find((a) => String(a.payload['summary']).includes(name));
    if (!alert) throw new Error(`no page about ${name}`);
    return alert.dedupKey;
  };

  it('an acknowledgement in PagerDuty shows on the message, in one thread reply, and stops the reminders', async () => {
    page.setComponentStatus(erebor, 'major_outage');
    await poll();
    const parent = parentOf('Banco Erebor');
    const key = keyOf('Banco Erebor');
    expect(pd.alert(PD_KEY, key)?.status).toBe('triggered');
    // Unacknowledged, it is repeated in its thread.
    await later(31 * MIN);
    expect(replies(parent.ts, /Reminder/)).toHaveLength(1);

    const deliveries = await pd.acknowledgeInApp(PD_KEY, key, 'Ana');
    expect(deliveries.map((d) => d.status)).toEqual([200]);
    await deliverAll();
    expect(shown(parent.ts)).toContain('acknowledged in PagerDuty by Ana');
    expect(shown(parent.ts)).not.toContain('"Acknowledge"'); // the button goes: there is nothing left to acknowledge
    expect(replies(parent.ts, /acknowledged in PagerDuty by Ana/)).toHaveLength(1);
    expect(await statusReply()).toContain('acked in PagerDuty by Ana');
    // Every service paged for it hears it is acknowledged: here, the one where it happened, which changes nothing.
    expect(pd.events.map((e) => e.body?.['event_action'])).toEqual(['trigger', 'acknowledge']);
    expect(pd.alert(PD_KEY, key)).toMatchObject({ status: 'acknowledged', incidents: 1 });

    await later(31 * MIN);
    await later(31 * MIN);
    expect(replies(parent.ts, /Reminder/)).toHaveLength(1);

    // PagerDuty retries a delivery it thinks failed: the same event again changes nothing.
    const updatesBefore = slack.updates(CHANNEL).length;
    const again = await pd.redeliver(deliveries[0]!);
    expect(again.status).toBe(200);
    await deliverAll();
    expect(slack.updates(CHANNEL)).toHaveLength(updatesBefore);
    expect(replies(parent.ts, /acknowledged in PagerDuty/)).toHaveLength(1);
  });

  it('notes a reassignment and a note in the thread, and no mention can fire from a note', async () => {
    const parent = parentOf('Banco Erebor');
    const key = keyOf('Banco Erebor');
    expect((await pd.reassignInApp(PD_KEY, key, ['Bruno'], 'Ana')).map((d) => d.status)).toEqual([200]);
    const note = 'Bank confirms their gateway is down <!channel> @everyone <@U0BOSS>, ETA 30 min';
    const noted = await pd.annotateInApp(PD_KEY, key, note, 'Bruno');
    expect(noted.map((d) => d.status)).toEqual([200]);
    await deliverAll();
    // Delivered twice (PagerDuty retries what it thinks failed): one note in the thread.
    expect((await pd.redeliver(noted[0]!)).status).toBe(200);
    await deliverAll();
    expect(replies(parent.ts, /reassigned in PagerDuty to Bruno by Ana/)).toHaveLength(1);
    const notes = replies(parent.ts, /note in PagerDuty by Bruno/);
    expect(notes).toHaveLength(1);
    expect(notes[0]?.text).toContain('Bank confirms their gateway is down');
    expect(notes[0]?.text).not.toMatch(/<!channel>|<@U0BOSS>/);
    expect(notes[0]?.text).toContain('&lt;!channel&gt;');
  });

  it('a resolve in PagerDuty while the institution still fails keeps the alert open and says so', async () => {
    page.setComponentStatus(gondor, 'major_outage');
    await poll();
    const parent = parentOf('Banco Gondor');
    const key = keyOf('Banco Gondor');

    expect((await pd.resolveInApp(PD_KEY, key, 'Ana')).map((d) => d.status)).toEqual([200]);
    await deliverAll();
    expect(shown(parent.ts)).toContain('resolved in PagerDuty by Ana, but Banco Gondor CO - Business still fails');
    expect(shown(parent.ts)).not.toContain('Resolved after');
    expect(replies(parent.ts, /resolved in PagerDuty by Ana/)).toHaveLength(1);
    expect(await statusReply()).toContain('resolved in PagerDuty by Ana, still failing');

    // Still failing at the next polls and checks: not paged again for the same problem, and no reminders.
    await poll();
    await later(31 * MIN);
    await poll();
    expect(pd.alert(PD_KEY, key)).toMatchObject({ status: 'resolved', incidents: 1 });
    expect(replies(parent.ts, /Reminder/)).toHaveLength(0);

    // It recovers: the message says so, and that is the end of it.
    page.setComponentStatus(gondor, 'operational');
    await poll();
    expect(shown(parent.ts)).toContain('Resolved');
    expect(pd.alert(PD_KEY, key)).toMatchObject({ status: 'resolved', incidents: 1 });
  });

  it('an unsigned, wrongly signed or altered webhook is refused with 401 and changes nothing', async () => {
    page.setComponentStatus(gondor, 'major_outage');
    await poll();
    const key = keyOf('Banco Gondor');
    expect(pd.alert(PD_KEY, key)).toMatchObject({ status: 'triggered', incidents: 2 });
    const parent = slack
      .history(CHANNEL)
      .find((m) => shown(m.ts).includes('Banco Gondor') && !shown(m.ts).includes('Resolved'));
    if (!parent) throw new Error('no open message about Banco Gondor');
    const before = {
      updates: slack.updates(CHANNEL).length,
      posts: slack.posts(CHANNEL).length,
      shown: shown(parent.ts),
    };

    const body = JSON.stringify({
      event: {
        id: 'forged-1',
        event_type: 'incident.acknowledged',
        occurred_at: new Date(clock.now()).toISOString(),
        agent: { summary: 'Mallory', type: 'user_reference' },
        data: { id: 'PFORGED', type: 'incident', incident_key: key, status: 'acknowledged' },
      },
    });
    const send = (headers: Record<string, string>, raw = body) =>
      fetch(`${base}/webhooks/pagerduty`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: raw,
      });
    const { signatureHeader } = await import('../../simulators/pagerduty-webhooks.js');

    const unsigned = await send({});
    expect(unsigned.status).toBe(401);
    expect(await unsigned.json()).toEqual({ error: 'invalid_signature' });
    expect((await send({ 'x-pagerduty-signature': signatureHeader(body, ['not-the-secret']) })).status).toBe(401);
    const altered = body.replace('Mallory', 'Ana');
    expect((await send({ 'x-pagerduty-signature': signatureHeader(body, [WEBHOOK_SECRET]) }, altered)).status).toBe(
      401,
    );
    // Signed but not a v3 event: the sender is told what is wrong.
    const junk = '{"messages":[]}';
    const malformed = await send({ 'x-pagerduty-signature': signatureHeader(junk, [WEBHOOK_SECRET]) }, junk);
    expect(malformed.status).toBe(400);

    await deliverAll();
    expect(slack.updates(CHANNEL)).toHaveLength(before.updates);
    expect(slack.posts(CHANNEL)).toHaveLength(before.posts);
    expect(shown(parent.ts)).toBe(before.shown);
    expect(shown(parent.ts)).not.toContain('Mallory');
    expect(pd.alert(PD_KEY, key)?.status).toBe('triggered');
  });
});
