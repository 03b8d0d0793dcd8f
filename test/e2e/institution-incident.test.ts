// One incident per institution problem, end to end in the real app: a token_required spike at Banco Erebor (the
// team's links, reconciled from a fake Belvo API), then its error ratio (the team's reported calls), then its
// component on Belvo's status page going to partial_outage. Two Slack channels each get one message, kept current,
// whose "not yet on Belvo's status page" becomes the confirmation; PagerDuty gets one page, resolved once at the end.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { COLORS } from '../../adapters/slack/render.js';
import type { BelvoCall } from '../../src/detect/error-ratios.js';
import { type FakeBelvo, startFakeBelvo } from '../fakes/belvo-api.js';
import { type FakePagerDuty, startFakePagerDuty } from '../fakes/pagerduty-api.js';
import { type FakeSlack, startFakeSlack } from '../fakes/slack-api.js';
import { SimulatedPage, type SimulatedStatusPageServer, startSimulatedStatusPage } from '../fakes/statuspage.js';
import { type AppHarness, startApp } from './app-harness.js';

const ONCALL = 'C0ONCALL1';
const MEXICO = 'C0MEXICO1';
const PD_KEY = 'R0UT1NGKEY00000000000000000000PD';
const MIN = 60_000;

describe('one incident per institution problem', () => {
  let belvo: FakeBelvo;
  let page: SimulatedPage;
  let statuspage: SimulatedStatusPageServer;
  let slack: FakeSlack;
  let pd: FakePagerDuty;
  let h: AppHarness | undefined;
  let erebor = '';
  let links: string[] = [];

  beforeEach(async () => {
    belvo = await startFakeBelvo();
    belvo.addInstitution({ name: 'erebor_mx_retail', display_name: 'Banco Erebor', country_codes: ['MX'] });
    belvo.addInstitution({ name: 'gondor_co_retail', display_name: 'Banco Gondor', country_codes: ['CO'] });
    links = belvo.addLinks(100, { institution: 'erebor_mx_retail', status: 'valid' }).map((l) => l.id);
    belvo.addLinks(100, { institution: 'gondor_co_retail', status: 'valid' });
    page = new SimulatedPage({ id: 'institutions01', name: 'Belvo institutions' });
    erebor = page.addComponent({ name: 'Banco Erebor MX - Retail', group: 'Mexico' });
    page.addComponent({ name: 'Banco Gondor CO - Retail', group: 'Colombia' });
    statuspage = await startSimulatedStatusPage({ page });
    slack = await startFakeSlack({ channels: [ONCALL, MEXICO] });
    pd = await startFakePagerDuty();
    h = await startApp(
      (dir) => `
storage: { path: ${dir}/state.db }
log: { level: silent }
sources:
  - { id: institutions, type: statuspage, name: Belvo institutions, url: "${statuspage.url}", role: institutions }
belvo:
  environments:
    - id: production
      url: "${belvo.url}"
      secretKeyId: { secretEnv: BELVO_ID }
      secretKeyPassword: { secretEnv: BELVO_PASSWORD }
      reconcileInterval: 1m
      rateLimit: { requests: 1000, per: 1s }   # the test's clock moves in jumps; pacing is tested on its own
  ingest: { token: { secretEnv: INGEST_TOKEN }, evaluateEvery: 1m }
slack: { botToken: { secretEnv: SLACK_BOT_TOKEN }, apiUrl: "${slack.apiUrl}" }
delivery: { initialBackoff: 500ms, maxBackoff: 1s }
destinations:
  - { id: oncall, type: slack, channel: ${ONCALL} }
  - { id: mexico, type: slack, channel: ${MEXICO} }
  - { id: pagerduty, type: pagerduty, routingKey: { secretEnv: PD_KEY }, eventsUrl: "${pd.eventsUrl}" }
subscriptions:
  - { destination: oncall }
  - { destination: mexico, countries: [MX] }
policy:
  paging:
    criticalInstitutions: [erebor_mx_retail]
    rules: [{ name: critical-institution, match: { critical: true, minSeverity: major } }]
`,
      {
        BELVO_ID: belvo.secretKeyId,
        BELVO_PASSWORD: belvo.secretKeyPassword,
        SLACK_BOT_TOKEN: 'xoxb-test',
        PD_KEY,
        INGEST_TOKEN: 'ingest-token-0123456789abcdef',
      },
      Date.parse('2026-11-27T09:00:00Z'),
    );
    await h.cycle(); // first sight: Belvo's institutions and links, the page all operational
  });

  afterEach(async () => {
    await h?.dispose();
    h = undefined;
    await Promise.all([belvo.close(), statuspage.close(), slack.close(), pd.close()]);
  });

  /** The team's app reporting its Belvo calls at Erebor over the last minutes, `failing` of each 10 failing. */
  function report(app: AppHarness, failing: number): void {
    const now = app.clock.now();
    const batch: BelvoCall[] = Array.from({ length: 60 }, (_, i) => {
      const fails = i % 10 < failing;
      return {
        ts: now - (i % 5) * 20_000,
        method: 'POST',
        path: '/api/links/',
        status: fails ? 400 : 201,
        ...(fails && { code: 'institution_unavailable', requestId: `req-${now}-${i}` }),
        institution: 'erebor_mx_retail',
        durationMs: 800,
      };
    });
    app.reportCalls(batch);
  }

  const text = (m: unknown) => JSON.stringify(m);
  const parent = (channel: string) => {
    const [first] = slack.history(channel);
    return slack.message(channel, first?.ts ?? '');
  };
  const thread = (channel: string) => slack.replies(channel, slack.history(channel)[0]?.ts ?? '').map((r) => r.text);

  it('a spike, then the error ratio, then the status page: one message per channel kept current, one page', async () => {
    const app = h as AppHarness;
    belvo.setLinkStatus(links.slice(0, 25), 'token_required');
    await app.cycle(MIN); // the counts drift: links listed again, 25 transitions, and the spike's rule fires at once
    for (const channel of [ONCALL, MEXICO]) {
      expect(slack.history(channel).map((m) => m.text)).toEqual([
        '[CRITICAL] Banco Erebor (MX): token_required spike (production)',
      ]);
      expect(text(parent(channel))).toContain("not yet on Belvo's status page (noticed ");
    }
    expect(pd.alerts()).toHaveLength(1);

    report(app, 4);
    await app.cycle(MIN);
    report(app, 4);
    await app.cycle(MIN);
    expect(text(parent(ONCALL))).toContain("40.0% institution errors in the team's calls");
    expect(text(parent(ONCALL))).toContain('req-'); // the request_ids to send to Belvo support
    expect(thread(ONCALL).some((t) => /now also 40\.0% institution errors/.test(t ?? ''))).toBe(true);

    // Erebor keeps failing: a few more links a minute need their token again, the team's calls keep failing.
    for (let minute = 0; minute < 7; minute++) {
      belvo.setLinkStatus(links.slice(25 + 3 * minute, 28 + 3 * minute), 'token_required');
      report(app, 4);
      await app.cycle(MIN);
    }
    expect(slack.history(ONCALL)).toHaveLength(1);
    page.setComponentStatus(erebor, 'partial_outage');
    await app.cycle();
    for (const channel of [ONCALL, MEXICO]) {
      expect(slack.history(channel)).toHaveLength(1); // still one message
      const shown = text(parent(channel));
      expect(shown).not.toContain('not yet on');
      expect(shown).toMatch(/on Belvo's status page since 09:10 UTC, 9m( \d+s)? after the bot noticed/);
      expect(shown).toContain("partial outage on Belvo's status page");
      expect(thread(channel).at(-1)).toMatch(
        /confirmed by partial outage on Belvo's status page 9m( \d+s)? after the bot noticed \(token_required spike \(production\)\)/,
      );
    }
    // The one message was edited in place as each source arrived (the ratio, the confirmation, at least).
    const edits = (channel: string) =>
      slack.updates(channel).filter((c) => c.body.ts === slack.history(channel)[0]?.ts).length;
    expect(edits(ONCALL)).toBeGreaterThanOrEqual(2);
    expect(edits(MEXICO)).toBe(edits(ONCALL));
    // Every source at Erebor was one incident: one page, never more, and history shows the lead time.
    expect(pd.alerts()).toHaveLength(1);
    expect(pd.alerts()[0]).toMatchObject({ status: 'triggered', log: ['trigger'] });
    const history = await app.chat('history', ONCALL);
    const lines = history.sections.flatMap((s) => s.lines);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/Banco Erebor \(MX\).* · 9m( \d+s)? before Belvo's status page/);

    // Everything recovers: the page, the links, the calls (the spike's window empties after an hour).
    page.setComponentStatus(erebor, 'operational');
    belvo.setLinkStatus(links.slice(0, 46), 'valid');
    report(app, 0);
    await app.cycle(MIN);
    // The links are valid again: the spike is over at the next check, not an hour later when its window empties.
    expect(text(parent(ONCALL))).toMatch(/token_required spike \(production\) · recovered after/);
    for (let i = 0; i < 6; i++) {
      report(app, 0);
      await app.cycle(15 * MIN);
    }
    for (const channel of [ONCALL, MEXICO]) {
      expect(slack.history(channel)).toHaveLength(1);
      const final = parent(channel);
      expect(final?.text).toMatch(/^\[Resolved\] Banco Erebor \(MX\): /);
      expect((final?.attachments?.[0] as { color?: string } | undefined)?.color).toBe(COLORS.resolved);
      expect(thread(channel).filter((t) => /Resolved/.test(t ?? ''))).toHaveLength(1);
    }
    expect(pd.alerts()).toHaveLength(1);
    expect(pd.alerts()[0]).toMatchObject({ status: 'resolved', log: ['trigger', 'resolve'] });
  });
});
