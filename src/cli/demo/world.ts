// The demo's world, all on 127.0.0.1: Belvo's two status pages, Belvo's API with the team's production account
// (institutions and links), Slack, Discord and PagerDuty, each a simulator speaking the real wire format and
// recording what it receives. Every one runs on the story's clock, so the times the bot prints are the story's.
import { type FakeBelvo, startFakeBelvo } from '../../../simulators/belvo-api.js';
import { type FakeDiscord, startFakeDiscord } from '../../../simulators/discord-api.js';
import { type FakePagerDuty, startFakePagerDuty } from '../../../simulators/pagerduty-api.js';
import { type FakeSlack, startFakeSlack } from '../../../simulators/slack-api.js';
import { SimulatedPage, startSimulatedStatusPage } from '../../../simulators/statuspage/index.js';

export const SLACK_CHANNEL = { id: 'C0BELVOALERTS', name: 'belvo-alerts' };
const DISCORD_HOOK = { id: '1100000000000000001', token: 'demo-webhook-token', channel: '1100000000000000002' };
const PD_ROUTING_KEY = 'R0UT1NGKEYDEMO00000000000000000P';
export const WEBHOOK_AUTHORIZATION = 'Bearer demo-belvo-webhook-secret';
export const INGEST_TOKEN = 'demo-ingest-token-0123456789abcdef';

export interface DemoInstitution {
  /** Belvo's name, as the API and the team's calls know it. */
  name: string;
  /** Belvo's display name; the status page adds country and segment ("Banco Erebor MX - Retail"). */
  displayName: string;
  country: 'MX' | 'CO' | 'BR';
  links: number;
  /** Its component on the institutions status page. */
  component: string;
}

const COUNTRY_GROUP = { MX: 'Mexico', CO: 'Colombia', BR: 'Brazil' } as const;

const INSTITUTIONS: Omit<DemoInstitution, 'component'>[] = [
  { name: 'erebor_mx_retail', displayName: 'Banco Erebor', country: 'MX', links: 1240 },
  { name: 'gondor_co_retail', displayName: 'Banco Gondor', country: 'CO', links: 820 },
  { name: 'rohan_br_retail', displayName: 'Banco Rohan', country: 'BR', links: 610 },
  { name: 'dale_mx_retail', displayName: 'Banco Dale', country: 'MX', links: 330 },
  { name: 'esgaroth_mx_empresas', displayName: 'Esgaroth Empresas', country: 'MX', links: 180 },
  { name: 'arnor_co_retail', displayName: 'Banco Arnor', country: 'CO', links: 260 },
  { name: 'lindon_co_retail', displayName: 'Banco Lindon', country: 'CO', links: 140 },
  { name: 'rivendell_br_retail', displayName: 'Banco Rivendell', country: 'BR', links: 410 },
  { name: 'lorien_br_retail', displayName: 'Banco Lorien', country: 'BR', links: 220 },
  { name: 'belfalas_mx_retail', displayName: 'Banco Belfalas', country: 'MX', links: 90 },
  { name: 'anorien_br_empresas', displayName: 'Anorien Empresas', country: 'BR', links: 75 },
  { name: 'ithilien_co_retail', displayName: 'Banco Ithilien', country: 'CO', links: 120 },
];

export interface DemoWorld {
  apiPage: SimulatedPage;
  apiComponent: string;
  institutionsPage: SimulatedPage;
  institutions: DemoInstitution[];
  belvo: FakeBelvo;
  /** The team's links by institution name. */
  links: Map<string, string[]>;
  slack: FakeSlack;
  discord: FakeDiscord;
  pagerduty: FakePagerDuty;
  /** The bot's config for this world, and the secrets it names. */
  config(dataDir: string): { yaml: string; env: Record<string, string> };
  close(): Promise<void>;
}

