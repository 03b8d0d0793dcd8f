// The Slack fake must behave like Slack where the bot depends on it, or the adapter tests built on it prove nothing.
// These tests speak the wire format by hand, the way @slack/web-api does, so the fake is judged by the wire: form bodies
// with JSON-valued fields as JSON strings, and the token in `Authorization: Bearer`.
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeSlack, type StartFakeSlackOptions, startFakeSlack } from './slack-api.js';

const TOKEN = 'xoxb-test-token';
const open: FakeSlack[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((f) => f.close()));
});

async function fake(options: StartFakeSlackOptions = {}): Promise<FakeSlack> {
  const f = await startFakeSlack({ token: TOKEN, ...options });
  open.push(f);
  return f;
}

interface Answer {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests read Slack's loosely typed JSON answers
  body: any;
}

interface CallOptions {
  /** `null` sends no Authorization header. */
  token?: string | null;
  json?: boolean;
  signal?: AbortSignal;
}

/** Calls a method as @slack/web-api does: objects become JSON strings inside an urlencoded form. */
async function call(
  f: FakeSlack,
  method: string,
  args: Record<string, unknown> = {},
  options: CallOptions = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  const token = options.token === undefined ? TOKEN : options.token;
  if (token !== null) headers['authorization'] = `Bearer ${token}`;
  let body: string;
  if (options.json) {
    headers['content-type'] = 'application/json; charset=utf-8';
    body = JSON.stringify(args);
  } else {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    const form = new URLSearchParams();
    for (const [k, v] of Object.entries(args)) {
      if (v === undefined) continue;
      form.set(k, typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));
    }
    body = form.toString();
  }
  const init: RequestInit = { method: 'POST', headers, body };
  if (options.signal) init.signal = options.signal;
  const res = await fetch(`${f.apiUrl}${method}`, init);
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text.startsWith('{') ? JSON.parse(text) : text };
}

function section(text: string, blockId?: string): Record<string, unknown> {
  const block: Record<string, unknown> = { type: 'section', text: { type: 'mrkdwn', text } };
  if (blockId !== undefined) block['block_id'] = blockId;
  return block;
}

const META = { event_type: 'belvo_status_alert', event_payload: { alert_id: 'a-1', version: 3 } };

