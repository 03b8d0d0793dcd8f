import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakePagerDuty, startFakePagerDuty } from './pagerduty-api.js';

const KEY = 'R0UT1NGKEY0123456789ABCDEFGHIJKL';
const OTHER_KEY = 'ANOTHERSERVICEKEY000000000000000';

describe('fake PagerDuty Events API v2', () => {
  let pd: FakePagerDuty;
  beforeEach(async () => {
    pd = await startFakePagerDuty();
  });
  afterEach(() => pd.close());

  async function post(body: unknown): Promise<{ status: number; json: Record<string, unknown>; headers: Headers }> {
    const res = await fetch(pd.eventsUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown>, headers: res.headers };
  }

  const trigger = (dedupKey: string, summary = 'Banco Erebor (MX) is down', routingKey = KEY) => ({
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: dedupKey,
    payload: { summary, source: 'belvo-production', severity: 'error' },
  });
  const act = (action: 'acknowledge' | 'resolve', dedupKey: string) => ({
    routing_key: KEY,
    event_action: action,
    dedup_key: dedupKey,
  });

  it('a trigger opens an alert, a second trigger updates it, acknowledge and resolve close it', async () => {
    const first = await post(trigger('belvo-status/x', 'first'));
    expect(first).toMatchObject({
      status: 202,
      json: { status: 'success', message: 'Event processed', dedup_key: 'belvo-status/x' },
    });
    await post(trigger('belvo-status/x', 'second'));
    expect(pd.alert(KEY, 'belvo-status/x')).toMatchObject({ status: 'triggered', incidents: 1 });
    expect(pd.alert(KEY, 'belvo-status/x')?.payload['summary']).toBe('second');

    await post(act('acknowledge', 'belvo-status/x'));
    // An acknowledged alert stays acknowledged when the trigger repeats: nobody is notified again.
    await post(trigger('belvo-status/x', 'third'));
    expect(pd.alert(KEY, 'belvo-status/x')?.status).toBe('acknowledged');

    await post(act('resolve', 'belvo-status/x'));
    expect(pd.alert(KEY, 'belvo-status/x')).toMatchObject({
      status: 'resolved',
      incidents: 1,
      log: ['trigger', 'trigger', 'acknowledge', 'trigger', 'resolve'],
    });
    expect(pd.events.map((e) => e.effect)).toEqual(['opened', 'appended', 'acknowledged', 'appended', 'resolved']);
  });

  it('drops an acknowledge or resolve for a key with no open alert, and still answers 202', async () => {
    const ack = await post(act('acknowledge', 'never-triggered'));
    expect(ack.status).toBe(202);
    await post(trigger('k'));
    await post(act('resolve', 'k'));
    await post(act('resolve', 'k'));
    expect(pd.alerts()).toHaveLength(1);
    expect(pd.events.map((e) => e.effect)).toEqual(['dropped', 'opened', 'resolved', 'dropped']);
  });

  it('a trigger after a resolve opens a new alert for the same dedup key', async () => {
    await post(trigger('k'));
    await post(act('resolve', 'k'));
    await post(trigger('k'));
    expect(pd.alert(KEY, 'k')).toMatchObject({ status: 'triggered', incidents: 2, log: ['trigger'] });
  });

  it('keeps alerts apart per routing key, and makes up a dedup key when a trigger has none', async () => {
    await post(trigger('k', 'one', KEY));
    await post(trigger('k', 'two', OTHER_KEY));
    const { dedup_key: _drop, ...noKey } = trigger('');
    const made = await post(noKey);
    expect(made.json['dedup_key']).toMatch(/^[0-9a-f]{32}$/);
    expect(pd.alerts().map((a) => [a.routingKey === KEY ? 'main' : 'other', a.payload['summary']])).toEqual([
      ['main', 'one'],
      ['other', 'two'],
      ['main', 'Banco Erebor (MX) is down'],
    ]);
  });

  it.each([
    ['a short routing key', { ...trigger('k'), routing_key: 'short' }, "Length of 'routing_key' is incorrect"],
    ['an unknown action', { ...trigger('k'), event_action: 'escalate' }, "'event_action' is invalid"],
    ['a dedup key over 255', trigger('d'.repeat(256)), "Length of 'dedup_key' is too long"],
    ['a resolve without a dedup key', { routing_key: KEY, event_action: 'resolve' }, "'dedup_key' is missing"],
    ['a trigger without a summary', { ...trigger('k'), payload: { source: 's', severity: 'info' } }, 'summary'],
    ['a summary over 1024', trigger('k', 's'.repeat(1025)), "Length of 'payload.summary' is too long"],
    ['a trigger without a source', { ...trigger('k'), payload: { summary: 's', severity: 'info' } }, 'source'],
    ['a chat severity', { ...trigger('k'), payload: { summary: 's', source: 's', severity: 'major' } }, 'severity'],
    ['malformed JSON', '{"routing_key": ', 'Malformed JSON'],
  ])('answers 400 invalid event for %s and opens nothing', async (_name, body, error) => {
    const res = await post(body);
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ status: 'invalid event', message: 'Event object is invalid' });
    expect((res.json['errors'] as string[]).join('\n')).toContain(error);
    expect(pd.alerts()).toEqual([]);
    expect(pd.events[0]?.effect).toBe('invalid');
  });

  it('answers scripted responses in order, without applying those events, then behaves again', async () => {
    pd.script({ status: 429, retryAfter: 1 }, { status: 429, retryAfter: 1 }, { status: 500 }, { status: 400 });
    const answers = [];
    for (let i = 0; i < 5; i++) {
      const res = await post(trigger('k'));
      answers.push([res.status, res.headers.get('retry-after')]);
    }
    expect(answers).toEqual([
      [429, '1'],
      [429, '1'],
      [500, null],
      [400, null],
      [202, null],
    ]);
    expect(pd.events.map((e) => e.effect)).toEqual(['scripted', 'scripted', 'scripted', 'scripted', 'opened']);
    expect(pd.alert(KEY, 'k')?.log).toEqual(['trigger']);
  });

  it('a delayed answer still applies the event (the client may give up; PagerDuty has it anyway)', async () => {
    pd.setDelay(300);
    const aborted = await fetch(pd.eventsUrl, {
      method: 'POST',
      body: JSON.stringify(trigger('slow')),
      signal: AbortSignal.timeout(50),
    }).catch((e: Error) => e.name);
    expect(aborted).toBe('TimeoutError');
    expect(pd.alert(KEY, 'slow')?.status).toBe('triggered');
  });

  it('hang with process applies the event and never answers; a re-sent trigger is not a new incident', async () => {
    pd.hang({ process: true });
    const lost = fetch(pd.eventsUrl, {
      method: 'POST',
      body: JSON.stringify(trigger('k')),
      signal: AbortSignal.timeout(200),
    }).catch((e: Error) => e.name);
    expect(await lost).toBe('TimeoutError');
    expect(pd.events[0]).toMatchObject({ effect: 'opened', status: undefined });
    // The sender never heard back, so it sends the trigger again, then the resolve twice over.
    expect((await post(trigger('k'))).status).toBe(202);
    await post(act('resolve', 'k'));
    await post(act('resolve', 'k'));
    expect(pd.onCall()).toEqual({
      requests: 4,
      sent: { trigger: 2, acknowledge: 0, resolve: 2 },
      triggered: 1,
      resolved: 1,
    });
    expect(pd.alert(KEY, 'k')).toMatchObject({
      status: 'resolved',
      incidents: 1,
      log: ['trigger', 'trigger', 'resolve'],
    });
  });

  it('hang without process applies nothing', async () => {
    pd.hang({ times: 1 });
    const lost = fetch(pd.eventsUrl, {
      method: 'POST',
      body: JSON.stringify(trigger('k')),
      signal: AbortSignal.timeout(200),
    }).catch((e: Error) => e.name);
    expect(await lost).toBe('TimeoutError');
    expect(pd.alerts()).toEqual([]);
    expect(pd.onCall()).toMatchObject({ requests: 1, triggered: 0 });
  });

  it('a hung request is recorded without an answer, and close() ends it', async () => {
    pd.script({ status: 0, hang: true });
    const pending = fetch(pd.eventsUrl, { method: 'POST', body: JSON.stringify(trigger('h')) }).catch(() => 'closed');
    await expect.poll(() => pd.events.length).toBe(1);
    expect(pd.events[0]).toMatchObject({ effect: 'scripted', status: undefined });
    await pd.close();
    expect(await pending).toBe('closed');
  });
});
