import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../../adapters/sqlite/sqlite-store.js';
import { Dispatcher } from '../../../src/delivery/dispatcher.js';
import { silentLogger } from '../../../src/ports/logger.js';
import { noMetrics } from '../../../src/ports/metrics.js';
import type { DeliveryRequest, DeliveryResult, Notifier } from '../../../src/ports/notifier.js';
import type { Store } from '../../../src/ports/store.js';
import { makeAlert, makeEvent, T0 } from '../../contract/alert-factory.js';

class ScriptedNotifier implements Notifier {
  readonly received: DeliveryRequest[] = [];
  constructor(
    readonly destination: string,
    private readonly script: DeliveryResult[] = [],
    readonly minIntervalMs = 0,
  ) {}
  async deliver(req: DeliveryRequest): Promise<DeliveryResult> {
    this.received.push(req);
    return (
      this.script.shift() ?? {
        outcome: 'delivered',
        parent: { alertId: req.event.alert.id, destination: this.destination, messageId: `m-${req.event.alert.id}` },
      }
    );
  }
}

/** Its first delivery hangs until the test lets it answer (a chat API that does not respond). */
class HangingNotifier extends ScriptedNotifier {
  private answer?: () => void;
  override async deliver(req: DeliveryRequest): Promise<DeliveryResult> {
    const result = await super.deliver(req);
    if (this.received.length === 1) await new Promise<void>((resolve) => (this.answer = resolve));
    return result;
  }
  release(): void {
    this.answer?.();
  }
}

