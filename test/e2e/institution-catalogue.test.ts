// One institution, many names: the catalogue joins Belvo's institution page with Belvo's API, so a filter or a
// silence by Belvo name covers the status page's alerts too, and `belvo-status institutions` shows what it joined.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INCIDENT_KIND } from '../../src/domain/fingerprint.js';
import { type FakeBelvo, startFakeBelvo } from '../fakes/belvo-api.js';
import { type FakeSlack, startFakeSlack } from '../fakes/slack-api.js';
import { SimulatedPage, type SimulatedStatusPageServer, startSimulatedStatusPage } from '../fakes/statuspage.js';
import { startApp } from './app-harness.js';
import { runCli } from './bot-process.js';

const CHANNEL = 'C0CATALOG1';

describe('the institution catalogue', () => {
  let belvo: FakeBelvo;
  let page: SimulatedPage;
  let statuspage: SimulatedStatusPageServer;
  let slack: FakeSlack;
  let dir: string;
  const ids = new Map<string, string>();

  beforeAll(async () => {
    belvo = await startFakeBelvo();
    belvo.addInstitution({ name: 'erebor_mx_retail', display_name: 'Banco Erebor', country_codes: ['MX'] });
    belvo.addInstitution({ name: 'moria_mx_retail', display_name: 'Caja Moria', country_codes: ['MX'] });
    belvo.addInstitution({ name: 'gondor_co_retail', display_name: 'Banco Gondor', country_codes: ['CO'] });
    page = new SimulatedPage({ id: 'catalogue001', name: 'Belvo institutions' });
    for (const [name, group] of [
      ['Banco Érebor MX - Retail', 'Mexico'],
      ['Caja Moria - Retail', 'Mexico'],
      ['Banco Lothlorien MX - Retail', 'Mexico'],
      ['BGO Personas', 'Colombia'],
    ] as const) {
      ids.set(name, page.addComponent({ name, group }));
    }
    statuspage = await startSimulatedStatusPage({ page });
    slack = await startFakeSlack({ channels: [CHANNEL] });
    dir = mkdtempSync(join(tmpdir(), 'belvo-status-catalogue-'));
  });

  afterAll(async () => {
    await Promise.all([belvo.close(), statuspage.close(), slack.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  const config = (subscription: string) => `
storage: { path: ${dir}/state-${Math.random().toString(36).slice(2)}.db }
log: { level: silent }
sources:
  - { id: institutions, type: statuspage, name: Belvo institutions, url: "${statuspage.url}", role: institutions }
belvo:
  environments:
    - id: sandbox
      url: "${belvo.url}"
      secretKeyId: { secretEnv: BELVO_ID }
      secretKeyPassword: { secretEnv: BELVO_PASSWORD }
institutions: { map: { "BGO Personas": gondor_co_retail } }
slack: { botToken: { secretEnv: SLACK_BOT_TOKEN }, apiUrl: "${slack.apiUrl}" }
destinations: [{ id: oncall, type: slack, channel: ${CHANNEL} }]
subscriptions: [${subscription}]
`;
  const env = () => ({
    BELVO_ID: belvo.secretKeyId,
    BELVO_PASSWORD: belvo.secretKeyPassword,
    SLACK_BOT_TOKEN: 'xoxb-t',
  });

  it('belvo-status institutions lists what joined, by name or by the config map, and what did not', async () => {
    const file = join(dir, 'config.yaml');
    writeFileSync(file, config('{ destination: oncall }'));
    const res = await runCli(['institutions', '--config', file], { env: env() });
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('Belvo institutions known: 3');
    expect(res.stdout).toContain('Belvo institutions: 4 components, 3 joined, 1 not joined');
    expect(res.stdout).toContain('  Banco Lothlorien MX - Retail (Mexico): no Belvo institution with that name');
    expect(res.stdout).toContain('  Banco Érebor MX - Retail (Mexico) -> erebor_mx_retail');
    expect(res.stdout).toContain('  Caja Moria - Retail (Mexico) -> moria_mx_retail');
    expect(res.stdout).toContain('  BGO Personas (Colombia) -> gondor_co_retail (institutions.map)');
  });

  it('a channel subscribed to institution:erebor_mx_retail hears of the status page’s component by that name', async () => {
    const h = await startApp(
      () => config('{ destination: oncall, institutions: [erebor_mx_retail, gondor_co_retail] }'),
      env(),
      Date.now(),
    );
    try {
      await h.cycle(); // Belvo's list first (the API poller), then the page's first sight
      page.setComponentStatus(ids.get('Banco Érebor MX - Retail') as string, 'major_outage');
      page.setComponentStatus(ids.get('Banco Lothlorien MX - Retail') as string, 'major_outage');
      page.setComponentStatus(ids.get('BGO Personas') as string, 'partial_outage');
      await h.cycle(60_000);
      const texts = slack.history(CHANNEL).map((m) => m.text);
      expect(texts).toEqual(
        expect.arrayContaining([
          "[CRITICAL] Banco Érebor MX - Retail: major outage on Belvo's status page",
          "[MAJOR] BGO Personas (CO): partial outage on Belvo's status page",
        ]),
      );
      expect(texts.some((t) => t?.includes('Lothlorien'))).toBe(false);
      // Each component's alert, and the institution incident it is the evidence of, both by Belvo's name.
      const alerts = await h.app.store.listAlerts({ states: ['firing'] });
      const incidents = alerts.filter((a) => a.kind === INCIDENT_KIND);
      expect(incidents.map((a) => a.institution?.name).sort()).toEqual(
        alerts
          .filter((a) => a.kind === 'statuspage.component')
          .map((a) => a.institution?.name)
          .sort(),
      );
      expect(incidents.map((a) => a.institution?.name).sort()).toEqual([
        'banco_lothlorien_mx_retail',
        'erebor_mx_retail',
        'gondor_co_retail',
      ]);
    } finally {
      await h.dispose();
    }
  });
});
