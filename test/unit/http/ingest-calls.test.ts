// POST /ingest/belvo-calls as a reporter (or an attacker) meets it: the batch is judged whole, by the bot's clock.
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BelvoCall } from '../../../src/detect/error-ratios.js';
import { CALLS_ACCEPTED_BACK_MS, mountCallsIngest } from '../../../src/http/ingest-calls.js';
import { createRefusals } from '../../../src/http/refusals.js';
import { HttpServer } from '../../../src/http/server.js';
import { silentLogger } from '../../../src/ports/logger.js';

const NOW = 1_780_000_000_000;
const TOKEN = 'ingest-token-unit-0123456789';

describe('reported calls ingest', () => {
  let server: HttpServer;
  let base: string;
  let registry: Registry;
  let accepted: BelvoCall[];

  beforeEach(async () => {
    accepted = [];
    registry = new Registry();
    server = new HttpServer({
      host: '127.0.0.1',
      port: 0,
      bodyLimitBytes: 2000,
      logger: silentLogger,
      refusals: createRefusals(registry, silentLogger, () => NOW),
    });
    mountCallsIngest(server.router, {
      now: () => NOW,
      token: TOKEN,
      accept: (calls) => accepted.push(...calls),
      logger: silentLogger,
    });
    base = `http://127.0.0.1:${(await server.listen()).port}`;
  });
  afterEach(() => server.close());

  const send = (body: string, token = TOKEN) =>
    fetch(`${base}/ingest/belvo-calls`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body,
    });
  const call = (ts: number | string) => ({ ts, method: 'GET', path: '/api/links/', status: 200, duration_ms: 80 });
  const refused = async () =>
    (await registry.getSingleMetric('belvo_status_http_refused_total')?.get())?.values.map((v) => ({
      ...v.labels,
      n: v.value,
    }));

  it('a body over the limit is 413, not a JSON error, and nothing is counted', async () => {
    const big = JSON.stringify(Array.from({ length: 40 }, () => call(NOW)));
    const res = await send(big);
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: 'body_too_large' });
    expect(accepted).toEqual([]);
  });

  it('calls from the far future or long ago are refused, naming them; the batch counts nothing', async () => {
    const res = await send(JSON.stringify([call(NOW), call(1e300), call(NOW - CALLS_ACCEPTED_BACK_MS - 1)]));
    expect(res.status).toBe(400);
    const answer = (await res.json()) as { error: string; problems: string[] };
    expect(answer.error).toBe('calls_out_of_time');
    expect(answer.problems).toEqual([
      expect.stringMatching(/^1\.ts: outside/),
      expect.stringMatching(/^2\.ts: outside/),
    ]);
    expect(accepted).toEqual([]);
  });

  it('a reporter sending seconds instead of milliseconds is told so', async () => {
    const res = await send(JSON.stringify([call(Math.floor(NOW / 1000))]));
    expect(res.status).toBe(400);
    expect(((await res.json()) as { problems: string[] }).problems[0]).toMatch(/0\.ts: looks like seconds/);
  });

  it('calls within the window are accepted, a minute ahead or an hour back, numbers or ISO times', async () => {
    const res = await send(JSON.stringify([call(NOW + 60_000), call(new Date(NOW - 3_600_000).toISOString())]));
    expect(res.status).toBe(202);
    expect(accepted.map((c) => c.ts)).toEqual([NOW + 60_000, NOW - 3_600_000]);
  });

  it('refusals are counted by route and reason', async () => {
    await send('[]', 'wrong');
    await send('[]', 'wrong');
    await send('{not json');
    await send(JSON.stringify([call(1e300)]));
    expect(await refused()).toEqual(
      expect.arrayContaining([
        { route: '/ingest/belvo-calls', reason: 'unauthorized', n: 2 },
        { route: '/ingest/belvo-calls', reason: 'malformed_json', n: 1 },
        { route: '/ingest/belvo-calls', reason: 'calls_out_of_time', n: 1 },
      ]),
    );
  });
});
