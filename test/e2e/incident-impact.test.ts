// Every institution incident says how much of the team's account it touches, whatever source opened it (here Belvo's
// status page alone), in chat, in PagerDuty's summary and in /belvo-status institution; a paging rule can ask for a
// minimum share of the team's links. The real app in-process against a fake Belvo API, the simulated institutions
// page, a fake Slack and a fake PagerDuty.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeBelvo, startFakeBelvo } from '../fakes/belvo-api.js';
import { type FakePagerDuty, startFakePagerDuty } from '../fakes/pagerduty-api.js';
import { type FakeSlack, startFakeSlack } from '../fakes/slack-api.js';
import { SimulatedPage, type SimulatedStatusPageServer, startSimulatedStatusPage } from '../fakes/statuspage.js';
import { type AppHarness, startApp } from './app-harness.js';

const CHANNEL = 'C0ONCALL1';
const PD_KEY = 'R0UT1NGKEY00000000000000000000PD';
const MIN = 60_000;

describe('the impact of an institution incident on the team’s links', () => {
  let belvo: FakeBelvo;
  let page: SimulatedPage;
  let statuspage: SimulatedStatusPageServer;
  let slack: FakeSlack;
  let pd: FakePagerDuty;
  let h: AppHarness | undefined;
  const components = new Map<string, string>();

  beforeEach(async () => {
    belvo = await startFakeBelvo();
    belvo.addInstitution({ name: 'erebor_mx_retail', display_name: 'Banco Erebor', country_codes: ['MX'] });
    belvo.addInstitution({ name: 'shire_mx_retail', display_name: 'Banco Shire', country_codes: ['MX'] });
    belvo.addLinks(1240, { institution: 'erebor_mx_retail', status: 'valid' });
    belvo.addLinks(60, { institution: 'shire_mx_retail', status: 'valid' });
    page = new SimulatedPage({ id: 'institutions01', name: 'Belvo institutions' });
    components.set('erebor', page.addComponent({ name: 'Banco Erebor MX - Retail', group: 'Mexico' }));
    components.set('shire', page.addComponent({ name: 'Banco Shire MX - Retail', group: 'Mexico' }));
    statuspage = await startSimulatedStatusPage({ page });
    slack = await startFakeSlack({ channels: [CHANNEL] });
    pd = await startFakePagerDuty();
    h = await startApp(
      (dir) => `
storage: { path: ${dir}/state.db }
log: { level: silent }
sources:
  - { id: institutions, type: statuspage, name: Belvo institutions, url: "${statuspage.url}", role: institutions }
engine: { thresholds: { byKind: { statuspage.component: { fail: 1, ok: 1 } } } }
belvo:
  environments:
    - id: production
      url: "${belvo.url}"
      secretKeyId: { secretEnv: BELVO_ID }
      secretKeyPassword: { secretEnv: BELVO_PASSWORD }
      rateLimit: { requests: 1000, per: 1s }
slack: { botToken: { secretEnv: SLACK_BOT_TOKEN }, apiUrl: "${slack.apiUrl}" }
delivery: { initialBackoff: 500ms, maxBackoff: 1s }
destinations:
  - { id: oncall, type: slack, channel: ${CHANNEL} }
  - { id: pagerduty, type: pagerduty, routingKey: { secretEnv: PD_KEY }, eventsUrl: "${pd.eventsUrl}" }
subscriptions:
  - { destination: oncall }
policy:
  paging:
    rules: [{ name: a-tenth-of-our-links, match: { minSeverity: major, minLinkShare: 0.1 } }]
`,
      { BELVO_ID: belvo.secretKeyId, BELVO_PASSWORD: belvo.secretKeyPassword, SLACK_BOT_TOKEN: 'xoxb-test', PD_KEY },
      Date.parse('2026-12-01T09:00:00Z'),
    );
    await h.cycle(); // first sight: the account's links listed, the page operational
  });

  afterEach(async () => {
    await h?.dispose();
    h = undefined;
    await Promise.all([belvo.close(), statuspage.close(), slack.close(), pd.close()]);
  });

  const shown = (i: number) => JSON.stringify(slack.message(CHANNEL, slack.history(CHANNEL)[i]?.ts ?? ''));

  it('a bank with most of the links: its impact on the message, the page and in chat; it pages', async () => {
    const app = h as AppHarness;
    page.setComponentStatus(components.get('erebor') ?? '', 'partial_outage');
    await app.cycle(MIN);
    expect(slack.history(CHANNEL)).toHaveLength(1);
    expect(shown(0)).toContain('*Impact*\\n1,240 of your links (95.4%)');
    expect(pd.alerts()).toHaveLength(1);
    expect(String(pd.alerts()[0]?.payload.summary)).toContain('1,240 of your links (95.4%)');
    const reply = await app.chat('institution erebor', CHANNEL);
    expect(reply.sections.flatMap((s) => s.lines).join('\n')).toMatch(/affects 1,240 of your links \(95\.4%\)/);
  });

  it('a bank with a handful of the links: told, with its impact, but under the rule’s share it pages nobody', async () => {
    const app = h as AppHarness;
    page.setComponentStatus(components.get('shire') ?? '', 'major_outage');
    await app.cycle(MIN);
    expect(slack.history(CHANNEL)).toHaveLength(1);
    expect(shown(0)).toContain('*Impact*\\n60 of your links (4.6%)');
    expect(pd.alerts()).toHaveLength(0);
  });
});