export async function startWorld(now: () => number): Promise<DemoWorld> {
  const apiPage = new SimulatedPage({ id: 'demoapi00001', name: 'Belvo API', timeZoneOffset: '+00:00', now });
  const [apiComponent = ''] = ['API', 'Dashboard', 'Connect widget', 'Webhooks'].map((name) =>
    apiPage.addComponent({ name }),
  );
  // Last week's incident, long resolved: the bot's first look records it as history.
  const old = apiPage.openIncident({
    name: 'Delayed webhooks',
    impact: 'minor',
    body: 'Webhooks are delayed.',
    startedAt: now() - 7 * 24 * 3_600_000,
  });
  apiPage.resolveIncident(old, 'Webhooks are delivered on time again.');

  const institutionsPage = new SimulatedPage({
    id: 'demoinst0001',
    name: 'Belvo Institutions',
    timeZoneOffset: '+00:00',
    now,
  });
  const belvo = await startFakeBelvo({ now, rateLimit: { enabled: false } });
  const links = new Map<string, string[]>();
  const institutions: DemoInstitution[] = INSTITUTIONS.map((i) => {
    const component = institutionsPage.addComponent({
      name: `${i.displayName} ${i.country} - ${i.name.endsWith('empresas') ? 'Empresas' : 'Retail'}`,
      group: COUNTRY_GROUP[i.country],
    });
    belvo.addInstitution({ name: i.name, display_name: i.displayName, country_codes: [i.country] });
    links.set(
      i.name,
      belvo.addLinks(i.links, { institution: i.name, status: 'valid' }).map((l) => l.id),
    );
    return { ...i, component };
  });

  const api = await startSimulatedStatusPage({ page: apiPage });
  const inst = await startSimulatedStatusPage({ page: institutionsPage });
  const slack = await startFakeSlack({ channels: [SLACK_CHANNEL], now });
  // Discord's limits are kept in real seconds, while the story's minutes pass in a step: a generous bucket, so the
  // bot is not held back by a pace it is not keeping.
  const discord = await startFakeDiscord({
    webhooks: [DISCORD_HOOK],
    channels: [DISCORD_HOOK.channel],
    bucket: { limit: 1000, windowMs: 1000 },
  });
  const pagerduty = await startFakePagerDuty({ now });

  return {
    apiPage,
    apiComponent,
    institutionsPage,
    institutions,
    belvo,
    links,
    slack,
    discord,
    pagerduty,
    config: (dataDir) => ({
      yaml: `
server: { host: 127.0.0.1, port: 0 }
storage: { path: ${JSON.stringify(`${dataDir}/demo.db`)} }
sources:
  - { id: belvo-api, type: statuspage, name: Belvo API, url: "${api.url}", role: api }
  - { id: institutions, type: statuspage, name: Belvo institutions, url: "${inst.url}", role: institutions }
belvo:
  environments:
    - id: production
      url: "${belvo.url}"
      secretKeyId: { secretEnv: BELVO_SECRET_ID }
      secretKeyPassword: { secretEnv: BELVO_SECRET_PASSWORD }
      reconcileInterval: 5m
      # The story's clock moves in jumps of minutes: the bot's own pace against Belvo is not the point here.
      rateLimit: { requests: 1000, per: 1s }
      webhook: { authorization: { secretEnv: BELVO_WEBHOOK_AUTHORIZATION } }
  ingest: { token: { secretEnv: INGEST_TOKEN } }
slack: { botToken: { secretEnv: SLACK_BOT_TOKEN }, apiUrl: "${slack.apiUrl}" }
destinations:
  - { id: oncall, type: slack, channel: ${SLACK_CHANNEL.id} }
  - { id: discord, type: discord-webhook, url: { secretEnv: DISCORD_WEBHOOK_URL } }
  - { id: pagerduty, type: pagerduty, routingKey: { secretEnv: PAGERDUTY_ROUTING_KEY }, eventsUrl: "${pagerduty.eventsUrl}" }
subscriptions:
  - { destination: oncall }
  - { destination: discord }
policy:
  paging:
    criticalInstitutions: [erebor_mx_retail]
`,
      env: {
        BELVO_SECRET_ID: belvo.secretKeyId,
        BELVO_SECRET_PASSWORD: belvo.secretKeyPassword,
        BELVO_WEBHOOK_AUTHORIZATION: WEBHOOK_AUTHORIZATION,
        INGEST_TOKEN,
        SLACK_BOT_TOKEN: 'xoxb-demo',
        DISCORD_WEBHOOK_URL: discord.webhookUrl(DISCORD_HOOK.id),
        PAGERDUTY_ROUTING_KEY: PD_ROUTING_KEY,
      },
    }),
    async close() {
      await Promise.allSettled([
        api.close(),
        inst.close(),
        belvo.close(),
        slack.close(),
        discord.close(),
        pagerduty.close(),
      ]);
    },
  };
}
