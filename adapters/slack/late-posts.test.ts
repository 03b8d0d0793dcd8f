// Slack applying a post after the bot gave up waiting for it: the retry reads back only once the post had time to
// land, and what slipped through anyway (a second parent, a second reply) is deleted on the alert's next delivery.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../src/domain/alert.js';
import type { DeliveryRequest, DeliveryResult, MessageRef } from '../../src/ports/notifier.js';
import { makeAlert, makeEvent } from '../../test/contract/alert-factory.js';
import { until } from '../../test/e2e/bot-process.js';
import { type FakeSlack, startFakeSlack } from '../../test/fakes/slack-api.js';
import { createSlackNotifier } from './slack-notifier.js';

const CHANNEL = 'C0ONCALL1';
// Long enough that the request reaches the fake before the client gives up, even on a loaded machine.
const TIMEOUT = 1500;

const alert = (over: Partial<Alert> = {}) =>
  makeAlert({ id: 'A1', state: 'firing', maintenance: undefined, acknowledged: undefined, flapping: false, ...over });

describe('posts Slack applies after the bot gave up', { timeout: 60_000 }, () => {
  let slack: FakeSlack;
  let now = 1_000_000;
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
      timeoutMs: TIMEOUT,
      now: () => now,
    });
  const deliver = (n: ReturnType<typeof notifier>, version: number, parent?: MessageRef, maybeDelivered = false) => {
    const event = makeEvent(alert({ version }), { type: version === 1 ? 'opened' : 'updated', version });
    const req: DeliveryRequest = {
      intentId: version,
      destination: `slack:${CHANNEL}`,
      event,
      ...(parent && { parent }),
      attempt: maybeDelivered ? 2 : 1,
      maybeDelivered,
    };
    return n.deliver(req);
  };
  const parentOf = (r: DeliveryResult) => (r.outcome === 'delivered' ? r.parent : undefined);
  const parents = () => slack.history(CHANNEL).filter((m) => !m.thread_ts || m.thread_ts === m.ts);
  const late = () => slack.faults.late({ afterMs: TIMEOUT + 300, methods: 'chat.postMessage' });

  it('a timed-out post asks its retry to wait until it could have landed; the retry then adopts it', async () => {
    const n = notifier();
    const fault = late();
    const first = await deliver(n, 1);
    fault.remove();
    expect(first).toMatchObject({ outcome: 'retry', settleMs: 2 * TIMEOUT });
    await until(() => parents().length === 1, 30_000, 'the late post to land');
    const retry = await deliver(n, 1, undefined, true);
    expect(parentOf(retry)?.messageId).toBe(parents()[0]?.ts);
    expect(parents()).toHaveLength(1);
  });

  it('a second parent that landed after the retry posted is deleted on the next delivery, and the mark clears', async () => {
    const n = notifier();
    const fault = late();
    expect((await deliver(n, 1)).outcome).toBe('retry');
    fault.remove();
    const retried = parentOf(await deliver(n, 1, undefined, true)); // too early: posts its own
    expect(retried?.extra?.unsettled).toBe(String(now));
    await until(() => parents().length === 2, 30_000, 'the late post to land beside the retry');

    const v2 = parentOf(await deliver(n, 2, retried));
    expect(parents().map((m) => m.ts)).toEqual([retried?.messageId]);
    expect(v2?.extra?.unsettled).toBe(String(now)); // still within the settle time: watched on
    now += 2 * TIMEOUT;
    const v3 = parentOf(await deliver(n, 3, v2));
    expect(v3?.extra?.unsettled).toBeUndefined();
    expect(parents()).toHaveLength(1);
  });

  it('a second reply for one version is deleted, the first one kept', async () => {
    const n = notifier();
    const parent = parentOf(await deliver(n, 1));
    const fault = late();
    expect((await deliver(n, 2, parent)).outcome).toBe('retry');
    fault.remove();
    const v2 = parentOf(await deliver(n, 2, parent, true));
    await until(() => slack.replies(CHANNEL, parent?.messageId ?? '').length === 2, 30_000, 'the late reply');
    const [first] = slack.replies(CHANNEL, parent?.messageId ?? '');

    await deliver(n, 3, v2);
    const replies = slack.replies(CHANNEL, parent?.messageId ?? '');
    expect(replies.map((m) => [m.ts, m.metadata?.event_payload?.version])).toEqual([
      [first?.ts, 2],
      [expect.any(String), 3],
    ]);
  });
});
