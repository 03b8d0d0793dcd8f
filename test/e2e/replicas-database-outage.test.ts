// The database behind two replicas goes away mid-stream and comes back. Without disturbing anyone else on the server,
// the outage is this schema made unreachable (renamed away) and every connection of the bot's dropped
// (pg_terminate_backend): meanwhile /readyz is 503 and webhooks are answered 503 so Belvo retries; once it is back
// the bot reconnects, leads again, and every webhook is stored once whichever replica received it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeBelvo, startFakeBelvo } from '../fakes/belvo-api.js';
import { BelvoWebhookSender, belvoWebhooks } from '../fakes/belvo-webhook-sender.js';
import { dropSchema, PG_URL, uniqueSchema, withAdmin } from '../support/postgres.js';
import { BotProcess, until } from './bot-process.js';

const AUTH = 'Bearer belvo-webhook-secret-e2e';
const LEASE_MS = 2000;

describe('replicas when the database goes away', () => {
  const schema = uniqueSchema('outage');
  let belvo: FakeBelvo;
  const bots: BotProcess[] = [];
  const urls: string[] = [];

  beforeAll(async () => {
    belvo = await startFakeBelvo();
    belvo.addInstitution({ name: 'erebor_mx_retail', display_name: 'Banco Erebor', country_codes: ['MX'] });
    for (let i = 0; i < 2; i++) {
      const bot = new BotProcess(
        () => `
server: { host: 127.0.0.1, port: 0 }
storage: { driver: postgres, url: { secretEnv: DATABASE_URL }, schema: ${schema}, poolSize: 3, leaderLease: ${LEASE_MS}ms }
belvo:
  environments:
    - id: sandbox
      url: "${belvo.url}"
      secretKeyId: { secretEnv: BELVO_ID }
      secretKeyPassword: { secretEnv: BELVO_PASSWORD }
      institutionsInterval: 1h
      reconcileInterval: 1h
      webhook: { authorization: { secretEnv: BELVO_WEBHOOK_AUTH } }
destinations: [{ id: console, type: console }]
subscriptions: [{ destination: console }]
`,
      );
      bots.push(bot);
      bot.start({
        BELVO_ID: belvo.secretKeyId,
        BELVO_PASSWORD: belvo.secretKeyPassword,
        BELVO_WEBHOOK_AUTH: AUTH,
        DATABASE_URL: PG_URL,
      });
      urls.push(`http://127.0.0.1:${(await bot.waitForLog('belvo-status-bot started', 30_000)).port as number}`);
    }
  });

  afterAll(async () => {
    await Promise.all(bots.map((b) => b.dispose()));
    await belvo?.close();
    await dropSchema(`${schema}_away`);
    await dropSchema(schema);
  });

  async function readyz(url: string): Promise<{ status: number; role?: string }> {
    try {
      const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(5000) });
      const { role } = (await res.json()) as { role?: string };
      return { status: res.status, ...(role && { role }) };
    } catch {
      return { status: 0 };
    }
  }

  const roles = async () => (await Promise.all(urls.map(readyz))).map((r) => `${r.status} ${r.role}`).sort();
  const stored = () =>
    withAdmin(async (c) => (await c.query(`SELECT count(*)::int AS n FROM "${schema}".belvo_webhooks`)).rows[0].n);

  it('one leads and one follows, both ready; a webhook sent to both is stored once', async () => {
    let seen: string[] = [];
    await until(
      () => {
        void roles().then((r) => {
          seen = r;
        });
        return seen.join() === '200 follower,200 leader';
      },
      15_000,
      'a leader and a follower',
      () => seen.join(),
    );
    const w = belvoWebhooks.tokenRequired();
    const sent = await Promise.all(
      urls.map((url) => new BelvoWebhookSender({ url, environment: 'sandbox', authorization: AUTH }).send(w)),
    );
    expect(sent.map((s) => s.status)).toEqual([200, 200]);
    expect(await stored()).toBe(1);
  });

  it('while the database is away: /readyz 503 and webhooks 503; once back, ready again and nothing lost', async () => {
    const senders = urls.map((url) => new BelvoWebhookSender({ url, environment: 'sandbox', authorization: AUTH }));
    await withAdmin(async (c) => {
      await c.query(`ALTER SCHEMA "${schema}" RENAME TO "${schema}_away"`);
      await c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [
        `belvo-status:${schema}`,
      ]);
    });
    const during = [belvoWebhooks.tokenRequired(), belvoWebhooks.historicalUpdate()];
    const answers = await Promise.all(during.map((w, i) => senders[i % 2]!.send(w)));
    expect(answers.map((a) => a.status)).toEqual([503, 503]);
    let seen: string[] = [];
    await until(
      () => {
        void roles().then((r) => {
          seen = r;
        });
        return seen.join() === '503 unreachable,503 unreachable';
      },
      LEASE_MS * 5,
      'both replicas not ready',
      () => seen.join(),
    );

    await withAdmin((c) => c.query(`ALTER SCHEMA "${schema}_away" RENAME TO "${schema}"`));
    await until(
      () => {
        void roles().then((r) => {
          seen = r;
        });
        return seen.join() === '200 follower,200 leader';
      },
      LEASE_MS * 8,
      'a leader and a follower again',
      () => seen.join(),
    );
    // Belvo retries what was answered 503: now each is stored, once.
    const retried = await Promise.all(during.map((w, i) => senders[(i + 1) % 2]!.send(w)));
    expect(retried.map((a) => a.status)).toEqual([200, 200]);
    expect(await stored()).toBe(3);
  }, 60_000);
});
