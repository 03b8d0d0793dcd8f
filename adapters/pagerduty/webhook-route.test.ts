// POST /webhooks/pagerduty as PagerDuty (or someone forging its requests) meets it on the bot's server.
import { afterEach, describe, expect, it } from 'vitest';
import { HttpServer } from '../../src/http/server.js';
import { silentLogger } from '../../src/ports/logger.js';
import type { PagerUpdate, PagerUpdateOutcome } from '../../src/ports/pager-updates.js';
import { createPagerDutyAdapter } from './create.js';
import { signPagerDutyBody } from './verify.js';
import { PAGERDUTY_WEBHOOK_PATH } from './webhook-route.js';

const SECRET = 'route-test-signing-secret';
const servers: HttpServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** The adapter's routes on a server of their own; `applied` lists what reached the core. */
async function endpoint(webhookSecrets: string[] | undefined) {
  const applied: PagerUpdate[] = [];
  const server = new HttpServer({ host: '127.0.0.1', port: 0, bodyLimitBytes: 2_000, logger: silentLogger });
  const secrets = new Map((webhookSecrets ?? []).map((s, i) => [`PD_WEBHOOK_SECRET_${i}`, s]));
  const adapter = createPagerDutyAdapter(
    {
      ...(webhookSecrets && { app: { webhookSecrets: [...secrets.keys()].map((secretEnv) => ({ secretEnv })) } }),
      destinations: [],
    },
    {
      secret: (env) => secrets.get(env) ?? '',
      logger: silentLogger,
      clock: { now: () => Date.parse('2026-12-04T10:00:00Z') },
      pagerUpdates: {
        async apply(u): Promise<PagerUpdateOutcome> {
          applied.push(u);
          return { outcome: 'applied', alertId: 'A3' };
        },
      },
    },
  );
  adapter.mount(server.router);
  servers.push(server);
  const url = `http://127.0.0.1:${(await server.listen()).port}${PAGERDUTY_WEBHOOK_PATH}`;
  const post = (body: string, signature: string | null = signPagerDutyBody(body, [SECRET])) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(signature && { 'x-pagerduty-signature': signature }) },
      body,
    });
  return { applied, post };
}

const event = (type: string, data: Record<string, unknown> = { id: 'PGR0VU2', incident_key: 'belvo-status/x' }) =>
  JSON.stringify({ event: { id: `evt-${type}`, event_type: type, agent: { summary: 'Ana' }, data } });

describe('PagerDuty webhook endpoint', () => {
  it('hands a signed incident event to the core and answers 200 with what it did', async () => {
    const { applied, post } = await endpoint([SECRET]);
    const res = await post(event('incident.acknowledged'));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'applied', alert: 'A3' });
    expect(applied).toMatchObject([{ type: 'acknowledged', by: 'Ana', dedupKey: 'belvo-status/x' }]);
  });

  it('answers 200 to event types it does not act on, so PagerDuty does not retry them', async () => {
    const { applied, post } = await endpoint([SECRET]);
    const res = await post(event('incident.priority_updated'));
    expect([res.status, await res.json()]).toEqual([200, { status: 'ignored' }]);
    expect(applied).toEqual([]);
  });

  it('refuses a missing or wrong signature with 401 before reading the body, and a malformed event with 400', async () => {
    const { applied, post } = await endpoint([SECRET]);
    expect((await post(event('incident.resolved'), null)).status).toBe(401);
    expect((await post(event('incident.resolved'), signPagerDutyBody('{}', [SECRET]))).status).toBe(401);
    const bad = await post('not json');
    expect([bad.status, await bad.json()]).toEqual([400, { error: 'malformed_json' }]);
    const noIncident = await post(event('incident.resolved', {}));
    expect([noIncident.status, await noIncident.json()]).toEqual([
      400,
      { error: 'malformed_event', detail: '`event.data.id` (the incident) is required' },
    ]);
    expect((await post('x'.repeat(3_000))).status).toBe(413);
    expect(applied).toEqual([]);
  });

  it('is not served without pagerduty.webhookSecrets', async () => {
    const { post } = await endpoint(undefined);
    expect((await post(event('incident.acknowledged'))).status).toBe(404);
  });
});
