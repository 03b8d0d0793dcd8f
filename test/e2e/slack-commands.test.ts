// /belvo-status and the alert buttons in Slack, end to end: signed requests to the real program's /slack/events,
// answers as Slack shows them, and what they change (a channel subscribed, an alert acknowledged).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeSlack, startFakeSlack } from '../fakes/slack-api.js';
import { SimulatedPage, type SimulatedStatusPageServer, startSimulatedStatusPage } from '../fakes/statuspage.js';
import { signSlackRequest } from '../support/signers.js';
import { BotProcess, sleep, until } from './bot-process.js';
import { alertIdOf, slashCommandBody } from './slack-requests.js';

const SIGNING_SECRET = 'e2e-signing-secret-0123456789';
const CHANNEL = 'C0NEWCHAN1';
const POLL_MS = 150;

describe('/belvo-status in Slack', () => {
  let page: SimulatedPage;
  let statuspage: SimulatedStatusPageServer;
  let slack: FakeSlack;
  let bot: BotProcess;
  let base: string;

  beforeEach(async () => {
    page = new SimulatedPage({ id: 'slackcmd0001', name: 'Belvo API' });
    page.addComponent({ name: 'API' });
    statuspage = await startSimulatedStatusPage({ page });
    slack = await startFakeSlack({ channels: [CHANNEL] });
    bot = new BotProcess(
      (dir) => `
server: { host: 127.0.0.1, port: 0 }
storage: { path: ${dir}/state.db }
sources:
  - { id: api, type: statuspage, name: Belvo API, url: "${statuspage.url}", interval: ${POLL_MS}ms, jitter: 0 }
slack:
  botToken: { secretEnv: SLACK_BOT_TOKEN }
  signingSecret: { secretEnv: SLACK_SIGNING_SECRET }
  apiUrl: "${slack.apiUrl}"
`,
    );
    bot.start({ SLACK_BOT_TOKEN: 'xoxb-e2e', SLACK_SIGNING_SECRET: SIGNING_SECRET });
    const started = await bot.waitForLog('belvo-status-bot started');
    base = `http://127.0.0.1:${started.port as number}`;
    await sleep(POLL_MS * 3);
  });

  afterEach(async () => {
    await bot?.dispose();
    await statuspage?.close();
    await slack?.close();
  });

  const slashBody = (text: string) => slashCommandBody(CHANNEL, text);

  async function send(
    body: string,
    headers: Record<string, string> = signSlackRequest(SIGNING_SECRET, body, Math.floor(Date.now() / 1000)),
  ) {
    return fetch(`${base}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body,
    });
  }

  it('subscribe in a channel: the answer says what the channel will get, and alerts then reach it', async () => {
    const res = await send(slashBody('subscribe min:major'));
    expect(res.status).toBe(200);
    const reply = (await res.json()) as { response_type: string; text: string };
    expect(reply.response_type).toBe('ephemeral');
    expect(reply.text).toMatch(/subscribed/i);

    page.openIncident({ name: 'Link creation failing', impact: 'major', body: 'Investigating.' });
    await until(() => slack.history(CHANNEL).length === 1, 15_000, 'the alert in the subscribed channel');
    expect(slack.history(CHANNEL)[0]?.text).toBe('[MAJOR] Belvo API: Link creation failing');

    const status = (await (await send(slashBody('status public'))).json()) as {
      response_type: string;
      blocks: unknown[];
    };
    expect(status.response_type).toBe('in_channel');
    expect(JSON.stringify(status.blocks)).toContain('Link creation failing');
  });

  it('the Acknowledge button acknowledges the alert and the message says who did', async () => {
    await send(slashBody('subscribe'));
    page.openIncident({ name: 'Webhooks delayed', impact: 'minor', body: 'Investigating.' });
    await until(() => slack.history(CHANNEL).length === 1, 15_000, 'the parent');
    const parent = slack.history(CHANNEL)[0];
    const alertId = alertIdOf(parent);
    expect(alertId).toMatch(/^A\d+$/);

    const payload = {
      type: 'block_actions',
      team: { id: 'T0TEAM' },
      user: { id: 'U0BOB', username: 'bob', name: 'bob' },
      api_app_id: 'A0APP',
      token: 'ignored',
      trigger_id: '1.2.3',
      channel: { id: CHANNEL, name: 'oncall' },
      message: { ts: parent?.ts },
      response_url: 'https://hooks.slack.com/actions/T0TEAM/1/abc',
      actions: [{ type: 'button', action_id: 'belvo_status_ack', block_id: 'b', value: alertId, action_ts: '1' }],
    };
    const res = await send(new URLSearchParams({ payload: JSON.stringify(payload) }).toString());
    expect(res.status).toBe(200);
    await until(() => slack.replies(CHANNEL, parent?.ts ?? '').length === 1, 15_000, 'the acknowledgement reply');
    expect(slack.replies(CHANNEL, parent?.ts ?? '')[0]?.text).toMatch(/acknowledged by bob/);
    expect(JSON.stringify(slack.message(CHANNEL, parent?.ts ?? ''))).toContain('acknowledged by bob');
  });

  it('the Silence 1h button silences the alert and its message says until when', async () => {
    await send(slashBody('subscribe'));
    page.openIncident({ name: 'Widget errors', impact: 'minor', body: 'Investigating.' });
    await until(() => slack.history(CHANNEL).length === 1, 15_000, 'the parent');
    const parent = slack.history(CHANNEL)[0];
    const alertId = alertIdOf(parent);
    const payload = {
      type: 'block_actions',
      user: { id: 'U0BOB', username: 'bob' },
      channel: { id: CHANNEL },
      message: { ts: parent?.ts },
      actions: [{ type: 'button', action_id: 'belvo_status_silence_1h', value: alertId, action_ts: '1' }],
    };
    expect((await send(new URLSearchParams({ payload: JSON.stringify(payload) }).toString())).status).toBe(200);
    await until(
      () => JSON.stringify(slack.message(CHANNEL, parent?.ts ?? '')).includes('silenced by bob'),
      15_000,
      'the edit',
    );
    // A quiet edit: nothing in the thread.
    expect(slack.replies(CHANNEL, parent?.ts ?? '')).toEqual([]);
    const subs = (await (await send(slashBody('subscriptions'))).json()) as { text: string };
    expect(subs.text).toMatch(/subscription/i);
  });

  it('every subcommand answers through Slack, in order of a channel setting itself up', async () => {
    page.openIncident({ name: 'Banco Erebor logins failing', impact: 'major', body: 'Investigating.' });
    await sleep(POLL_MS * 4);
    const title = async (text: string) => ((await (await send(slashBody(text))).json()) as { text: string }).text;
    const steps: [string, RegExp][] = [
      ['help', /^\/belvo-status: what is broken right now, and who hears about it$/],
      ['', /^Belvo status: 1 open alert, worst major$/],
      ['status', /^Belvo status: 1 open alert, worst major$/],
      ['institution nowhere', /^No institution matching "nowhere"$/],
      ['subscriptions', /^This channel has no subscription made in chat$/],
      ['subscribe min:major country:MX', /^Subscribed: this channel will receive /],
      ['subscriptions', /^This channel's subscriptions \(1\)$/],
      // A1 is the page's incident, A2 the Belvo API incident whose message speaks for it (the id people see).
      ['silence A2 2h maintenance window', /^Silenced \[A2\] .* until \d{4}-\d\d-\d\dT/],
      ['unsilence S1', /^Silence S1 ended$/],
      ['ack A1', /^Acknowledged \[A2\] /],
      ['ack A2', /^Not acknowledged: /],
      ['ack A999', /^No alert A999$/],
      ['history', /^(No incidents yet|The last incident)$/],
      ['audit', /^audit needs Belvo credentials configured$/],
      ['unsubscribe', /^Unsubscribed: removed 1 subscription of this channel$/],
      ['silence', /^(?!Silenced).+$/],
    ];
    for (const [text, expected] of steps)
      expect(`${text} -> ${await title(text)}`).toMatch(new RegExp(`^${text} -> ${expected.source.slice(1)}`));
  });

  it('a bad signature, a stale timestamp and an altered body get 401 and change nothing', async () => {
    const body = slashBody('subscribe');
    const now = Math.floor(Date.now() / 1000);
    const bad = await send(body, signSlackRequest('not-the-secret', body, now));
    const stale = await send(body, signSlackRequest(SIGNING_SECRET, body, now - 600));
    const altered = await send(body.replace('subscribe', 'subscribf'), signSlackRequest(SIGNING_SECRET, body, now));
    expect([bad.status, stale.status, altered.status]).toEqual([401, 401, 401]);

    page.openIncident({ name: 'Nobody subscribed', impact: 'major', body: 'Investigating.' });
    await sleep(POLL_MS * 6);
    expect(slack.history(CHANNEL)).toEqual([]);
  });

  it('an unknown subcommand gets usage help, never a stack trace', async () => {
    const reply = (await (await send(slashBody('frobnicate now'))).json()) as { text: string; blocks: unknown[] };
    expect(reply.text).toMatch(/unknown|not a command|usage/i);
    expect(JSON.stringify(reply)).not.toMatch(/\bat .*\.js:\d+/);
  });
});
