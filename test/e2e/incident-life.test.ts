// The real program against a fake Statuspage: what a person watching the terminal sees.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SimulatedPage, type SimulatedStatusPageServer, startSimulatedStatusPage } from '../fakes/statuspage.js';
import { BotProcess, runCli, until } from './bot-process.js';

const POLL_MS = 150;

function config(url: string, format: 'json' | 'rss' | 'atom' = 'json') {
  return (dir: string) => `
server: { host: 127.0.0.1, port: 0 }
storage: { path: ${dir}/state.db }
log: { level: info }
sources:
  - { id: api, type: statuspage, name: Belvo API, url: "${url}", format: ${format}, interval: ${POLL_MS}ms, jitter: 0, timeout: 2s }
destinations: [{ id: console, type: console }]
subscriptions: [{ destination: console }]
`;
}

describe('an incident on the Belvo API status page, end to end', () => {
  let page: SimulatedPage;
  let server: SimulatedStatusPageServer;
  let bot: BotProcess;

  beforeEach(async () => {
    page = new SimulatedPage({ id: 'e2eapi000001', name: 'Belvo API' });
    page.addComponent({ name: 'API' });
    const old = page.openIncident({ name: 'Old incident from last month', impact: 'minor', body: 'Old.' });
    page.resolveIncident(old, 'Old, resolved.');
    server = await startSimulatedStatusPage({ page });
  });

  afterEach(async () => {
    await bot?.dispose();
    await server?.close();
  });

  it.each(['json', 'rss', 'atom'] as const)(
    'its whole life gives one OPENED, one line per real update and one RESOLVED (%s feed)',
    async (format) => {
      bot = new BotProcess(config(server.url, format));
      bot.start();
      await bot.waitForLog('belvo-status-bot started');
      // First sight: the old incident is history.
      await until(() => server.requests.length >= 2, 30_000, 'the first polls');

      const id = page.openIncident({
        name: 'Elevated 500s on /api/links',
        impact: 'major',
        body: 'Investigating errors.',
      });
      await bot.waitFor(/OPENED .*Elevated 500s on \/api\/links/);
      page.updateIncident(id, { status: 'identified', body: 'Database failover identified.' });
      await bot.waitFor(/UPDATE .*Elevated 500s/);
      page.updateIncident(id, { status: 'monitoring', body: 'Fix deployed, monitoring.' });
      await bot.waitFor(/UPDATE .*Elevated 500s/, 10_000, 2);
      page.resolveIncident(id, 'Resolved.');
      await bot.waitFor(/RESOLVED .*Elevated 500s/);

      // Re-polling unchanged feeds says nothing more.
      const before = bot.output.length;
      const requestsBefore = server.requests.length;
      await until(() => server.requests.length - requestsBefore >= 4, 30_000, 'four more polls');
      expect(bot.output.slice(before)).toEqual([]);

      expect(bot.events().map((l) => l.replace(/^\S+ \S+ (\S+) .*$/, '$1'))).toEqual([
        'OPENED',
        'UPDATE',
        'UPDATE',
        'RESOLVED',
      ]);
      expect(bot.count(/Old incident/)).toBe(0);
      const details = bot.output.join('\n');
      expect(details).toContain('identified: Database failover identified.');
      expect(details).toContain('monitoring: Fix deployed, monitoring.');
      expect(await bot.kill('SIGTERM')).toBe(0);
    },
  );

  it('unchanged feeds are fetched with conditional GET and answered 304', async () => {
    bot = new BotProcess(config(server.url));
    bot.start();
    await bot.waitForLog('belvo-status-bot started');
    // Four polls, however long a loaded machine makes them take.
    const summaries = () => server.requests.filter((r) => r.path === '/api/v2/summary.json');
    await until(() => summaries().length >= 4, 30_000, 'four polls of the summary');
    const polls = summaries();
    expect(polls[0]?.status).toBe(200);
    const later = polls.slice(1);
    expect(later.every((r) => r.status === 304)).toBe(true);
    expect(later.every((r) => typeof r.headers['if-none-match'] === 'string')).toBe(true);
  });

  it('an incident already open at first sight is posted; a component outage is posted and resolved', async () => {
    const api = page.components().find((c) => c.name === 'API');
    page.openIncident({
      name: 'Webhooks delayed',
      impact: 'minor',
      body: 'Webhooks are delayed.',
      components: [{ id: api?.id ?? '', status: 'degraded_performance' }],
    });
    bot = new BotProcess(config(server.url));
    bot.start();
    // The page's incident and the component it names are one Belvo API incident: one message.
    await bot.waitFor(/OPENED +MINOR .*Belvo API: Webhooks delayed, API: degraded performance/);
    // `belvo-status status` reads the running bot's store and says the same.
    const status = await runCli(['status', '--config', bot.configFile]);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^Belvo status: 2 open alerts, worst minor/);
    expect(status.stdout).toContain('Webhooks delayed');
    page.setComponentStatus(api?.id ?? '', 'operational');
    // The component recovers: the one message is updated; the page's incident keeps it open.
    const update = await bot.waitFor(/UPDATE +MINOR .*Belvo API: Webhooks delayed$/);
    expect(bot.output[bot.output.indexOf(update) + 1]).toContain(
      'recovered: API: degraded performance (1 still failing)',
    );
    expect(bot.count(/OPENED/)).toBe(1);
    expect(bot.count(/Old incident/)).toBe(0);
  });
});
