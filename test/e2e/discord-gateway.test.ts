// Discord without a public URL: the real program opens the gateway (a fake on 127.0.0.1, found through the fake
// REST's GET /gateway/bot), identifies with the Guilds intent alone, and answers /belvo-status and the alert buttons
// it receives as INTERACTION_CREATE through the interaction callback, exactly as the Interactions Endpoint answers
// them. When the connection drops, it resumes the same session and gets what it missed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeDiscord, startFakeDiscord } from '../fakes/discord-api.js';
import { type FakeDiscordGateway, startFakeDiscordGateway } from '../fakes/discord-gateway.js';
import { SimulatedPage, type SimulatedStatusPageServer, startSimulatedStatusPage } from '../fakes/statuspage.js';
import { createInteractionSigner } from '../support/signers.js';
import { BotProcess, until } from './bot-process.js';

const POLL_MS = 150;
const CHANNEL = '410000000000000011';
const BOT_TOKEN = 'e2e-discord-bot-token-gateway-0123';
const signer = createInteractionSigner();

interface Answer {
  type: number;
  data?: { flags?: number; embeds?: { title?: string; description?: string }[] };
}

describe('/belvo-status over the Discord gateway', () => {
  let page: SimulatedPage;
  let statuspage: SimulatedStatusPageServer;
  let discord: FakeDiscord;
  let gateway: FakeDiscordGateway;
  let bot: BotProcess;
  let base: string;

  beforeAll(async () => {
    page = new SimulatedPage({ id: 'discordgw001', name: 'Belvo API' });
    page.addComponent({ name: 'API' });
    statuspage = await startSimulatedStatusPage({ page });
    // Discord allows 3 s to answer; a machine busy with other tests may need more to start answering at all.
    discord = await startFakeDiscord({ channels: [CHANNEL], botToken: BOT_TOKEN, interactionWindowMs: 60_000 });
    gateway = await startFakeDiscordGateway({ discord, heartbeatIntervalMs: 1000 });
    // The public key too, so the same command can be sent both ways and the answers compared.
    bot = new BotProcess(
      (dir) => `
server: { host: 127.0.0.1, port: 0 }
storage: { path: ${dir}/state.db }
sources:
  - { id: api, type: statuspage, name: Belvo API, url: "${statuspage.url}", interval: ${POLL_MS}ms, jitter: 0 }
discord:
  botToken: { secretEnv: DISCORD_BOT_TOKEN }
  applicationId: "${discord.applicationId}"
  publicKey: ${signer.publicKeyHex}
  gateway: true
  apiUrl: "${discord.apiUrl}"
  timeout: 2s
`,
    );
    bot.start({ DISCORD_BOT_TOKEN: BOT_TOKEN });
    const started = await bot.waitForLog('belvo-status-bot started');
    base = `http://127.0.0.1:${started.port as number}`;
    await bot.waitForLog('Discord gateway connected');
  });

  afterAll(async () => {
    await bot?.dispose();
    await gateway?.close();
    await statuspage?.close();
    await discord?.close();
  });

  let seq = 0;
  const channel = { id: CHANNEL, type: 0, guild_id: '', name: 'oncall' };

  /** An interaction as Discord sends it, over the gateway or to the endpoint. */
  function interaction(type: 2 | 3, data: Record<string, unknown>, user: Record<string, unknown>, extra = {}) {
    seq++;
    return {
      id: `7000000000000${String(seq).padStart(5, '0')}`,
      application_id: discord.applicationId,
      type,
      token: `gateway-interaction-token-${seq}`,
      version: 1,
      guild_id: discord.guildId,
      channel: { ...channel, guild_id: discord.guildId },
      channel_id: CHANNEL,
      member: { user, nick: null, roles: [], permissions: '2248473465835073', joined_at: new Date(0).toISOString() },
      app_permissions: '2248473465835073',
      locale: 'en-US',
      guild_locale: 'en-US',
      entitlements: [],
      authorizing_integration_owners: { '0': discord.guildId },
      context: 0,
      attachment_size_limit: 10_485_760,
      data,
      ...extra,
    };
  }

  const ana = { id: '420000000000000011', username: 'ana', global_name: 'Ana', discriminator: '0', avatar: null };
  const bob = { id: '420000000000000012', username: 'bob', global_name: null, discriminator: '0', avatar: null };

  function command(sub: string, args?: string) {
    const options = args === undefined ? [] : [{ name: 'args', type: 3, value: args }];
    return interaction(2, { id: '1', name: 'belvo-status', type: 1, options: [{ name: sub, type: 1, options }] }, ana);
  }

  function click(customId: string, message: unknown) {
    return interaction(3, { custom_id: customId, component_type: 2 }, bob, { message });
  }

  /** Dispatches the interaction on the gateway and waits for the bot's answer to its callback. */
  async function overGateway(i: { id: string; token: string }): Promise<Answer> {
    gateway.interaction(i);
    await until(
      () => discord.interactionCallbacks.some((c) => c.id === i.id),
      15_000,
      `the answer to interaction ${i.id}`,
      () => bot.stderrTail().join('\n'),
    );
    const callback = discord.interactionCallbacks.find((c) => c.id === i.id);
    expect(callback?.token).toBe(i.token);
    return callback?.body as unknown as Answer;
  }

  async function overEndpoint(i: unknown): Promise<Answer> {
    const body = JSON.stringify(i);
    const res = await fetch(`${base}/discord/interactions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signer.headers(body) },
      body,
    });
    expect(res.status).toBe(200);
    return (await res.json()) as Answer;
  }

  const lastResumeSession = () => (gateway.sent(6).at(-1)?.d as { session_id?: string } | undefined)?.session_id;
  const titleOf = (a: Answer) => a.data?.embeds?.[0]?.title ?? '';

  it('identifies once with the Guilds intent alone, shows online, and heartbeats', async () => {
    expect(discord.callsTo('GET /gateway/bot').map((c) => c.status)).toEqual([200]);
    expect(gateway.connections[0]?.query).toBe('v=10&encoding=json');
    const identify = gateway.sent(2);
    expect(identify).toHaveLength(1);
    expect(identify[0]?.tokenOk).toBe(true);
    const d = identify[0]?.d as { intents: number; presence: { status: string }; shard: number[] };
    expect(d.intents).toBe(1);
    expect(d.presence.status).toBe('online');
    expect(d.shard).toEqual([0, 1]);
    // /readyz shows the connection (ready or not does not depend on it).
    const readyz = (await (await fetch(`${base}/readyz`)).json()) as { status: string; connections?: unknown };
    expect(readyz).toMatchObject({ status: 'ready', connections: { 'discord-gateway': 'connected' } });
    // A heartbeat within a second or so (the first waits a random part of the interval), each answered with an ACK.
    await until(() => gateway.sent(1).length >= 2, 15_000, 'two heartbeats');
    expect(bot.running?.proc.exitCode).toBeNull();
  });

  it('/belvo-status status over the gateway gets the same answer as over the Interactions Endpoint', async () => {
    const viaGateway = await overGateway(command('status'));
    const viaEndpoint = await overEndpoint(command('status'));
    expect(viaGateway).toEqual(viaEndpoint);
    expect(viaGateway.type).toBe(4);
    expect(viaGateway.data?.flags).toBe(64);
    expect(titleOf(viaGateway)).toBe('Belvo status: all clear');
  });

  it('subscribes a channel from the gateway; the alert there is acknowledged with its button over the gateway', async () => {
    const sub = await overGateway(command('subscribe', 'min:major'));
    expect(titleOf(sub)).toMatch(/^Subscribed: this channel will receive /);

    page.openIncident({ name: 'Link creation failing', impact: 'major', body: 'Investigating.' });
    await until(() => discord.messages(CHANNEL).length === 1, 15_000, 'the alert in the subscribed channel');
    const parent = discord.messages(CHANNEL)[0];
    const rows = (parent?.components ?? []) as { components: { custom_id?: string }[] }[];
    const ack = rows[0]?.components[0]?.custom_id ?? '';
    expect(ack).toMatch(/^belvo_status_ack:A\d+$/);

    const { editCount: _, ...message } = parent as NonNullable<typeof parent>;
    const answer = await overGateway(
      click(ack, { ...message, mentions: [], attachments: [], pinned: false, tts: false }),
    );
    expect(answer.type).toBe(4);
    expect(answer.data?.flags).toBe(64);
    expect(titleOf(answer)).toMatch(/^Acknowledged \[A\d+\] /);
    await until(
      () => /acknowledged by bob/.test(discord.messages(CHANNEL)[0]?.embeds[0]?.description ?? ''),
      15_000,
      'the alert message edited',
    );
  });

  it('resumes the same session after the connection drops, gets what it missed, and keeps answering', async () => {
    const beforeDrop = gateway.sent(1).at(-1)?.d;
    gateway.drop();
    // Sent while the bot is away: Discord replays it on RESUME.
    const missed = command('subscriptions');
    gateway.interaction(missed);

    await until(
      () => gateway.sent(6).length === 1,
      30_000,
      'a RESUME',
      () => bot.stderrTail().join('\n'),
    );
    const resume = gateway.sent(6)[0];
    expect(resume?.tokenOk).toBe(true);
    const d = resume?.d as { session_id: string; seq: number };
    expect(d.session_id).toBe(gateway.sessionId);
    // The sequence it had seen: at least what its last heartbeat said, before the missed event.
    expect(d.seq).toBeGreaterThanOrEqual(Number(beforeDrop));
    expect(gateway.connections.at(-1)?.path).toBe('/resume');
    // No new IDENTIFY: the session went on.
    expect(gateway.sent(2)).toHaveLength(1);
    await bot.waitForLog('Discord gateway resumed', 15_000);

    await until(() => discord.interactionCallbacks.some((c) => c.id === missed.id), 15_000, 'the missed command');
    const replayed = discord.interactionCallbacks.find((c) => c.id === missed.id)?.body as unknown as Answer;
    expect(titleOf(replayed)).toBe("This channel's subscriptions (1)");

    const later = await overGateway(command('status'));
    expect(titleOf(later)).toBe('Belvo status: 1 open alert, worst major');
    expect(later.data?.embeds?.[0]?.description).toContain('Link creation failing');
  });

  it('told to reconnect, it resumes; when Discord has forgotten the session, it identifies again', async () => {
    const resumes = gateway.sent(6).length;
    gateway.askToReconnect();
    await until(() => gateway.sent(6).length === resumes + 1, 30_000, 'a RESUME after op 7');
    expect(lastResumeSession()).toBe(gateway.sessionId);
    expect(titleOf(await overGateway(command('help')))).toMatch(/^\/belvo-status: /);

    const old = gateway.sessionId;
    gateway.forgetSession();
    gateway.drop();
    await until(
      () => gateway.sent(2).length === 2,
      30_000,
      'a second IDENTIFY',
      () => bot.stderrTail().join('\n'),
    );
    expect(lastResumeSession()).toBe(old);
    // A new session starts from the gateway URL that GET /gateway/bot gave, not the old session's resume URL.
    expect(gateway.connections.at(-1)?.path).toBe('/');
    expect((gateway.sent(2).at(-1)?.d as { intents?: number } | undefined)?.intents).toBe(1);
    await until(
      () => bot.logs.some((l) => l.msg === 'Discord gateway connected' && l.newSession === true),
      15_000,
      'the new session logged',
    );
    expect(titleOf(await overGateway(command('status')))).toBe('Belvo status: 1 open alert, worst major');
  });

  it('logs its connection without the bot token; the drops are the only thing it warned about', () => {
    const warnings = new Set(bot.logs.filter((l) => Number(l.level) >= 40).map((l) => l.msg));
    expect([...warnings]).toEqual(['Discord gateway connection lost; resuming']);
    const messages = bot.logs.map((l) => l.msg);
    expect(messages).toEqual(expect.arrayContaining(['Discord gateway connected', 'Discord gateway resumed']));
    expect(bot.logs.find((l) => l.msg === 'Discord gateway connected')).toMatchObject({ bot: 'belvo-status' });
    expect(JSON.stringify(bot.logs)).not.toContain(BOT_TOKEN);
    expect(bot.running?.stderr.join('\n')).not.toContain(BOT_TOKEN);
  });
});
