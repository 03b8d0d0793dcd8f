import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Alert, AlertEvent } from '../../src/domain/alert.js';
import type { Logger } from '../../src/ports/logger.js';
import type { DeliveryRequest, DeliveryResult, MessageRef } from '../../src/ports/notifier.js';
import { makeAlert, makeEvent } from '../../test/contract/alert-factory.js';
import { type FakePagerDuty, startFakePagerDuty } from '../../test/fakes/pagerduty-api.js';
import { dedupKeyFor } from './dedup-key.js';
import { createPagerDutyNotifier } from './pagerduty-notifier.js';

const ROUTING_KEY = 'R0UT1NGKEYSECRET0123456789ABCDEF';
const DESTINATION = 'pagerduty-oncall';

function alert(over: Partial<Alert> = {}): Alert {
  return makeAlert({ id: 'A12', maintenance: undefined, acknowledged: undefined, ...over });
}

const KEY = dedupKeyFor(alert().fingerprint);

/** Keeps every log line, so a test can look for the routing key in them. */
function recordingLogger(lines: unknown[]): Logger {
  const record = (obj: object, msg?: string) => lines.push({ ...obj, msg });
  const logger: Logger = { debug: record, info: record, warn: record, error: record, child: () => logger };
  return logger;
}

describe('PagerDuty notifier against the fake Events API', () => {
  let pd: FakePagerDuty;
  let logs: unknown[];
  beforeEach(async () => {
    pd = await startFakePagerDuty();
    logs = [];
  });
  afterEach(() => pd.close());

  const notifier = (over: { routingKey?: string; eventsUrl?: string; timeoutMs?: number } = {}) =>
    createPagerDutyNotifier({
      destination: DESTINATION,
      routingKey: ROUTING_KEY,
      eventsUrl: pd.eventsUrl,
      timeoutMs: 1000,
      logger: recordingLogger(logs),
      ...over,
    });

  let intent = 0;
  const req = (event: AlertEvent, parent?: MessageRef, related?: MessageRef[]): DeliveryRequest => ({
    intentId: ++intent,
    destination: DESTINATION,
    event,
    ...(parent && { parent }),
    ...(related && { related }),
    attempt: 1,
    maybeDelivered: false,
  });
  const page = (action: 'trigger' | 'acknowledge' | 'resolve', over: Partial<Alert> = {}) =>
    makeEvent(alert(over), { page: action });
  const parentOf = (result: DeliveryResult) => (result.outcome === 'delivered' ? result.parent : undefined);

  it('paces itself under PagerDuty limit of about 120 events a minute', () => {
    expect(notifier().minIntervalMs).toBe(500);
  });

  it('a trigger opens the PagerDuty alert and the dedup key is stored as the parent', async () => {
    const slack: MessageRef = {
      alertId: 'A12',
      destination: 'slack:C0ONCALL',
      messageId: '1.2',
      extra: { link: 'https://x.slack.com/p1' },
    };
    const result = await notifier().deliver(req(page('trigger'), undefined, [slack]));
    expect(result).toEqual({
      outcome: 'delivered',
      parent: { alertId: 'A12', destination: DESTINATION, messageId: KEY },
    });
    const opened = pd.alert(ROUTING_KEY, KEY);
    expect(opened).toMatchObject({ status: 'triggered', incidents: 1 });
    expect(opened?.payload).toMatchObject({ summary: '[A12 · major] Banco Erebor MX - Retail (MX) is down' });
    expect(opened?.links).toContainEqual({ href: 'https://x.slack.com/p1', text: 'Slack message' });
  });

  it('acknowledge and resolve name the stored dedup key, whatever the fingerprint derives today', async () => {
    const n = notifier();
    const stored: MessageRef = { alertId: 'A12', destination: DESTINATION, messageId: 'belvo-status/an-older-key' };
    await n.deliver(req(page('trigger'), stored));
    const acked = await n.deliver(req(page('acknowledge'), stored));
    expect(pd.alert(ROUTING_KEY, 'belvo-status/an-older-key')?.status).toBe('acknowledged');
    await n.deliver(req(page('resolve'), parentOf(acked)));
    expect(pd.alert(ROUTING_KEY, 'belvo-status/an-older-key')).toMatchObject({
      status: 'resolved',
      log: ['trigger', 'acknowledge', 'resolve'],
    });
    expect(pd.events.map((e) => e.body?.['dedup_key'])).toEqual(Array(3).fill('belvo-status/an-older-key'));
    expect(pd.alert(ROUTING_KEY, KEY)).toBeUndefined();
  });

  it.each(['acknowledge', 'resolve'] as const)(
    'sends a %s with no recorded trigger under the derived key: PagerDuty drops it when nothing is open',
    async (action) => {
      const result = await notifier().deliver(req(page(action)));
      expect(result.outcome).toBe('delivered');
      expect(pd.events.map((e) => [e.body?.['event_action'], e.body?.['dedup_key'], e.effect])).toEqual([
        [action, KEY, 'dropped'],
      ]);
      expect(pd.alert(ROUTING_KEY, KEY)).toBeUndefined();
    },
  );

  it('without a word from the paging policy, follows the alert: resolved resolves, noPage never opens a page', async () => {
    const n = notifier();
    await n.deliver(req(makeEvent(alert(), { noPage: true })));
    expect(pd.events).toHaveLength(0);
    const first = await n.deliver(req(makeEvent(alert())));
    await n.deliver(req(makeEvent(alert({ state: 'resolved' }), { type: 'resolved' }), parentOf(first)));
    expect(pd.alert(ROUTING_KEY, KEY)?.log).toEqual(['trigger', 'resolve']);
  });

  it('429 with Retry-After asks the outbox to wait, then the same trigger is delivered once', async () => {
    pd.script({ status: 429, retryAfter: 1 });
    const n = notifier();
    const first = await n.deliver(req(page('trigger')));
    expect(first).toMatchObject({ outcome: 'retry', retryAfterMs: 1000 });
    const second = await n.deliver(req(page('trigger')));
    expect(second.outcome).toBe('delivered');
    expect(pd.alert(ROUTING_KEY, KEY)).toMatchObject({ status: 'triggered', incidents: 1, log: ['trigger'] });
  });

  it('400 fails for good with PagerDuty own explanation, after exactly one request', async () => {
    const result = await notifier({ routingKey: 'too-short' }).deliver(req(page('trigger')));
    expect(result.outcome).toBe('failed');
    expect(result.outcome === 'failed' && result.error).toContain(
      "HTTP 400, PagerDuty rejected the event: Event object is invalid: Length of 'routing_key' is incorrect",
    );
    expect(pd.events).toHaveLength(1);
    expect(pd.alerts()).toEqual([]);
  });

  it.each([
    [500, undefined, undefined],
    [503, '7', 7000],
  ])('HTTP %i is worth a retry (Retry-After %s)', async (status, retryAfter, retryAfterMs) => {
    pd.script({ status, ...(retryAfter && { retryAfter }) });
    const result = await notifier().deliver(req(page('trigger')));
    expect(result).toEqual({
      outcome: 'retry',
      error: expect.stringContaining(`HTTP ${status}`),
      ...(retryAfterMs && { retryAfterMs }),
    });
  });

  it.each([401, 403])('HTTP %i is a misconfiguration: failed, not retried', async (status) => {
    pd.script({ status, body: { status: 'unauthorized', message: 'Forbidden' } });
    const result = await notifier().deliver(req(page('trigger')));
    expect(result).toEqual({ outcome: 'failed', error: expect.stringContaining('check the routing key') });
  });

  it('a wrong events URL (404) fails and says so', async () => {
    const result = await notifier({ eventsUrl: `${pd.url}/v2/enqueueX` }).deliver(req(page('trigger')));
    expect(result).toEqual({ outcome: 'failed', error: expect.stringContaining('HTTP 404, check the events URL') });
  });

  it('a PagerDuty that does not answer in time is a retry; the retry lands on the same alert', async () => {
    pd.setDelay(400);
    const n = notifier({ timeoutMs: 100 });
    const first = await n.deliver(req(page('trigger')));
    expect(first).toEqual({ outcome: 'retry', error: expect.stringContaining('no answer within 100 ms') });
    pd.setDelay(0);
    expect((await n.deliver(req(page('trigger')))).outcome).toBe('delivered');
    expect(pd.alert(ROUTING_KEY, KEY)).toMatchObject({ incidents: 1, log: ['trigger', 'trigger'] });
  });

  it('a PagerDuty that cannot be reached is a retry', async () => {
    const url = pd.eventsUrl;
    await pd.close();
    const result = await notifier({ eventsUrl: url }).deliver(req(page('trigger')));
    expect(result).toEqual({ outcome: 'retry', error: expect.stringContaining('ECONNREFUSED') });
  });

  it('never lets the routing key out, even when PagerDuty echoes it back', async () => {
    pd.script(
      { status: 400, body: { status: 'invalid event', message: 'Event object is invalid', errors: [ROUTING_KEY] } },
      { status: 429, body: `throttled ${ROUTING_KEY}` },
      { status: 500, body: `<html>${ROUTING_KEY}</html>` },
      { status: 403, body: { message: `bad key ${ROUTING_KEY}` } },
    );
    const n = notifier();
    const results: DeliveryResult[] = [];
    for (let i = 0; i < 4; i++) results.push(await n.deliver(req(page('trigger'))));
    expect(results.map((r) => r.outcome)).toEqual(['failed', 'retry', 'retry', 'failed']);
    expect(results.map((r) => (r.outcome === 'delivered' ? '' : r.error)).join('\n')).toContain('[routing key]');
    expect(JSON.stringify(results)).not.toContain(ROUTING_KEY);
    expect(logs.length).toBeGreaterThan(0);
    expect(JSON.stringify(logs)).not.toContain(ROUTING_KEY);
  });
});
