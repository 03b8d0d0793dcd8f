// What on-call reads when Belvo refuses the bot, end to end in the app against a fake Belvo and a fake Slack: the
// "cannot be read" message shows the error and Belvo's request_id (once), and the bot's own log lines name the
// environment once (a JSON line with a key twice is read differently by different log tools).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { type FakeBelvo, startFakeBelvo } from '../fakes/belvo-api.js';
import { type FakeSlack, startFakeSlack } from '../fakes/slack-api.js';
import { type AppHarness, startApp } from './app-harness.js';

const CHANNEL = 'C0BELVOERR';
const MIN = 60_000;
const REQUEST_ID = '9b2f4c6e8a0d1f3b5d7e9a1c3e5f7b9d';

describe('Belvo refusing the bot', () => {
  let belvo: FakeBelvo;
  let slack: FakeSlack;
  let h: AppHarness | undefined;
  const lines: string[] = [];

  beforeEach(async () => {
    lines.length = 0;
    belvo = await startFakeBelvo();
    belvo.addInstitution({ name: 'erebor_mx_retail', display_name: 'Banco Erebor', country_codes: ['MX'] });
    slack = await startFakeSlack({ channels: [CHANNEL] });
    const logger = createLogger({ level: 'info', destination: { write: (line: string) => lines.push(line) } });
    h = await startApp(
      (dir) => `
storage: { path: ${dir}/state.db }
belvo:
  environments:
    - id: sandbox
      url: "${belvo.url}"
      secretKeyId: { secretEnv: BELVO_ID }
      secretKeyPassword: { secretEnv: BELVO_PASSWORD }
slack: { botToken: { secretEnv: SLACK_BOT_TOKEN }, apiUrl: "${slack.apiUrl}" }
destinations: [{ id: oncall, type: slack, channel: ${CHANNEL} }]
subscriptions: [{ destination: oncall }]
`,
      { BELVO_ID: belvo.secretKeyId, BELVO_PASSWORD: belvo.secretKeyPassword, SLACK_BOT_TOKEN: 'xoxb-test' },
      Date.parse('2026-11-27T09:00:00Z'),
      { logger },
    );
  });

  afterEach(async () => {
    await h?.dispose();
    await Promise.all([belvo.close(), slack.close()]);
  });

  it('the message shows the error and its request_id once; log lines name the environment once', async () => {
    const app = h as AppHarness;
    await app.cycle();
    for (let i = 0; i < 3; i++) {
      belvo.fail({ status: 401, code: 'authentication_failed', requestId: REQUEST_ID, path: '/api/institutions/' });
      await app.cycle(MIN);
    }
    const [health] = (await app.app.store.listAlerts({ states: ['firing'] })).filter((a) => a.kind === 'source.health');
    expect(health?.title).toBe('Belvo API (sandbox) cannot be read');
    expect(String(health?.evidence.lastError).split(REQUEST_ID)).toHaveLength(2);

    const [post] = slack.posts(CHANNEL);
    expect(post?.body.text).toBe('[MINOR] Belvo API (sandbox) cannot be read');
    const shown = JSON.stringify(post?.body.attachments);
    expect(shown).toContain(
      '*Last error*: Belvo sandbox: GET /api/institutions/?status=down&amp;page_size=1000 -&gt; HTTP 401 ' +
        'authentication_failed: Invalid Secret Keys',
    );
    expect(shown).toContain(`*request_id*: \`${REQUEST_ID}\``);
    expect(shown.split(REQUEST_ID)).toHaveLength(2);

    const failed = lines.filter((l) => l.includes('"Belvo API call failed"'));
    expect(failed.length).toBeGreaterThanOrEqual(3);
    for (const line of failed) expect(line.split('"environment":')).toHaveLength(2);
    expect(JSON.parse(failed[0] as string)).toMatchObject({ environment: 'sandbox', requestId: REQUEST_ID });
  });
});
