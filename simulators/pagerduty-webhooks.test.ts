// The fake PagerDuty's v3 webhooks, received by a plain local server: what a webhook subscription's URL gets.
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listen } from '../src/http/listen.js';
import { type FakePagerDuty, startFakePagerDuty } from './pagerduty-api.js';

const KEY = 'R0UT1NGKEY0123456789ABCDEFGHIJKL';

describe('fake PagerDuty v3 webhooks', () => {
  let pd: FakePagerDuty;
  let receiver: Server;
  let received: { headers: Record<string, unknown>; body: string }[];
  let url: string;

  beforeEach(async () => {
    received = [];
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(202).end();
      });
    });
    url = `${(await listen(receiver, 0, '127.0.0.1')).url}/hook`;
    pd = await startFakePagerDuty();
  });
  afterEach(async () => {
    await pd.close();
    await new Promise((r) => receiver.close(r));
  });

  const trigger = (dedupKey: string) =>
    fetch(pd.eventsUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        routing_key: KEY,
        event_action: 'trigger',
        dedup_key: dedupKey,
        payload: { summary: 'Banco Erebor (MX) is down', source: 'belvo', severity: 'error' },
      }),
    });
  // biome-ignore lint/suspicious/noExplicitAny: PagerDuty's JSON as sent; the assertions check its shape.
  const events = () => received.map((r) => JSON.parse(r.body).event as Record<string, any>);

  it('signs each delivery with every secret of the subscription, over the exact bytes sent', async () => {
    pd.subscribe({ url, secrets: ['old-secret', 'new-secret'] });
    await trigger('belvo-status/x');
    await pd.webhooksSettled();
    const [delivery] = received;
    const hmac = (s: string) => `v1=${createHmac('sha256', s).update(delivery!.body).digest('hex')}`;
    expect(delivery?.headers['x-pagerduty-signature']).toBe(`${hmac('old-secret')},${hmac('new-secret')}`);
    expect(pd.webhooks.map((w) => [w.eventType, w.status])).toEqual([['incident.triggered', 202]]);
  });

  it('sends what on-call does in the app, naming the incident, its key and who did it', async () => {
    pd.subscribe({ url, secrets: ['s'] });
    await trigger('belvo-status/x');
    await pd.webhooksSettled(); // in order, as a test reads them
    await pd.acknowledgeInApp(KEY, 'belvo-status/x', 'Ana');
    await pd.reassignInApp(KEY, 'belvo-status/x', ['Bruno'], 'Ana');
    await pd.annotateInApp(KEY, 'belvo-status/x', 'looking', 'Bruno');
    await pd.resolveInApp(KEY, 'belvo-status/x', 'Bruno');
    await pd.webhooksSettled();
    const all = events();
    expect(all.map((e) => [e.event_type, e.agent?.summary])).toEqual([
      ['incident.triggered', 'Belvo status (Events API v2)'],
      ['incident.acknowledged', 'Ana'],
      ['incident.reassigned', 'Ana'],
      ['incident.annotated', 'Bruno'],
      ['incident.resolved', 'Bruno'],
    ]);
    const incident = all[0]?.data.id;
    expect(all[1]?.data).toMatchObject({ id: incident, incident_key: 'belvo-status/x', status: 'acknowledged' });
    expect(all[2]?.data.assignees.map((a: { summary: string }) => a.summary)).toEqual(['Bruno']);
    expect(all[3]?.data).toMatchObject({ type: 'incident_note', content: 'looking', incident: { id: incident } });
    expect(pd.alert(KEY, 'belvo-status/x')?.status).toBe('resolved');
    // Nothing open any more: the app has nothing to act on.
    expect(await pd.acknowledgeInApp(KEY, 'belvo-status/x', 'Ana')).toEqual([]);
  });

  it('delivers only the event types a subscription asked for', async () => {
    pd.subscribe({ url, secrets: ['s'], events: ['incident.acknowledged'] });
    await trigger('belvo-status/y');
    await pd.acknowledgeInApp(KEY, 'belvo-status/y', 'Ana');
    await pd.webhooksSettled();
    expect(events().map((e) => e.event_type)).toEqual(['incident.acknowledged']);
  });
});
