// The team's app reports its Belvo calls through the reporter module; the running bot judges the error ratios and
// raises an alert that names the institution, the top codes and the request_ids to send to Belvo support.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen } from '../../src/http/listen.js';
import { createBelvoCallReporter } from '../../src/reporter/index.js';
import { BotProcess, until } from './bot-process.js';

const TOKEN = 'ingest-token-e2e-0123456789';

describe('error ratios of the team’s Belvo calls, in the running bot', () => {
  let bot: BotProcess;
  let base: string;
  let belvo: Server;
  let belvoUrl: string;

  beforeAll(async () => {
    // A stand-in for Belvo: every third link creation fails with Belvo's error body.
    let n = 0;
    belvo = createServer((_req, res) => {
      n++;
      if (n % 3 === 0) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify([
            { code: 'unexpected_error', message: 'Oops', request_id: `a${String(n).padStart(31, '0')}` },
          ]),
        );
      } else {
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end('{"id":"link"}');
      }
    });
    belvoUrl = (await listen(belvo, 0, '127.0.0.1')).url;
    bot = new BotProcess(
      (dir) => `
server: { host: 127.0.0.1, port: 0 }
storage: { path: ${dir}/state.db }
belvo:
  ingest: { token: { secretEnv: INGEST_TOKEN }, evaluateEvery: 200ms }
destinations: [{ id: console, type: console }]
subscriptions: [{ destination: console }]
`,
    );
    bot.start({ INGEST_TOKEN: TOKEN });
    base = `http://127.0.0.1:${(await bot.waitForLog('belvo-status-bot started')).port as number}`;
  });

  afterAll(async () => {
    await bot?.dispose();
    await new Promise((r) => belvo?.close(r));
  });

  it('a wrong token is refused and counts nothing; reported failures raise one alert with their request_ids', async () => {
    const refused = await fetch(`${base}/ingest/belvo-calls`, {
      method: 'POST',
      headers: { authorization: 'Bearer wrong', 'content-type': 'application/json' },
      body: '[]',
    });
    expect(refused.status).toBe(401);
    const malformed = await fetch(`${base}/ingest/belvo-calls`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify([{ ts: 'yesterday-ish', method: 'GET' }]),
    });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { problems: string[] }).problems.join('\n')).toMatch(/0\.ts/);

    const logged: string[] = [];
    // One batch (sent at close), so the bot judges all ninety calls at once.
    const reporter = createBelvoCallReporter({ url: base, token: TOKEN, batchSize: 100, log: (l) => logged.push(l) });
    for (let i = 0; i < 90; i++) {
      await reporter.fetch(`${belvoUrl}/api/links/`, { method: 'POST' }, { institution: 'erebor_mx_retail' });
    }
    await reporter.close();
    // The checklist's ask: the request_id of every 500 is logged by the app.
    expect(logged).toHaveLength(30);
    expect(logged[0]).toMatch(/^belvo POST \/api\/links\/ -> 500 unexpected_error request_id=a0+3$/);

    await until(
      () => bot.output.some((l) => /OPENED .*erebor_mx_retail: 33\.3% belvo errors/.test(l)),
      15_000,
      'the alert',
    );
    const at = bot.output.findIndex((l) => /OPENED .*belvo errors/.test(l));
    const detail = bot.output[at + 1] ?? '';
    expect(detail).toContain('Top codes: unexpected_error x30');
    expect(detail).toMatch(/request_ids: a0+90, a0+87, a0+84/);
  });
});
