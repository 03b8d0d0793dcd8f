// The Discord notifiers against the fake Discord API: what ends up in the channel, its threads and its webhooks.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Alert, AlertEvent } from '../../src/domain/alert.js';
import type { DeliveryRequest, MessageRef, Notifier } from '../../src/ports/notifier.js';
import { makeAlert, makeEvent } from '../../test/contract/alert-factory.js';
import { type FakeDiscord, startFakeDiscord } from '../../test/fakes/discord-api.js';
import { createDiscordChannelNotifier } from './channel-notifier.js';
import { DiscordClient } from './client.js';
import { createDiscordWebhookNotifier, parseWebhookUrl } from './webhook-notifier.js';

const CHANNEL = '100000000000000001';
const FORUM = '100000000000000002';
const TOKEN = 'bot-token-0123456789-abcdefghij';
const HOOK = { id: '200000000000000001', token: 'webhook-secret-token-xyz', channel: CHANNEL };
const FORUM_HOOK = { id: '200000000000000002', token: 'forum-secret-token-xyz', channel: FORUM };

let fake: FakeDiscord;
let client: DiscordClient;
let notifier: Notifier;

beforeEach(async () => {
  fake = await startFakeDiscord({
    channels: [CHANNEL],
    forums: [FORUM],
    webhooks: [HOOK, FORUM_HOOK],
    botToken: TOKEN,
    bucket: { limit: 5, windowMs: 600 },
  });
  client = new DiscordClient({ apiUrl: fake.apiUrl, token: TOKEN, timeoutMs: 2000 });
  notifier = createDiscordChannelNotifier({ destination: `discord:${CHANNEL}`, channel: CHANNEL, client });
});

afterEach(async () => {
  await fake.close();
});

function alert(over: Partial<Alert> = {}): Alert {
  return makeAlert({
    id: 'A3',
    title: 'Elevated 500s on /api/links',
    state: 'firing',
    status: 'investigating',
    maintenance: undefined,
    acknowledged: undefined,
    firstSeenAt: Date.now() - 1000,
    timeline: [{ id: 'u1', at: Date.now(), status: 'investigating', text: 'Looking into it.', origin: 'source' }],
    ...over,
  });
}

/** Delivers like the dispatcher: the parent of the previous delivery is passed in. */
function deliverer(n: Notifier) {
  let parent: MessageRef | undefined;
  let intent = 0;
  return {
    get parent() {
      return parent;
    },
    async send(event: AlertEvent, over: Partial<DeliveryRequest> = {}) {
      const result = await n.deliver({
        intentId: ++intent,
        destination: n.destination,
        event,
        ...(parent && { parent }),
        attempt: 1,
        maybeDelivered: false,
        ...over,
      });
      if (result.outcome === 'delivered' && result.parent) parent = result.parent;
      return result;
    },
  };
}

const descriptions = (messages: { embeds: { description?: string }[] }[]) =>
  messages.map((m) => m.embeds[0]?.description?.split('\n')[0]);