/** Waits for what the dispatcher does on its own (it is started); the deadline only guards against a hang. */
async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('outbox dispatcher', () => {
  let store: Store;
  let now = T0;
  const clock = { now: () => now };

  beforeEach(async () => {
    now = T0;
    store = createSqliteStore({ path: ':memory:', clock });
    await store.init();
  });
  afterEach(async () => store.close());

  async function queue(alertId: string, versions: number[], ...destinations: string[]) {
    const alert = makeAlert({ id: alertId });
    await store.commitAlerts({
      alerts: [alert],
      intents: (destinations.length ? destinations : ['chat']).flatMap((destination) =>
        versions.map((version) => ({
          alertId,
          version,
          destination,
          event: makeEvent(alert, { version }),
          notBefore: now,
        })),
      ),
      cursors: [],
    });
  }

  function dispatcher(notifiers: Notifier[], maxAttempts = 3) {
    return new Dispatcher({
      store,
      notifiers,
      clock,
      logger: silentLogger,
      metrics: noMetrics,
      backoff: { initialMs: 1000, maxMs: 60_000, maxAttempts },
      leaseMs: 30_000,
    });
  }

  it('delivers versions of one alert in order, passes the parent message to later versions, and records delivery', async () => {
    await queue('A1', [1, 2, 3]);
    const chat = new ScriptedNotifier('chat');
    await dispatcher([chat]).drain();
    expect(chat.received.map((r) => r.event.version)).toEqual([1, 2, 3]);
    expect(chat.received[0]?.parent).toBeUndefined();
    expect(chat.received[1]?.parent?.messageId).toBe('m-A1');
    expect((await store.listIntents()).map((i) => i.status)).toEqual(['delivered', 'delivered', 'delivered']);
    expect(await store.outboxDepth()).toBe(0);
  });

  it('a retryable failure waits for its backoff (and Retry-After) and holds back later versions', async () => {
    await queue('A1', [1, 2]);
    const chat = new ScriptedNotifier('chat', [{ outcome: 'retry', error: '429', retryAfterMs: 20_000 }]);
    const d = dispatcher([chat]);
    await d.drain();
    expect(chat.received.map((r) => r.event.version)).toEqual([1]);
    now += 19_000;
    await d.drain();
    expect(chat.received).toHaveLength(1);
    now += 2000;
    await d.drain();
    expect(chat.received.map((r) => [r.event.version, r.attempt, r.maybeDelivered])).toEqual([
      [1, 1, false],
      [1, 2, true],
      [2, 1, false],
    ]);
  });

  it('gives up after the last attempt, and on a permanent failure at once', async () => {
    await queue('A1', [1]);
    await queue('A2', [1]);
    const retry: DeliveryResult = { outcome: 'retry', error: '503' };
    const chat = new ScriptedNotifier('chat', [retry, { outcome: 'failed', error: 'channel_not_found' }, retry, retry]);
    const d = dispatcher([chat], 3);
    for (let i = 0; i < 5; i++) {
      await d.drain();
      now += 120_000;
    }
    const intents = await store.listIntents();
    expect(intents.map((i) => [i.alertId, i.status, i.attempts, i.lastError])).toEqual([
      ['A1', 'failed', 3, '503'],
      ['A2', 'failed', 1, 'channel_not_found'],
    ]);
  });

  it('a destination that is not configured fails its intents instead of retrying forever, and says so', async () => {
    await queue('A1', [1], 'gone');
    const told: string[] = [];
    const d = new Dispatcher({
      store,
      notifiers: [new ScriptedNotifier('chat')],
      clock,
      logger: silentLogger,
      metrics: noMetrics,
      backoff: { initialMs: 1000, maxMs: 60_000, maxAttempts: 3 },
      leaseMs: 30_000,
      health: { failed: async (dest, error) => void told.push(`${dest}: ${error}`), delivered: async () => {} },
    });
    await d.drain();
    const [intent] = await store.listIntents();
    expect(intent?.status).toBe('failed');
    expect(intent?.lastError).toMatch(/no destination "gone"/);
    // The self-health alert ("Messages to gone are refused") is raised from this.
    expect(told).toEqual(['gone: no destination "gone" is configured']);
  });

  it('one slow destination does not hold up another', async () => {
    await queue('A1', [1], 'slow', 'fast');
    const order: string[] = [];
    const slow: Notifier = {
      destination: 'slow',
      minIntervalMs: 0,
      deliver: async () => {
        await new Promise((r) => setTimeout(r, 100));
        order.push('slow');
        return { outcome: 'delivered' };
      },
    };
    const fast: Notifier = {
      destination: 'fast',
      minIntervalMs: 0,
      deliver: async () => {
        order.push('fast');
        return { outcome: 'delivered' };
      },
    };
    await dispatcher([slow, fast]).drain();
    expect(order).toEqual(['fast', 'slow']);
  });

  it('a delivery that never finished (the bot died) is retried once its lease expires, flagged as maybe delivered', async () => {
    await queue('A1', [1]);
    const [sending] = await store.claimIntents({ now, limit: 10, leaseMs: 30_000 }); // the dead holder
    await store.countAttempt(sending?.id ?? -1); // ... had sent its request
    const chat = new ScriptedNotifier('chat');
    const d = dispatcher([chat]);
    await d.drain();
    expect(chat.received).toHaveLength(0);
    now += 31_000;
    await d.drain();
    expect(chat.received.map((r) => [r.attempt, r.maybeDelivered])).toEqual([[2, true]]);
  });

  it('a request the platform may still apply is retried, and read back, only once it could have landed', async () => {
    await queue('A1', [1]);
    await queue('A2', [1]);
    const chat = new ScriptedNotifier('chat', [{ outcome: 'retry', error: 'timed out', settleMs: 20_000 }]);
    const d = dispatcher([chat]);
    await d.drain();
    // The other alert's message is not held up by it.
    expect(chat.received.map((r) => r.event.alert.id)).toEqual(['A1', 'A2']);
    now += 19_999;
    await d.drain();
    expect(chat.received).toHaveLength(2);
    now += 1;
    await d.drain();
    expect(chat.received.map((r) => [r.event.alert.id, r.attempt, r.maybeDelivered])).toEqual([
      ['A1', 1, false],
      ['A2', 1, false],
      ['A1', 2, true],
    ]);
  });

  it('after a restart, what was in flight is retried only once a late answer could have landed', async () => {
    await queue('A1', [1]);
    const [sending] = await store.claimIntents({ now, limit: 10, leaseMs: 30_000 });
    await store.countAttempt(sending?.id ?? -1); // sent, then the bot died
    const chat = Object.assign(new ScriptedNotifier('chat'), { settleMs: 2000 });
    const d = dispatcher([chat]);
    await d.start();
    await d.stop();
    await d.drain();
    expect(chat.received).toHaveLength(0);
    now += 2000;
    await d.drain();
    expect(chat.received.map((r) => [r.attempt, r.maybeDelivered])).toEqual([[2, true]]);
  });

  it('deliveries a dead holder had claimed but not sent are first attempts after it, not counted against them', async () => {
    await queue('A1', [1]);
    await queue('A2', [1]);
    await queue('A3', [1]);
    await store.claimIntents({ now, limit: 10, leaseMs: 30_000 }); // claimed all three, then died before sending
    await store.recoverInFlight(now);
    const chat = new ScriptedNotifier('chat');
    await dispatcher([chat]).drain();
    expect(chat.received.map((r) => [r.event.alert.id, r.attempt, r.maybeDelivered])).toEqual([
      ['A1', 1, false],
      ['A2', 1, false],
      ['A3', 1, false],
    ]);
  });

  it('a delivery that never answers is given up after the timeout and retried, without holding the others', async () => {
    await queue('A1', [1], 'hung', 'console');
    const hung: Notifier = { destination: 'hung', minIntervalMs: 0, deliver: () => new Promise(() => {}) };
    const console = new ScriptedNotifier('console');
    const d = new Dispatcher({
      store,
      notifiers: [hung, console],
      clock,
      logger: silentLogger,
      metrics: noMetrics,
      backoff: { initialMs: 1000, maxMs: 60_000, maxAttempts: 3 },
      leaseMs: 30_000,
      deliveryTimeoutMs: 50,
    });
    await d.drain();
    const byDest = Object.fromEntries((await store.listIntents()).map((i) => [i.destination, [i.status, i.lastError]]));
    expect(byDest).toEqual({ hung: ['pending', 'no answer within 50 ms'], console: ['delivered', undefined] });
  });

  it('a run that starts right after another posted keeps to the pace that one set', async () => {
    await queue('A1', [1]);
    const chat = new ScriptedNotifier('chat', [], 1000);
    const before = dispatcher([chat]);
    await before.drain();
    expect(chat.received.map((r) => r.event.alert.id)).toEqual(['A1']);
    // That run dies at once; the next one starts 300 ms after its post, and has a new message for the channel.
    now += 300;
    await queue('A2', [1]);
    const after = dispatcher([chat]);
    await after.start();
    await after.drain();
    expect(chat.received).toHaveLength(1);
    now += 700;
    await after.drain();
    expect(chat.received.map((r) => r.event.alert.id)).toEqual(['A1', 'A2']);
    await after.stop();
  });

  it('a run that starts after another died mid-send paces that channel from its start (the post may have landed)', async () => {
    await queue('A1', [1]);
    // The run before claimed A1, counted its attempt and died with the request in the air.
    const [held] = await store.claimIntents({ now, limit: 10, leaseMs: 30_000 });
    await store.countAttempt(held?.id ?? -1);
    await queue('A2', [1]);
    const chat = new ScriptedNotifier('chat', [], 1000);
    const next = dispatcher([chat]);
    await next.start();
    await next.drain();
    expect(chat.received).toEqual([]);
    now += 1000;
    await next.drain();
    expect(chat.received.map((r) => [r.event.alert.id, r.maybeDelivered])).toEqual([['A1', true]]);
    now += 1000;
    await next.drain();
    expect(chat.received.map((r) => r.event.alert.id)).toEqual(['A1', 'A2']);
    await next.stop();
  });

  it('keeps a destination pace without sleeping: the next message waits its turn, uncounted', async () => {
    await queue('A1', [1]);
    await queue('A2', [1]);
    const chat = new ScriptedNotifier('chat', [], 1000);
    const d = dispatcher([chat]);
    await d.drain();
    expect(chat.received.map((r) => r.event.alert.id)).toEqual(['A1']);
    now += 999;
    await d.drain();
    expect(chat.received).toHaveLength(1);
    now += 1;
    await d.drain();
    expect(chat.received.map((r) => [r.event.alert.id, r.attempt])).toEqual([
      ['A1', 1],
      ['A2', 1],
    ]);
  });

  it('a Retry-After from one message pauses the whole destination, not just that message', async () => {
    await queue('A1', [1]);
    await queue('A2', [1]);
    const chat = new ScriptedNotifier('chat', [{ outcome: 'retry', error: 'ratelimited', retryAfterMs: 20_000 }]);
    const console = new ScriptedNotifier('console');
    await queue('A3', [1], 'console');
    const d = dispatcher([chat, console]);
    await d.drain();
    now += 5000;
    await d.drain();
    // A2 was not sent during the pause; the console, another destination, was not held up.
    expect(chat.received.map((r) => r.event.alert.id)).toEqual(['A1']);
    expect(console.received).toHaveLength(1);
    now += 15_001;
    await d.drain();
    expect(chat.received.map((r) => r.event.alert.id)).toEqual(['A1', 'A1', 'A2']);
  });

  it('a page queued while a chat call hangs is delivered at once; the chat keeps its order and sends nothing twice', async () => {
    const slack = new HangingNotifier('slack:C1');
    const pagerduty = new ScriptedNotifier('pagerduty');
    const d = dispatcher([slack, pagerduty]);
    await d.start();
    await queue('A1', [1, 2], 'slack:C1');
    d.wake();
    await until(() => slack.received.length === 1, 'the Slack post to be sent');

    // Queued while Slack has not answered: a page, and another alert for the hung channel.
    await queue('A2', [1], 'slack:C1', 'pagerduty');
    d.wake();
    await until(() => pagerduty.received.length === 1, 'the page to be sent while Slack hangs');
    const status = async (alertId: string, destination: string) =>
      (await store.listIntents({ alertId })).filter((i) => i.destination === destination).map((i) => i.status);
    expect(await status('A2', 'pagerduty')).toEqual(['delivered']);
    // Nothing more goes to the channel while its call is under way.
    expect(slack.received).toHaveLength(1);
    expect(await status('A1', 'slack:C1')).toEqual(['in_flight', 'pending']);
    expect(await status('A2', 'slack:C1')).toEqual(['pending']);

    slack.release();
    await until(async () => (await store.outboxDepth()) === 0, 'the outbox to drain');
    await d.stop();
    expect(slack.received.map((r) => `${r.event.alert.id} v${r.event.version} #${r.attempt}`)).toEqual([
      'A1 v1 #1',
      'A1 v2 #1',
      'A2 v1 #1',
    ]);
    expect(pagerduty.received.map((r) => `${r.event.alert.id} v${r.event.version} #${r.attempt}`)).toEqual([
      'A2 v1 #1',
    ]);
    expect((await store.listIntents()).map((i) => i.status)).toEqual(Array(4).fill('delivered'));
  });
});
