// The real program delivering to Slack (a fake Web API on 127.0.0.1): one parent per incident per channel, edited
// in place, updates threaded, resolution edited in; filters per channel; pacing; crashes; a flaky Slack.
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeSlack, startFakeSlack } from '../fakes/slack-api.js';
import { SimulatedPage, type SimulatedStatusPageServer, startSimulatedStatusPage } from '../fakes/statuspage.js';
import { BotProcess, sleep, until } from './bot-process.js';

const POLL_MS = 150;
const ALL = 'C0ALLALERTS';
const CRIT = 'C0CRITONLY';

function config(pageUrl: string, slackApi: string, opts: { console?: boolean } = {}) {
  const consoleDest = opts.console ? '\n  - { id: console, type: console }' : '';
  const consoleSub = opts.console ? '\n  - { destination: console }' : '';
  return (dir: string) => `
server: { host: 127.0.0.1, port: 0 }
storage: { path: ${dir}/state.db }
sources:
  - { id: api, type: statuspage, name: Belvo API, url: "${pageUrl}", interval: ${POLL_MS}ms, jitter: 0 }
slack:
  botToken: { secretEnv: SLACK_BOT_TOKEN }
  apiUrl: "${slackApi}"
  timeout: 2s
delivery: { initialBackoff: 200ms, maxBackoff: 2s, maxAttempts: 20, lease: 3s }
destinations:
  - { id: all, type: slack, channel: ${ALL} }
  - { id: crit, type: slack, channel: ${CRIT} }${consoleDest}
subscriptions:
  - { destination: all }
  - { destination: crit, minSeverity: critical }${consoleSub}
`;
}

