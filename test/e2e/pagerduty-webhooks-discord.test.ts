// PagerDuty back to chat when the chat is Discord: the whole app (HTTP server, SQLite, outbox, Discord and PagerDuty
// notifiers) in this process against a fake Discord REST API and a fake PagerDuty that sends signed v3 webhooks to
// the bot. The channel's subscription pings a role once an alert pages; what PagerDuty sends back edits the parent in
// place, says so once in its thread, and pings nobody, whatever a note says.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { type App, buildApp } from '../../src/main.js';
import { silentLogger } from '../../src/ports/logger.js';
import { type FakeDiscord, type FakeMessage, startFakeDiscord } from '../fakes/discord-api.js';
import { type FakePagerDuty, startFakePagerDuty } from '../fakes/pagerduty-api.js';
import { SimulatedPage, type SimulatedStatusPageServer, startSimulatedStatusPage } from '../fakes/statuspage.js';
import { createInteractionSigner } from '../support/signers.js';
import { type AppDriver, driveApp, ManualClock } from './app-harness.js';

const CHANNEL = '340000000000000001';
const ROLE = '340000000000000099';
const BOT_TOKEN = 'e2e-discord-bot-token-pd-back';
const PD_KEY = 'R0UT1NGKEY00000000000000000PDDSC';
const WEBHOOK_SECRET = 'pd-webhook-subscription-secret-discord';
const START = Date.parse('2026-12-04T09:00:00Z');
const MIN = 60_000;

