// Link reconciliation settles, in the whole app against the fake Belvo API: links Belvo no longer lists (deleted
// after a webhook, or never the account's) leave the counts, so the counts agree with Belvo's, `status` says what
// Belvo says, and the full listing runs again only when something really changed, not on every cycle.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { withStoredContext } from '../../src/cli/stored-context.js';
import { handleCommand } from '../../src/commands/handlers.js';
import { toPlainText } from '../../src/commands/reply.js';
import { BelvoLinksMonitor } from '../../src/poll/belvo-links.js';
import type { BelvoWebhookRecord } from '../../src/ports/belvo-links.js';
import { type FakeBelvo, startFakeBelvo } from '../fakes/belvo-api.js';
import { hex32 } from '../fakes/belvo-webhook-sender.js';
import { type AppHarness, startApp } from './app-harness.js';

const MIN = 60_000;

describe('link reconciliation', () => {
  let belvo: FakeBelvo;
  let h: AppHarness | undefined;

  beforeEach(async () => {
    // Eleven cycles in a moment of real time: neither Belvo's limit nor the bot's own pace is what is tested here.
    belvo = await startFakeBelvo({ rateLimit: { enabled: false } });
    belvo.addInstitution({ name: 'erebor_mx_retail', display_name: 'Banco Erebor', country_codes: ['MX'] });
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
      reconcileInterval: 1m
      rateLimit: { requests: 1000 }
      webhook: { authorization: { secretEnv: BELVO_WEBHOOK_AUTH } }
destinations: [{ id: console, type: console }]
subscriptions: [{ destination: console }]
`,
      { BELVO_ID: belvo.secretKeyId, BELVO_PASSWORD: belvo.secretKeyPassword, BELVO_WEBHOOK_AUTH: 'Bearer x' },
      Date.parse('2026-11-27T09:00:00Z'),
    );
  });

  afterEach(async () => {
    await h?.dispose();
    await belvo.close();
  });

  /** Full listings (not the `page_size=1` counts). */
  const listings = () => belvo.requests.filter((r) => r.path === '/api/links/' && r.query.page_size !== '1').length;

  /** Belvo's own counts by status, as the fake holds them. */
  const belvoCounts = () => {
    const out: Record<string, number> = {};
    for (const l of belvo.links()) out[l.status] = (out[l.status] ?? 0) + 1;
    return out;
  };

  const storedCounts = async (app: AppHarness) => {
    const out: Record<string, number> = {};
    for (const c of await app.app.store.linkStatusCounts('sandbox')) out[c.status] = (out[c.status] ?? 0) + c.count;
    return out;
  };

  const linkWebhook = (linkId: string, at: number): BelvoWebhookRecord => ({
    environment: 'sandbox',
    webhookId: hex32(),
    type: 'LINK',
    code: 'token_required',
    linkId,
    receivedAt: at,
    body: JSON.stringify({ webhook_type: 'LINK', webhook_code: 'token_required', link_id: linkId }),
  });

  it('deleted and foreign links leave the counts: one more listing, then none, and status agrees with Belvo', async () => {
    const app = h as AppHarness;
    const ids = belvo.addLinks(30, { institution: 'erebor_mx_retail', status: 'valid' }).map((l) => l.id);
    belvo.setLinkStatus(ids.slice(0, 4), 'invalid');
    await app.cycle();
    expect(listings()).toBe(1);
    expect(await storedCounts(app)).toEqual(belvoCounts());

    // A webhook about a link that is not this account's, and one about a link the user then deletes at Belvo.
    await app.app.store.recordBelvoWebhooks([
      linkWebhook('00000000-0000-4000-8000-00000000f00d', app.clock.now() + 1),
      linkWebhook(ids[10] as string, app.clock.now() + 2),
    ]);
    belvo.removeLinks([ids[10] as string, ids[11] as string]);

    // Ten cycles, a minute apart, the reconciliation due on each.
    for (let i = 0; i < 10; i++) await app.cycle(MIN);
    expect(listings()).toBe(2); // the counts drifted once; after that listing they agree
    expect(await storedCounts(app)).toEqual(belvoCounts());
    expect(belvoCounts()).toEqual({ valid: 24, invalid: 4 });
    // The rows are kept, marked.
    expect((await app.app.store.getBelvoLink('sandbox', ids[10] as string))?.goneAt).toBeDefined();

    // What `belvo-status status` prints beside the bot (its context: the store file, read-only) says what Belvo says.
    let printed = '';
    await withStoredContext(app.app.config, async (ctx) => {
      printed = toPlainText(await handleCommand({ kind: 'status', public: false }, ctx));
      return 0;
    });
    expect(printed).toMatch(/sandbox: 28 links · 4 invalid · last webhook/);

    // The deleted link comes back (restored at Belvo): named by the next listing, it counts again.
    belvo.addLinks(1, { id: ids[11] as string, institution: 'erebor_mx_retail', status: 'valid' });
    await app.cycle(MIN);
    expect(listings()).toBe(3);
    expect(await storedCounts(app)).toEqual({ valid: 25, invalid: 4 });
    expect((await app.app.store.getBelvoLink('sandbox', ids[11] as string))?.goneAt).toBeUndefined();
  });

  it('a woken spike check leaves the source health to the reads: a failing Belvo stays "cannot be read"', async () => {
    const app = h as AppHarness;
    belvo.addLinks(5, { institution: 'erebor_mx_retail', status: 'valid' });
    await app.cycle();
    const monitor = app.app.pollTargets.find((t): t is BelvoLinksMonitor => t instanceof BelvoLinksMonitor);
    if (!monitor) throw new Error('no links monitor');
    for (let i = 0; i < 3; i++) {
      belvo.fail({ status: 401, code: 'authentication_failed', path: '/api/' });
      belvo.fail({ status: 401, code: 'authentication_failed', path: '/api/' });
      await app.cycle(MIN);
    }
    const health = async () =>
      (await app.app.store.listAlerts({ states: ['firing'] })).filter((a) => a.kind === 'source.health');
    const before = await health();
    expect(before.map((a) => a.title)).toContain('Belvo links (sandbox) cannot be read');
    const state = await app.app.store.getSourceState(monitor.id);

    // Webhooks keep arriving while Belvo refuses the keys: each wakes a spike check.
    await app.app.store.recordBelvoWebhooks([linkWebhook('l-1', app.clock.now())]);
    monitor.wake();
    await monitor.idle();
    expect(await health()).toEqual(before);
    expect(await app.app.store.getSourceState(monitor.id)).toEqual(state);
  });
});
