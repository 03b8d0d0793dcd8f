import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../../adapters/sqlite/sqlite-store.js';
import { type BelvoWebhookEnvironment, mountBelvoWebhooks } from '../../../src/http/belvo-webhook.js';
import { createBelvoWebhookMetrics } from '../../../src/http/belvo-webhook-metrics.js';
import { createRefusals } from '../../../src/http/refusals.js';
import { HttpServer } from '../../../src/http/server.js';
import type { Logger } from '../../../src/ports/logger.js';
import type { Store } from '../../../src/ports/store.js';
import { BelvoWebhookSender, belvoWebhooks, hex32, webhookBurst } from '../../fakes/belvo-webhook-sender.js';

const SECRET = 'Bearer 9f2c1e7a-webhook-secret-4b1d';
const BODY_LIMIT = 1024 * 1024;
const tmpRoot = mkdtempSync(join(tmpdir(), 'belvo-webhook-route-'));
afterAll(() => rmSync(tmpRoot, { recursive: true, force: true }));

interface Harness {
  store: Store;
  registry: Registry;
  logs: { level: string; obj: object; msg?: string }[];
  url: string;
  sender: (environment?: string, authorization?: string) => BelvoWebhookSender;
  drain: () => Promise<void>;
}

let cases = 0;
const open: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of open.splice(0).reverse()) await close();
});

async function startBot(
  opts: {
    environments?: BelvoWebhookEnvironment[];
    wrap?: (s: Store) => Store;
    onLinkTransitions?: (environments: string[]) => void;
  } = {},
): Promise<Harness> {
  const logs: Harness['logs'] = [];
  const logger: Logger = {
    debug: (obj, msg) => logs.push({ level: 'debug', obj, ...(msg && { msg }) }),
    info: (obj, msg) => logs.push({ level: 'info', obj, ...(msg && { msg }) }),
    warn: (obj, msg) => logs.push({ level: 'warn', obj, ...(msg && { msg }) }),
    error: (obj, msg) => logs.push({ level: 'error', obj, ...(msg && { msg }) }),
    child: () => logger,
  };
  // A real file (WAL, synchronous=FULL): the durability the 2xx promises is the one measured.
  const store = createSqliteStore({ path: join(tmpRoot, `case-${++cases}`, 'bot.db') });
  await store.init();
  const registry = new Registry();
  const server = new HttpServer({
    host: '127.0.0.1',
    port: 0,
    bodyLimitBytes: BODY_LIMIT,
    logger,
    refusals: createRefusals(registry, logger),
  });
  const receiver = mountBelvoWebhooks(server.router, {
    store: opts.wrap ? opts.wrap(store) : store,
    environments: opts.environments ?? [{ id: 'production', authorization: SECRET }],
    logger,
    metrics: createBelvoWebhookMetrics(registry),
    ...(opts.onLinkTransitions && { onLinkTransitions: opts.onLinkTransitions }),
  });
  const { port } = await server.listen();
  const url = `http://127.0.0.1:${port}`;
  const senders: BelvoWebhookSender[] = [];
  open.push(async () => {
    for (const s of senders) await s.close();
    await server.close();
    await receiver.drain();
    await store.close();
  });
  return {
    store,
    registry,
    logs,
    url,
    sender: (environment = 'production', authorization = SECRET) => {
      const s = new BelvoWebhookSender({ url, environment, authorization, concurrency: 32 });
      senders.push(s);
      return s;
    },
    drain: () => receiver.drain(),
  };
}

async function requestCounts(registry: Registry): Promise<Record<string, number>> {
  const metric = await registry.getSingleMetric('belvo_status_belvo_webhooks_total')!.get();
  return Object.fromEntries(metric.values.map((v) => [`${v.labels.environment}/${v.labels.outcome}`, v.value]));
}

