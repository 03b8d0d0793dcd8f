import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Alert, AlertEvent } from '../../src/domain/alert.js';
import type { DeliveryRequest, MessageRef } from '../../src/ports/notifier.js';
import { makeAlert, makeEvent, T0 } from '../../test/contract/alert-factory.js';
import { type FakeSlack, startFakeSlack } from '../../test/fakes/slack-api.js';
import { COLORS } from './render.js';
import { createSlackNotifier } from './slack-notifier.js';

const CHANNEL = 'C0ONCALL1';
const MIN = 60_000;

function alert(over: Partial<Alert> = {}): Alert {
  return makeAlert({
    id: 'A1',
    state: 'firing',
    maintenance: undefined,
    acknowledged: undefined,
    flapping: false,
    ...over,
  });
}

describe('Slack notifier against the fake Slack Web API', () => {
  let slack: FakeSlack;
  beforeEach(async () => {
    slack = await startFakeSlack({ channels: [CHANNEL] });
  });
  afterEach(() => slack.close());

  const notifier = () =>
    createSlackNotifier({
      destination: `slack:${CHANNEL}`,
      channel: CHANNEL,
      token: 'xoxb-test',
      apiUrl: slack.apiUrl,
      timeoutMs: 2000,
    });

  let intent = 0;
  const req = (event: AlertEvent, parent?: MessageRef, maybeDelivered = false): DeliveryRequest => ({
    intentId: ++intent,
    destination: `slack:${CHANNEL}`,
    event,
    ...(parent && { parent }),
    attempt: maybeDelivered ? 2 : 1,
    maybeDelivered,
  });

  it('an incident life: one post, then an edit and a thread reply per version, then the resolved edit', async () => {
    const n = notifier();
    const opened = await n.deliver(req(makeEvent(alert({ version: 1 }), { type: 'opened', version: 1 })));
    expect(opened.outcome).toBe('delivered');
    const parent = opened.outcome === 'delivered' ? opened.parent : undefined;
    expect(parent?.messageId).toMatch(/^\d+\.\d+$/);

    const fresh = { id: 'u9', at: T0, status: 'identified', text: 'Cause found', origin: 'source' as const };
    const v2 = alert({ version: 2, timeline: [...alert().timeline, fresh] });
    await n.deliver(req(makeEvent(v2, { type: 'updated', version: 2, reason: 'new update from the source' }), parent));
    const done = alert({ version: 3, state: 'resolved', resolvedAt: T0 + 30 * MIN, startedAt: T0 });
    await n.deliver(req(makeEvent(done, { type: 'resolved', version: 3, reason: 'the source says resolved' }), parent));

    const top = slack.history(CHANNEL).filter((m) => !m.thread_ts || m.thread_ts === m.ts);
    expect(top).toHaveLength(1);
    expect(slack.updates(CHANNEL)).toHaveLength(2);
    const replies = slack.replies(CHANNEL, parent?.messageId ?? '');
    expect(replies.map((r) => r.text)).toEqual([
      ':arrows_counterclockwise: Update: new update from the source\n> *identified*: Cause found',
      ':white_check_mark: Resolved: the source says resolved (after 30m)',
    ]);
    const final = slack.message(CHANNEL, parent?.messageId ?? '');
    expect((final?.attachments?.[0] as { color?: string } | undefined)?.color).toBe(COLORS.resolved);
  });

  it('records a link to the parent people can open (a page links to it), and keeps it on later versions', async () => {
    const n = notifier();
    const first = await n.deliver(req(makeEvent(alert({ version: 1 }), { version: 1 })));
    const parent = first.outcome === 'delivered' ? first.parent : undefined;
    expect(parent?.extra?.link).toBe(
      `https://fake-workspace.slack.com/archives/${CHANNEL}/p${parent?.messageId.replace('.', '')}`,
    );
    const second = await n.deliver(req(makeEvent(alert({ version: 2 }), { type: 'updated', version: 2 }), parent));
    expect(second.outcome === 'delivered' && second.parent?.extra?.link).toBe(parent?.extra?.link);
  });

  it('a quiet event edits the parent and posts nothing in the thread', async () => {
    const n = notifier();
    const first = await n.deliver(req(makeEvent(alert({ version: 1 }), { version: 1 })));
    const parent = first.outcome === 'delivered' ? first.parent : undefined;
    await n.deliver(req(makeEvent(alert({ version: 2 }), { type: 'updated', version: 2, quiet: true }), parent));
    expect(slack.updates(CHANNEL)).toHaveLength(1);
    expect(slack.replies(CHANNEL, parent?.messageId ?? '')).toHaveLength(0);
  });

  it('a parent deleted by someone is posted again and re-keyed', async () => {
    const n = notifier();
    const first = await n.deliver(req(makeEvent(alert({ version: 1 }), { version: 1 })));
    const parent = first.outcome === 'delivered' ? first.parent : undefined;
    slack.deleteMessage(CHANNEL, parent?.messageId ?? '');
    const second = await n.deliver(req(makeEvent(alert({ version: 2 }), { type: 'updated', version: 2 }), parent));
    expect(second.outcome).toBe('delivered');
    const newParent = second.outcome === 'delivered' ? second.parent : undefined;
    expect(newParent?.messageId).not.toBe(parent?.messageId);
    expect(slack.message(CHANNEL, newParent?.messageId ?? '')).toBeDefined();
  });

  it('after a post that reached Slack but whose answer was lost, the retry finds it instead of posting twice', async () => {
    const n = notifier();
    slack.faults.once('chat.postMessage', { status: 500, process: true });
    const lost = await n.deliver(req(makeEvent(alert({ version: 1 }), { version: 1 })));
    expect(lost.outcome).toBe('retry');
    const retried = await n.deliver(req(makeEvent(alert({ version: 1 }), { version: 1 }), undefined, true));
    expect(retried.outcome).toBe('delivered');
    expect(slack.posts(CHANNEL)).toHaveLength(1);
    const parent = retried.outcome === 'delivered' ? retried.parent : undefined;
    expect(parent?.messageId).toBe(slack.posts(CHANNEL)[0]?.ts);
  });

  it('a read-back Slack answers with 429 or 5xx is no answer: the delivery is retried, nothing is posted blind', async () => {
    const n = notifier();
    slack.faults.once('chat.postMessage', { status: 500, process: true });
    expect((await n.deliver(req(makeEvent(alert({ version: 1 }), { version: 1 })))).outcome).toBe('retry');
    slack.faults.once('conversations.history', { status: 429, retryAfter: 1 });
    const busy = await n.deliver(req(makeEvent(alert({ version: 1 }), { version: 1 }), undefined, true));
    expect(busy).toMatchObject({ outcome: 'retry', retryAfterMs: 1000 });
    slack.faults.once('conversations.history', { status: 503 });
    expect((await n.deliver(req(makeEvent(alert({ version: 1 }), { version: 1 }), undefined, true))).outcome).toBe(
      'retry',
    );
    expect((await n.deliver(req(makeEvent(alert({ version: 1 }), { version: 1 }), undefined, true))).outcome).toBe(
      'delivered',
    );
    expect(slack.posts(CHANNEL)).toHaveLength(1);
  });

  it('a thread reply that reached Slack is not posted again on retry', async () => {
    const n = notifier();
    const first = await n.deliver(req(makeEvent(alert({ version: 1 }), { version: 1 })));
    const parent = first.outcome === 'delivered' ? first.parent : undefined;
    const v2 = makeEvent(alert({ version: 2 }), { type: 'updated', version: 2 });
    slack.faults.once('chat.postMessage', { status: 503, process: true });
    expect((await n.deliver(req(v2, parent))).outcome).toBe('retry');
    expect((await n.deliver(req(v2, parent, true))).outcome).toBe('delivered');
    expect(slack.replies(CHANNEL, parent?.messageId ?? '')).toHaveLength(1);
  });

  it('classifies failures: 429 is retried after Retry-After, a missing channel is given up at once', async () => {
    slack.faults.once('chat.postMessage', { status: 429, retryAfter: 7 });
    expect(await notifier().deliver(req(makeEvent(alert(), { version: 1 })))).toEqual({
      outcome: 'retry',
      error: 'ratelimited',
      retryAfterMs: 7000,
    });
    const elsewhere = createSlackNotifier({
      destination: 'x',
      channel: 'C0NOWHERE',
      token: 'xoxb-test',
      apiUrl: slack.apiUrl,
    });
    expect(await elsewhere.deliver(req(makeEvent(alert(), { version: 1 })))).toEqual({
      outcome: 'failed',
      error: 'channel_not_found',
    });
    slack.kick(CHANNEL);
    expect(await notifier().deliver(req(makeEvent(alert(), { version: 1 })))).toEqual({
      outcome: 'failed',
      error: 'not_in_channel',
    });
    const badToken = createSlackNotifier({ destination: 'x', channel: CHANNEL, token: 'bogus', apiUrl: slack.apiUrl });
    expect(await badToken.deliver(req(makeEvent(alert(), { version: 1 })))).toEqual({
      outcome: 'failed',
      error: 'invalid_auth',
    });
  });

  it('5xx and network trouble are retried', async () => {
    slack.faults.once('chat.postMessage', { status: 503 });
    expect((await notifier().deliver(req(makeEvent(alert(), { version: 1 })))).outcome).toBe('retry');
  });

  it('a retry after a lost answer finds the parent even once a teammate replied in its thread', async () => {
    const n = notifier();
    slack.faults.once('chat.postMessage', { status: 500, process: true });
    expect((await n.deliver(req(makeEvent(alert({ version: 1 }), { version: 1 })))).outcome).toBe('retry');
    const ts = slack.posts(CHANNEL)[0]?.ts ?? '';
    // A person answers in the thread before the bot retries (Slack then sets thread_ts on the parent).
    await fetch(`${slack.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { authorization: 'Bearer xoxb-human', 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ channel: CHANNEL, text: 'looking', thread_ts: ts }),
    });
    const retried = await n.deliver(req(makeEvent(alert({ version: 1 }), { version: 1 }), undefined, true));
    expect(retried).toMatchObject({ outcome: 'delivered', parent: { messageId: ts } });
    expect(slack.history(CHANNEL).filter((m) => !m.thread_ts || m.thread_ts === m.ts)).toHaveLength(1);
  });

  it('a deleted parent re-posted by an attempt whose answer was lost is not posted a third time', async () => {
    const n = notifier();
    const first = await n.deliver(req(makeEvent(alert({ version: 1 }), { version: 1 })));
    const parent = first.outcome === 'delivered' ? first.parent : undefined;
    slack.deleteMessage(CHANNEL, parent?.messageId ?? '');
    const v2 = makeEvent(alert({ version: 2 }), { type: 'updated', version: 2 });
    slack.faults.once('chat.postMessage', { status: 503, process: true });
    expect((await n.deliver(req(v2, parent))).outcome).toBe('retry');
    const again = await n.deliver(req(v2, parent, true));
    expect(again.outcome).toBe('delivered');
    const live = slack.history(CHANNEL).filter((m) => !m.thread_ts || m.thread_ts === m.ts);
    expect(live).toHaveLength(1);
    expect(again.outcome === 'delivered' && again.parent?.messageId).toBe(live[0]?.ts);
  });

  it('a channel it cannot read (posting without membership) still gets the message after a retry', async () => {
    const n = notifier();
    slack.faults.once('chat.postMessage', { status: 503 });
    expect((await n.deliver(req(makeEvent(alert({ version: 1 }), { version: 1 })))).outcome).toBe('retry');
    slack.faults.once('conversations.history', { body: { ok: false, error: 'not_in_channel' } });
    const retried = await n.deliver(req(makeEvent(alert({ version: 1 }), { version: 1 }), undefined, true));
    expect(retried.outcome).toBe('delivered');
    expect(slack.posts(CHANNEL)).toHaveLength(1);
  });
});
