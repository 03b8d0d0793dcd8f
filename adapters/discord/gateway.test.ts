// The gateway connection alone (discord.js against the fake gateway and REST, in this process): replicas sharing the
// store answer each interaction once, a refused token stops without hammering, and a Discord that cannot be reached
// at start is tried again until it can.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { type Logger, silentLogger } from '../../src/ports/logger.js';
import { inMemorySeenRequests, type SeenRequests } from '../../src/ports/seen-requests.js';
import { type FakeDiscord, startFakeDiscord } from '../../test/fakes/discord-api.js';
import { startFakeDiscordGateway } from '../../test/fakes/discord-gateway.js';
import { files, importsOf } from '../../test/support/imports.js';
import { DiscordClient } from './client.js';
import { type DiscordGateway, startDiscordGateway } from './gateway.js';
import { createInteractionHandler } from './interactions.js';

const TOKEN = 'unit-gateway-bot-token-0123456789';

interface Logged {
  level: string;
  msg?: string;
  [k: string]: unknown;
}

function recordingLogger(lines: Logged[]): Logger {
  const at =
    (level: string) =>
    (obj: object, msg?: string): void => {
      lines.push({ ...obj, level, ...(msg !== undefined && { msg }) });
    };
  const logger: Logger = {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: () => logger,
  };
  return logger;
}