describe('PagerDuty back to chat on Discord, in the running app', () => {
  let page: SimulatedPage;
  let statuspage: SimulatedStatusPageServer;
  let discord: FakeDiscord;
  let pd: FakePagerDuty;
  let app: App;
  let drive: AppDriver;
  let dir: string;
  const clock = new ManualClock(START);
  let erebor: string;

  beforeAll(async () => {
    page = new SimulatedPage({ id: 'institutions08', name: 'Belvo institutions' });
    erebor = page.addComponent({ name: 'Banco Erebor MX - Retail', group: 'Mexico' });
    statuspage = await startSimulatedStatusPage({ page });
    discord = await startFakeDiscord({
      channels: [CHANNEL],
      botToken: BOT_TOKEN,
      seed: 17,
      // discord.js keeps Discord's buckets on the wall clock, which this test's clock does not move: room enough.
      bucket: { limit: 1000, windowMs: 1000 },
    });
    pd = await startFakePagerDuty({ now: () => clock.now() });
    dir = mkdtempSync(join(tmpdir(), 'belvo-status-pd-discord-'));
    const yaml = `
server: { host: 127.0.0.1, port: 0 }
storage: { path: ${dir}/state.db }
sources:
  - { id: institutions, type: statuspage, name: Belvo institutions, url: "${statuspage.url}", role: institutions, interval: 1h, jitter: 0 }
engine: { thresholds: { byKind: { statuspage.component: { fail: 1, ok: 1 } } } }
discord:
  botToken: { secretEnv: DISCORD_BOT_TOKEN }
  applicationId: "${discord.applicationId}"
  publicKey: ${createInteractionSigner().publicKeyHex}
  apiUrl: "${discord.apiUrl}"
pagerduty:
  webhookSecrets:
    - { secretEnv: PD_WEBHOOK_SECRET }
destinations:
  - { id: oncall, type: discord, channel: "${CHANNEL}" }
  - { id: pagerduty, type: pagerduty, routingKey: { secretEnv: PD_KEY }, eventsUrl: "${pd.eventsUrl}" }
subscriptions:
  - { destination: oncall, mention: { to: ["role:${ROLE}"], from: paged } }
policy:
  check: 1h
  paging: { criticalInstitutions: [Banco Erebor MX - Retail] }
  reminders: { every: 30m }
`;
    const env = { DISCORD_BOT_TOKEN: BOT_TOKEN, PD_KEY, PD_WEBHOOK_SECRET: WEBHOOK_SECRET };
    app = await buildApp(parseConfigText(yaml, 'test.yaml', env), { clock, logger: silentLogger });
    drive = driveApp(app, clock);
    const { port } = await app.start();
    // Deliveries happen when the test says (deliverAll): a background pass racing it on the test's clock would see
    // its own in-flight leases expire and deliver twice.
    await app.dispatcher.stop();
    pd.subscribe({ url: `http://127.0.0.1:${port}/webhooks/pagerduty`, secrets: [WEBHOOK_SECRET] });
    await poll(); // first sight: everything operational
  });

  afterAll(async () => {
    await pd?.webhooksSettled();
    await app?.stop();
    await Promise.all([statuspage?.close(), discord?.close(), pd?.close()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  // Nothing is delivered, polled or checked unless the test says (see driveApp).
  const deliverAll = () => drive.deliverAll();
  const poll = () => drive.poll();
  const later = (ms: number) => drive.later(ms);

  const parentOf = (name: string): FakeMessage => {
    const found = discord.messages(CHANNEL).find((m) => m.embeds[0]?.title?.includes(name));
    if (!found) throw new Error(`no message about ${name}`);
    return found;
  };
  /** The parent as Discord shows it now (edits included). */
  const shown = (name: string) => JSON.stringify(parentOf(name).embeds);
  const replies = (parent: FakeMessage, pattern: RegExp) =>
    discord.thread(parent.id).filter((m) => pattern.test(m.embeds[0]?.description ?? ''));
  const buttonLabels = (m: FakeMessage) => JSON.stringify(m.components);
  const keyOf = (name: string) => {
    const alert = pd.alerts().find((a) => String(a.payload['summary']).includes(name));
    if (!alert) throw new Error(`no page about ${name}`);
    return alert.dedupKey;
  };
  const pinged = (m: FakeMessage) => ({
    users: m.mentions.map((u) => u.id),
    roles: m.mention_roles,
    everyone: m.mention_everyone,
  });

  it('an acknowledgement in PagerDuty edits the parent in place, says so once in its thread, stops reminders', async () => {
    page.setComponentStatus(erebor, 'major_outage');
    await poll();
    expect(discord.messages(CHANNEL)).toHaveLength(1);
    const parent = parentOf('Banco Erebor');
    // Paged: the parent pings the subscription's role, and only it.
    expect(pinged(parent)).toEqual({ users: [], roles: [ROLE], everyone: false });
    const key = keyOf('Banco Erebor');
    expect(pd.alert(PD_KEY, key)?.status).toBe('triggered');
    await later(31 * MIN);
    expect(replies(parent, /Reminder/)).toHaveLength(1);
    expect(buttonLabels(parentOf('Banco Erebor'))).toContain('"Acknowledge"');

    const edits = parentOf('Banco Erebor').editCount;
    const deliveries = await pd.acknowledgeInApp(PD_KEY, key, 'Ana');
    expect(deliveries.map((d) => d.status)).toEqual([200]);
    await deliverAll();
    expect(discord.messages(CHANNEL)).toHaveLength(1); // edited in place, never a second parent
    expect(parentOf('Banco Erebor').editCount).toBe(edits + 1);
    expect(shown('Banco Erebor')).toContain('acknowledged in PagerDuty by Ana');
    expect(buttonLabels(parentOf('Banco Erebor'))).not.toContain('"Acknowledge"');
    const acked = replies(parent, /acknowledged in PagerDuty by Ana/);
    expect(acked).toHaveLength(1);
    expect(pinged(acked[0] as FakeMessage)).toEqual({ users: [], roles: [], everyone: false });

    await later(31 * MIN);
    await later(31 * MIN);
    expect(replies(parent, /Reminder/)).toHaveLength(1);

    // PagerDuty delivers the same event again: nothing changes on Discord.
    const posts = discord.thread(parent.id).length;
    expect((await pd.redeliver(deliveries[0] as (typeof deliveries)[number])).status).toBe(200);
    await deliverAll();
    expect(parentOf('Banco Erebor').editCount).toBe(edits + 1);
    expect(discord.thread(parent.id)).toHaveLength(posts);
  });

  it('a note in PagerDuty is quoted in the thread and pings nobody, whatever it says', async () => {
    const parent = parentOf('Banco Erebor');
    const key = keyOf('Banco Erebor');
    const note = `Bank confirms their gateway is down @everyone @here <@&${ROLE}> <@340000000000000077>, ETA 30 min`;
    expect((await pd.annotateInApp(PD_KEY, key, note, 'Bruno')).map((d) => d.status)).toEqual([200]);
    await deliverAll();
    const notes = replies(parent, /note in PagerDuty by Bruno/);
    expect(notes).toHaveLength(1);
    const reply = notes[0] as FakeMessage;
    expect(reply.embeds[0]?.description).toContain('Bank confirms their gateway is down');
    expect(pinged(reply)).toEqual({ users: [], roles: [], everyone: false });
    // What Discord was told: nothing parsed, nobody allowed, and no content that could ping.
    const sent = discord
      .callsTo('POST /channels/:channel/messages')
      .map((c) => c.body as Record<string, unknown>)
      .filter((b) => JSON.stringify(b).includes('note in PagerDuty by Bruno'));
    expect(sent.map((b) => b.allowed_mentions)).toEqual([{ parse: [] }]);
    expect(sent.map((b) => b.content)).toEqual([undefined]);
    // The role was pinged once in the whole story: by the parent that opened it.
    const everything = [...discord.messages(CHANNEL), ...discord.thread(parent.id)];
    expect(everything.filter((m) => m.mention_roles.length > 0).map((m) => m.id)).toEqual([parent.id]);
  });
});
