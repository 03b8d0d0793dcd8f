// The Grafana dashboard in deploy/grafana/ queries only what the bot exposes: the bot runs in this process against
// local fakes (a status page with an open incident, one that cannot be reached, Belvo, a webhook, reported calls),
// its GET /metrics is scraped, and every metric the dashboard names must be there, with every label it groups or
// filters by. A renamed metric or label breaks this test instead of a panel in production.
import { closeSync, openSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { type App, buildApp } from '../../src/main.js';
import { silentLogger } from '../../src/ports/logger.js';
import { type FakeBelvo, startFakeBelvo } from '../fakes/belvo-api.js';
import { belvoWebhooks } from '../fakes/belvo-webhook-sender.js';
import { SimulatedPage, type SimulatedStatusPageServer, startSimulatedStatusPage } from '../fakes/statuspage.js';

const DASHBOARD = 'deploy/grafana/belvo-status.json';
/** Labels Prometheus adds when it scrapes, never in /metrics itself. */
const SCRAPE_LABELS = new Set(['instance', 'job']);

interface Exposition {
  /** Metric families by name, with the sample names each one exposes (a histogram's _bucket, _sum, _count). */
  families: Map<string, string[]>;
  /** Label names seen on the samples of each family. */
  labels: Map<string, Set<string>>;
  samples: string[];
}

/** The text exposition format: `# TYPE name kind` lines, then `name{label="v",...} value` samples. */
function parseExposition(text: string): Exposition {
  const families = new Map<string, string[]>();
  const labels = new Map<string, Set<string>>();
  const owner = new Map<string, string>();
  const samples: string[] = [];
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)/.exec(line);
    if (type) {
      const [, name, kind] = type as unknown as [string, string, string];
      const names =
        kind === 'histogram' || kind === 'summary' ? [name, `${name}_bucket`, `${name}_sum`, `${name}_count`] : [name];
      families.set(name, names);
      for (const n of names) owner.set(n, name);
      labels.set(name, new Set());
      continue;
    }
    const sample = /^([a-zA-Z_:][\w:]*)(?:\{([^}]*)\})? /.exec(line);
    if (!sample) continue;
    samples.push(line);
    const family = owner.get(sample[1] as string);
    for (const m of (sample[2] ?? '').matchAll(/([a-zA-Z_]\w*)="/g)) labels.get(family ?? '')?.add(m[1] as string);
  }
  return { families, labels, samples };
}

const METRIC = /\bbelvo_status_[a-z0-9_]+/g;

/** Label names a PromQL expression groups, joins or filters by. */
function labelsUsed(expr: string): string[] {
  const used = new Set<string>();
  for (const m of expr.matchAll(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g)) {
    for (const l of (m[1] ?? '').split(',')) if (l.trim()) used.add(l.trim());
  }
  for (const m of expr.matchAll(/\{([^}]*)\}/g)) {
    for (const l of (m[1] ?? '').matchAll(/([a-zA-Z_]\w*)\s*(?:=~|!~|!=|=)/g)) used.add(l[1] as string);
  }
  return [...used];
}

function dashboardTargets(): { panel: string; expr: string }[] {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as {
    panels: { title: string; targets?: { expr: string }[]; panels?: unknown[] }[];
  };
  return dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));
}

