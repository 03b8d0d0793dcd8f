// /belvo-status and the alert buttons in Discord, end to end: signed interactions (a test key pair) to the real
// program's /discord/interactions, answers as Discord shows them, and what they change (a channel subscribed, an
// alert acknowledged). Then `belvo-status register-commands` against the same fake Discord.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeDiscord, startFakeDiscord } from '../fakes/discord-api.js';
import { SimulatedPage, type SimulatedStatusPageServer, startSimulatedStatusPage } from '../fakes/statuspage.js';
import { createInteractionSigner } from '../support/signers.js';
import { BotProcess, runCli, sleep, until } from './bot-process.js';

const POLL_MS = 150;
const CHANNEL = '410000000000000001';
const BOT_TOKEN = 'e2e-discord-bot-token-commands-0123';
const signer = createInteractionSigner();

interface Answer {
  type: number;
  data?: { flags?: number; embeds?: { title?: string; description?: string }[] };
}

describe('/belvo-status in Discord', () => {
  let page: SimulatedPage;
  let statuspage: SimulatedStatusPageServer;
  let discord: FakeDiscord;
  let bot: BotProcess;
  let base: string;

  beforeAll(async () => {
    page = new SimulatedPage({ id: 'discordcmd01', name: 'Belvo API' });
    page.addComponent({ name: 'API' });
    statuspage = await startSimulatedStatusPage({ page });
    discord = await startFakeDiscord({ channels: [CHANNEL], botToken: BOT_TOKEN });
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
  apiUrl: "${discord.apiUrl}"
  timeout: 2s
`,
    );
    bot.start({ DISCORD_BOT_TOKEN: BOT_TOKEN });
    const started = await bot.waitForLog('belvo-status-bot started');
    base = `http://127.0.0.1:${started.port as number}`;
    await sleep(POLL_MS * 3);
  });

  afterAll(async () => {
    await bot?.dispose();
    await statuspage?.close();
    await discord?.close();
  });

  let seq = 0;
  const user = { id: '420000000000000001', username: 'ana', global_name: 'Ana' };

  function command(sub: string, args?: string, isPublic?: boolean) {
    const options = [
      ...(args !== undefined ? [{ name: 'args', type: 3, value: args }] : []),
      ...(isPublic ? [{ name: 'public', type: 5, value: true }] : []),
    ];
    return JSON.stringify({
      id: String(500000000000000000 + ++seq),
      application_id: discord.applicationId,
      type: 2,
      token: `interaction-token-${seq}`,
      version: 1,
      guild_id: discord.guildId,
      channel_id: CHANNEL,
      member: { user, nick: null, roles: [] },
      data: { id: '1', name: 'belvo-status', type: 1, options: [{ name: sub, type: 1, options }] },
    });
  }

  function click(customId: string) {
    return JSON.stringify({
      id: String(600000000000000000 + ++seq),
      application_id: discord.applicationId,
      type: 3,
      token: `interaction-token-${seq}`,
      version: 1,
      guild_id: discord.guildId,
      channel_id: CHANNEL,
      member: { user: { id: '420000000000000002', username: 'bob', global_name: null }, nick: null, roles: [] },
      message: { id: '1' },
      data: { custom_id: customId, component_type: 2 },
    });
  }

  function send(body: string, headers: Record<string, string> = signer.headers(body)) {
    return fetch(`${base}/discord/interactions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
  }

  async function answer(body: string): Promise<Answer> {
    const res = await send(body);
    expect(res.status).toBe(200);
    return (await res.json()) as Answer;
  }

  const titleOf = (a: Answer) => a.data?.embeds?.[0]?.title ?? '';

  it('answers PING with PONG, and refuses a bad signature, a stale or altered request and a replay with 401', async () => {
    const ping = JSON.stringify({ id: '1', type: 1, application_id: discord.applicationId, token: 't', version: 1 });
    expect(await answer(ping)).toEqual({ type: 1 });

    const body = command('subscribe');
    const now = Math.floor(Date.now() / 1000);
    const otherKey = createInteractionSigner().headers(body, now);
    const stale = signer.headers(body, now - 6 * 60);
    const altered = signer.headers(body, now);
    const signed = signer.headers(body, now);
    const statuses = [
      (await send(body, otherKey)).status,
      (await send(body, stale)).status,
      (await send(body.replace('subscribe', 'unsubscribe'), altered)).status,
      (await send(body, {})).status,
      (await send(body, signed)).status,
      (await send(body, signed)).status, // the same request again: a replay
    ];
    expect(statuses).toEqual([401, 401, 401, 401, 200, 401]);
    // The one accepted request subscribed the channel; nothing else changed anything.
    expect(titleOf(await answer(command('subscriptions')))).toBe("This channel's subscriptions (1)");
    expect(titleOf(await answer(command('unsubscribe')))).toMatch(/^Unsubscribed: removed 1 subscription/);
  });

  it('subscribe in a channel: alerts then reach it; every subcommand answers, privately unless asked public', async () => {
    const sub = await answer(command('subscribe', 'min:major'));
    expect(sub.type).toBe(4);
    expect(sub.data?.flags).toBe(64);
    expect(titleOf(sub)).toMatch(/^Subscribed: this channel will receive /);

    page.openIncident({ name: 'Link creation failing', impact: 'major', body: 'Investigating.' });
    await until(() => discord.messages(CHANNEL).length === 1, 15_000, 'the alert in the subscribed channel');
    const parent = discord.messages(CHANNEL)[0];
    expect(parent?.embeds[0]?.title).toBe('Belvo API: Link creation failing');
    const alertId = /^Alert (A\d+) /.exec(parent?.embeds[0]?.footer?.text ?? '')?.[1] ?? 'A?';

    const publicStatus = await answer(command('status', undefined, true));
    expect(publicStatus.data?.flags).toBeUndefined();
    expect(titleOf(publicStatus)).toBe('Belvo status: 1 open alert, worst major');
    expect(publicStatus.data?.embeds?.[0]?.description).toContain('Link creation failing');

    const steps: [string, string | undefined, RegExp][] = [
      ['help', undefined, /^\/belvo-status: what is broken right now, and who hears about it$/],
      ['status', undefined, /^Belvo status: 1 open alert, worst major$/],
      ['institution', 'nowhere', /^No institution matching "nowhere"$/],
      ['subscriptions', undefined, /^This channel's subscriptions \(1\)$/],
      ['silence', `${alertId} 2h maintenance window`, new RegExp(`^Silenced \\[${alertId}\\] .* until \\d{4}-`)],
      ['unsilence', 'S1', /^Silence S1 ended$/],
      ['ack', 'A999', /^No alert A999$/],
      ['history', '5', /^(No incidents yet|The last incident)/],
      ['audit', undefined, /^audit needs Belvo credentials configured$/],
      ['silence', 'A1', /^(?!Silenced).+/],
    ];
    for (const [name, args, expected] of steps) {
      const a = await answer(command(name, args));
      expect(`${name} ${args ?? ''} -> ${titleOf(a)}`).toMatch(
        new RegExp(`^${name} ${(args ?? '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} -> ${expected.source.slice(1)}`),
      );
      expect(a.data?.flags).toBe(64);
    }
  });

  it('the Acknowledge button acknowledges the alert; the clicker is told privately and the message says who', async () => {
    const parent = discord.messages(CHANNEL)[0];
    const rows = (parent?.components ?? []) as { components: { custom_id?: string }[] }[];
    const ack = rows[0]?.components[0]?.custom_id;
    expect(ack).toMatch(/^belvo_status_ack:A\d+$/);
    const a = await answer(click(ack ?? ''));
    expect(a.type).toBe(4);
    expect(a.data?.flags).toBe(64);
    expect(titleOf(a)).toMatch(/^Acknowledged \[A\d+\] /);
    await until(
      () => /acknowledged by bob/.test(discord.messages(CHANNEL)[0]?.embeds[0]?.description ?? ''),
      15_000,
      'the parent edited',
    );
    // The thread already tells of the silence lifted in the previous test ("still firing"); then the acknowledgement.
    const replies = () => discord.thread(parent?.id ?? '').map((m) => m.embeds[0]?.description ?? '');
    await until(() => replies().some((d) => /acknowledged by bob/.test(d)), 15_000, 'the thread reply');
    expect(replies().filter((d) => /acknowledged by bob/.test(d))).toHaveLength(1);
    // The button is gone once acknowledged; Silence 1h is still there.
    expect(JSON.stringify(discord.messages(CHANNEL)[0]?.components)).not.toContain('belvo_status_ack');
    expect(JSON.stringify(discord.messages(CHANNEL)[0]?.components)).toContain('belvo_status_silence_1h');

    const unknown = await send(click('someone_elses_button:1'));
    expect(unknown.status).toBe(400);
  });

  it('register-commands puts the command tree on a server and says so; a refusal exits 1, a config problem 2', async () => {
    const env = { DISCORD_BOT_TOKEN: BOT_TOKEN };
    const cfg = bot.configFile;
    // Three runs of the real CLI at once (each is a process start): one server, a refused token, a bad server id.
    const [guild, refused, badGuild] = await Promise.all([
      runCli(['register-commands', '--guild', discord.guildId, '--config', cfg], { env }),
      runCli(['register-commands', '--config', cfg], { env: { DISCORD_BOT_TOKEN: 'wrong-token' } }),
      runCli(['register-commands', '--guild', 'abc', '--config', cfg], { env }),
    ]);
    expect(guild.stderr).toBe('');
    expect(guild.code).toBe(0);
    expect(guild.stdout).toMatch(
      new RegExp(`Registered /belvo-status for application \\d+ in server ${discord.guildId}`),
    );
    const tree = discord.commands.get(discord.guildId)?.[0] as { options: { name: string }[] };
    expect(tree.options.map((o) => o.name)).toEqual([
      'status',
      'institution',
      'subscribe',
      'unsubscribe',
      'subscriptions',
      'silence',
      'silences',
      'unsilence',
      'ack',
      'history',
      'audit',
      'help',
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/Discord refused the commands: HTTP 401/);
    expect(refused.stderr + refused.stdout).not.toContain('wrong-token');

    expect(badGuild.code).toBe(2);
  });
});
