// The error-ratio settings reach the running app: with the institution threshold raised to 50% and fewer calls
// needed, 40% institution errors at Banco Erebor stay quiet and 60% fire, with the rule's numbers in the message.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BelvoCall } from '../../src/detect/error-ratios.js';
import { type FakeSlack, startFakeSlack } from '../fakes/slack-api.js';
import { type AppHarness, startApp } from './app-harness.js';

const CHANNEL = 'C0CALLS01';
const MIN = 60_000;

describe('error-ratio settings', () => {
  let slack: FakeSlack;
  let h: AppHarness | undefined;

  beforeEach(async () => {
    slack = await startFakeSlack({ channels: [CHANNEL] });
    h = await startApp(
      (dir) => `
storage: { path: ${dir}/state.db }
log: { level: silent }
belvo:
  errorRatios: { longWindow: 30m, shortWindow: 2m, minCalls: 20, minShortCalls: 5, thresholds: { institution: 0.5 } }
  ingest: { token: { secretEnv: INGEST_TOKEN } }
slack: { botToken: { secretEnv: SLACK_BOT_TOKEN }, apiUrl: "${slack.apiUrl}" }
destinations: [{ id: oncall, type: slack, channel: ${CHANNEL} }]
subscriptions: [{ destination: oncall }]
`,
      { SLACK_BOT_TOKEN: 'xoxb-test', INGEST_TOKEN: 'ingest-token-0123456789abcdef' },
      Date.parse('2026-11-27T09:00:00Z'),
    );
  });

  afterEach(async () => {
    await h?.dispose();
    h = undefined;
    await slack.close();
  });

  /** 20 calls at Erebor in the last minute, `failing` of each 10 refused as institution_unavailable. */
  function report(app: AppHarness, failing: number): void {
    const now = app.clock.now();
    const calls: BelvoCall[] = Array.from({ length: 20 }, (_, i) => ({
      ts: now - 1000 * i,
      method: 'GET',
      path: '/api/accounts/',
      status: i % 10 < failing ? 400 : 200,
      ...(i % 10 < failing && { code: 'institution_unavailable', requestId: `req-${now}-${i}` }),
      institution: 'erebor_mx_retail',
      durationMs: 300,
    }));
    app.reportCalls(calls);
  }

  it('fires at the configured threshold, not at the default', async () => {
    const app = h as AppHarness;
    for (let i = 0; i < 3; i++) {
      report(app, 4); // 40%: over the default 10%, under the configured 50%
      await app.cycle(MIN);
    }
    expect(slack.history(CHANNEL)).toEqual([]);
    for (let i = 0; i < 3; i++) {
      report(app, 8); // 80% now, and the 30m window crosses 50%
      await app.cycle(MIN);
    }
    const [message] = slack.history(CHANNEL);
    expect(message?.text).toMatch(/^\[MAJOR\] erebor_mx_retail: \d+\.\d% institution errors in the team's calls$/);
    expect(JSON.stringify(message)).toMatch(/fires at 50\.0% in both, 20\+ and 5\+ calls/);
    expect(JSON.stringify(message)).toMatch(/in 30m and .* in 2m/);
  });
});
