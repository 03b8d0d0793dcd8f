// The alert policy end to end, in the real bot against a simulated institutions page, a fake Slack and a fake
// PagerDuty over HTTP: storms, escalation, quiet hours in a time zone, a silence's start and end, maintenance, and
// PagerDuty answering 429 or 400. The clock is the test's (see app-harness.ts).

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { COLORS } from '../../adapters/slack/render.js';
import { INCIDENT_KIND } from '../../src/domain/fingerprint.js';
import { type FakePagerDuty, startFakePagerDuty } from '../fakes/pagerduty-api.js';
import { type FakeSlack, startFakeSlack } from '../fakes/slack-api.js';
import { SimulatedPage, type SimulatedStatusPageServer, startSimulatedStatusPage } from '../fakes/statuspage.js';
import { type AppHarness, startApp } from './app-harness.js';

const CHANNEL = 'C0ONCALL1';
const PD_KEY = 'R0UT1NGKEY00000000000000000000PD';
const MIN = 60_000;
// 02:00 in Mexico City (UTC-6): inside 22:00-07:00 quiet hours, which end at 13:00Z.
const NIGHT = Date.parse('2026-03-10T08:00:00Z');

interface Options {
  subscription?: string;
  silences?: string;
}

describe('alert policy, end to end', () => {
  let page: SimulatedPage;
  let statuspage: SimulatedStatusPageServer;
  let slack: FakeSlack;
  let pd: FakePagerDuty;
  let h: AppHarness | undefined;
  const ids = new Map<string, string>();

  beforeEach(async () => {
    page = new SimulatedPage({ id: 'institutions01', name: 'Belvo institutions' });
    const add = (name: string, group: string) => ids.set(name, page.addComponent({ name, group }));
    add('Banco Erebor MX - Retail', 'Mexico');
    add('Banco Gondor MX - Business', 'Mexico');
    for (let i = 1; i <= 12; i++) add(`Bank ${i} ${i % 2 ? 'MX' : 'CO'}`, i % 2 ? 'Mexico' : 'Colombia');
    statuspage = await startSimulatedStatusPage({ page });
    slack = await startFakeSlack({ channels: [CHANNEL] });
    pd = await startFakePagerDuty();
  });

  afterEach(async () => {
    await h?.dispose();
    h = undefined;
    await Promise.all([statuspage.close(), slack.close(), pd.close()]);
  });

  async function start(at: number, opts: Options = {}): Promise<AppHarness> {
    h = await startApp(
      (dir) => `
storage: { path: ${dir}/state.db }
log: { level: silent }
sources:
  - { id: institutions, type: statuspage, name: Belvo institutions, url: "${statuspage.url}", role: institutions }
engine: { thresholds: { byKind: { statuspage.component: { fail: 1, ok: 1 } } } }
slack: { botToken: { secretEnv: SLACK_BOT_TOKEN }, apiUrl: "${slack.apiUrl}" }
delivery: { initialBackoff: 500ms, maxBackoff: 1s }
destinations:
  - { id: oncall, type: slack, channel: ${CHANNEL} }
  - { id: pagerduty, type: pagerduty, routingKey: { secretEnv: PD_KEY }, eventsUrl: "${pd.eventsUrl}" }
subscriptions:
  - ${opts.subscription ?? '{ destination: oncall }'}
silences: ${opts.silences ?? '[]'}
policy:
  paging:
    criticalInstitutions: [Banco Erebor MX - Retail]
    rules:
      - { name: critical-institution-down, match: { critical: true, minSeverity: major } }
      - { name: left-alone, match: { minSeverity: major }, page: 15m }
      - { name: storm, match: { kinds: [bot.storm] } }
  storms: { count: 5, window: 1m }
`,
      { SLACK_BOT_TOKEN: 'xoxb-test', PD_KEY },
      at,
    );
    await h.cycle(); // first sight: everything operational
    return h;
  }

  const set = (name: string, status: Parameters<SimulatedPage['setComponentStatus']>[1]) =>
    page.setComponentStatus(ids.get(name) as string, status);
  const parents = () => slack.history(CHANNEL);
  const textOf = (m: unknown) => JSON.stringify(m);
  const actions = () => pd.events.map((e) => String(e.body?.['event_action']));

  it('twelve institutions down within a minute: one grouped message and one page; recoveries edit it; the last resolves the page', async () => {
    const app = await start(Date.now());
    const banks = Array.from({ length: 12 }, (_, i) => `Bank ${i + 1} ${i % 2 ? 'CO' : 'MX'}`);
    for (const bank of banks.slice(0, 7)) set(bank, 'major_outage');
    await app.cycle(20_000);
    for (const bank of banks.slice(7)) set(bank, 'major_outage');
    await app.cycle(20_000);

    expect(parents()).toHaveLength(1);
    const storm = parents()[0];
    expect(storm?.text).toBe('[CRITICAL] 12 institutions down at once');
    expect(textOf(storm)).toContain('Bank 12 CO (CO)');
    expect(pd.alerts()).toHaveLength(1);
    expect(pd.alerts()[0]).toMatchObject({ status: 'triggered', incidents: 1, log: ['trigger'] });
    // The page was opened when the storm formed (7 then); PagerDuty keeps the first summary of an open alert.
    expect(String(pd.alerts()[0]?.payload['summary'])).toMatch(/^\[A\d+ · critical\] 7 institutions/);

    for (const [i, bank] of banks.entries()) {
      set(bank, 'operational');
      await app.cycle(5000);
      const message = slack.message(CHANNEL, storm?.ts ?? '');
      if (i < 11) expect(textOf(message)).toContain(`${11 - i} down, ${i + 1} recovered`);
    }
    expect(parents()).toHaveLength(1); // never a message per institution
    expect(slack.replies(CHANNEL, storm?.ts ?? '').length).toBeGreaterThanOrEqual(12); // the 2nd join + 12 recoveries
    const final = slack.message(CHANNEL, storm?.ts ?? '');
    expect((final?.attachments?.[0] as { color?: string } | undefined)?.color).toBe(COLORS.resolved);
    expect(pd.alerts()[0]).toMatchObject({ status: 'resolved', incidents: 1, log: ['trigger', 'resolve'] });
  });

  it('escalation: an institution outside the critical list pages only after 15 minutes firing and unacknowledged', async () => {
    const app = await start(Date.now());
    set('Banco Gondor MX - Business', 'partial_outage');
    await app.cycle();
    expect(parents()).toHaveLength(1);
    expect(textOf(parents()[0])).toContain('pages on-call in 15m unless acknowledged (rule left-alone)');
    await app.cycle(13 * MIN);
    expect(pd.events).toHaveLength(0);
    await app.cycle(2 * MIN);
    expect(actions()).toEqual(['trigger']);
    const thread = slack.replies(CHANNEL, parents()[0]?.ts ?? '');
    expect(thread.at(-1)?.text).toMatch(/not acknowledged: paging on-call \(rule "left-alone"\)/);

    // Another one, acknowledged in chat at minute 5: it never pages.
    set('Bank 1 MX', 'partial_outage');
    await app.cycle();
    const alertId = /"alert_id":"(A\d+)"/.exec(textOf(parents()[1]?.metadata))?.[1] as string;
    const reply = await app.chat(`ack ${alertId}`, CHANNEL, app.clock.now() + 5 * MIN);
    expect(reply.title).toMatch(/acknowledged/i);
    await app.cycle(30 * MIN);
    expect(actions()).toEqual(['trigger']);
  });

  it('quiet hours in Mexico City: only urgent messages at night, pages still go out, one digest at 07:00', async () => {
    const app = await start(NIGHT, {
      subscription: `{ destination: oncall, quietHours: { from: '22:00', to: '07:00', tz: America/Mexico_City } }`,
    });
    set('Banco Gondor MX - Business', 'partial_outage'); // major: waits
    set('Bank 1 MX', 'degraded_performance'); // minor: waits
    await app.cycle();
    expect(parents()).toHaveLength(0);
    set('Bank 1 MX', 'operational');
    set('Banco Erebor MX - Retail', 'major_outage'); // critical: urgent, goes out, and pages
    await app.cycle(MIN);
    expect(parents().map((m) => m.text)).toEqual([
      "[CRITICAL] Banco Erebor MX - Retail: major outage on Belvo's status page",
    ]);
    expect(actions()).toEqual(['trigger']);
    await app.cycle(20 * MIN); // Gondor still firing and unacknowledged after 15 minutes: quiet hours do not stop a page
    expect(actions()).toEqual(['trigger', 'trigger']);
    expect(parents()).toHaveLength(1);

    app.clock.t = Date.parse('2026-03-10T13:00:30Z'); // 07:00:30 in Mexico City
    await app.cycle();
    await app.cycle(MIN);
    expect(parents()).toHaveLength(2);
    const digest = parents()[1];
    expect(digest?.text).toBe('[MAJOR] While quiet (22:00-07:00 America/Mexico_City): 2 alerts');
    expect(textOf(digest)).toContain('Banco Gondor MX - Business (MX) · major');
    expect(textOf(digest)).toMatch(/Bank 1 MX \(MX\) · recovered after/);
  });

  it('a silence: nothing posted or paged while it lasts; when it ends, only what still fires is announced and paged', async () => {
    const at = Date.now();
    const until = new Date(at + 30 * MIN).toISOString();
    const app = await start(at, {
      silences: `[{ match: { source: institutions }, until: "${until}", reason: bank migration, createdBy: ana }]`,
    });
    set('Banco Erebor MX - Retail', 'major_outage');
    set('Bank 2 CO', 'major_outage');
    await app.cycle(MIN);
    set('Bank 2 CO', 'operational');
    await app.cycle(MIN);
    expect(parents()).toHaveLength(0);
    expect(pd.events).toHaveLength(0);
    // The component's alert and its institution incident: both muted, both showing why.
    const firing = await app.app.store.listAlerts({ states: ['firing'] });
    expect(firing.map((a) => [a.kind, a.silenced?.reason]).sort()).toEqual([
      [INCIDENT_KIND, 'bank migration'],
      ['statuspage.component', 'bank migration'],
    ]);

    await app.cycle(29 * MIN);
    expect(parents().map((m) => m.text)).toEqual([
      "[CRITICAL] Banco Erebor MX - Retail: major outage on Belvo's status page",
    ]);
    expect(textOf(parents()[0])).toContain('silence config:0 ended; still firing');
    expect(actions()).toEqual(['trigger']);
  });

  it('a weekly silence set in chat mutes only inside its window, every week, and `silences` says it is muting', async () => {
    // Sunday 1 March 2026, 01:30 in São Paulo (UTC-3): the bank's window is Sundays 02:00-04:00 local.
    const app = await start(Date.parse('2026-03-01T04:30:00Z'));
    const reply = await app.chat(
      'silence institution:Banco Erebor MX - Retail every sun 02:00-04:00 tz:America/Sao_Paulo core banking window',
      CHANNEL,
    );
    expect(reply.title).toBe(
      'Silenced every alert about an institution named "Banco Erebor MX - Retail" every Sun 02:00-04:00 America/Sao_Paulo',
    );
    set('Banco Gondor MX - Business', 'major_outage'); // another bank, not silenced: heard at once
    await app.cycle(MIN);
    expect(parents().map((m) => m.text)).toEqual([
      "[CRITICAL] Banco Gondor MX - Business: major outage on Belvo's status page",
    ]);

    await app.cycle(40 * MIN); // 02:11 local: inside the window
    set('Banco Erebor MX - Retail', 'major_outage');
    await app.cycle(MIN);
    expect(parents()).toHaveLength(1); // Erebor, critical, is neither posted nor paged inside the window
    expect(pd.events.filter((e) => JSON.stringify(e.body).includes('Erebor'))).toHaveLength(0);

    await app.cycle(2 * 60 * MIN); // 04:12 local: the window is over and Erebor still fails
    expect(parents()).toHaveLength(2);
    expect(parents()[1]?.text).toBe("[CRITICAL] Banco Erebor MX - Retail: major outage on Belvo's status page");
    expect(textOf(parents()[1])).toContain('silence S1 ended; still firing');

    set('Banco Erebor MX - Retail', 'operational');
    await app.cycle(MIN);
    // The next Sunday 02:30 local: the same window mutes again, and the open Gondor message is untouched by it.
    app.clock.t = Date.parse('2026-03-08T05:30:00Z');
    set('Banco Erebor MX - Retail', 'partial_outage');
    await app.cycle(MIN);
    expect(parents()).toHaveLength(2);
    const erebor = (await app.app.store.listAlerts({ states: ['firing'] })).find(
      (a) => a.kind === INCIDENT_KIND && a.institution?.displayName === 'Banco Erebor MX - Retail',
    );
    expect(erebor?.silenced).toMatchObject({ id: 'S1', every: 'every Sun 02:00-04:00 America/Sao_Paulo' });
    const listed = await app.chat('silences', CHANNEL);
    expect(listed.sections[0]?.lines[0]).toMatch(
      /^S1: institution Banco Erebor MX - Retail · every Sun 02:00-04:00 America\/Sao_Paulo · muting now, until 2026-03-08 07:00 UTC/,
    );
  });

  it('a channel that unsubscribes while an incident is open still sees its message turn green at the end', async () => {
    // The file's subscription covers only Colombia; the channel subscribes to everything from chat.
    const app = await start(Date.now(), { subscription: '{ destination: oncall, countries: [CO] }' });
    const chat = (text: string) => app.chat(text, CHANNEL);
    await chat('subscribe');
    set('Banco Gondor MX - Business', 'partial_outage');
    await app.cycle();
    expect(parents().map((m) => m.text)).toEqual([
      "[MAJOR] Banco Gondor MX - Business: partial outage on Belvo's status page",
    ]);
    expect((await chat('unsubscribe')).title).toMatch(/unsubscribed|removed/i);
    set('Bank 1 MX', 'major_outage'); // news after unsubscribing is not posted here
    set('Banco Gondor MX - Business', 'operational');
    await app.cycle(MIN);
    await app.cycle(MIN);
    expect(parents()).toHaveLength(1);
    const message = slack.message(CHANNEL, parents()[0]?.ts ?? '');
    expect(message?.text).toMatch(/^\[Resolved\] Banco Gondor MX - Business/);
    expect((message?.attachments?.[0] as { color?: string } | undefined)?.color).toBe(COLORS.resolved);
  });

  it('a maintenance: an outage inside the window never pages; after it, only a difference is announced', async () => {
    const app = await start(Date.now());
    const erebor = ids.get('Banco Erebor MX - Retail') as string;
    const m = page.scheduleMaintenance({
      name: 'Erebor core banking upgrade',
      components: [erebor],
      scheduledFor: new Date(Date.now() - MIN).toISOString(),
      scheduledUntil: new Date(Date.now() + 60 * MIN).toISOString(),
      body: 'Scheduled.',
    });
    page.startMaintenance(m, 'In progress.');
    await app.cycle();
    set('Banco Erebor MX - Retail', 'major_outage');
    await app.cycle(MIN);
    expect(pd.events).toHaveLength(0);
    page.completeMaintenance(m, 'Done.');
    set('Banco Erebor MX - Retail', 'operational');
    await app.cycle(MIN);
    await app.cycle(MIN);
    expect(pd.events).toHaveLength(0);
    expect(parents().filter((p) => /^\[CRITICAL\]/.test(p.text ?? ''))).toEqual([]);
  });

  it('PagerDuty answering 429 then 202: retried until accepted; 400: given up at once and reported in chat', async () => {
    const app = await start(Date.now());
    pd.script({ status: 429, retryAfter: 1 });
    set('Banco Erebor MX - Retail', 'major_outage');
    await app.cycle();
    expect(pd.events.map((e) => e.status)).toEqual([429, 202]);
    expect(pd.alerts()[0]).toMatchObject({ status: 'triggered', log: ['trigger'] });

    pd.script({ status: 400 });
    set('Banco Erebor MX - Retail', 'operational');
    await app.cycle();
    await app.cycle(10 * MIN);
    expect(pd.events.map((e) => e.status)).toEqual([429, 202, 400]);
    expect(parents().map((p) => p.text)).toContain('[MAJOR] Messages to pagerduty are refused');
  });
});