describe('alerts delivered to Slack', () => {
  let page: SimulatedPage;
  let statuspage: SimulatedStatusPageServer | undefined;
  let slack: FakeSlack | undefined;
  let bot: BotProcess | undefined;

  afterEach(async () => {
    await bot?.dispose();
    await statuspage?.close();
    await slack?.close();
  });

  async function setUp(seedFaults?: (s: FakeSlack) => void) {
    page = new SimulatedPage({ id: 'slack0000001', name: 'Belvo API' });
    page.addComponent({ name: 'API' });
    statuspage = await startSimulatedStatusPage({ page });
    slack = await startFakeSlack({ channels: [ALL, CRIT], seed: 7 });
    seedFaults?.(slack);
    bot = new BotProcess(config(statuspage.url, slack.apiUrl));
    bot.start({ SLACK_BOT_TOKEN: 'xoxb-e2e-token' });
    await bot.waitForLog('belvo-status-bot started');
    await sleep(POLL_MS * 3); // first sight
  }

  const topLevel = (channel: string) =>
    slack?.history(channel).filter((m) => !m.thread_ts || m.thread_ts === m.ts) ?? [];

  async function incidentLife() {
    const id = page.openIncident({
      name: 'Elevated 500s on /api/links',
      impact: 'major',
      body: 'Investigating errors.',
    });
    await until(() => topLevel(ALL).length === 1, 15_000, 'the parent post');
    page.updateIncident(id, { status: 'identified', body: 'Database failover identified.' });
    await sleep(POLL_MS * 4);
    page.updateIncident(id, { status: 'monitoring', body: 'Fix deployed, monitoring.', impact: 'critical' });
    await sleep(POLL_MS * 4);
    page.resolveIncident(id, 'Resolved.');
    const parentTs = () => topLevel(ALL)[0]?.ts ?? '';
    await until(() => (slack?.replies(ALL, parentTs()).length ?? 0) >= 3, 20_000, 'three thread replies');
    await until(
      () => (slack?.replies(CRIT, topLevel(CRIT)[0]?.ts ?? '').length ?? 0) >= 1,
      20_000,
      'the critical reply',
    );
    return parentTs();
  }

  it('one parent per channel, edited per version with a thread reply, ending green; filters per channel', async () => {
    await setUp();
    const parentTs = await incidentLife();

    expect(topLevel(ALL)).toHaveLength(1);
    const replies = slack?.replies(ALL, parentTs).map((r) => r.text) ?? [];
    // The page's incident is the Belvo API incident: each thread reply says what the page now says, and quotes it.
    expect(replies).toEqual([
      expect.stringMatching(
        /^:arrows_counterclockwise: Update: Elevated 500s on \/api\/links: identified\n> \*identified\*: Database failover/,
      ),
      expect.stringMatching(
        /^:arrows_counterclockwise: Update: worse: Elevated 500s on \/api\/links now critical; Elevated 500s on \/api\/links: monitoring\n> \*monitoring\*: Fix deployed/,
      ),
      expect.stringMatching(
        /^:white_check_mark: Resolved: Elevated 500s on \/api\/links: resolved \(after \d+s\)\n> \*resolved\*: Resolved\./,
      ),
    ]);
    const parent = slack?.message(ALL, parentTs);
    expect(parent?.text).toBe('[Resolved] Belvo API: Elevated 500s on /api/links');
    expect((parent?.attachments?.[0] as { color?: string } | undefined)?.color).toBe('#12B76A');
    expect(slack?.updates(ALL)).toHaveLength(3);

    // The critical-only channel heard of it once it became critical, and of its resolution.
    expect(topLevel(CRIT)).toHaveLength(1);
    expect(slack?.replies(CRIT, topLevel(CRIT)[0]?.ts ?? '').map((r) => r.text)).toEqual([
      expect.stringMatching(/^:white_check_mark: Resolved/),
    ]);
    expect(slack?.postsWithinOneSecond(ALL)).toEqual([]);
  }, 60_000);

  it('Slack answering 30% 429 with Retry-After and 10% 5xx: everything arrives, in order, never two posts a second', async () => {
    await setUp((s) => {
      s.faults.rateLimit({ ratio: 0.3, retryAfter: 1 });
      s.faults.serverError({ ratio: 0.1, status: 503 });
    });
    const parentTs = await incidentLife();
    expect(topLevel(ALL)).toHaveLength(1);
    const replies = slack?.replies(ALL, parentTs).map((r) => r.text.split('\n')[0]) ?? [];
    expect(replies).toEqual([
      ':arrows_counterclockwise: Update: Elevated 500s on /api/links: identified',
      ':arrows_counterclockwise: Update: worse: Elevated 500s on /api/links now critical; Elevated 500s on /api/links: monitoring',
      expect.stringMatching(/^:white_check_mark: Resolved/),
    ]);
    expect(slack?.calls.some((c) => c.status === 429)).toBe(true);
    expect(slack?.postsWithinOneSecond(ALL)).toEqual([]);
    expect(slack?.postsWithinOneSecond(CRIT)).toEqual([]);
  }, 90_000);

  it('SIGKILL while a post is in flight (Slack applied it, the bot never heard back), then restart: no duplicate', async () => {
    await setUp();
    // The next posts to each channel reach Slack, but no answer ever comes back: the bot dies waiting.
    slack?.faults.hang('chat.postMessage', { times: 2, process: true });
    const id = page.openIncident({ name: 'Webhooks delayed', impact: 'critical', body: 'Investigating.' });
    await until(() => topLevel(ALL).length === 1 && topLevel(CRIT).length === 1, 15_000, 'both parents applied');
    await bot?.kill('SIGKILL');
    page.updateIncident(id, { status: 'identified', body: 'Queue backlog found.' });
    bot?.start({ SLACK_BOT_TOKEN: 'xoxb-e2e-token' });
    await bot?.waitForLog('belvo-status-bot started');
    // This life sees the update (a loaded machine makes it late, never skipped: the resolution would then come in
    // the same poll and share its reply), then dies too.
    const replied = (channel: string) => (slack?.replies(channel, topLevel(channel)[0]?.ts ?? '').length ?? 0) >= 1;
    await until(() => replied(ALL) && replied(CRIT), 30_000, 'the update replied in both channels');
    await bot?.kill('SIGKILL');
    page.resolveIncident(id, 'Resolved.');
    bot?.start({ SLACK_BOT_TOKEN: 'xoxb-e2e-token' });
    await bot?.waitForLog('belvo-status-bot started');

    for (const channel of [ALL, CRIT]) {
      await until(
        () => (slack?.replies(channel, topLevel(channel)[0]?.ts ?? '').length ?? 0) >= 2,
        30_000,
        `replies in ${channel}`,
      );
      await sleep(POLL_MS * 4);
      // One parent: the one the lost post created, found again through its metadata.
      expect(topLevel(channel)).toHaveLength(1);
      const replies = slack?.replies(channel, topLevel(channel)[0]?.ts ?? '').map((r) => r.text.split('\n')[0]) ?? [];
      expect(replies).toEqual([
        ':arrows_counterclockwise: Update: Webhooks delayed: identified',
        expect.stringMatching(/^:white_check_mark: Resolved/),
      ]);
    }
  }, 90_000);

  it('a channel that refuses messages (bot removed) becomes an alert of its own, resolved once it accepts again', async () => {
    page = new SimulatedPage({ id: 'slack0000002', name: 'Belvo API' });
    page.addComponent({ name: 'API' });
    statuspage = await startSimulatedStatusPage({ page });
    slack = await startFakeSlack({ channels: [ALL, CRIT] });
    bot = new BotProcess(config(statuspage.url, slack.apiUrl, { console: true }));
    bot.start({ SLACK_BOT_TOKEN: 'xoxb-e2e-token' });
    await bot.waitForLog('belvo-status-bot started');
    await sleep(POLL_MS * 3);

    slack.kick(ALL);
    const id = page.openIncident({ name: 'Dashboard slow', impact: 'minor', body: 'Investigating.' });
    await bot.waitFor(/OPENED +MAJOR +\[A\d+\] Messages to slack:C0ALLALERTS are refused/, 15_000);
    expect(bot.output.join('\n')).toContain('last error: not_in_channel');

    slack.invite(ALL);
    page.updateIncident(id, { status: 'identified', body: 'Cause found.' });
    await bot.waitFor(/RESOLVED +MAJOR +\[A\d+\] Messages to slack:C0ALLALERTS are refused/, 15_000);
    expect(bot.count(/Messages to slack:C0ALLALERTS are refused/)).toBe(2);
  }, 60_000);
});
