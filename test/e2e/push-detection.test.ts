// Detection is pushed: the whole app (HTTP server, SQLite, scheduler, outbox, Slack notifier) in this process, with
// every scheduled check an hour away and the test clock never moved. The Belvo webhook that crosses an institution's
// token_required threshold, and the reported calls that cross an error ratio, reach the fake Slack on their own:
// nothing else could have run the detector.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { type App, buildApp } from '../../src/main.js';
import { BelvoCallsMonitor } from '../../src/poll/belvo-calls.js';
import { BelvoLinksMonitor } from '../../src/poll/belvo-links.js';
import { silentLogger } from '../../src/ports/logger.js';
import { type FakeBelvo, startFakeBelvo } from '../fakes/belvo-api.js';
import { BelvoWebhookSender, belvoWebhooks } from '../fakes/belvo-webhook-sender.js';
import { type FakeSlack, startFakeSlack } from '../fakes/slack-api.js';
import { ManualClock } from './app-harness.js';

const CHANNEL = 'C0PUSHED1';
const AUTH = 'Bearer push-detection-webhook-secret';
const INGEST = 'push-detection-ingest-token-0123';
const START = Date.parse('2026-11-27T09:00:00Z');

/** Waits for what the app does on its own; the deadline only keeps a broken build from hanging the run. */
async function until(check: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('detection pushed by the data', () => {
  let belvo: FakeBelvo | undefined;
  let slack: FakeSlack | undefined;
  let app: App | undefined;
  let dir: string | undefined;
  let sender: BelvoWebhookSender | undefined;

  afterEach(async () => {
    await sender?.close();
    await app?.stop();
    await Promise.all([belvo?.close(), slack?.close()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
    sender = app = belvo = slack = dir = undefined;
  });

  /** Every Belvo source has been read once (their first reads are history, not news). */
  async function firstChecks(running: App): Promise<void> {
    for (const target of running.pollTargets.filter((t) => t.id.startsWith('belvo-sandbox'))) {
      await until(
        async () => (await running.store.getSourceState(target.id))?.firstSuccessAt !== undefined,
        `the first check of ${target.id}`,
      );
    }
  }

  /** Starts the fakes and the app; Belvo holds 40 valid links at Banco Erebor from the start. */
  async function start(clock: ManualClock): Promise<{ app: App; base: string }> {
    belvo = await startFakeBelvo();
    belvo.addInstitution({ name: 'erebor_mx_retail', display_name: 'Banco Erebor', country_codes: ['MX'] });
    belvo.addLinks(40, { institution: 'erebor_mx_retail', status: 'valid' });
    slack = await startFakeSlack({ channels: [CHANNEL] });
    dir = mkdtempSync(join(tmpdir(), 'belvo-status-push-'));
    const yaml = `
server: { host: 127.0.0.1, port: 0 }
storage: { path: ${dir}/state.db }
belvo:
  environments:
    - id: sandbox
      url: "${belvo.url}"
      secretKeyId: { secretEnv: BELVO_ID }
      secretKeyPassword: { secretEnv: BELVO_PASSWORD }
      institutionsInterval: 1h
      reconcileInterval: 1h
      spikeCheckInterval: 1h
      webhook: { authorization: { secretEnv: BELVO_WEBHOOK_AUTH } }
  ingest: { token: { secretEnv: INGEST_TOKEN }, evaluateEvery: 1h }
  errorRatios: { longWindow: 30m, shortWindow: 5m, minCalls: 20, minShortCalls: 5 }
slack: { botToken: { secretEnv: SLACK_BOT_TOKEN }, apiUrl: "${slack.apiUrl}" }
destinations: [{ id: oncall, type: slack, channel: ${CHANNEL} }]
subscriptions: [{ destination: oncall }]
`;
    const loaded = parseConfigText(yaml, 'test.yaml', {
      BELVO_ID: belvo.secretKeyId,
      BELVO_PASSWORD: belvo.secretKeyPassword,
      BELVO_WEBHOOK_AUTH: AUTH,
      INGEST_TOKEN: INGEST,
      SLACK_BOT_TOKEN: 'xoxb-test',
    });
    app = await buildApp(loaded, { clock, logger: silentLogger });
    const { port } = await app.start();
    return { app, base: `http://127.0.0.1:${port}` };
  }

  it('the webhook that crosses the token_required threshold brings the message, no scheduled check needed', async () => {
    const clock = new ManualClock(START);
    const { app: running, base } = await start(clock);
    const monitor = running.pollTargets.find((t): t is BelvoLinksMonitor => t instanceof BelvoLinksMonitor);
    if (!monitor) throw new Error('no links monitor');
    // The first scheduled checks (at start) list the links and the institutions: the bot learns their names.
    await firstChecks(running);
    const links = (belvo as FakeBelvo).links().map((l) => l.id);
    const afterFirstCheck = await running.store.getSourceState(monitor.id);
    const asked = (belvo as FakeBelvo).requests.length;

    sender = new BelvoWebhookSender({ url: base, environment: 'sandbox', authorization: AUTH, concurrency: 1 });
    for (const id of links.slice(0, 9)) {
      expect((await sender.send(belvoWebhooks.tokenRequired({ link_id: id }))).status).toBe(200);
      await monitor.idle(); // each woke a check: 9 is under belvo.spikes.minCount (10)
    }
    expect((slack as FakeSlack).posts(CHANNEL)).toEqual([]);

    expect((await sender.send(belvoWebhooks.tokenRequired({ link_id: links[9] }))).status).toBe(200);
    await until(() => (slack as FakeSlack).posts(CHANNEL).length > 0, 'the spike message');
    const [post] = (slack as FakeSlack).posts(CHANNEL);
    expect(post?.body.text).toMatch(/^\[[A-Z]+\] Banco Erebor \(MX\): token_required spike \(sandbox\)$/);
    expect(JSON.stringify(post?.body)).toContain('10 token_required in the last 1h');

    // Nothing else ran: the clock never moved, Belvo was not asked again (a scheduled check would have counted the
    // links), and the source's health is what the first check left.
    expect(clock.now()).toBe(START);
    expect((belvo as FakeBelvo).requests.length).toBe(asked);
    expect(await running.store.getSourceState(monitor.id)).toEqual(afterFirstCheck);
  });

  it('reported calls are judged as they arrive: the second failing batch brings the error-ratio message', async () => {
    const clock = new ManualClock(START);
    const { app: running, base } = await start(clock);
    const calls = running.pollTargets.find((t): t is BelvoCallsMonitor => t instanceof BelvoCallsMonitor);
    if (!calls) throw new Error('no calls monitor');
    // Its first scheduled evaluation (at start) finds nothing reported; Belvo's institution names are known.
    await until(async () => (await running.store.getSourceState(calls.id)) !== undefined, 'the first evaluation');
    await firstChecks(running);

    const batch = (n: number) =>
      Array.from({ length: 30 }, (_, i) => ({
        ts: START - i * 1000,
        method: 'POST',
        path: '/api/links/',
        status: i % 2 === 0 ? 500 : 201,
        ...(i % 2 === 0 && {
          code: 'unexpected_error',
          request_id: `${String(n)}${'0'.repeat(28)}${String(i).padStart(3, '0')}`,
        }),
        institution: 'erebor_mx_retail',
        duration_ms: 900,
      }));
    const report = (n: number) =>
      fetch(`${base}/ingest/belvo-calls`, {
        method: 'POST',
        headers: { authorization: `Bearer ${INGEST}`, 'content-type': 'application/json' },
        body: JSON.stringify(batch(n)),
      });
    expect((await report(1)).status).toBe(202);
    await calls.idle(); // one bad evaluation: the ratio fires on the second in a row
    expect((slack as FakeSlack).posts(CHANNEL)).toEqual([]);
    expect((await report(2)).status).toBe(202);
    await until(() => (slack as FakeSlack).posts(CHANNEL).length > 0, 'the error-ratio message');
    expect((slack as FakeSlack).posts(CHANNEL)[0]?.body.text).toBe(
      "[MAJOR] Banco Erebor (MX): 50.0% belvo errors in the team's calls",
    );
    expect(clock.now()).toBe(START);
  });
});