describe('the Grafana dashboard against the bot’s /metrics', () => {
  let app: App;
  let page: SimulatedStatusPageServer;
  let belvo: FakeBelvo;
  let base: string;
  let devNull: number;
  const env = {
    BELVO_ID: 'x',
    BELVO_PASSWORD: 'y',
    BELVO_WEBHOOK_AUTH: 'Bearer dashboard-webhook-secret',
    INGEST_TOKEN: 'dashboard-ingest-token-0123456789',
  };

  beforeAll(async () => {
    const sim = new SimulatedPage({ id: 'dashapi00001', name: 'Belvo API' });
    const api = sim.addComponent({ name: 'API' });
    sim.openIncident({
      name: 'Elevated errors',
      impact: 'major',
      body: 'Investigating.',
      components: [{ id: api, status: 'partial_outage' }],
    });
    page = await startSimulatedStatusPage({ page: sim });
    belvo = await startFakeBelvo();
    Object.assign(env, { BELVO_ID: belvo.secretKeyId, BELVO_PASSWORD: belvo.secretKeyPassword });
    devNull = openSync('/dev/null', 'w');
    const loaded = parseConfigText(
      `
server: { host: 127.0.0.1, port: 0 }
storage: { path: ":memory:" }
sources:
  - { id: belvo-api, type: statuspage, name: Belvo API, url: "${page.url}", interval: 1h }
  - { id: unreachable, type: statuspage, name: Gone, url: "http://127.0.0.1:1", interval: 1h, timeout: 2s }
belvo:
  environments:
    - id: sandbox
      url: "${belvo.url}"
      secretKeyId: { secretEnv: BELVO_ID }
      secretKeyPassword: { secretEnv: BELVO_PASSWORD }
      webhook: { authorization: { secretEnv: BELVO_WEBHOOK_AUTH } }
  ingest: { token: { secretEnv: INGEST_TOKEN } }
destinations: [{ id: console, type: console }]
subscriptions: [{ destination: console }]
`,
      'dashboard.yaml',
      env,
    );
    app = await buildApp(loaded, { logger: silentLogger, consoleFd: devNull });
    base = `http://127.0.0.1:${(await app.start()).port}`;
  });

  afterAll(async () => {
    await app?.stop();
    await page?.close();
    await belvo?.close();
    if (devNull !== undefined) closeSync(devNull);
  });

  const scrape = async () => parseExposition(await (await fetch(`${base}/metrics`)).text());

  it('every metric the dashboard queries exists, with every label it groups or filters by', async () => {
    // What each panel needs to have something to show: a webhook, reported calls, the open incident delivered.
    const hook = await fetch(`${base}/webhooks/belvo/sandbox`, {
      method: 'POST',
      headers: { authorization: env.BELVO_WEBHOOK_AUTH, 'content-type': 'application/json' },
      body: JSON.stringify(belvoWebhooks.tokenRequired()),
    });
    expect(hook.status).toBeLessThan(300);
    const calls = [
      { ts: Date.now(), method: 'GET', path: '/api/links/', status: 200, duration_ms: 40 },
      {
        ts: Date.now(),
        method: 'POST',
        path: '/api/links/',
        status: 500,
        code: 'unexpected_error',
        request_id: 'r1',
        duration_ms: 90,
      },
      { ts: Date.now(), method: 'POST', path: '/api/links/', status: 0, timeout: true, duration_ms: 30_000 },
    ];
    const ingest = await fetch(`${base}/ingest/belvo-calls`, {
      method: 'POST',
      headers: { authorization: `Bearer ${env.INGEST_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(calls),
    });
    expect(ingest.status).toBe(202);

    const targets = dashboardTargets();
    const wanted = new Set(targets.flatMap((t) => t.expr.match(METRIC) ?? []));
    let exposition = await scrape();
    const missingSamples = () =>
      targets.filter((t) => {
        const names = t.expr.match(METRIC) ?? [];
        return !names.some((n) => exposition.samples.some((s) => s.startsWith(`${n}{`) || s.startsWith(`${n} `)));
      });
    // The first polls run within a second of start and the incident is delivered right after; the deadline only
    // guards against a hang.
    const deadline = Date.now() + 15_000;
    while (missingSamples().length > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      exposition = await scrape();
    }
    expect(missingSamples().map((t) => t.panel)).toEqual([]);

    const known = new Set([...exposition.families.values()].flat());
    expect([...wanted].filter((n) => !known.has(n))).toEqual([]);
    // The whole file, template variables included, names nothing the bot does not expose.
    const everywhere = new Set(readFileSync(DASHBOARD, 'utf8').match(METRIC) ?? []);
    expect([...everywhere].filter((n) => !known.has(n))).toEqual([]);
    expect(wanted.size).toBeGreaterThanOrEqual(12);

    for (const { panel, expr } of targets) {
      const families = (expr.match(METRIC) ?? []).map(
        (n) => [...exposition.families].find(([, names]) => names.includes(n))?.[0] as string,
      );
      const available = new Set(families.flatMap((f) => [...(exposition.labels.get(f) ?? [])]));
      const unknown = labelsUsed(expr).filter((l) => !SCRAPE_LABELS.has(l) && !available.has(l));
      expect({ panel, unknown }).toEqual({ panel, unknown: [] });
    }
  });

  it('the reported calls are counted by error kind, what the error-ratio panel divides', async () => {
    const { samples } = await scrape();
    const count = (kind: string) =>
      Number(samples.find((s) => s.startsWith(`belvo_status_reported_calls_total{kind="${kind}"}`))?.split(' ')[1]);
    expect({ ok: count('ok'), belvo: count('belvo'), timeout: count('timeout') }).toEqual({
      ok: 1,
      belvo: 1,
      timeout: 1,
    });
  });
});
