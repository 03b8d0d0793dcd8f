import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ParsedCommand } from '../../src/commands/grammar.js';
import type { Reply } from '../../src/commands/reply.js';
import { HttpServer } from '../../src/http/server.js';
import { silentLogger } from '../../src/ports/logger.js';
import { signSlackRequest } from '../../test/support/signers.js';
import { MountedReceiver, mountSlackEvents } from './events-route.js';
import { createSlackApp } from './slack-app.js';

const SECRET = 'unit-signing-secret';

describe('/belvo-status through the Bolt app on our own server', () => {
  let http: HttpServer;
  let base: string;
  let followUps: Server;
  let followUpUrl: string;
  const received: unknown[] = [];
  const seen: ParsedCommand[] = [];
  /** While set, a command's answer waits for it: the test decides when the answer is ready, not the clock. */
  let gate: Promise<void> | undefined;

  beforeEach(async () => {
    received.length = 0;
    seen.length = 0;
    followUps = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        received.push(JSON.parse(body));
        res.end('ok');
      });
    });
    await new Promise<void>((r) => followUps.listen(0, '127.0.0.1', r));
    followUpUrl = `http://127.0.0.1:${(followUps.address() as AddressInfo).port}/commands/T1/1/x`;

    http = new HttpServer({ host: '127.0.0.1', port: 0, bodyLimitBytes: 100_000, logger: silentLogger });
    const receiver = new MountedReceiver();
    createSlackApp({
      token: 'xoxb-unit',
      apiUrl: 'http://127.0.0.1:1/api/',
      receiver,
      logger: silentLogger,
      // Generous, so a quick answer is in the response even on a loaded machine; a slow one is held by `gate`.
      followUpAfterMs: 1000,
      run: async (cmd): Promise<Reply> => {
        seen.push(cmd);
        await gate;
        return { visibility: 'ephemeral', title: `ran ${cmd.kind}`, sections: [] };
      },
    });
    mountSlackEvents(http.router, { signingSecret: SECRET, receiver, logger: silentLogger });
    base = `http://127.0.0.1:${(await http.listen()).port}`;
  });

  afterEach(async () => {
    gate = undefined;
    await http.close();
    await new Promise((r) => followUps.close(r));
  });

  const command = (text: string) =>
    new URLSearchParams({
      command: '/belvo-status',
      text,
      channel_id: 'C0UNIT001',
      user_id: 'U1',
      user_name: 'ana',
      response_url: followUpUrl,
      team_id: 'T1',
    }).toString();

  const post = (body: string) =>
    fetch(`${base}/slack/events`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...signSlackRequest(SECRET, body, Math.floor(Date.now() / 1000)),
      },
      body,
    });

  /** Waits for the answer sent to response_url (a hang guard of 10 s, not a measure). */
  async function followUp(): Promise<void> {
    for (let i = 0; i < 400 && received.length === 0; i++) await new Promise((r) => setTimeout(r, 25));
  }

  it('answers in the response when it is quick, with Slack-escaped text unescaped for the grammar', async () => {
    const res = await post(command('institution Banco &amp; Co'));
    expect(await res.json()).toMatchObject({ response_type: 'ephemeral', text: 'ran institution' });
    expect(seen[0]).toMatchObject({ kind: 'institution', query: 'Banco & Co' });
    expect(received).toEqual([]);
  });

  it('when slow, acknowledges at once and sends the answer to response_url', async () => {
    let ready = () => {};
    gate = new Promise((r) => {
      ready = r;
    });
    const res = await post(command('status'));
    // Answered while the command's answer cannot be ready yet: Slack was acknowledged in time.
    expect(await res.json()).toMatchObject({ text: 'Working on it…' });
    expect(received).toEqual([]);
    ready();
    await followUp();
    expect(received).toEqual([expect.objectContaining({ response_type: 'ephemeral', text: 'ran status' })]);
  });

  it('a Slack URL verification challenge is answered', async () => {
    const body = JSON.stringify({ type: 'url_verification', challenge: 'abc123' });
    const res = await fetch(`${base}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signSlackRequest(SECRET, body, Math.floor(Date.now() / 1000)) },
      body,
    });
    expect(await res.json()).toEqual({ challenge: 'abc123' });
  });

  it('a button click is acknowledged at once and the clicker is told the result privately', async () => {
    const payload = {
      type: 'block_actions',
      user: { id: 'U2', username: 'bob' },
      channel: { id: 'C0UNIT001' },
      response_url: followUpUrl,
      actions: [{ type: 'button', action_id: 'belvo_status_ack', value: 'A7', action_ts: '1' }],
    };
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    const res = await post(body);
    expect(res.status).toBe(200);
    await followUp();
    expect(seen).toEqual([{ kind: 'ack', target: { type: 'alert', alertId: 'A7' }, public: false }]);
    expect(received).toEqual([
      expect.objectContaining({ response_type: 'ephemeral', text: 'ran ack', replace_original: false }),
    ]);
  });

  it('a request replayed with the same signature is refused', async () => {
    const body = command('status');
    const headers = {
      'content-type': 'application/x-www-form-urlencoded',
      ...signSlackRequest(SECRET, body, Math.floor(Date.now() / 1000)),
    };
    const first = await fetch(`${base}/slack/events`, { method: 'POST', headers, body });
    const replay = await fetch(`${base}/slack/events`, { method: 'POST', headers, body });
    expect([first.status, replay.status]).toEqual([200, 401]);
  });
});
