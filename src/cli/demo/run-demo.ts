// `belvo-status demo`: two simulated status pages on 127.0.0.1 and the real bot against them, with a scripted
// minute of trouble: an incident with its updates, a flapping institution, a storm, and everything recovering.
// No internet and no credentials needed; state lives in a temporary directory removed at the end.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { populateInstitutions, SimulatedPage, startSimulatedStatusPage } from '../../../simulators/statuspage/index.js';
import { parseConfigText } from '../../config/load.js';
import { createLogger } from '../../log.js';
import { buildApp } from '../../main.js';

export interface DemoOptions {
  /** Compress the script (for tests): same story, shorter pauses. */
  fast?: boolean;
}

function demoConfig(apiUrl: string, institutionsUrl: string, dataDir: string, pollMs: number, flapWindowMs: number) {
  return `
server: { host: 127.0.0.1, port: 0 }
storage: { path: ${join(dataDir, 'demo.db')} }
sources:
  - { id: belvo-api, type: statuspage, name: Belvo API (simulated), url: "${apiUrl}", role: api, interval: ${pollMs}ms, jitter: 0 }
  - { id: institutions, type: statuspage, name: Institutions (simulated), url: "${institutionsUrl}", role: institutions, interval: ${pollMs}ms, jitter: 0 }
engine:
  flapping: { window: ${flapWindowMs}ms, flips: 4 }
destinations: [{ id: console, type: console }]
subscriptions: [{ destination: console }]
`;
}

const say = (text: string) => process.stdout.write(`\n-- ${text}\n`);

export async function runDemo(opts: DemoOptions = {}): Promise<number> {
  const unit = opts.fast ? 150 : 1000; // one "beat" of the script
  const pollMs = opts.fast ? 100 : 1000;
  const pause = (beats: number) => new Promise((r) => setTimeout(r, beats * unit));

  const api = new SimulatedPage({ id: 'demoapi00001', name: 'Belvo API' });
  const apiComponents = ['API', 'Dashboard', 'Connect widget', 'Webhooks'].map((name) => api.addComponent({ name }));
  const old = api.openIncident({
    name: 'Delayed webhooks (last week)',
    impact: 'minor',
    body: 'Webhooks are delayed.',
  });
  api.resolveIncident(old, 'Webhooks are delivered on time again.');

  const inst = new SimulatedPage({ id: 'demoinst0001', name: 'Belvo Institutions', timeZoneOffset: '-06:00' });
  const { institutions } = populateInstitutions(inst, { count: 40, countries: ['Mexico', 'Colombia', 'Brazil'] });

  const apiServer = await startSimulatedStatusPage({ page: api });
  const instServer = await startSimulatedStatusPage({ page: inst });
  const dataDir = mkdtempSync(join(tmpdir(), 'belvo-status-demo-'));
  const loaded = parseConfigText(demoConfig(apiServer.url, instServer.url, dataDir, pollMs, 12 * unit), 'demo', {});
  const app = await buildApp(loaded, { logger: createLogger({ level: 'warn' }) });

  try {
    say('belvo-status demo: two simulated status pages on 127.0.0.1, the bot polling them every second.');
    say("First sight: last week's resolved incident is recorded as history, not posted.");
    await app.start();
    await pause(3);

    say('Belvo API: an incident opens and takes the API down partially.');
    const api0 = apiComponents[0] as string;
    const incident = api.openIncident({
      name: 'Elevated error rates on link creation',
      impact: 'major',
      body: 'We are investigating elevated 500 errors on POST /api/links/.',
      components: [{ id: api0, status: 'partial_outage' }],
    });
    await pause(4);
    api.updateIncident(incident, { status: 'identified', body: 'A database failover is in progress.' });
    await pause(4);
    api.updateIncident(incident, {
      status: 'monitoring',
      body: 'Error rates are back to normal; we are monitoring.',
      components: [{ id: api0, status: 'operational' }],
    });
    await pause(3);

    const flappy = institutions[0];
    if (flappy) {
      say(`${flappy.displayName} flips between partial outage and operational: one alert, marked flapping.`);
      for (let i = 0; i < 4; i++) {
        inst.setComponentStatus(flappy.id, 'partial_outage');
        await pause(1.5);
        inst.setComponentStatus(flappy.id, 'operational');
        await pause(2.5);
      }
    }

    const storm = institutions.slice(5, 13);
    say(`A storm: ${storm.length} institutions go down at once: one grouped alert lists them, one page.`);
    for (const i of storm) inst.setComponentStatus(i.id, 'major_outage');
    await pause(5);

    say('Everything recovers.');
    api.resolveIncident(incident, 'This incident has been resolved.');
    for (const i of storm) inst.setComponentStatus(i.id, 'operational');
    // The flapping alert settles once its page has been quiet for the flapping window.
    await pause(14);

    say('Done. Every alert above was opened once, updated in place and resolved with its duration.');
    return 0;
  } finally {
    await app.stop();
    await apiServer.close();
    await instServer.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