describe('fake Slack: auth', () => {
  it('answers auth.test with the bot identity', async () => {
    const f = await fake();
    const { status, body } = await call(f, 'auth.test');
    expect(status).toBe(200);
    expect(body).toMatchObject({ ok: true, team_id: f.identity.team_id, user_id: f.identity.user_id });
    expect(body.bot_id).toBe(f.identity.bot_id);
    expect(body.url).toMatch(/^https:\/\//);
  });

  it('refuses a wrong token with invalid_auth and a missing one with not_authed, as HTTP 200', async () => {
    const f = await fake();
    const wrong = await call(f, 'chat.postMessage', { channel: 'C0ALERTS', text: 'x' }, { token: 'xoxb-other' });
    expect(wrong.status).toBe(200);
    expect(wrong.body).toEqual({ ok: false, error: 'invalid_auth' });
    const missing = await call(f, 'chat.postMessage', { channel: 'C0ALERTS', text: 'x' }, { token: null });
    expect(missing.body).toEqual({ ok: false, error: 'not_authed' });
    expect(f.history('C0ALERTS')).toEqual([]);
    expect(f.calls.map((c) => c.error)).toEqual(['invalid_auth', 'not_authed']);
  });

  it('accepts any xox token when none was configured', async () => {
    const f = await startFakeSlack();
    open.push(f);
    expect((await call(f, 'auth.test', {}, { token: 'xoxb-anything' })).body.ok).toBe(true);
    expect((await call(f, 'auth.test', {}, { token: 'not-a-slack-token' })).body.error).toBe('invalid_auth');
  });

  it('answers missing_scope when the token lacks the scope a method needs', async () => {
    const f = await fake({ scopes: ['chat:write'] });
    const { body } = await call(f, 'conversations.history', { channel: 'C0ALERTS' });
    expect(body).toMatchObject({ ok: false, error: 'missing_scope', needed: 'channels:history' });
  });
});

describe('fake Slack: post, update, thread, history', () => {
  it('round-trips a message with blocks and metadata; history returns metadata only when asked', async () => {
    const f = await fake({ channels: ['#alerts'] });
    const id = f.channelId('alerts')!;
    expect(id).toMatch(/^C[A-Z0-9]+$/);

    const posted = await call(f, 'chat.postMessage', {
      channel: '#alerts',
      text: 'Belvo API degraded',
      blocks: [section('*Belvo API* degraded', 'summary')],
      metadata: META,
      unfurl_links: false,
    });
    expect(posted.status).toBe(200);
    expect(posted.headers.get('content-type')).toBe('application/json; charset=utf-8');
    // Slack answers with the channel ID even when the post named the channel.
    expect(posted.body).toMatchObject({ ok: true, channel: id, message: { text: 'Belvo API degraded' } });
    const ts: string = posted.body.ts;
    expect(ts).toMatch(/^\d{10}\.\d{6}$/);

    // The recorded body has the JSON fields decoded; form scalars stay strings.
    const [recorded] = f.posts('alerts');
    expect(recorded?.body['blocks']).toEqual([section('*Belvo API* degraded', 'summary')]);
    expect(recorded?.body['metadata']).toEqual(META);
    expect(recorded?.body['unfurl_links']).toBe('false');
    expect(recorded).toMatchObject({ channel: id, ts, status: 200, ok: true });

    const reply = await call(f, 'chat.postMessage', { channel: id, text: 'Update: investigating', thread_ts: ts });
    expect(reply.body.ok).toBe(true);
    expect(reply.body.message.thread_ts).toBe(ts);

    const updated = await call(f, 'chat.update', { channel: id, ts, text: 'Belvo API degraded (updated)' });
    expect(updated.body).toEqual(
      expect.objectContaining({ ok: true, channel: id, ts, text: 'Belvo API degraded (updated)' }),
    );
    expect(f.updates(id)).toHaveLength(1);

    const plain = await call(f, 'conversations.history', { channel: id });
    expect(plain.body.ok).toBe(true);
    expect(plain.body.has_more).toBe(false);
    expect(plain.body.messages).toHaveLength(1); // a thread reply is not in the channel's history
    const [top] = plain.body.messages;
    expect(top).toMatchObject({ ts, text: 'Belvo API degraded (updated)', reply_count: 1, thread_ts: ts });
    expect(top.edited?.ts).toMatch(/^\d{10}\.\d{6}$/);
    // An update without blocks or metadata keeps them, as Slack documents.
    expect(top.blocks).toEqual([section('*Belvo API* degraded', 'summary')]);
    expect(top).not.toHaveProperty('metadata');

    const withMeta = await call(f, 'conversations.history', { channel: id, include_all_metadata: true });
    expect(withMeta.body.messages[0].metadata).toEqual(META);

    const thread = await call(f, 'conversations.replies', { channel: id, ts });
    expect(thread.body.messages.map((m: { text: string }) => m.text)).toEqual([
      'Belvo API degraded (updated)',
      'Update: investigating',
    ]);
    expect(thread.body.messages[0]).not.toHaveProperty('metadata');

    expect(f.history('#alerts').map((m) => m.text)).toEqual(['Belvo API degraded (updated)']);
    expect(f.history(id)[0]?.metadata).toEqual(META);
    expect(f.replies(id, ts).map((m) => m.text)).toEqual(['Update: investigating']);
  });

  it('accepts JSON bodies, shows broadcast replies in the channel, and newest first', async () => {
    const f = await fake();
    const first = await call(f, 'chat.postMessage', { channel: 'C0OPS', text: 'one', metadata: META }, { json: true });
    const ts: string = first.body.ts;
    await call(
      f,
      'chat.postMessage',
      { channel: 'C0OPS', text: 'two', thread_ts: ts, reply_broadcast: true },
      { json: true },
    );
    await call(f, 'chat.postMessage', { channel: 'C0OPS', text: 'three', thread_ts: ts }, { json: true });
    const { body } = await call(
      f,
      'conversations.history',
      { channel: 'C0OPS', include_all_metadata: true },
      { json: true },
    );
    expect(body.messages.map((m: { text: string }) => m.text)).toEqual(['two', 'one']);
    expect(body.messages[0].subtype).toBe('thread_broadcast');
    expect(body.messages[1]).toMatchObject({ reply_count: 2, metadata: META });
    expect(f.calls[1]?.body['reply_broadcast']).toBe(true);
  });

  it('warns missing_charset for JSON without a charset, as Slack does', async () => {
    const f = await fake();
    const res = await fetch(`${f.apiUrl}auth.test`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(await res.json()).toMatchObject({ ok: true, warning: 'missing_charset' });
  });

  it('pages history with limit and cursor', async () => {
    const f = await fake();
    for (const text of ['a', 'b', 'c', 'd', 'e']) await call(f, 'chat.postMessage', { channel: 'C0OPS', text });
    const first = await call(f, 'conversations.history', { channel: 'C0OPS', limit: 2 });
    expect(first.body.messages.map((m: { text: string }) => m.text)).toEqual(['e', 'd']);
    expect(first.body.has_more).toBe(true);
    const cursor: string = first.body.response_metadata.next_cursor;
    const second = await call(f, 'conversations.history', { channel: 'C0OPS', limit: 10, cursor });
    expect(second.body.messages.map((m: { text: string }) => m.text)).toEqual(['c', 'b', 'a']);
    expect(second.body.has_more).toBe(false);
    const oldest: string = second.body.messages[1].ts; // 'b', exclusive
    const windowed = await call(f, 'conversations.history', { channel: 'C0OPS', oldest });
    expect(windowed.body.messages.map((m: { text: string }) => m.text)).toEqual(['e', 'd', 'c']);
  });

  it('hands out strictly increasing ts, also for concurrent posts', async () => {
    const f = await fake();
    const sequential: string[] = [];
    for (let i = 0; i < 20; i++) {
      sequential.push((await call(f, 'chat.postMessage', { channel: 'C0OPS', text: `s${i}` })).body.ts);
    }
    const concurrent = await Promise.all(
      Array.from({ length: 30 }, (_, i) => call(f, 'chat.postMessage', { channel: 'C0OPS', text: `c${i}` })),
    );
    const micros = (ts: string) => BigInt(ts.replace('.', ''));
    for (let i = 1; i < sequential.length; i++) {
      expect(micros(sequential[i]!) > micros(sequential[i - 1]!)).toBe(true);
    }
    // Concurrent posts: in the order the fake accepted them, every ts is greater than the one before.
    const inOrder = f.posts('C0OPS').map((c) => c.ts!);
    expect(inOrder).toHaveLength(50);
    for (let i = 1; i < inOrder.length; i++) expect(micros(inOrder[i]!) > micros(inOrder[i - 1]!)).toBe(true);
    expect(new Set(concurrent.map((a) => a.body.ts)).size).toBe(30);
    for (const ts of inOrder) expect(ts).toMatch(/^\d{10}\.\d{6}$/);
  });

  it('keeps ts strictly increasing when the clock stands still or steps back', async () => {
    let now = 1_700_000_000_000;
    const f = await fake({ now: () => now });
    const a = await call(f, 'chat.postMessage', { channel: 'C0OPS', text: 'a' });
    const b = await call(f, 'chat.postMessage', { channel: 'C0OPS', text: 'b' });
    now -= 5_000;
    const c = await call(f, 'chat.postMessage', { channel: 'C0OTHER', text: 'c' });
    expect([a.body.ts, b.body.ts, c.body.ts]).toEqual(['1700000000.000000', '1700000000.000001', '1700000000.000002']);
    now += 10_000;
    expect((await call(f, 'chat.postMessage', { channel: 'C0OPS', text: 'd' })).body.ts).toBe('1700000005.000000');
  });

  it('finds posts less than a second apart on one channel, top-level and thread alike', async () => {
    const f = await fake();
    const parent = await call(f, 'chat.postMessage', { channel: 'C0ONE', text: 'parent' });
    await call(f, 'chat.postMessage', { channel: 'C0ONE', text: 'reply', thread_ts: parent.body.ts });
    await call(f, 'chat.postMessage', { channel: '#two', text: 'elsewhere' });
    expect(f.postsWithinOneSecond('C0ONE')).toHaveLength(1);
    expect(f.postsWithinOneSecond('two')).toEqual([]);
    expect(f.postsWithinOneSecond()).toHaveLength(1);
    // Spread them out the way a pacing bot would.
    const [a, b] = f.calls;
    b!.at = a!.at + 1000;
    expect(f.postsWithinOneSecond('C0ONE')).toEqual([]);
  });
});

describe('fake Slack: errors the Slack way', () => {
  it('channel_not_found for an unknown channel, and for a name where an ID is required', async () => {
    const f = await fake({ channels: ['C0ALERTS', { id: 'C0OPS', name: 'ops' }] });
    const unknown = await call(f, 'chat.postMessage', { channel: '#random', text: 'x' });
    expect(unknown.status).toBe(200);
    expect(unknown.body).toEqual({ ok: false, error: 'channel_not_found' });
    const ok = await call(f, 'chat.postMessage', { channel: 'ops', text: 'x' });
    expect(ok.body.channel).toBe('C0OPS');
    const byName = await call(f, 'chat.update', { channel: '#ops', ts: ok.body.ts, text: 'y' });
    expect(byName.body.error).toBe('channel_not_found');
    const history = await call(f, 'conversations.history', { channel: 'ops' });
    expect(history.body.error).toBe('channel_not_found');
  });

  it('not_in_channel once the bot is kicked, until invited back', async () => {
    const f = await fake({ channels: ['C0ALERTS'] });
    const posted = await call(f, 'chat.postMessage', { channel: 'C0ALERTS', text: 'x' });
    f.kick('C0ALERTS');
    expect((await call(f, 'chat.postMessage', { channel: 'C0ALERTS', text: 'y' })).body.error).toBe('not_in_channel');
    const edit = await call(f, 'chat.update', { channel: 'C0ALERTS', ts: posted.body.ts, text: 'z' });
    expect(edit.body.error).toBe('not_in_channel');
    f.invite('C0ALERTS');
    expect((await call(f, 'chat.postMessage', { channel: 'C0ALERTS', text: 'y' })).body.ok).toBe(true);
    f.archive('C0ALERTS');
    expect((await call(f, 'chat.postMessage', { channel: 'C0ALERTS', text: 'w' })).body.error).toBe('is_archived');
  });

  it('message_not_found for an unknown ts and for a deleted message', async () => {
    const f = await fake();
    const unknown = await call(f, 'chat.update', { channel: 'C0OPS', ts: '1700000000.000100', text: 'x' });
    expect(unknown.body).toEqual({ ok: false, error: 'message_not_found' });
    const posted = await call(f, 'chat.postMessage', { channel: 'C0OPS', text: 'x' });
    const deleted = await call(f, 'chat.delete', { channel: 'C0OPS', ts: posted.body.ts });
    expect(deleted.body).toEqual({ ok: true, channel: 'C0OPS', ts: posted.body.ts });
    const edit = await call(f, 'chat.update', { channel: 'C0OPS', ts: posted.body.ts, text: 'y' });
    expect(edit.body.error).toBe('message_not_found');
    expect(f.history('C0OPS')).toEqual([]);
  });

  it('a reply to a parent a person deleted lands top-level; with replies left the parent is a tombstone', async () => {
    const f = await fake();
    const lonely = await call(f, 'chat.postMessage', { channel: 'C0OPS', text: 'lonely parent' });
    expect(f.deleteMessage('C0OPS', lonely.body.ts)).toBe(true);
    const orphan = await call(f, 'chat.postMessage', { channel: 'C0OPS', text: 'orphan', thread_ts: lonely.body.ts });
    expect(orphan.body.ok).toBe(true);
    expect(orphan.body.message).not.toHaveProperty('thread_ts');
    expect(f.posts('C0OPS').at(-1)?.threadTs).toBe(lonely.body.ts);
    expect((await call(f, 'conversations.replies', { channel: 'C0OPS', ts: lonely.body.ts })).body.error).toBe(
      'thread_not_found',
    );

    const parent = await call(f, 'chat.postMessage', { channel: 'C0OPS', text: 'parent' });
    await call(f, 'chat.postMessage', { channel: 'C0OPS', text: 'first reply', thread_ts: parent.body.ts });
    f.deleteMessage('C0OPS', parent.body.ts);
    const late = await call(f, 'chat.postMessage', { channel: 'C0OPS', text: 'late reply', thread_ts: parent.body.ts });
    expect(late.body.message.thread_ts).toBe(parent.body.ts);
    expect(f.history('C0OPS').map((m) => [m.text, m.subtype])).toEqual([
      ['orphan', undefined],
      ['This message was deleted.', 'tombstone'],
    ]);
    expect(f.replies('C0OPS', parent.body.ts).map((m) => m.text)).toEqual(['first reply', 'late reply']);
  });

  it('truncates text past 40,000 characters instead of failing', async () => {
    const f = await fake();
    const { body } = await call(f, 'chat.postMessage', { channel: 'C0OPS', text: 'x'.repeat(40_500) });
    expect(body.ok).toBe(true);
    expect(body.message.text).toHaveLength(40_000);
    expect(f.history('C0OPS')[0]?.text).toHaveLength(40_000);
    expect(f.calls[0]?.body['text']).toHaveLength(40_500); // the record keeps what was sent
  });

  it('invalid_blocks for more than 50 blocks or a section text over 3,000 characters', async () => {
    const f = await fake();
    const many = await call(f, 'chat.postMessage', {
      channel: 'C0OPS',
      text: 'x',
      blocks: Array.from({ length: 51 }, (_, i) => section(`b${i}`)),
    });
    expect(many.body).toMatchObject({ ok: false, error: 'invalid_blocks' });
    expect(many.body.response_metadata.messages).toEqual([
      '[ERROR] no more than 50 items allowed [json-pointer:/blocks]',
    ]);

    const fifty = await call(f, 'chat.postMessage', {
      channel: 'C0OPS',
      text: 'x',
      blocks: Array.from({ length: 50 }, (_, i) => section(`b${i}`)),
    });
    expect(fifty.body.ok).toBe(true);

    const long = await call(f, 'chat.postMessage', {
      channel: 'C0OPS',
      text: 'x',
      blocks: [section('ok'), section('y'.repeat(3_001))],
    });
    expect(long.body.error).toBe('invalid_blocks');
    expect(long.body.response_metadata.messages[0]).toContain('[json-pointer:/blocks/1/text/text]');
    const exact = await call(f, 'chat.postMessage', {
      channel: 'C0OPS',
      text: 'x',
      blocks: [section('y'.repeat(3_000))],
    });
    expect(exact.body.ok).toBe(true);

    const inAttachment = await call(f, 'chat.postMessage', {
      channel: 'C0OPS',
      text: 'x',
      attachments: [{ color: '#d00000', blocks: [section('z'.repeat(3_001))] }],
    });
    expect(inAttachment.body.error).toBe('invalid_blocks');

    const edit = await call(f, 'chat.update', {
      channel: 'C0OPS',
      ts: fifty.body.ts,
      text: 'x',
      blocks: [section('y'.repeat(3_001))],
    });
    expect(edit.body.error).toBe('invalid_blocks');

    const garbled = await fetch(`${f.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ channel: 'C0OPS', text: 'x', blocks: '[{not json' }).toString(),
    });
    expect(((await garbled.json()) as { error?: string }).error).toBe('invalid_blocks_format');
    expect(f.history('C0OPS')).toHaveLength(2);
  });

  it('no_text without text, blocks or attachments; blocks alone are enough', async () => {
    const f = await fake();
    expect((await call(f, 'chat.postMessage', { channel: 'C0OPS' })).body.error).toBe('no_text');
    expect((await call(f, 'chat.postMessage', { channel: 'C0OPS', text: '' })).body.error).toBe('no_text');
    expect((await call(f, 'chat.postMessage', { channel: 'C0OPS', blocks: [section('hi')] })).body.ok).toBe(true);
    const colored = await call(f, 'chat.postMessage', {
      channel: 'C0OPS',
      attachments: [{ color: 'good', text: 'a' }],
    });
    expect(colored.body.ok).toBe(true);
  });

  it('rejects malformed metadata', async () => {
    const f = await fake();
    const noType = await call(f, 'chat.postMessage', { channel: 'C0OPS', text: 'x', metadata: { event_payload: {} } });
    expect(noType.body.error).toBe('invalid_metadata_schema');
  });

  it('unknown_method for a method the fake does not serve', async () => {
    const f = await fake();
    expect((await call(f, 'chat.meMessage', { channel: 'C0OPS', text: 'x' })).body).toMatchObject({
      ok: false,
      error: 'unknown_method',
    });
  });
});

describe('fake Slack: faults', () => {
  async function statuses(f: FakeSlack, n: number): Promise<Answer[]> {
    const out: Answer[] = [];
    for (let i = 0; i < n; i++) out.push(await call(f, 'chat.postMessage', { channel: 'C0OPS', text: `m${i}` }));
    return out;
  }

  it('rate-limits a seeded share of requests with 429 and Retry-After, the same way for the same seed', async () => {
    const f = await fake({ seed: 42 });
    f.faults.rateLimit({ ratio: 0.3, retryAfter: 7, methods: 'chat.postMessage' });
    const answers = await statuses(f, 200);
    const limited = answers.filter((a) => a.status === 429);
    expect(limited.length).toBeGreaterThan(40);
    expect(limited.length).toBeLessThan(80);
    for (const a of limited) {
      expect(a.headers.get('retry-after')).toBe('7');
      expect(a.body).toEqual({ ok: false, error: 'ratelimited' });
    }
    // A rate-limited post is not posted, and other methods are untouched.
    expect(f.history('C0OPS')).toHaveLength(200 - limited.length);
    expect(f.posts('C0OPS')).toHaveLength(200 - limited.length);
    expect(f.calls.filter((c) => c.fault === 'ratelimit' && c.error === 'ratelimited')).toHaveLength(limited.length);
    expect((await call(f, 'auth.test')).status).toBe(200);

    const again = await fake({ seed: 42 });
    again.faults.rateLimit({ ratio: 0.3, retryAfter: 7, methods: 'chat.postMessage' });
    const replay = await statuses(again, 200);
    expect(replay.map((a) => a.status)).toEqual(answers.map((a) => a.status));

    f.faults.clear();
    expect((await call(f, 'chat.postMessage', { channel: 'C0OPS', text: 'after' })).status).toBe(200);
  });

  it('answers 5xx for server errors and one-shot answers in order, then recovers', async () => {
    const f = await fake();
    const fault = f.faults.serverError({ status: 503, methods: ['chat.postMessage'] });
    const down = await call(f, 'chat.postMessage', { channel: 'C0OPS', text: 'x' });
    expect(down.status).toBe(503);
    expect((await call(f, 'auth.test')).status).toBe(200);
    expect(fault.hits).toBe(1);
    fault.remove();

    f.faults.once('chat.postMessage', { body: { ok: false, error: 'msg_too_long' } });
    f.faults.once('chat.postMessage', { status: 429 });
    const first = await call(f, 'chat.postMessage', { channel: 'C0OPS', text: 'x' });
    expect(first).toMatchObject({ status: 200, body: { ok: false, error: 'msg_too_long' } });
    const second = await call(f, 'chat.postMessage', { channel: 'C0OPS', text: 'x' });
    expect(second.status).toBe(429);
    expect(second.headers.get('retry-after')).toBe('1');
    expect((await call(f, 'chat.postMessage', { channel: 'C0OPS', text: 'x' })).body.ok).toBe(true);
    expect(f.history('C0OPS')).toHaveLength(1);
  });

  it('with process: true the message is posted although the client sees the failure', async () => {
    const f = await fake();
    f.faults.once('chat.postMessage', { status: 500, process: true });
    const answer = await call(f, 'chat.postMessage', { channel: 'C0OPS', text: 'x', metadata: META });
    expect(answer.status).toBe(500);
    expect(f.history('C0OPS')).toHaveLength(1);
    expect(f.calls[0]).toMatchObject({ status: 500, ok: true, fault: 'once' });
    const { body } = await call(f, 'conversations.history', { channel: 'C0OPS', include_all_metadata: true });
    expect(body.messages[0].metadata).toEqual(META);
  });

  it('a hung request is cut by the client timeout, and close() still returns promptly', async () => {
    const f = await startFakeSlack({ token: TOKEN });
    f.faults.hang('chat.postMessage', { process: true });
    const started = Date.now();
    await expect(
      call(f, 'chat.postMessage', { channel: 'C0OPS', text: 'x' }, { signal: AbortSignal.timeout(200) }),
    ).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(f.calls[0]).toMatchObject({ status: undefined, fault: 'hang', ok: true });
    expect(f.history('C0OPS')).toHaveLength(1); // posted, but the bot never got the ts

    // A second hung request still open when the test ends: close() must destroy it, not wait for it.
    const pending = call(f, 'chat.postMessage', { channel: 'C0OPS', text: 'y' }).catch((e: unknown) => e);
    while (f.calls.length < 2) await new Promise((r) => setTimeout(r, 5));
    const closing = Date.now();
    await f.close();
    expect(Date.now() - closing).toBeLessThan(1_000);
    expect(await pending).toBeInstanceOf(Error);
  });
});
