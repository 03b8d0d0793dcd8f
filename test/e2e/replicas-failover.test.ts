// Two bot processes on one PostgreSQL schema, delivering to a fake Slack: the leader is killed with SIGKILL in the
// middle of an incident (once while a post it sent was applied by Slack but never answered), and the survivor takes
// over within the lease. Slack must show one parent per channel and every version once: nothing twice, nothing lost.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type FakeSlack, startFakeSlack } from '../fakes/slack-api.js';
import { SimulatedPage, type SimulatedStatusPageServer, startSimulatedStatusPage } from '../fakes/statuspage.js';
import { dropSchema, PG_URL, uniqueSchema } from '../support/postgres.js';
import { BotProcess, sleep, until } from './bot-process.js';

const POLL_MS = 150;
const LEASE_MS = 3000;
const ALL = 'C0ALLALERTS';
const CRIT = 'C0CRITONLY';
const LEADS = 'this replica leads: polling and ticking';
const ENV = { SLACK_BOT_TOKEN: 'xoxb-e2e-token', DATABASE_URL: PG_URL };

function config(schema: string, pageUrl: string, slackApi: string) {
  return () => `
server: { host: 127.0.0.1, port: 0 }
storage:
  driver: postgres
  url: { secretEnv: DATABASE_URL }
  schema: ${schema}
  poolSize: 4
  leaderLease: ${LEASE_MS}ms
sources:
  - { id: api, type: statuspage, name: Belvo API, url: "${pageUrl}", interval: ${POLL_MS}ms, jitter: 0 }
slack:
  botToken: { secretEnv: SLACK_BOT_TOKEN }
  apiUrl: "${slackApi}"
  timeout: 2s
delivery: { initialBackoff: 200ms, maxBackoff: 2s, maxAttempts: 20, lease: 3s }
destinations:
  - { id: all, type: slack, channel: ${ALL} }
  - { id: crit, type: slack, channel: ${CRIT} }
subscriptions:
  - { destination: all }
  - { destination: crit, minSeverity: critical }
`;
}

describe('several replicas on PostgreSQL', () => {
  const schemas: string[] = [];
  let statuspage: SimulatedStatusPageServer | undefined;
  let slack: FakeSlack | undefined;
  const bots: BotProcess[] = [];

  afterEach(async () => {
    await Promise.all(bots.splice(0).map((b) => b.dispose()));
    await statuspage?.close();
    await slack?.close();
  });
  afterAll(async () => {
    for (const s of schemas) await dropSchema(s);
  });

  const topLevel = (channel: string) =>
    slack?.history(channel).filter((m) => !m.thread_ts || m.thread_ts === m.ts) ?? [];
  const replies = (channel: string) =>
    slack?.replies(channel, topLevel(channel)[0]?.ts ?? '').map((r) => r.text.split('\n')[0]) ?? [];

  /** Starts a replica and waits until it serves; resolves with when it started. */
  async function startReplica(bot: BotProcess): Promise<void> {
    bot.start(ENV);
    await bot.waitForLog('belvo-status-bot started', 30_000);
  }

  /** Kills the leader with SIGKILL; the other replica must lead within the lease. Returns the takeover time. */
  async function killLeaderAndWaitForTakeover(leader: BotProcess, survivor: BotProcess): Promise<number> {
    const killedAt = Date.now();
    await leader.kill('SIGKILL');
    await survivor.waitForLog(LEADS, LEASE_MS * 4);
    return Date.now() - killedAt;
  }

  it('the leader killed mid-incident, twice: the survivor takes over within the lease; no duplicate, nothing lost', async () => {
    const schema = uniqueSchema('failover');
    schemas.push(schema);
    const page = new SimulatedPage({ id: 'replica00001', name: 'Belvo API' });
    page.addComponent({ name: 'API' });
    statuspage = await startSimulatedStatusPage({ page });
    slack = await startFakeSlack({ channels: [ALL, CRIT], seed: 11 });
    const a = new BotProcess(config(schema, statuspage.url, slack.apiUrl));
    const b = new BotProcess(config(schema, statuspage.url, slack.apiUrl));
    bots.push(a, b);

    await startReplica(a);
    await a.waitForLog(LEADS);
    await startReplica(b);
    expect(b.running?.logs.find((l) => l.msg === 'belvo-status-bot started')?.['role']).toBe('follower');
    await sleep(POLL_MS * 3); // first sight

    // The parents reach Slack, but Slack's answers never come back; the leader dies with them in the air (or, if the
    // follower sent them, it gives up waiting and asks Slack before posting again).
    slack.faults.hang('chat.postMessage', { times: 2, process: true });
    const id = page.openIncident({ name: 'Webhooks delayed', impact: 'critical', body: 'Investigating.' });
    await until(() => topLevel(ALL).length === 1 && topLevel(CRIT).length === 1, 20_000, 'both parents applied');
    const first = await killLeaderAndWaitForTakeover(a, b);

    page.updateIncident(id, { status: 'identified', body: 'Queue backlog found.' });
    await until(() => replies(ALL).length >= 1 && replies(CRIT).length >= 1, 30_000, 'the update, from b');

    // a comes back as a follower; then b, now leading, is killed just as the incident resolves.
    await startReplica(a);
    page.resolveIncident(id, 'Resolved.');
    const second = await killLeaderAndWaitForTakeover(b, a);

    for (const channel of [ALL, CRIT]) {
      await until(
        () => replies(channel).length >= 2,
        30_000,
        `the resolution in ${channel}`,
        () => a.stderrTail().join('\n'),
      );
    }
    await sleep(POLL_MS * 6); // anything late would show now
    for (const channel of [ALL, CRIT]) {
      expect(topLevel(channel)).toHaveLength(1);
      expect(replies(channel)).toEqual([
        ':arrows_counterclockwise: Update: Webhooks delayed: identified',
        expect.stringMatching(/^:white_check_mark: Resolved/),
      ]);
    }
    // Within the lease (plus the follower's next try, a third of it), with room for a loaded machine.
    expect(first).toBeLessThan(LEASE_MS * 2 + 2000);
    expect(second).toBeLessThan(LEASE_MS * 2 + 2000);
    console.info(`takeover after SIGKILL: ${first} ms, ${second} ms (lease ${LEASE_MS} ms)`);
  }, 150_000);
});