describe('a Discord channel through the bot token', () => {
  it('an incident life: one parent edited per version, updates in its thread, resolved in green', async () => {
    const d = deliverer(notifier);
    expect(await d.send(makeEvent(alert(), { type: 'opened', version: 1 }))).toMatchObject({ outcome: 'delivered' });
    const a2 = alert({ version: 2, status: 'identified' });
    await d.send(makeEvent(a2, { type: 'updated', version: 2, reason: 'new update from the source' }));
    await d.send(
      makeEvent(alert({ version: 3, acknowledged: { by: 'ana', at: 1 } }), {
        type: 'updated',
        version: 3,
        quiet: true,
      }),
    );
    const resolved = alert({ version: 4, state: 'resolved', resolvedAt: Date.now() + 90_000, startedAt: Date.now() });
    await d.send(makeEvent(resolved, { type: 'resolved', version: 4, reason: 'the source says resolved' }));

    const top = fake.messages(CHANNEL);
    expect(top).toHaveLength(1);
    const parent = top[0];
    expect(parent?.editCount).toBe(3);
    expect(parent?.embeds[0]?.description).toMatch(/^✅ \*\*Resolved\*\* after 1m 30s/);
    expect(parent?.embeds[0]?.color).toBe(0x12b76a);
    expect(parent?.thread?.name).toBe('A3 · Elevated 500s on /api/links');
    expect(descriptions(fake.thread(parent?.id ?? ''))).toEqual([
      '**🔁 Update**: new update from the source',
      '**✅ Resolved**: the source says resolved (after 1m 30s)',
    ]);
    expect(d.parent?.extra).toEqual({
      channel: CHANNEL,
      link: `https://discord.com/channels/${fake.guildId}/${CHANNEL}/${parent?.id}`,
      thread: parent?.id,
    });
    // The thread was started once, and never by a request Discord refused.
    expect(fake.callsTo('POST /channels/:channel/messages/:message/threads')).toHaveLength(1);
    expect(fake.calls.filter((c) => (c.status ?? 0) >= 400)).toEqual([]);
  });

  it('a reminder, or an edit, for an alert this channel never got posts nothing', async () => {
    const d = deliverer(notifier);
    await d.send(makeEvent(alert({ version: 5 }), { type: 'reminder', version: 5 }));
    await d.send(makeEvent(alert({ version: 6 }), { type: 'updated', version: 6, quiet: true }));
    expect(fake.messages(CHANNEL)).toEqual([]);
  });

  it('a storm-sized alert (60 evidence keys, huge texts) is accepted by Discord and says "+N more"', async () => {
    const evidence = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`bank_${i}`, 'down '.repeat(200)]));
    const huge = alert({
      title: 'Many institutions down '.repeat(30),
      evidence,
      timeline: [{ id: 'u', at: Date.now(), status: 'investigating', text: 'x'.repeat(9000), origin: 'source' }],
    });
    const result = await deliverer(notifier).send(makeEvent(huge, { reason: 'storm: 60 institutions' }));
    expect(result.outcome).toBe('delivered');
    const embed = fake.messages(CHANNEL)[0]?.embeds[0];
    expect(embed?.fields?.at(-1)?.name).toMatch(/^\+\d+ more$/);
    expect(fake.calls.filter((c) => c.status === 400)).toEqual([]);
  });

  it('after a crash, the parent a lost answer created is found again: never two parents, never two replies', async () => {
    const d = deliverer(notifier);
    const opened = makeEvent(alert(), { type: 'opened', version: 1 });
    await d.send(opened);
    // The bot died before recording it: the same intent again, with no parent known.
    const again = await notifier.deliver({
      intentId: 1,
      destination: notifier.destination,
      event: opened,
      attempt: 2,
      maybeDelivered: true,
    });
    expect(again).toMatchObject({ outcome: 'delivered', parent: { messageId: d.parent?.messageId } });
    // Even without the check (no Read Message History), the nonce makes Discord return the first message.
    await notifier.deliver({
      intentId: 1,
      destination: notifier.destination,
      event: opened,
      attempt: 2,
      maybeDelivered: false,
    });
    expect(fake.messages(CHANNEL)).toHaveLength(1);

    const update = makeEvent(alert({ version: 2 }), { type: 'updated', version: 2 });
    await d.send(update);
    await d.send(update, { maybeDelivered: true, attempt: 2 });
    await d.send(update, { maybeDelivered: false, attempt: 3 });
    expect(fake.thread(d.parent?.messageId ?? '')).toHaveLength(1);
  });

  it('after a crash, a read-back that gets no answer retries the delivery instead of posting a second parent', async () => {
    // Later than the nonce's few minutes: only the read-back can tell the parent was posted.
    const late = await startFakeDiscord({ channels: [CHANNEL], botToken: TOKEN, nonceWindowMs: 0 });
    try {
      const c = new DiscordClient({ apiUrl: late.apiUrl, token: TOKEN, timeoutMs: 300 });
      const n = createDiscordChannelNotifier({ destination: `discord:${CHANNEL}`, channel: CHANNEL, client: c });
      const d = deliverer(n);
      const opened = makeEvent(alert(), { type: 'opened', version: 1 });
      await d.send(opened);
      const retry = { intentId: 1, destination: n.destination, event: opened, attempt: 2, maybeDelivered: true };

      late.faults.hang('GET /channels/:channel/messages', { times: 1 });
      expect(await n.deliver(retry)).toMatchObject({ outcome: 'retry' });
      expect(late.messages(CHANNEL)).toHaveLength(1);

      expect(await n.deliver({ ...retry, attempt: 3 })).toMatchObject({
        outcome: 'delivered',
        parent: { messageId: d.parent?.messageId },
      });

      const update = makeEvent(alert({ version: 2 }), { type: 'updated', version: 2 });
      await d.send(update);
      late.faults.hang('GET /channels/:channel/messages', { times: 1 });
      expect(await d.send(update, { maybeDelivered: true, attempt: 2 })).toMatchObject({ outcome: 'retry' });
      await d.send(update, { maybeDelivered: true, attempt: 3 });
      expect(late.messages(CHANNEL)).toHaveLength(1);
      expect(late.thread(d.parent?.messageId ?? '')).toHaveLength(1);
    } finally {
      await late.close();
    }
  });

  it('a deleted parent is posted again and the story continues there', async () => {
    const d = deliverer(notifier);
    await d.send(makeEvent(alert(), { version: 1 }));
    const first = d.parent?.messageId ?? '';
    fake.deleteMessage(CHANNEL, first);
    const result = await d.send(makeEvent(alert({ version: 2 }), { type: 'updated', version: 2 }));
    expect(result).toMatchObject({ outcome: 'delivered' });
    expect(d.parent?.messageId).not.toBe(first);
    expect(fake.messages(CHANNEL).map((m) => m.id)).toEqual([d.parent?.messageId]);
  });

  it("a 429 comes back as retry after Discord's retry_after, and the client sends nothing early", async () => {
    fake.faults.rateLimit({ ratio: 1, retryAfter: 0.4 });
    const result = await deliverer(notifier).send(makeEvent(alert()));
    expect(result).toMatchObject({ outcome: 'retry', retryAfterMs: 400 });
    expect(fake.calls).toHaveLength(1);
    fake.faults.clear();
    await new Promise((r) => setTimeout(r, 450));
    expect(await deliverer(notifier).send(makeEvent(alert()))).toMatchObject({ outcome: 'delivered' });
    expect(fake.violations).toEqual([]);
  });

  it('keeps to a bucket: a burst past its limit waits for the reset instead of being refused', async () => {
    const d = deliverer(notifier);
    await d.send(makeEvent(alert(), { version: 1 }));
    for (let v = 2; v <= 9; v++) {
      const r = await d.send(makeEvent(alert({ version: v }), { type: 'updated', version: v }));
      expect(r.outcome).toBe('delivered');
    }
    expect(fake.thread(d.parent?.messageId ?? '')).toHaveLength(8);
    expect(fake.violations).toEqual([]);
    // Eight edits in a bucket of five per 600 ms: the client waited for the reset.
    const edits = fake.callsTo('PATCH /channels/:channel/messages/:message');
    expect((edits.at(-1)?.at ?? 0) - (edits[0]?.at ?? 0)).toBeGreaterThan(500);
    expect(fake.calls.every((c) => c.status !== 429)).toBe(true);
  });

  it('a bucket that resets later than a moment is handed back to the outbox as a retry, nothing sent early', async () => {
    await fake.close();
    fake = await startFakeDiscord({ channels: [CHANNEL], botToken: TOKEN, bucket: { limit: 2, windowMs: 5000 } });
    client = new DiscordClient({ apiUrl: fake.apiUrl, token: TOKEN, timeoutMs: 2000 });
    notifier = createDiscordChannelNotifier({ destination: `discord:${CHANNEL}`, channel: CHANNEL, client });
    const d = deliverer(notifier);
    await d.send(makeEvent(alert(), { version: 1 }));
    // Two edits of the parent fill its bucket (2 per 5 s); the third must wait about 5 s.
    await d.send(makeEvent(alert({ version: 2 }), { type: 'updated', version: 2 }));
    await d.send(makeEvent(alert({ version: 3 }), { type: 'updated', version: 3 }));
    const third = await d.send(makeEvent(alert({ version: 4 }), { type: 'updated', version: 4 }));
    expect(third).toMatchObject({ outcome: 'retry' });
    expect(third.outcome === 'retry' && third.retryAfterMs).toBeGreaterThan(3000);
    expect(fake.violations).toEqual([]);
  });

  it('5xx and timeouts are retried; nothing is retried underneath the outbox', async () => {
    fake.faults.serverError({ ratio: 1, status: 502 });
    expect(await deliverer(notifier).send(makeEvent(alert()))).toMatchObject({ outcome: 'retry', error: 'HTTP 502' });
    expect(fake.calls).toHaveLength(1);
  });

  it('a refused token (401) fails at once with a clear error, and no further call is sent for a while', async () => {
    fake.resetToken('another-token');
    const first = await deliverer(notifier).send(makeEvent(alert()));
    expect(first.outcome).toBe('failed');
    expect(first.outcome === 'failed' && first.error).toMatch(/HTTP 401.*check the bot token/);
    const sent = fake.calls.length;
    const second = await deliverer(notifier).send(makeEvent(alert({ id: 'A4' })));
    expect(second.outcome).toBe('failed');
    expect(fake.calls.length).toBe(sent);
    expect(JSON.stringify([first, second])).not.toContain(TOKEN);
  });

  it("a channel the bot cannot see (403) fails with Discord's reason, not retried", async () => {
    fake.forbid(CHANNEL);
    const r = await deliverer(notifier).send(makeEvent(alert()));
    expect(r).toMatchObject({
      outcome: 'failed',
      error: expect.stringMatching(/HTTP 403 Missing Access \(code 50001\)/),
    });
  });
});

