// One problem, one message, one page, end to end in the real app: an incident on Belvo's API status page and the
// components it names (or that degrade while it is open) are one Belvo API incident; a status-page incident naming
// several institutions is evidence on their incidents or their storm, never a page of its own. Two Slack channels and
// PagerDuty count what they receive over a whole scenario. The clock is the test's (see app-harness.ts).
import { afterEach, describe, expect, it } from 'vitest';
import { COLORS } from '../../adapters/slack/render.js';
import { type FakePagerDuty, startFakePagerDuty } from '../fakes/pagerduty-api.js';
import { type FakeSlack, startFakeSlack } from '../fakes/slack-api.js';
import { SimulatedPage, type SimulatedStatusPageServer, startSimulatedStatusPage } from '../fakes/statuspage.js';
import { type AppHarness, startApp } from './app-harness.js';

const ONCALL = 'C0ONCALL1';
const TEAM = 'C0TEAM001';
const PD_KEY = 'R0UT1NGKEY00000000000000000000PD';
const MIN = 60_000;
const T0 = Date.parse('2026-12-01T14:00:00Z');

describe('one problem, one message, one page', () => {
  let page: SimulatedPage;
  let statuspage: SimulatedStatusPageServer;
  let slack: FakeSlack;
  let pd: FakePagerDuty;
  let h: AppHarness | undefined;
  let now = () => T0;

  afterEach(async () => {
    await h?.dispose();
    h = undefined;
    await Promise.all([statuspage.close(), slack.close(), pd.close()]);
  });

  async function start(role: 'api' | 'institutions', policy: string): Promise<AppHarness> {
    statuspage = await startSimulatedStatusPage({ page });
    slack = await startFakeSlack({ channels: [ONCALL, TEAM] });
    pd = await startFakePagerDuty();
    const name = role === 'api' ? 'Belvo API' : 'Belvo institutions';
    h = await startApp(
      (dir) => `
storage: { path: ${dir}/state.db }
log: { level: silent }
sources:
  - { id: ${role === 'api' ? 'belvo-api' : 'institutions'}, type: statuspage, name: ${name}, url: "${statuspage.url}", role: ${role} }
slack: { botToken: { secretEnv: SLACK_BOT_TOKEN }, apiUrl: "${slack.apiUrl}" }
delivery: { initialBackoff: 500ms, maxBackoff: 1s }
destinations:
  - { id: oncall, type: slack, channel: ${ONCALL} }
  - { id: team, type: slack, channel: ${TEAM} }
  - { id: pagerduty, type: pagerduty, routingKey: { secretEnv: PD_KEY }, eventsUrl: "${pd.eventsUrl}" }
subscriptions:
  - { destination: oncall }
  - { destination: team }
${policy}
`,
      { SLACK_BOT_TOKEN: 'xoxb-test', PD_KEY },
      T0,
    );
    const harness = h;
    now = () => harness.clock.now();
    await harness.cycle(); // first sight: everything operational
    return harness;
  }

  const parents = (channel: string) => slack.history(channel);
  const thread = (channel: string) => slack.replies(channel, parents(channel)[0]?.ts ?? '').map((r) => r.text ?? '');
  const shown = (channel: string) => JSON.stringify(slack.message(channel, parents(channel)[0]?.ts ?? ''));

  describe('the Belvo API page (default paging rules)', () => {
    it('an incident and the components it names or that degrade while it is open: one message per channel, one page', async () => {
      page = new SimulatedPage({ id: 'belvoapi01', name: 'Belvo API', now: () => now() });
      const api = page.addComponent({ name: 'API' });
      const dashboard = page.addComponent({ name: 'Dashboard' });
      const app = await start('api', '');

      const incident = page.openIncident({
        name: 'Elevated error rates',
        impact: 'major',
        body: 'We are investigating elevated error rates on the API.',
        components: [{ id: api, status: 'partial_outage' }],
      });
      await app.cycle(MIN);
      for (const channel of [ONCALL, TEAM]) {
        expect(parents(channel).map((m) => m.text)).toEqual([
          '[MAJOR] Belvo API: Elevated error rates, API: partial outage',
        ]);
      }
      expect(pd.alerts()).toHaveLength(1);

      page.updateIncident(incident, { status: 'identified', body: 'A database failover is slowing requests.' });
      app.clock.advance(2 * MIN);
      page.setComponentStatus(dashboard, 'degraded_performance');
      await app.cycle(MIN);
      for (const channel of [ONCALL, TEAM]) {
        expect(parents(channel)).toHaveLength(1);
        expect(shown(channel)).toContain('Dashboard: degraded performance');
        expect(thread(channel).join('\n')).toContain('identified*: A database failover is slowing requests.');
      }

      app.clock.advance(30 * MIN);
      page.resolveIncident(incident, 'Error rates are back to normal.', { restoreComponents: true });
      page.setComponentStatus(dashboard, 'operational');
      for (let i = 0; i < 3; i++) await app.cycle(MIN);
      for (const channel of [ONCALL, TEAM]) {
        expect(parents(channel)).toHaveLength(1);
        const final = slack.message(channel, parents(channel)[0]?.ts ?? '');
        expect((final?.attachments?.[0] as { color?: string } | undefined)?.color).toBe(COLORS.resolved);
        expect(thread(channel).filter((t) => t.includes('Resolved'))).toHaveLength(1);
      }
      expect(pd.alerts()).toHaveLength(1);
      expect(pd.alerts()[0]).toMatchObject({ status: 'resolved', log: ['trigger', 'resolve'] });
    });

    it('a component that degrades alone is an alert of its own, and the incident the page posts later joins it', async () => {
      page = new SimulatedPage({ id: 'belvoapi01', name: 'Belvo API', now: () => now() });
      const api = page.addComponent({ name: 'API' });
      const app = await start('api', '');

      page.setComponentStatus(api, 'degraded_performance');
      await app.cycle(MIN);
      expect(parents(ONCALL).map((m) => m.text)).toEqual(['[MINOR] Belvo API: API: degraded performance']);
      expect(pd.alerts()).toHaveLength(0); // minor: no page

      page.openIncident({
        name: 'API latency',
        impact: 'major',
        body: 'Requests are slow.',
        components: [{ id: api, status: 'partial_outage' }],
      });
      await app.cycle(MIN);
      for (const channel of [ONCALL, TEAM]) {
        expect(parents(channel)).toHaveLength(1);
        expect(shown(channel)).toContain('Belvo API: API latency, API: partial outage');
        expect(thread(channel).join('\n')).toMatch(/now also API latency/);
      }
      expect(pd.alerts()).toHaveLength(1); // worse, at major: the one page
    });
  });

  describe('an incident naming several institutions ("page anything major")', () => {
    const anyMajor = `
policy:
  paging:
    rules: [{ name: anything-major, match: { minSeverity: major } }]
  storms: { count: STORM, window: 2m }`;

    function institutionsPage(n: number): string[] {
      page = new SimulatedPage({ id: 'institutions01', name: 'Belvo institutions', now: () => now() });
      return Array.from({ length: n }, (_, i) =>
        page.addComponent({ name: `Banco ${i + 1} MX - Retail`, group: 'Mexico' }),
      );
    }

    it('with the storm they form: one message and one page for the whole event', async () => {
      const banks = institutionsPage(4);
      const app = await start('institutions', anyMajor.replace('STORM', '3'));
      page.openIncident({
        name: 'Multiple institutions unavailable',
        impact: 'major',
        body: 'Several Mexican banks are not answering.',
        components: banks.slice(0, 3).map((id) => ({ id, status: 'partial_outage' as const })),
      });
      await app.cycle(MIN);
      expect(parents(ONCALL).map((m) => m.text)).toEqual(['[MAJOR] 3 institutions down at once']);
      expect(shown(ONCALL)).toContain('Multiple institutions unavailable');
      expect(pd.alerts()).toHaveLength(1);

      page.resolveIncident(page.incidents()[0]?.id ?? '', 'All banks answer again.', { restoreComponents: true });
      for (let i = 0; i < 3; i++) await app.cycle(MIN);
      expect(parents(ONCALL)).toHaveLength(1);
      expect(pd.alerts()).toHaveLength(1);
      expect(pd.alerts()[0]).toMatchObject({ status: 'resolved', log: ['trigger', 'resolve'] });
    });

    it('below a storm: each institution pages once, the page incident is evidence on both and never pages', async () => {
      const banks = institutionsPage(3);
      const app = await start('institutions', anyMajor.replace('STORM', '5'));
      page.openIncident({
        name: 'Multiple institutions unavailable',
        impact: 'major',
        body: 'Two banks are not answering.',
        components: banks.slice(0, 2).map((id) => ({ id, status: 'partial_outage' as const })),
      });
      await app.cycle(MIN);
      expect(
        parents(ONCALL)
          .map((m) => m.text)
          .sort(),
      ).toEqual([
        "[MAJOR] Banco 1 MX - Retail: partial outage on Belvo's status page, on Belvo's status page: Multiple institutions unavailable",
        "[MAJOR] Banco 2 MX - Retail: partial outage on Belvo's status page, on Belvo's status page: Multiple institutions unavailable",
      ]);
      expect(pd.alerts()).toHaveLength(2);
    });
  });
});
