// Belvo's institution health, end to end in the real app against a fake Belvo API and a fake Slack: an institution
// Belvo lists as down becomes an alert after two polls (with the team's critical list raising it), resolves when it
// is healthy again, and a Belvo API that refuses the keys is a failed poll, never a recovery.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeBelvo, startFakeBelvo } from '../fakes/belvo-api.js';
import { type FakeSlack, startFakeSlack } from '../fakes/slack-api.js';
import { type AppHarness, startApp } from './app-harness.js';

const CHANNEL = 'C0BELVO01';
const MIN = 60_000;

describe('institution health from the Belvo API', () => {
  let belvo: FakeBelvo;
  let slack: FakeSlack;
  let h: AppHarness | undefined;

  beforeEach(async () => {
    belvo = await startFakeBelvo();
    belvo.addInstitution({ name: 'erebor_mx_retail', display_name: 'Banco Erebor', country_codes: ['MX'] });
    belvo.addInstitution({ name: 'gondor_co_retail', display_name: 'Banco Gondor', country_codes: ['CO'] });
    slack = await startFakeSlack({ channels: [CHANNEL] });
    h = await startApp(
      (dir) => `
storage: { path: ${dir}/state.db }
log: { level: silent }
belvo:
  environments:
    - id: sandbox
      url: "${belvo.url}"
      secretKeyId: { secretEnv: BELVO_ID }
      secretKeyPassword: { secretEnv: BELVO_PASSWORD }
      timeout: 2s
slack: { botToken: { secretEnv: SLACK_BOT_TOKEN }, apiUrl: "${slack.apiUrl}" }
destinations: [{ id: oncall, type: slack, channel: ${CHANNEL} }]
subscriptions: [{ destination: oncall }]
policy: { paging: { criticalInstitutions: [Banco Erebor] } }
`,
      { BELVO_ID: belvo.secretKeyId, BELVO_PASSWORD: belvo.secretKeyPassword, SLACK_BOT_TOKEN: 'xoxb-test' },
      Date.now(),
    );
  });

  afterEach(async () => {
    await h?.dispose();
    await Promise.all([belvo.close(), slack.close()]);
  });

  it('down on Belvo for two polls: one message, raised for a critical institution; healthy again: resolved', async () => {
    const app = h as AppHarness;
    await app.cycle();
    belvo.setInstitutionStatus('erebor_mx_retail', 'down');
    await app.cycle(MIN);
    expect(slack.history(CHANNEL)).toHaveLength(0); // one poll is not enough
    await app.cycle(MIN);
    const [message] = slack.history(CHANNEL);
    expect(message?.text).toBe("[MAJOR] Banco Erebor (MX): down on Belvo's API (sandbox)");
    expect(JSON.stringify(message)).toContain('on the critical list');

    belvo.setInstitutionStatus('erebor_mx_retail', 'healthy');
    await app.cycle(MIN);
    await app.cycle(MIN);
    expect(slack.history(CHANNEL)).toHaveLength(1);
    expect(slack.history(CHANNEL)[0]?.text).toMatch(/^\[Resolved\] Banco Erebor \(MX\): down on Belvo's API/);
  });

  it('links: listed at the start, listed again only when Belvo’s counts by status drift from the store', async () => {
    const app = h as AppHarness;
    const ids = belvo.addLinks(50, { institution: 'erebor_mx_retail', status: 'valid' }).map((l) => l.id);
    await app.cycle();
    const listings = () => belvo.requests.filter((r) => r.path === '/api/links/' && r.query.page_size !== '1').length;
    const counted = async () =>
      Object.fromEntries((await app.app.store.linkStatusCounts('sandbox')).map((c) => [c.status, c.count]));
    expect(await counted()).toEqual({ valid: 50 });
    const afterFirst = listings();

    await app.cycle(16 * MIN); // due, but the counts agree: no listing
    expect(listings()).toBe(afterFirst);

    belvo.setLinkStatus(ids.slice(0, 3), 'token_required');
    await app.cycle(16 * MIN);
    expect(listings()).toBeGreaterThan(afterFirst);
    expect(await counted()).toEqual({ valid: 47, token_required: 3 });
  });

  it('keys refused: the Belvo source cannot be read, and what was open stays open', async () => {
    const app = h as AppHarness;
    await app.cycle();
    belvo.setInstitutionStatus('gondor_co_retail', 'down');
    await app.cycle(MIN);
    await app.cycle(MIN);
    expect(slack.history(CHANNEL).map((m) => m.text)).toEqual([
      "[MINOR] Banco Gondor (CO): down on Belvo's API (sandbox)",
    ]);
    belvo.setInstitutionStatus('gondor_co_retail', 'healthy');
    for (let i = 0; i < 3; i++) {
      belvo.fail({ status: 401, shape: 'array', code: 'authentication_failed' });
      await app.cycle(MIN);
    }
    const texts = slack.history(CHANNEL).map((m) => m.text);
    expect(texts[0]).toBe("[MINOR] Banco Gondor (CO): down on Belvo's API (sandbox)"); // not resolved by a failed poll
    expect(texts).toContain('[MINOR] Belvo API (sandbox) cannot be read');
  });
});