describe('POST /webhooks/belvo/:environment', () => {
  it('stores a LINK token_required webhook as sent, answers 200, and marks the link', async () => {
    const bot = await startBot();
    const payload = belvoWebhooks.tokenRequired({ note: 'ñ, é' });
    const res = await bot.sender().send(payload);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ status: 'stored' });

    const [stored] = await bot.store.listBelvoWebhooks({ environment: 'production' });
    expect(stored).toMatchObject({
      webhookId: payload.webhook_id,
      type: 'LINK',
      code: 'token_required',
      linkId: payload.link_id,
      externalId: payload.external_id,
      requestId: payload.request_id,
      processType: 'recurrent_update',
    });
    expect(JSON.parse(stored!.body)).toEqual(payload);
    expect(await bot.store.getBelvoLink('production', payload.link_id as string)).toMatchObject({
      status: 'token_required',
    });
  });

  it('answers 200 to a retry of a stored webhook_id without storing it again', async () => {
    const bot = await startBot();
    const payload = belvoWebhooks.invalidCredentials();
    const sender = bot.sender();
    expect((await sender.send(payload)).status).toBe(200);
    const retry = await sender.send(payload);
    expect(retry.status).toBe(200);
    expect(JSON.parse(retry.body)).toEqual({ status: 'duplicate' });
    expect(await bot.store.listBelvoWebhooks()).toHaveLength(1);
  });

  it('stores unknown types and codes, and old payloads without the optional fields', async () => {
    const bot = await startBot();
    const sender = bot.sender();
    const unknown = belvoWebhooks.unknownType();
    const oldLink = { webhook_id: hex32(), webhook_type: 'LINK', webhook_code: 'brand_new_code', link_id: 'l-1' };
    const minimal = { webhook_id: hex32(), webhook_type: 'BILLS', webhook_code: 'bills_ready', data: null };
    for (const p of [unknown, oldLink, minimal]) expect((await sender.send(p)).status).toBe(200);
    const stored = await bot.store.listBelvoWebhooks();
    expect(stored.map((w) => `${w.type}/${w.code}`).sort()).toEqual([
      'BILLS/bills_ready',
      'LINK/brand_new_code',
      'TAX_RETURNS/tax_returns_ready',
    ]);
    expect(await bot.store.getBelvoLink('production', 'l-1')).toBeUndefined();
  });

  it('takes a burst of 2,000 with 10% repeated webhook_ids: every one answered 2xx, each id stored once', async () => {
    const bot = await startBot();
    const { deliveries, distinct } = webhookBurst(2000, 0.1);
    const started = Date.now();
    const { statuses, byStatus } = await bot.sender().sendBurst(deliveries);
    const elapsed = Date.now() - started;

    expect(byStatus).toEqual({ 200: 2000 });
    expect(statuses.every((s) => s >= 200 && s < 300)).toBe(true);
    const stored = await bot.store.listBelvoWebhooks({ environment: 'production' });
    expect(stored).toHaveLength(distinct.size);
    expect(new Set(stored.map((w) => w.webhookId))).toEqual(distinct);
    expect(await requestCounts(bot.registry)).toEqual({
      'production/stored': distinct.size,
      'production/duplicate': 2000 - distinct.size,
    });
    // Group commit at work: far fewer transactions than webhooks.
    const batches = await bot.registry.getSingleMetric('belvo_status_belvo_webhook_batch_size')!.get();
    const commits =
      batches.values.find((v) => (v as { metricName?: string }).metricName?.endsWith('_count'))?.value ?? 0;
    expect(commits).toBeGreaterThan(0);
    expect(commits).toBeLessThan(2000);
    expect(elapsed).toBeLessThan(10_000);
  });

  it('wakes the spike check of an environment only for a batch that moved a link into token_required or invalid', async () => {
    const woken: string[][] = [];
    const bot = await startBot({
      environments: [
        { id: 'production', authorization: SECRET },
        { id: 'sandbox', authorization: SECRET },
      ],
      onLinkTransitions: (envs) => woken.push(envs),
    });
    const production = bot.sender();
    const sandbox = bot.sender('sandbox');
    const first = belvoWebhooks.tokenRequired({ link_id: 'l-1' });
    await production.send(first);
    expect(woken).toEqual([['production']]);

    // No status change: a retry, Belvo repeating token_required for a link already in it, other types and codes.
    await production.send(first);
    await production.send(belvoWebhooks.tokenRequired({ link_id: 'l-1' }));
    await production.send(belvoWebhooks.historicalUpdate({ link_id: 'l-1' }));
    await production.send(belvoWebhooks.newTransactions());
    await production.send({ ...belvoWebhooks.tokenRequired(), webhook_code: 'link_created' });
    expect(woken).toEqual([['production']]);

    await production.send(belvoWebhooks.invalidCredentials({ link_id: 'l-1' }));
    await sandbox.send(belvoWebhooks.tokenRequired({ link_id: 'l-1' }));
    expect(woken).toEqual([['production'], ['production'], ['sandbox']]);
  });

  it('a failing wake does not fail the webhook: it is stored and answered 200', async () => {
    const bot = await startBot({
      onLinkTransitions: () => {
        throw new Error('monitor gone');
      },
    });
    const res = await bot.sender().send(belvoWebhooks.tokenRequired());
    expect(res.status).toBe(200);
    expect(await bot.store.listBelvoWebhooks()).toHaveLength(1);
    expect(bot.logs.some((l) => l.level === 'error' && /could not wake the spike check/.test(l.msg ?? ''))).toBe(true);
  });

  describe('refusals change nothing', () => {
    async function expectNothingStored(bot: Harness): Promise<void> {
      await bot.drain();
      expect(await bot.store.listBelvoWebhooks()).toEqual([]);
      expect(await bot.store.linkStatusCounts('production')).toEqual([]);
    }

    it('401 for a missing or wrong Authorization, never echoing or logging the value', async () => {
      const bot = await startBot();
      const sender = bot.sender();
      const payload = belvoWebhooks.tokenRequired();
      const answers = [
        await sender.send(payload, { authorization: null }),
        await sender.send(payload, { authorization: '' }),
        await sender.send(payload, { authorization: 'Bearer wrong' }),
        await sender.send(payload, { authorization: SECRET.slice(0, -1) }),
        await sender.send(payload, { authorization: `${SECRET}0` }),
        await sender.send(payload, { authorization: SECRET.toLowerCase() }),
      ];
      expect(answers.map((a) => a.status)).toEqual([401, 401, 401, 401, 401, 401]);
      expect(JSON.parse(answers[2]!.body)).toEqual({ error: 'unauthorized' });
      await expectNothingStored(bot);
      // One line for the six (refusals are logged at most once a minute per route and reason), saying why.
      const lines = bot.logs.filter((l) => l.level === 'warn').map((l) => l.obj);
      expect(lines).toEqual([
        expect.objectContaining({
          route: '/webhooks/belvo/:environment',
          reason: 'unauthorized',
          detail: 'environment production: missing Authorization from 127.0.0.1',
        }),
      ]);
      const everything = JSON.stringify([bot.logs, answers]);
      expect(everything).not.toContain('webhook-secret');
      expect(everything).not.toContain('Bearer');
      expect((await requestCounts(bot.registry))['production/unauthorized']).toBe(6);
    });

    it('403 for a sender outside the allow-list, even with the right Authorization', async () => {
      const bot = await startBot({
        environments: [{ id: 'production', authorization: SECRET, allowOnlyBelvoAddresses: true }],
      });
      const res = await bot.sender().send(belvoWebhooks.tokenRequired());
      expect(res.status).toBe(403);
      // X-Forwarded-For from an untrusted peer is the sender's own claim: ignored.
      const spoofed = await bot.sender().send(belvoWebhooks.tokenRequired(), {
        headers: { 'x-forwarded-for': '3.130.254.46' },
      });
      expect(spoofed.status).toBe(403);
      await expectNothingStored(bot);
    });

    it('413 for a 2 MB body', async () => {
      const bot = await startBot();
      const big = belvoWebhooks.historicalUpdate({ data: { padding: 'x'.repeat(2 * 1024 * 1024) } });
      const res = await bot.sender().send(big);
      expect(res.status).toBe(413);
      await expectNothingStored(bot);
      expect((await requestCounts(bot.registry))['production/too_large']).toBe(1);
    });

    it('400 for bodies that are not a Belvo webhook', async () => {
      const bot = await startBot();
      const sender = bot.sender();
      const bodies: (string | Buffer | object)[] = [
        '{"webhook_id": "abc", "webhook_type": "LINK"',
        '',
        'null',
        '[{"webhook_id":"aadf41a1fc8e4f79a49f7f04027ac999","webhook_type":"LINK","webhook_code":"token_required"}]',
        Buffer.from([0x7b, 0xff, 0xfe, 0x7d]),
        { webhook_type: 'LINK', webhook_code: 'token_required', link_id: 'l-1' },
        { webhook_id: 'not an id!', webhook_type: 'LINK', webhook_code: 'token_required', link_id: 'l-1' },
        { webhook_id: 'a'.repeat(65), webhook_type: 'LINK', webhook_code: 'token_required', link_id: 'l-1' },
        { webhook_id: 12345, webhook_type: 'LINK', webhook_code: 'token_required', link_id: 'l-1' },
        { webhook_id: hex32(), webhook_code: 'token_required', link_id: 'l-1' },
        { webhook_id: hex32(), webhook_type: 'LINK', link_id: 'l-1' },
        { webhook_id: hex32(), webhook_type: '', webhook_code: 'token_required', link_id: 'l-1' },
      ];
      const statuses = [];
      for (const b of bodies) statuses.push((await sender.send(b)).status);
      expect(statuses).toEqual(bodies.map(() => 400));
      await expectNothingStored(bot);
    });

    it('404 for an environment with no webhook configured', async () => {
      const bot = await startBot();
      const res = await bot.sender('sandbox').send(belvoWebhooks.tokenRequired());
      expect(res.status).toBe(404);
      await expectNothingStored(bot);
    });
  });

  describe('behind a proxy', () => {
    const behindProxy = (trustedProxies: string[]) =>
      startBot({
        environments: [{ id: 'production', authorization: SECRET, allowOnlyBelvoAddresses: true, trustedProxies }],
      });

    it("believes a trusted proxy's X-Forwarded-For: the right-most address it did not add itself", async () => {
      const bot = await behindProxy(['127.0.0.0/8', '10.0.0.7']);
      const send = (xff: string) =>
        bot.sender().send(belvoWebhooks.tokenRequired(), { headers: { 'x-forwarded-for': xff } });
      expect((await send('3.130.254.46')).status).toBe(200);
      expect((await send('6.6.6.6, 18.220.61.186, 10.0.0.7')).status).toBe(200);
      expect((await send('18.223.45.212, 6.6.6.6')).status).toBe(403);
      expect((await send('not-an-address')).status).toBe(403);
      expect(await bot.store.listBelvoWebhooks()).toHaveLength(2);
    });
  });

  describe('when the store cannot commit', () => {
    it('answers 503 to every request of a failed batch, logs once per batch, and takes the retries', async () => {
      let failing = true;
      let failedWrites = 0;
      const bot = await startBot({
        wrap: (inner) =>
          new Proxy(inner, {
            get(target, prop, receiver) {
              if (prop === 'recordBelvoWebhooks') {
                return async (...args: Parameters<Store['recordBelvoWebhooks']>) => {
                  if (failing) {
                    failedWrites++;
                    throw new Error('SQLITE_FULL: database or disk is full');
                  }
                  return target.recordBelvoWebhooks(...args);
                };
              }
              return Reflect.get(target, prop, receiver);
            },
          }),
      });
      const first = webhookBurst(10).deliveries;
      const sender = bot.sender();
      const failed = await Promise.all(first.map((p) => sender.send(p)));
      expect(failed.map((r) => r.status)).toEqual(first.map(() => 503));
      const errors = bot.logs.filter((l) => l.level === 'error');
      expect(errors).toHaveLength(failedWrites);
      expect(errors.reduce((n, l) => n + (l.obj as { webhooks: number }).webhooks, 0)).toBe(10);
      expect((await requestCounts(bot.registry))['production/unavailable']).toBe(10);

      failing = false;
      const retried = await sender.sendBurst(first);
      expect(retried.byStatus).toEqual({ 200: 10 });
      expect(await bot.store.listBelvoWebhooks()).toHaveLength(10);
    });
  });
});
