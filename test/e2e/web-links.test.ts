// The web page as part of the real app: chat messages link to an incident's page when web.publicUrl is set, and
// web.enabled: false leaves the bot's port without a page.
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { type App, buildApp } from '../../src/main.js';
import { silentLogger } from '../../src/ports/logger.js';
import { type FakeSlack, startFakeSlack } from '../fakes/slack-api.js';
import { SimulatedPage, type SimulatedStatusPageServer, startSimulatedStatusPage } from '../fakes/statuspage.js';
import { type AppHarness, startApp } from './app-harness.js';

const CHANNEL = 'C0WEBLINKS';

describe('chat messages and the web page', () => {
  let statuspage: SimulatedStatusPageServer | undefined;
  let slack: FakeSlack | undefined;
  let h: AppHarness | undefined;
  let app: App | undefined;

  afterEach(async () => {
    await app?.stop();
    await h?.dispose();
    await statuspage?.close();
    await slack?.close();
    app = undefined;
  });

  it("each Slack message links to its incident's page under web.publicUrl", async () => {
    const page = new SimulatedPage({ id: 'weblinks0001', name: 'Belvo API' });
    page.addComponent({ name: 'API' });
    statuspage = await startSimulatedStatusPage({ page });
    slack = await startFakeSlack({ channels: [CHANNEL] });
    h = await startApp(
      (dir) => `
storage: { path: ${dir}/state.db }
sources: [{ id: api, type: statuspage, name: Belvo API, url: "${statuspage?.url}" }]
slack: { botToken: { secretEnv: SLACK_BOT_TOKEN }, apiUrl: "${slack?.apiUrl}" }
destinations: [{ id: oncall, type: slack, channel: ${CHANNEL} }]
subscriptions: [{ destination: oncall }]
web: { publicUrl: "https://belvo-status.example.com/status/" }
`,
      { SLACK_BOT_TOKEN: 'xoxb-test' },
      Date.now(),
    );
    await h.cycle();
    page.openIncident({ name: 'Elevated 500s on /api/links', impact: 'major', body: 'Investigating.' });
    await h.cycle(60_000);
    const [message] = slack.history(CHANNEL);
    const alert = (await h.app.store.listAlerts({ states: ['firing'] })).find((a) => a.kind === 'belvo-api.incident');
    expect(alert?.title).toBe('Belvo API: Elevated 500s on /api/links');
    expect(JSON.stringify(message)).toContain(
      `<https://belvo-status.example.com/status/incidents/${alert?.id}|Incident page>`,
    );
  });

  it('web.enabled: false serves no page on the port; the default serves it', async () => {
    const config = (web: string) =>
      parseConfigText(`server: { host: 127.0.0.1, port: 0 }\nstorage: { path: ":memory:" }\n${web}`, 't', {});
    app = await buildApp(config('web: { enabled: false }'), { logger: silentLogger });
    let { port } = await app.start();
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    await app.stop();
    app = await buildApp(config(''), { logger: silentLogger });
    ({ port } = await app.start());
    const res = await fetch(`http://127.0.0.1:${port}/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<h1>Belvo status</h1>');
  });
});