async function until(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The endpoint's handler, with a command runner that always has the same quick answer. */
const handle = createInteractionHandler({
  applicationId: '900000000000000002',
  client: new DiscordClient({ apiUrl: 'http://127.0.0.1:9/api' }),
  logger: silentLogger,
  run: async () => ({ visibility: 'ephemeral', title: 'Belvo status: all clear', sections: [] }),
});

function interaction(id: string, discord: FakeDiscord) {
  return {
    id,
    application_id: discord.applicationId,
    type: 2,
    token: `token-${id}`,
    version: 1,
    guild_id: discord.guildId,
    channel: { id: '410000000000000021', type: 0, guild_id: discord.guildId, name: 'oncall' },
    channel_id: '410000000000000021',
    member: { user: { id: '420000000000000021', username: 'ana', discriminator: '0', avatar: null }, roles: [] },
    app_permissions: '0',
    locale: 'en-US',
    entitlements: [],
    authorizing_integration_owners: { '0': discord.guildId },
    context: 0,
    data: { id: '1', name: 'belvo-status', type: 1, options: [{ name: 'status', type: 1, options: [] }] },
  };
}

describe('Discord gateway connection', () => {
  const open: { close(): Promise<void> }[] = [];
  const gateways: DiscordGateway[] = [];
  afterEach(async () => {
    for (const g of gateways.splice(0)) await g.stop();
    for (const s of open.splice(0).reverse()) await s.close();
  });

  async function replica(seen: SeenRequests, token = TOKEN) {
    const discord = await startFakeDiscord({ botToken: TOKEN });
    const gateway = await startFakeDiscordGateway({ discord });
    open.push(discord, gateway);
    const logs: Logged[] = [];
    const connection = await startDiscordGateway({
      token,
      apiUrl: discord.apiUrl,
      timeoutMs: 2000,
      handle,
      callbacks: new DiscordClient({ apiUrl: discord.apiUrl, timeoutMs: 2000 }),
      logger: recordingLogger(logs),
      seen,
    });
    gateways.push(connection);
    return { discord, gateway, connection, logs };
  }

  it('two replicas sharing the store: an interaction sent to both sessions is answered once', async () => {
    const seen = inMemorySeenRequests();
    const a = await replica(seen);
    const b = await replica(seen);
    await until(() => a.connection.state() === 'connected' && b.connection.state() === 'connected', 'both connected');

    for (const id of ['800000000000000001', '800000000000000002', '800000000000000003']) {
      a.gateway.interaction(interaction(id, a.discord));
      b.gateway.interaction(interaction(id, b.discord));
    }
    const answered = () => [...a.discord.interactionCallbacks, ...b.discord.interactionCallbacks].map((c) => c.id);
    await until(() => answered().length >= 3, 'three answers');
    // Give a second answer the time it would need to show up (a round trip here takes milliseconds).
    await new Promise((r) => setTimeout(r, 300));
    expect(answered().sort()).toEqual(['800000000000000001', '800000000000000002', '800000000000000003']);
    expect([...a.logs, ...b.logs].filter((l) => l.level === 'error')).toEqual([]);
  });

  it('an interaction it cannot read is logged and left unanswered; the connection keeps working', async () => {
    const r = await replica(inMemorySeenRequests());
    await until(() => r.connection.state() === 'connected', 'connected');
    // No member, no user, no entitlements: nothing to say who asked or where.
    r.gateway.interaction({ id: '800000000000000009', type: 2, token: 't', data: { name: 'belvo-status', type: 1 } });
    r.gateway.interaction(interaction('800000000000000010', r.discord));
    await until(() => r.discord.interactionCallbacks.length === 1, 'the good one answered');
    expect(r.discord.interactionCallbacks[0]?.id).toBe('800000000000000010');
    expect(r.logs.filter((l) => l.level === 'warn').map((l) => l.msg)).toEqual([
      'a Discord interaction from the gateway was not understood',
    ]);
  });

  it('a slow command: "thinking" through the callback at once, the answer edited in with the interaction token', async () => {
    const discord = await startFakeDiscord({ botToken: TOKEN });
    const gateway = await startFakeDiscordGateway({ discord });
    open.push(discord, gateway);
    const callbacks = new DiscordClient({ apiUrl: discord.apiUrl, timeoutMs: 2000 });
    const connection = await startDiscordGateway({
      token: TOKEN,
      apiUrl: discord.apiUrl,
      timeoutMs: 2000,
      handle: createInteractionHandler({
        applicationId: discord.applicationId,
        client: callbacks,
        logger: silentLogger,
        followUpAfterMs: 20,
        run: async () => {
          await new Promise((r) => setTimeout(r, 300));
          return { visibility: 'ephemeral', title: 'The last incident', sections: [] };
        },
      }),
      callbacks,
      logger: silentLogger,
    });
    gateways.push(connection);
    await until(() => connection.state() === 'connected', 'connected');
    gateway.interaction(interaction('800000000000000012', discord));
    await until(() => discord.interactionMessages.length === 1, 'the answer edited in');
    expect(discord.interactionCallbacks.map((c) => c.body)).toEqual([{ type: 5, data: { flags: 64 } }]);
    expect(discord.interactionMessages[0]).toMatchObject({
      token: 'token-800000000000000012',
      kind: 'original',
      body: { embeds: [{ title: 'The last incident' }] },
    });
  });

  it('an answer later than Discord allows is refused by Discord and logged as too late, not as a failure', async () => {
    const discord = await startFakeDiscord({ botToken: TOKEN, interactionWindowMs: 50 });
    const gateway = await startFakeDiscordGateway({ discord });
    open.push(discord, gateway);
    const logs: Logged[] = [];
    const connection = await startDiscordGateway({
      token: TOKEN,
      apiUrl: discord.apiUrl,
      timeoutMs: 2000,
      // A command that takes longer than the window (the handler's own deferral is what normally prevents this).
      handle: async (i) => {
        await new Promise((r) => setTimeout(r, 200));
        return handle(i);
      },
      callbacks: new DiscordClient({ apiUrl: discord.apiUrl, timeoutMs: 2000 }),
      logger: recordingLogger(logs),
    });
    gateways.push(connection);
    await until(() => connection.state() === 'connected', 'connected');
    gateway.interaction(interaction('800000000000000011', discord));
    await until(() => logs.some((l) => l.level === 'warn'), 'the warning');
    expect(discord.callsTo('POST /interactions/:interaction/:token/callback').map((c) => c.status)).toEqual([404]);
    expect(logs.filter((l) => l.level === 'warn' || l.level === 'error').map((l) => l.msg)).toEqual([
      'a Discord interaction came too late to be answered (Discord allows 3 s)',
    ]);
    expect(discord.interactionCallbacks).toEqual([]);
  });

  it('closed by Discord for good (an intent refused): an error naming the cause, and no attempt after', async () => {
    const discord = await startFakeDiscord({ botToken: TOKEN });
    const gateway = await startFakeDiscordGateway({
      discord,
      refuseIdentify: { code: 4014, reason: 'Disallowed intent(s).' },
    });
    open.push(discord, gateway);
    const logs: Logged[] = [];
    const connection = await startDiscordGateway({
      token: TOKEN,
      apiUrl: discord.apiUrl,
      timeoutMs: 2000,
      handle,
      callbacks: new DiscordClient({ apiUrl: discord.apiUrl, timeoutMs: 2000 }),
      logger: recordingLogger(logs),
      retryAfterMs: 10,
    });
    gateways.push(connection);
    await until(() => logs.some((l) => l.level === 'error'), 'the error');
    expect(connection.state()).toBe('closed');
    expect(logs.filter((l) => l.level === 'error')).toEqual([
      expect.objectContaining({
        code: 4014,
        reason: 'a disallowed intent (only Guilds is asked for; check the Bot page of the application)',
        msg: 'Discord gateway closed and will not reconnect: /belvo-status is not received until the bot restarts',
      }),
    ]);
    // Tried again it would be within 10 ms: a moment later there is still the one connection.
    await new Promise((r) => setTimeout(r, 300));
    expect(gateway.connections).toHaveLength(1);
    expect(connection.state()).toBe('closed');
  });

  it('a refused bot token: one GET /gateway/bot, no IDENTIFY, an error that says what to fix, no token', async () => {
    const r = await replica(inMemorySeenRequests(), 'not-the-bot-token-0000');
    await until(() => r.connection.state() === 'closed', 'the connection given up');
    expect(r.discord.callsTo('GET /gateway/bot').map((c) => c.status)).toEqual([401]);
    expect(r.gateway.connections).toHaveLength(0);
    expect(r.logs.filter((l) => l.level === 'error').map((l) => l.msg)).toEqual([
      'Discord refused the bot token (discord.botToken): the gateway is not connected, /belvo-status is not received',
    ]);
    expect(JSON.stringify(r.logs)).not.toContain('not-the-bot-token');
  });

  it('Discord out of reach at start: logged, tried again, connected once it answers', async () => {
    const discord = await startFakeDiscord({ botToken: TOKEN });
    open.push(discord);
    const logs: Logged[] = [];
    const connection = await startDiscordGateway({
      token: TOKEN,
      apiUrl: discord.apiUrl,
      timeoutMs: 2000,
      handle,
      callbacks: new DiscordClient({ apiUrl: discord.apiUrl, timeoutMs: 2000 }),
      logger: recordingLogger(logs),
      retryAfterMs: 50,
    });
    gateways.push(connection);
    // No gateway yet: GET /gateway/bot answers 503.
    const failures = () => logs.filter((l) => l.msg === 'Discord gateway could not connect; trying again');
    await until(() => failures().length >= 2, 'two failed attempts');
    expect(connection.state()).toBe('reconnecting');
    expect(failures()[0]).toMatchObject({ level: 'warn', retryInMs: 50 });

    const gateway = await startFakeDiscordGateway({ discord });
    open.push(gateway);
    await until(() => connection.state() === 'connected', 'connected');
    expect(gateway.sent(2)).toHaveLength(1);
    expect(logs.filter((l) => l.msg === 'Discord gateway connected')).toHaveLength(1);
  });

  it('discord.js is loaded only when the gateway is configured: one dynamic import, here', () => {
    const users = ['src', 'adapters', 'simulators']
      .flatMap(files)
      .filter((f) => !f.endsWith('.test.ts'))
      .flatMap((f) => importsOf(f, readFileSync(f, 'utf8')))
      .filter((i) => i.specifier === 'discord.js' && !i.typeOnly)
      .map((i) => i.file);
    expect(users).toEqual(['adapters/discord/gateway.ts']);
    const text = readFileSync('adapters/discord/gateway.ts', 'utf8');
    expect(text).toMatch(/await import\(\s*'discord\.js'\s*\)/);
    expect(text).not.toMatch(/from 'discord\.js'/);
  });
});
