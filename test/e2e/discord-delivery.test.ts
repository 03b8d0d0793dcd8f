// The real program delivering to Discord (a fake REST API on 127.0.0.1): a channel through the bot token and a
// channel webhook, through an incident's whole life; then with Discord answering 429 to 30% of requests; then
// killed while a post is in flight. One bot process for the whole file (restarted by the crash test).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeDiscord, type FakeMessage, startFakeDiscord } from '../fakes/discord-api.js';
import { SimulatedPage, type SimulatedStatusPageServer, startSimulatedStatusPage } from '../fakes/statuspage.js';
import { createInteractionSigner } from '../support/signers.js';
import { BotProcess, sleep, until } from './bot-process.js';

const POLL_MS = 150;
const CHANNEL = '310000000000000001';
const HOOK = { id: '320000000000000001', token: 'e2e-webhook-token-abcdef', channel: '310000000000000002' };
const BOT_TOKEN = 'e2e-discord-bot-token-0123456789';

describe('alerts delivered to Discord', () => {
  let page: SimulatedPage;
  let statuspage: SimulatedStatusPageServer;
  let discord: FakeDiscord;
  let bot: BotProcess;
  const env = () => ({ DISCORD_BOT_TOKEN: BOT_TOKEN, DISCORD_WEBHOOK_URL: discord.webhookUrl(HOOK.id) });

  beforeAll(async () => {
    page = new SimulatedPage({ id: 'discord00001', name: 'Belvo API' });
    page.addComponent({ name: 'API' });
    statuspage = await startSimulatedStatusPage({ page });
    discord = await startFakeDiscord({
      channels: [CHANNEL, HOOK.channel],
      webhooks: [HOOK],
      botToken: BOT_TOKEN,
      seed: 11,
      bucket: { limit: 5, windowMs: 1000 },
    });
    bot = new BotProcess(
      (dir) => `
server: { host: 127.0.0.1, port: 0 }
storage: { path: ${dir}/state.db }
sources:
  - { id: api, type: statuspage, name: Belvo API, url: "${statuspage.url}", interval: ${POLL_MS}ms, jitter: 0 }
discord:
  botToken: { secretEnv: DISCORD_BOT_TOKEN }
  applicationId: "${discord.applicationId}"
  publicKey: ${createInteractionSigner().publicKeyHex}
  apiUrl: "${discord.apiUrl}"
  timeout: 2s
delivery: { initialBackoff: 200ms, maxBackoff: 2s, maxAttempts: 30, lease: 3s }
destinations:
  - { id: oncall, type: discord, channel: "${CHANNEL}" }
  - { id: hook, type: discord-webhook, url: { secretEnv: DISCORD_WEBHOOK_URL } }
subscriptions:
  - { destination: oncall }
  - { destination: hook }
`,
    );
    bot.start(env());
    await bot.waitForLog('belvo-status-bot started');
    await sleep(POLL_MS * 3); // first sight
  });

  afterAll(async () => {
    await bot?.dispose();
    await statuspage?.close();
    await discord?.close();
  });

  const firstLine = (m: FakeMessage | undefined) => m?.embeds[0]?.description?.split('\n')[0];
  // The page's incident is the Belvo API incident: its message is titled with the page's name.
  const titled = (name: string) => `Belvo API: ${name}`;
  const parentOf = (name: string) => discord.messages(CHANNEL).find((m) => m.embeds[0]?.title === titled(name));
  const hookParentOf = (name: string) =>
    discord.messages(HOOK.channel).find((m) => m.embeds[0]?.title === titled(name));
  const replies = (name: string) => discord.thread(parentOf(name)?.id ?? '').map(firstLine);

  /** Opens, updates twice (the second raises the severity) and resolves an incident; waits for the last reply. */
  async function incidentLife(name: string) {
    const id = page.openIncident({ name, impact: 'major', body: 'Investigating.' });
    await until(() => !!parentOf(name) && !!hookParentOf(name), 15_000, 'both parents');
    page.updateIncident(id, { status: 'identified', body: 'Database failover identified.' });
    await sleep(POLL_MS * 4);
    page.updateIncident(id, { status: 'monitoring', body: 'Fix deployed, monitoring.', impact: 'critical' });
    await sleep(POLL_MS * 4);
    page.resolveIncident(id, 'Resolved.');
    await until(() => replies(name).length >= 3, 20_000, 'three thread replies');
    await until(() => /Resolved/.test(firstLine(hookParentOf(name)) ?? ''), 20_000, 'the webhook parent resolved');
  }

  const expectedReplies = (name: string) => [
    `**🔁 Update**: ${name}: identified`,
    `**🔁 Update**: worse: ${name} now critical; ${name}: monitoring`,
    expect.stringMatching(
      new RegExp(`^\\*\\*✅ Resolved\\*\\*: ${name.replace(/\//g, '\\/')}: resolved \\(after \\d+s\\)$`),
    ),
  ];

  it('one parent per channel, edited per version, updates in its thread, resolved in green; a webhook likewise', async () => {
    const name = 'Elevated 500s on /api/links';
    await incidentLife(name);

    expect(discord.messages(CHANNEL)).toHaveLength(1);
    const parent = parentOf(name);
    expect(firstLine(parent)).toMatch(/^✅ \*\*Resolved\*\* after \d+s$/);
    expect(parent?.embeds[0]?.color).toBe(0x12b76a);
    expect(parent?.editCount).toBe(3);
    expect(parent?.thread?.name).toMatch(/^A\d+ · Belvo API: Elevated 500s on \/api\/links$/);
    expect(replies(name)).toEqual(expectedReplies(name));

    // The webhook's channel: one message, edited in place to the end, the story kept on it.
    expect(discord.messages(HOOK.channel)).toHaveLength(1);
    const hookParent = hookParentOf(name);
    expect(hookParent?.editCount).toBe(3);
    expect(hookParent?.embeds[0]?.color).toBe(0x12b76a);
    const fields = Object.fromEntries((hookParent?.embeds[0]?.fields ?? []).map((f) => [f.name, f.value]));
    expect(fields['Latest update']).toContain('Resolved.');
    expect(fields['Earlier updates']).toContain('Database failover identified.');

    expect(discord.calls.filter((c) => (c.status ?? 0) >= 400)).toEqual([]);
    expect(discord.violations).toEqual([]);
  }, 40_000);

  it('Discord answering 429 with retry_after to 30% of requests: everything arrives, in order, never early', async () => {
    discord.faults.rateLimit({ ratio: 0.3, retryAfter: 0.25 });
    const from = discord.calls.length;
    const name = 'Webhooks delayed';
    await incidentLife(name);
    discord.faults.clear();

    expect(discord.messages(CHANNEL).filter((m) => m.embeds[0]?.title === titled(name))).toHaveLength(1);
    expect(replies(name)).toEqual(expectedReplies(name));
    expect(discord.messages(HOOK.channel).filter((m) => m.embeds[0]?.title === titled(name))).toHaveLength(1);
    expect(discord.calls.slice(from).filter((c) => c.fault === 'ratelimit').length).toBeGreaterThan(0);
    // Every 429's retry_after and every bucket was waited out: nothing was sent early.
    expect(discord.violations).toEqual([]);
  }, 60_000);

  it('SIGKILL while a post is in flight (Discord applied it, the bot never heard back), then restart: no duplicate, nothing lost', async () => {
    discord.faults.hang('POST /channels/:channel/messages', { times: 1, process: true });
    const name = 'Dashboard slow';
    const id = page.openIncident({ name, impact: 'major', body: 'Investigating.' });
    await until(() => !!parentOf(name), 15_000, 'the parent applied');
    await bot.kill('SIGKILL');
    page.updateIncident(id, { status: 'identified', body: 'Cause found.' });
    bot.start(env());
    await bot.waitForLog('belvo-status-bot started');
    await until(() => replies(name).length >= 1, 20_000, 'the update in the thread');
    page.resolveIncident(id, 'Resolved.');
    await until(() => replies(name).length >= 2, 20_000, 'the resolution in the thread');
    await sleep(POLL_MS * 4);

    expect(discord.messages(CHANNEL).filter((m) => m.embeds[0]?.title === titled(name))).toHaveLength(1);
    expect(replies(name)).toEqual([
      `**🔁 Update**: ${name}: identified`,
      expect.stringMatching(/^\*\*✅ Resolved\*\*/),
    ]);

    // The retries were logged with their reasons, and no log line of any run holds a token.
    expect(bot.logs.some((l) => l.msg === 'delivery failed, will retry' && /rate limited/.test(String(l.error)))).toBe(
      true,
    );
    const logs = JSON.stringify(bot.logs);
    expect(logs).not.toContain(BOT_TOKEN);
    expect(logs).not.toContain(HOOK.token);
  }, 60_000);
});
