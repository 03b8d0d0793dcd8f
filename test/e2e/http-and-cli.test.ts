// The program's surfaces other than the console: its HTTP server, its other commands, and the shipped default
// config run without internet.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedPage, type SimulatedStatusPageServer, startSimulatedStatusPage } from '../fakes/statuspage.js';
import { BotProcess, runCli, sleep, waitForMetrics } from './bot-process.js';

const SECRET = 'push-secret-0123456789abcdef';

describe('the running bot over HTTP', () => {
  let server: SimulatedStatusPageServer | undefined;
  let bot: BotProcess | undefined;

  afterEach(async () => {
    await bot?.dispose();
    await server?.close();
  });

  async function startBot(intervalMs: number) {
    const page = new SimulatedPage({ id: 'http00000001', name: 'Belvo API' });
    page.addComponent({ name: 'API' });
    server = await startSimulatedStatusPage({ page });
    bot = new BotProcess(
      (dir) => `
server: { host: 127.0.0.1, port: 0 }
storage: { path: ${dir}/state.db }
sources:
  - { id: api, type: statuspage, name: Belvo API, url: "${server?.url}", interval: ${intervalMs}ms, jitter: 0, push: { secretEnv: PUSH_SECRET } }
destinations: [{ id: console, type: console }]
subscriptions: [{ destination: console }]
`,
    );
    bot.start({ PUSH_SECRET: SECRET });
    const started = await bot.waitForLog('belvo-status-bot started');
    return { page, base: `http://127.0.0.1:${started.port as number}` };
  }

  it('belvo-status healthcheck asks the running bot on the port its config names', async () => {
    const { base } = await startBot(60_000);
    const port = new URL(base).port;
    const up = await runCli(['healthcheck', '--config', bot?.configFile ?? ''], {
      env: { PUSH_SECRET: SECRET, BELVO_STATUS_SERVER__PORT: port },
    });
    expect(up).toMatchObject({ code: 0, stdout: 'healthz: HTTP 200\n' });
    await bot?.kill('SIGTERM');
    const down = await runCli(['healthcheck', '--config', bot?.configFile ?? ''], {
      env: { PUSH_SECRET: SECRET, BELVO_STATUS_SERVER__PORT: port },
    });
    expect(down.code).toBe(1);
    expect(down.stdout).toMatch(/^healthz: no answer on 127\.0\.0\.1:\d+/);
  });

  it('answers /healthz, /readyz and /metrics', async () => {
    const { base } = await startBot(100);
    // The first poll read the page, and a later one found it unchanged.
    await waitForMetrics(base, /belvo_status_polls_total\{source="api",outcome="unchanged"\} [1-9]/);
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });

    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: 'ready',
      checks: { store: true, sources: true, storageWritable: true, storageSpace: true },
    });

    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/belvo_status_polls_total\{source="api",outcome="ok"\} 1/);
    expect(metrics).toMatch(/belvo_status_polls_total\{source="api",outcome="unchanged"\} \d+/);
    expect(metrics).toContain('belvo_status_poll_duration_seconds_bucket');
    expect(metrics).toMatch(/belvo_status_alerts_open\{severity="critical"\} 0/);
    expect(metrics).toMatch(/belvo_status_outbox_depth 0/);

    expect((await fetch(`${base}/nope`)).status).toBe(404);
    expect((await fetch(`${base}/healthz`, { method: 'POST' })).status).toBe(405);
  });

  it('a Statuspage push with the right secret triggers a poll at once; a wrong one changes nothing', async () => {
    const { page, base } = await startBot(60_000);
    const polls = () => server?.requests.filter((r) => r.path === '/api/v2/summary.json').length ?? 0;
    while (polls() === 0) await sleep(20); // the first scheduled poll; the next is a minute away
    const before = polls();

    const wrong = await fetch(`${base}/webhooks/statuspage/not-the-secret`, {
      method: 'POST',
      body: '{"incident":{}}',
    });
    expect(wrong.status).toBe(404);
    const malformed = await fetch(`${base}/webhooks/statuspage/${SECRET}`, { method: 'POST', body: '{"incident":' });
    expect(malformed.status).toBe(400);
    await sleep(300);
    expect(polls()).toBe(before);

    page.openIncident({ name: 'Pushed incident', impact: 'minor', body: 'Seen through a push.' });
    const push = await fetch(`${base}/webhooks/statuspage/${SECRET}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ meta: {}, page: { id: 'x' }, incident: { id: 'abc', name: 'Pushed incident' } }),
    });
    expect(push.status).toBe(202);
    await bot?.waitFor(/OPENED .*Pushed incident/, 30_000);
    // The secret is in the URL: it must not reach the logs.
    expect(bot?.running?.stderr.join('\n')).not.toContain(SECRET);
  });

  it('a body over the limit gets 413', async () => {
    const { base } = await startBot(60_000);
    const res = await fetch(`${base}/webhooks/statuspage/${SECRET}`, {
      method: 'POST',
      body: 'x'.repeat(2 * 1024 * 1024),
    });
    expect(res.status).toBe(413);
  });
});

describe('the shipped default config without internet', () => {
  let bot: BotProcess | undefined;
  afterEach(async () => bot?.dispose());

  it('keeps running and reports both Belvo pages unreachable after 3 failed polls', async () => {
    // The network guard refuses every non-loopback connection, as a machine with no internet would.
    bot = new BotProcess(() => readFileSync('config/default.yaml', 'utf8'));
    bot.start({
      BELVO_STATUS_SERVER__PORT: '0',
      BELVO_STATUS_STORAGE__PATH: `${bot.dir}/state.db`,
      BELVO_STATUS_SOURCES__0__INTERVAL: '100ms',
      BELVO_STATUS_SOURCES__1__INTERVAL: '100ms',
    });
    await bot.waitFor(/OPENED .*Belvo API status cannot be read/, 15_000);
    await bot.waitFor(/OPENED .*Belvo institution status cannot be read/, 15_000);
    expect(bot.output.join('\n')).toMatch(/3 failed polls in a row/);
    await sleep(500);
    expect(bot.running?.proc.exitCode).toBeNull();
  });
});

describe('belvo-status commands', () => {
  it('check-config accepts the shipped configs', async () => {
    const res = await runCli(['check-config', 'config/default.yaml']);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('config/default.yaml: ok');
    expect(res.stdout).toContain('belvo-api (statuspage json, https://status.belvo.com, every 60s)');
  });

  it('check-config names every wrong key and exits 2', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      `
sources:
  - id: api
    type: statuspage
    name: API
    url: https://status.belvo.com
    intervall: 30s
    timeout: forever
    push: { secretEnv: MISSING_PUSH_SECRET }
server: { port: "8080x" }
destinations: [{ id: console, type: console }]
subscriptions: [{ destination: slack }]
`,
    );
    const res = await runCli(['check-config', file]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('  line 7: sources[0].intervall: unknown key (did you mean `interval`?)\n');
    expect(res.stderr).toContain('sources[0].timeout: not a duration: "forever"');
    expect(res.stderr).toContain('server.port:');
    expect(res.stderr).toContain('subscriptions[0].destination: no destination with id "slack"');
    expect(res.stderr).toContain('sources[0].push.secretEnv: environment variable MISSING_PUSH_SECRET');
  });

  it('check-config names a missing secret (and never prints a present one)', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const file = join(dir, 'push.yaml');
    writeFileSync(
      file,
      'sources:\n  - { id: api, type: statuspage, name: API, url: "https://status.belvo.com", push: { secretEnv: MY_PUSH_SECRET } }\n',
    );
    const missing = await runCli(['check-config', file], { env: { MY_PUSH_SECRET: '' } });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(
      'sources[0].push.secretEnv: environment variable MY_PUSH_SECRET (or MY_PUSH_SECRET_FILE) is not set',
    );
    const present = await runCli(['check-config', file], { env: { MY_PUSH_SECRET: 'very-secret-value' } });
    expect(present.code).toBe(0);
    expect(present.stdout + present.stderr).not.toContain('very-secret-value');
  });

  it('status prints what is open, from the store a bot wrote', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'status-'));
    const file = join(dir, 'c.yaml');
    writeFileSync(file, `storage: { path: ${dir}/none.db }\n`);
    const missing = await runCli(['status', '--config', file]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('has the bot run with this config?');
  });

  it('an unknown command or option gets usage and exit 2, never a stack trace', async () => {
    const cmd = await runCli(['frobnicate']);
    expect(cmd.code).toBe(2);
    expect(cmd.stderr).toContain("error: unknown command 'frobnicate'");
    expect(cmd.stderr).toContain('Usage: belvo-status [options] [command]');
    const opt = await runCli(['run', '--colour']);
    expect(opt.code).toBe(2);
    expect(opt.stderr).not.toMatch(/\n\s+at /);
  });
});
