// The fake Discord API refuses what Discord refuses, so tests against it mean something.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeDiscord, startFakeDiscord } from './discord-api.js';

const CHANNEL = '100000000000000001';
let fake: FakeDiscord;

beforeEach(async () => {
  fake = await startFakeDiscord({ channels: [CHANNEL], botToken: 'tok', bucket: { limit: 2, windowMs: 2000 } });
});
afterEach(() => fake.close());

const post = (body: unknown, token = 'tok', signal?: AbortSignal) =>
  fetch(`${fake.apiUrl}/v10/channels/${CHANNEL}/messages`, {
    method: 'POST',
    headers: { authorization: `Bot ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    ...(signal && { signal }),
  });

describe('fake Discord API', () => {
  it('sends rate-limit headers, and a 429 with retry_after to a client that does not wait', async () => {
    const first = await post({ content: 'one' });
    expect(first.status).toBe(200);
    expect(first.headers.get('x-ratelimit-limit')).toBe('2');
    expect(first.headers.get('x-ratelimit-remaining')).toBe('1');
    expect(Number(first.headers.get('x-ratelimit-reset-after'))).toBeGreaterThan(1.5);
    expect(first.headers.get('x-ratelimit-bucket')).toBeTruthy();
    await post({ content: 'two' });
    const third = await post({ content: 'three' });
    expect(third.status).toBe(429);
    expect(third.headers.get('retry-after')).toBe('2');
    expect(await third.json()).toMatchObject({ message: 'You are being rate limited.', global: false });
    expect(fake.violations).toHaveLength(1);
    expect(fake.messages(CHANNEL).map((m) => m.content)).toEqual(['one', 'two']);
  });

  it('refuses a message over 6000 characters across its embeds, naming the problem', async () => {
    const embed = {
      description: 'd'.repeat(4000),
      fields: [
        { name: 'n', value: 'v'.repeat(1024) },
        { name: 'm', value: 'w'.repeat(1000) },
      ],
    };
    const res = await post({ embeds: [embed] });
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toContain('Embed size exceeds maximum size of 6000');
    expect((await post({ embeds: [{ title: 't'.repeat(257) }] })).status).toBe(400);
    expect(fake.messages(CHANNEL)).toEqual([]);
  });

  it('answers a repeated nonce with enforce_nonce with the first message', async () => {
    const a = (await (await post({ content: 'x', nonce: 'n1', enforce_nonce: true })).json()) as { id: string };
    const b = (await (await post({ content: 'x', nonce: 'n1', enforce_nonce: true })).json()) as { id: string };
    expect(b.id).toBe(a.id);
    expect(fake.messages(CHANNEL)).toHaveLength(1);
  });

  it('hang with process creates the message and never answers; the same nonce sent again gets that message', async () => {
    fake.faults.hang('POST /channels/:channel/messages', { times: 1, process: true });
    const body = { content: 'x', nonce: 'n2', enforce_nonce: true };
    const lost = await post(body, 'tok', AbortSignal.timeout(300)).catch((e: Error) => e.name);
    expect(lost).toBe('TimeoutError');
    expect(fake.calls[0]?.fault).toBe('hang');
    expect(fake.calls[0]?.status).toBeUndefined();
    const again = (await (await post(body)).json()) as { id: string };
    expect(fake.messages(CHANNEL).map((m) => m.id)).toEqual([again.id]);
  });

  it('hangs on several routes at once: a message and the thread started from it', async () => {
    const first = (await (await post({ content: 'parent' })).json()) as { id: string };
    fake.faults.hang('POST /channels/:channel/messages', { times: 1, process: true });
    fake.faults.hang('POST /channels/:channel/messages/:message/threads', { times: 1, process: true });
    const lost = await post({ content: 'x' }, 'tok', AbortSignal.timeout(300)).catch((e: Error) => e.name);
    const thread = await fetch(`${fake.apiUrl}/v10/channels/${CHANNEL}/messages/${first.id}/threads`, {
      method: 'POST',
      headers: { authorization: 'Bot tok', 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'updates' }),
      signal: AbortSignal.timeout(300),
    }).catch((e: Error) => e.name);
    expect([lost, thread]).toEqual(['TimeoutError', 'TimeoutError']);
    expect(fake.messages(CHANNEL).map((m) => m.content)).toEqual(['parent', 'x']);
    expect(fake.threadsOf(CHANNEL)).toEqual([first.id]);
  });

  it('refuses a wrong bot token with 401', async () => {
    expect((await post({ content: 'x' }, 'wrong')).status).toBe(401);
  });
  it('pings whom Discord would: content only, and with allowed_mentions only what it allows', async () => {
    const roomy = await startFakeDiscord({
      channels: [CHANNEL],
      botToken: 'tok',
      bucket: { limit: 10, windowMs: 2000 },
    });
    const role = '100000000000000055';
    const user = '100000000000000066';
    const text = `<@&${role}> <@${user}> @everyone`;
    const send = (body: unknown) =>
      fetch(`${roomy.apiUrl}/v10/channels/${CHANNEL}/messages`, {
        method: 'POST',
        headers: { authorization: 'Bot tok', 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then((r) => r.status);
    try {
      expect(await send({ content: text })).toBe(200);
      expect(await send({ content: text, allowed_mentions: { parse: [] } })).toBe(200);
      expect(await send({ content: text, allowed_mentions: { parse: [], roles: [role] } })).toBe(200);
      expect(await send({ embeds: [{ description: text }] })).toBe(200);
      const pinged = roomy
        .messages(CHANNEL)
        .map((m) => [m.mention_roles, m.mentions.map((u) => u.id), m.mention_everyone]);
      expect(pinged).toEqual([
        [[role], [user], true],
        [[], [], false],
        [[role], [], false],
        [[], [], false],
      ]);
    } finally {
      await roomy.close();
    }
  });
});
