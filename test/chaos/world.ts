// The world the chaos run puts the real bot in: a Belvo API status page whose story the run writes as it goes, Belvo's
// API and its webhooks about one institution's links, and Slack, Discord and PagerDuty fakes that refuse, fail and
// apply late, all on 127.0.0.1.
import { type FakeBelvo, startFakeBelvo } from '../fakes/belvo-api.js';
import { type FakeDiscord, startFakeDiscord } from '../fakes/discord-api.js';
import { type FakePagerDuty, startFakePagerDuty } from '../fakes/pagerduty-api.js';
import { type FakeSlack, startFakeSlack } from '../fakes/slack-api.js';
import { SimulatedPage, type SimulatedStatusPageServer, startSimulatedStatusPage } from '../fakes/statuspage.js';
import { createInteractionSigner } from '../support/signers.js';
import { BELVO_ENVIRONMENT, BELVO_INSTITUTION, BELVO_WEBHOOK_AUTH } from './belvo-side.js';

export const SLACK_CHANNEL = 'C0CHAOS01';
export const DISCORD_CHANNEL = '410000000000000001';
const DISCORD_TOKEN = 'chaos-discord-bot-token';
const PD_KEY = 'chaos0routing0key000000000000000';
/** The chat clients' timeout: Slack's late posts land after it, within twice it (the bot's settle time). */
export const CHAT_TIMEOUT_MS = 1000;
export const POLL_MS = 150;

export interface World {
  page: SimulatedPage;
  components: string[];
  statuspage: SimulatedStatusPageServer;
  slack: FakeSlack;
  discord: FakeDiscord;
  pagerduty: FakePagerDuty;
  belvo: FakeBelvo;
  config(dir: string): string;
  env: Record<string, string>;
  /** Refusals and failures on every chat API, as a bad day would bring them. */
  storm(): void;
  calm(): void;
  close(): Promise<void>;
}

export async function startWorld(seed: number): Promise<World> {
  const page = new SimulatedPage({ id: 'chaos0000001', name: 'Belvo API' });
  const components = ['API', 'Dashboard', 'Webhooks', 'Connect widget'].map((name) => page.addComponent({ name }));
  const statuspage = await startSimulatedStatusPage({ page });
  const slack = await startFakeSlack({ channels: [SLACK_CHANNEL], seed });
  const discord = await startFakeDiscord({ channels: [DISCORD_CHANNEL], botToken: DISCORD_TOKEN, seed });
  const pagerduty = await startFakePagerDuty();
  const belvo = await startFakeBelvo();
  belvo.addInstitution({ name: BELVO_INSTITUTION, display_name: 'Banco Erebor', country_codes: ['MX'] });
  belvo.addLinks(120, { institution: BELVO_INSTITUTION, status: 'valid' });
  return {
    page,
    components,
    statuspage,
    slack,
    discord,
    pagerduty,
    belvo,
    env: {
      SLACK_BOT_TOKEN: 'xoxb-chaos',
      DISCORD_BOT_TOKEN: DISCORD_TOKEN,
      PD_KEY,
      BELVO_ID: belvo.secretKeyId,
      BELVO_PASSWORD: belvo.secretKeyPassword,
      BELVO_WEBHOOK_AUTH,
    },
    config: (dir) => `
server: { host: 127.0.0.1, port: 0 }
storage: { path: ${dir}/state.db }
log: { level: info }
sources:
  - { id: api, type: statuspage, name: Belvo API, url: "${statuspage.url}", role: api, interval: ${POLL_MS}ms, jitter: 0 }
belvo:
  environments:
    - id: ${BELVO_ENVIRONMENT}
      url: "${belvo.url}"
      secretKeyId: { secretEnv: BELVO_ID }
      secretKeyPassword: { secretEnv: BELVO_PASSWORD }
      institutionsInterval: 1h
      # Links that recover say so only in Belvo's listing: read it often.
      reconcileInterval: 2s
      spikeCheckInterval: 300ms
      webhook: { authorization: { secretEnv: BELVO_WEBHOOK_AUTH } }
engine:
  # Components flip on purpose; crash safety, not flapping, is under test.
  flapping: { window: 50ms }
slack: { botToken: { secretEnv: SLACK_BOT_TOKEN }, apiUrl: "${slack.apiUrl}", timeout: ${CHAT_TIMEOUT_MS}ms }
discord:
  botToken: { secretEnv: DISCORD_BOT_TOKEN }
  applicationId: "${discord.applicationId}"
  publicKey: ${createInteractionSigner().publicKeyHex}
  apiUrl: "${discord.apiUrl}"
  timeout: ${CHAT_TIMEOUT_MS}ms
delivery: { initialBackoff: 200ms, maxBackoff: 2s, maxAttempts: 200, lease: 5s }
destinations:
  - { id: slack, type: slack, channel: ${SLACK_CHANNEL} }
  - { id: discord, type: discord, channel: "${DISCORD_CHANNEL}" }
  - { id: pagerduty, type: pagerduty, routingKey: { secretEnv: PD_KEY }, eventsUrl: "${pagerduty.eventsUrl}" }
subscriptions:
  - { destination: slack }
  - { destination: discord }
`,
    storm() {
      slack.faults.rateLimit({ ratio: 0.3, retryAfter: 1 });
      slack.faults.serverError({ ratio: 0.1, status: 503 });
      // Applied after the client gave up: half a timeout late, inside the bot's settle time.
      slack.faults.late({ ratio: 0.05, afterMs: CHAT_TIMEOUT_MS * 1.5, methods: ['chat.postMessage', 'chat.update'] });
      discord.faults.rateLimit({ ratio: 0.3, retryAfter: 0.3 });
      discord.faults.serverError({ ratio: 0.1 });
    },
    calm() {
      slack.faults.clear();
      discord.faults.clear();
    },
    async close() {
      await Promise.all([statuspage.close(), slack.close(), discord.close(), pagerduty.close(), belvo.close()]);
    },
  };
}
