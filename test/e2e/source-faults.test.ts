// A broken feed is a failed poll, never a recovery: the open incident stays open, the bot says the source cannot
// be read after N failures, and says so again when it can.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedPage, type SimulatedStatusPageServer, startSimulatedStatusPage } from '../fakes/statuspage.js';
import { BotProcess, sleep } from './bot-process.js';

const POLL_MS = 120;

describe('a status page that breaks in every way', () => {
  let page: SimulatedPage;
  let server: SimulatedStatusPageServer;
  let bot: BotProcess;

  beforeAll(async () => {
    page = new SimulatedPage({ id: 'faults000001', name: 'Belvo API' });
    const api = page.addComponent({ name: 'API' });
    page.openIncident({
      name: 'Degraded link creation',
      impact: 'major',
      body: 'Investigating.',
      components: [{ id: api, status: 'partial_outage' }],
    });
    server = await startSimulatedStatusPage({ page });
    bot = new BotProcess(
      (dir) => `
server: { host: 127.0.0.1, port: 0 }
storage: { path: ${dir}/state.db }
sources:
  - id: api
    type: statuspage
    name: Belvo API status
    url: "${server.url}"
    interval: ${POLL_MS}ms
    jitter: 0
    timeout: 400ms
    maxBodySize: 1mb
    failuresBeforeAlert: 2
engine:
  # Each fault below is a separate outage of the source, not the same one flapping.
  flapping: { window: 50ms }
destinations: [{ id: console, type: console }]
subscriptions: [{ destination: console }]
`,
    );
    bot.start();
    await bot.waitFor(/OPENED .*Degraded link creation/);
    await bot.waitFor(/OPENED .*API: partial outage/);
  });

  afterAll(async () => {
    await bot?.dispose();
    await server?.close();
  });

  const faults: [string, () => void][] = [
    ['500 errors', () => server.faults.status(500, { body: '{"error":"internal"}' })],
    ['a hanging server (timeouts)', () => server.faults.hang()],
    ['an HTML error page', () => server.faults.html()],
    ['a truncated body', () => server.faults.truncate()],
    ['a 10 MB body', () => server.faults.huge(10 * 1024 * 1024)],
    ['429 with Retry-After', () => server.faults.status(429, { retryAfter: 1 })],
  ];

  it.each(faults)(
    '%s: no crash, no false resolution, a source-health alert that opens and resolves',
    async (_name, inject) => {
      const opened = bot.count(/OPENED .*Belvo API status cannot be read/);
      const resolved = bot.count(/RESOLVED .*Belvo API status cannot be read/);
      inject();
      await bot.waitFor(/OPENED .*Belvo API status cannot be read/, 10_000, opened + 1);
      await sleep(POLL_MS * 3);
      server.faults.clear();
      await bot.waitFor(/RESOLVED .*Belvo API status cannot be read/, 10_000, resolved + 1);
      await sleep(POLL_MS * 3);

      expect(bot.running?.proc.exitCode).toBeNull();
      // The incident and the component were never resolved by the failures, nor announced again after them.
      expect(bot.count(/RESOLVED .*Degraded link creation/)).toBe(0);
      expect(bot.count(/RESOLVED .*API: /)).toBe(0);
      expect(bot.count(/OPENED .*Degraded link creation/)).toBe(1);
      expect(bot.count(/(OPENED|REOPENED) .*API: partial outage/)).toBe(1);
    },
  );

  it('a 429 with Retry-After slows the polls down to what the page asked for', async () => {
    const from = bot.logs.length;
    server.faults.status(429, { retryAfter: 1 });
    await sleep(3200);
    server.faults.clear();
    // The bot's own account of its polls: when each rate-limited poll finished.
    const rateLimited = bot.logs
      .slice(from)
      .filter((l) => l.msg === 'status page poll failed' && (l.error as { code?: string })?.code === 'rate_limited')
      .map((l) => Date.parse(String(l.time)));
    // Every 120 ms without the header (about 25 polls); about one a second with it.
    expect(rateLimited.length).toBeGreaterThanOrEqual(2);
    expect(rateLimited.length).toBeLessThanOrEqual(4);
    const gaps = rateLimited.slice(1).map((at, i) => at - (rateLimited[i] ?? 0));
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(950);
  });

  it('the health alert says how many polls failed and why', () => {
    const text = bot.output.join('\n');
    expect(text).toMatch(/last error: .*HTTP 500.* · 2 failed polls in a row \(threshold 2\)/);
    expect(text).toMatch(/last error: .*no complete answer within 400 ms/);
  });
});
