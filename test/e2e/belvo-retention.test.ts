// Retention in the running app: webhooks and link events older than belvo.retention are forgotten by the bot's own
// schedule, recent ones and the links' states are kept.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeBelvo, startFakeBelvo } from '../fakes/belvo-api.js';
import { type AppHarness, startApp } from './app-harness.js';

const DAY = 86_400_000;

describe('Belvo retention', () => {
  let belvo: FakeBelvo;
  let h: AppHarness | undefined;

  beforeEach(async () => {
    belvo = await startFakeBelvo();
    h = await startApp(
      (dir) => `
storage: { path: ${dir}/state.db }
log: { level: silent }
belvo:
  retention: 10d
  spikes: { baseline: 7d }
  environments:
    - { id: sandbox, url: "${belvo.url}", secretKeyId: { secretEnv: BELVO_ID }, secretKeyPassword: { secretEnv: BELVO_PASSWORD } }
destinations: [{ id: console, type: console }]
subscriptions: [{ destination: console }]
`,
      { BELVO_ID: belvo.secretKeyId, BELVO_PASSWORD: belvo.secretKeyPassword },
      Date.parse('2026-11-27T09:00:00Z'),
    );
  });

  afterEach(async () => {
    await h?.dispose();
    await belvo.close();
  });

  it('forgets what is older than the retention on its schedule, keeps the rest', async () => {
    const app = h as AppHarness;
    const now = app.clock.now();
    const hook = (id: string, at: number, code = 'token_required') => ({
      environment: 'sandbox',
      webhookId: id,
      type: 'LINK',
      code,
      linkId: `link-${id}`,
      receivedAt: at,
      body: '{}',
    });
    await app.app.store.recordBelvoWebhooks([hook('old', now - 12 * DAY), hook('new', now - 2 * DAY)]);
    await app.cycle();
    expect((await app.app.store.listBelvoWebhooks()).map((w) => w.webhookId)).toEqual(['new']);
    const events = await app.app.store.linkEvents({ environment: 'sandbox', code: 'token_required', since: 0 });
    expect(events.map((e) => e.linkId)).toEqual(['link-new']);
    expect((await app.app.store.getBelvoLink('sandbox', 'link-old'))?.status).toBe('token_required');
  });
});