describe('a Discord channel webhook', () => {
  it('parses webhook URLs (with or without an API version) and refuses anything else', () => {
    expect(parseWebhookUrl('https://discord.com/api/webhooks/123456789012/abc-DEF_1')).toEqual({
      apiUrl: 'https://discord.com/api',
      id: '123456789012',
      token: 'abc-DEF_1',
    });
    expect(parseWebhookUrl('https://discord.com/api/v10/webhooks/123456789012/tok')?.apiUrl).toBe(
      'https://discord.com/api',
    );
    expect(parseWebhookUrl('https://example.com/hook')).toBeUndefined();
  });

  it('an incident life: posted with wait=true, edited in place, the parent keeps the earlier updates', async () => {
    const hook = createDiscordWebhookNotifier({ destination: 'team-hook', url: fake.webhookUrl(HOOK.id) });
    const d = deliverer(hook);
    const t = Date.now();
    const u1 = { id: 'u1', at: t, status: 'investigating', text: 'Looking into it.', origin: 'source' as const };
    const u2 = { id: 'u2', at: t + 1, status: 'identified', text: 'Database failover.', origin: 'source' as const };
    await d.send(makeEvent(alert({ timeline: [u1] }), { version: 1 }));
    await d.send(makeEvent(alert({ version: 2, timeline: [u1, u2] }), { type: 'updated', version: 2 }));
    await d.send(
      makeEvent(alert({ version: 3, state: 'resolved', resolvedAt: t + 60_000, startedAt: t, timeline: [u1, u2] }), {
        type: 'resolved',
        version: 3,
      }),
    );

    const top = fake.messages(CHANNEL);
    expect(top).toHaveLength(1);
    expect(top[0]?.webhook_id).toBe(HOOK.id);
    expect(top[0]?.editCount).toBe(2);
    expect(top[0]?.components).toEqual([]);
    const fields = Object.fromEntries((top[0]?.embeds[0]?.fields ?? []).map((f) => [f.name, f.value]));
    expect(fields['Latest update']).toContain('Database failover.');
    expect(fields['Earlier updates']).toContain('Looking into it.');
    expect(top[0]?.embeds[0]?.description).toMatch(/^✅ \*\*Resolved\*\* after 1m/);
    expect(d.parent?.extra?.link).toBe(`https://discord.com/channels/${fake.guildId}/${CHANNEL}/${top[0]?.id}`);
    const posts = fake.callsTo('POST /webhooks/:webhook/:token');
    expect(posts.length).toBeGreaterThan(0);
    expect(posts.every((c) => c.query === 'wait=true')).toBe(true);
  });

  it('into a forum channel: the alert becomes a post and its updates are threaded there', async () => {
    const hook = createDiscordWebhookNotifier({ destination: 'forum-hook', url: fake.webhookUrl(FORUM_HOOK.id) });
    const d = deliverer(hook);
    await d.send(makeEvent(alert(), { version: 1 }));
    await d.send(
      makeEvent(alert({ version: 2 }), { type: 'updated', version: 2, reason: 'new update from the source' }),
    );
    const [post] = fake.threadsOf(FORUM);
    expect(fake.threadsOf(FORUM)).toHaveLength(1);
    const messages = fake.thread(post ?? '');
    expect(messages).toHaveLength(2);
    expect(messages[0]?.editCount).toBe(1);
    expect(descriptions(messages.slice(1))).toEqual(['**🔁 Update**: new update from the source']);
  });

  it('a wrong webhook token fails without ever quoting the URL or the token', async () => {
    const url = fake.webhookUrl(HOOK.id).replace(HOOK.token, 'stolen-or-rotated-token');
    const r = await deliverer(createDiscordWebhookNotifier({ destination: 'team-hook', url })).send(makeEvent(alert()));
    expect(r.outcome).toBe('failed');
    expect(JSON.stringify(r)).toContain('Invalid Webhook Token');
    expect(JSON.stringify(r)).not.toContain('stolen-or-rotated-token');
  });
});
