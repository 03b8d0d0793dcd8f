// Mentions that wake the right people, end to end: the real bot against a simulated institutions page and a fake
// Slack over HTTP, on the test's clock. A subscription names a user group from a severity on: the message that opens
// a critical incident names it once, an escalation to critical names it in a reply shown in the channel, and nothing
// else pings anyone, least of all what a status page wrote.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeSlack, startFakeSlack } from '../fakes/slack-api.js';
import { SimulatedPage, type SimulatedStatusPageServer, startSimulatedStatusPage } from '../fakes/statuspage.js';
import { type AppHarness, startApp } from './app-harness.js';

const CHANNEL = 'C0ONCALL1';
const GROUP = '<!subteam^S0BELVO>';
const MIN = 60_000;

describe('mentions, end to end', () => {
  let page: SimulatedPage;
  let statuspage: SimulatedStatusPageServer;
  let slack: FakeSlack;
  let h: AppHarness | undefined;
  const ids = new Map<string, string>();

  beforeEach(async () => {
    page = new SimulatedPage({ id: 'institutions01', name: 'Belvo institutions' });
    for (const name of ['Banco Erebor MX - Retail', 'Banco Gondor MX - Business', 'Banco Rohan CO'])
      ids.set(name, page.addComponent({ name, group: name.includes('CO') ? 'Colombia' : 'Mexico' }));
    statuspage = await startSimulatedStatusPage({ page });
    slack = await startFakeSlack({ channels: [CHANNEL] });
  });

  afterEach(async () => {
    await h?.dispose();
    h = undefined;
    await Promise.all([statuspage.close(), slack.close()]);
  });

  async function start(subscription: string): Promise<AppHarness> {
    h = await startApp(
      (dir) => `
storage: { path: ${dir}/state.db }
log: { level: silent }
sources:
  - { id: institutions, type: statuspage, name: Belvo institutions, url: "${statuspage.url}", role: institutions }
engine: { thresholds: { byKind: { statuspage.component: { fail: 1, ok: 1 } } } }
slack: { botToken: { secretEnv: SLACK_BOT_TOKEN }, apiUrl: "${slack.apiUrl}" }
destinations:
  - { id: oncall, type: slack, channel: ${CHANNEL} }
subscriptions:
  - ${subscription}
`,
      { SLACK_BOT_TOKEN: 'xoxb-test' },
      Date.now(),
    );
    await h.cycle(); // first sight: everything operational
    return h;
  }

  const set = (name: string, status: Parameters<SimulatedPage['setComponentStatus']>[1]) =>
    page.setComponentStatus(ids.get(name) as string, status);
  /** Every message the bot sent, as Slack received it (posts and edits). */
  const sent = () => [...slack.posts(CHANNEL), ...slack.updates(CHANNEL)].map((c) => JSON.stringify(c.body));
  const pinging = (pattern: RegExp) => sent().filter((s) => pattern.test(s));

  it('a critical incident names the group once, on the message that opens it; a minor one names nobody', async () => {
    const app = await start(`{ destination: oncall, mention: { to: ["${GROUP}"], from: critical } }`);
    set('Banco Rohan CO', 'degraded_performance');
    await app.cycle(MIN);
    expect(slack.history(CHANNEL).map((m) => m.text)).toEqual([
      "[MINOR] Banco Rohan CO: degraded performance on Belvo's status page",
    ]);

    set('Banco Erebor MX - Retail', 'major_outage');
    await app.cycle(MIN);
    const erebor = slack.history(CHANNEL)[1];
    expect(erebor?.text).toBe(`${GROUP} [CRITICAL] Banco Erebor MX - Retail: major outage on Belvo's status page`);

    // Its updates (a status-page incident joining it, recovery) are edits and replies: none names the group again.
    page.openIncident({
      name: 'Banco Erebor MX - Retail connection errors',
      impact: 'critical',
      body: 'We are investigating.',
      components: [{ id: ids.get('Banco Erebor MX - Retail') as string, status: 'major_outage' }],
    });
    await app.cycle(MIN);
    set('Banco Erebor MX - Retail', 'operational');
    await app.cycle(MIN);
    expect(slack.updates(CHANNEL).length).toBeGreaterThan(0);
    expect(pinging(/subteam/)).toHaveLength(1);
  });

  it('an escalation to the level names the group in a thread reply also shown in the channel', async () => {
    const app = await start(`{ destination: oncall, mention: { to: ["${GROUP}", "user:U0ANA"], from: critical } }`);
    set('Banco Gondor MX - Business', 'partial_outage');
    await app.cycle(MIN);
    expect(pinging(/subteam/)).toHaveLength(0);

    set('Banco Gondor MX - Business', 'major_outage');
    await app.cycle(MIN);
    const [parent] = slack.history(CHANNEL);
    const replies = slack.replies(CHANNEL, parent?.ts ?? '');
    const loud = replies.filter((r) => r.text.includes(GROUP));
    expect(loud).toHaveLength(1);
    expect(loud[0]?.text).toMatch(/^<!subteam\^S0BELVO> <@U0ANA> :arrows_counterclockwise: Update: /);
    const call = slack.posts(CHANNEL).find((c) => String(c.body['text']).includes(GROUP));
    expect(String(call?.body['reply_broadcast'])).toBe('true'); // form-encoded by the Web API client
    // The parent's edit says critical now, and pings nobody (Slack never notifies on an edit; it carries no mention).
    expect(slack.message(CHANNEL, parent?.ts ?? '')?.text).toBe(
      "[CRITICAL] Banco Gondor MX - Business: major outage on Belvo's status page",
    );
  });

  it('text from a status page that says <!channel> or @everyone pings nobody', async () => {
    const app = await start(`{ destination: oncall, mention: { to: ["${GROUP}"], from: critical } }`);
    page.openIncident({
      name: 'Banco Rohan CO <!channel> @everyone <!here>',
      impact: 'critical',
      body: 'Attention <!everyone> <@U0BOSS> <!subteam^S0ALL>: we are investigating.',
      components: [{ id: ids.get('Banco Rohan CO') as string, status: 'major_outage' }],
    });
    await app.cycle(MIN);
    expect(slack.history(CHANNEL).length).toBeGreaterThan(0);
    // The bot's own mention is the only live one; the page's words arrive escaped.
    expect(pinging(/<!channel>|<!everyone>|<!here>|<@U0BOSS>|<!subteam\^S0ALL>/)).toEqual([]);
    expect(sent().some((s) => s.includes('&lt;!channel&gt;'))).toBe(true);
  });
});
