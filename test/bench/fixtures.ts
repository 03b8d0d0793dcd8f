// The benchmark's page and config: Belvo's institutions page at 1,000 components, with the little incident history a
// real page carries, so the documents parsed have realistic shape and size (not 1,000 components and nothing else).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { populateInstitutions, type SimulatedInstitution, SimulatedPage } from '../../simulators/statuspage/index.js';

export const COMPONENTS = 1000;
export const SOURCE_ID = 'institutions';
export const SOURCE_NAME = 'Belvo institution status (bench)';

export interface BenchPage {
  page: SimulatedPage;
  institutions: SimulatedInstitution[];
  /** Ids of the incidents left open on the page. */
  openIncidents: string[];
}

function at(list: SimulatedInstitution[], i: number): SimulatedInstitution {
  const inst = list[i];
  if (!inst) throw new Error(`bench page has no institution #${i}`);
  return inst;
}

/**
 * 1,000 institutions over three countries, three resolved incidents (history), one completed and one upcoming
 * maintenance, and `openIncidents` open ones each naming one institution (no status change: component alerts are the
 * caller's business).
 */
export function buildInstitutionsPage(options: { openIncidents?: number } = {}): BenchPage {
  const page = new SimulatedPage({ id: 'benchinst001', name: 'Belvo Institutions (bench)', timeZoneOffset: '-06:00' });
  const { institutions } = populateInstitutions(page, { count: COMPONENTS });

  for (let k = 0; k < 3; k++) {
    const inst = at(institutions, 900 + k);
    const id = page.openIncident({
      name: `${inst.displayName}: connection errors (past)`,
      impact: 'minor',
      body: 'We are investigating connection errors with this institution.',
      components: [{ id: inst.id, status: 'partial_outage' }],
    });
    page.updateIncident(id, { status: 'identified', body: 'The institution confirmed an outage on their side.' });
    page.resolveIncident(id, 'Connections are working normally again.');
  }
  const past = page.scheduleMaintenance({
    name: 'Planned upgrade of the MX connectors',
    components: [at(institutions, 950).id, at(institutions, 951).id],
    scheduledFor: Date.now() - 3 * 3600_000,
    scheduledUntil: Date.now() - 2 * 3600_000,
    body: 'Connectors will be upgraded.',
  });
  page.startMaintenance(past, 'In progress.');
  page.completeMaintenance(past, 'Completed.');
  page.scheduleMaintenance({
    name: 'Planned upgrade of the CO connectors',
    components: [at(institutions, 960).id],
    scheduledFor: Date.now() + 24 * 3600_000,
    scheduledUntil: Date.now() + 26 * 3600_000,
    body: 'Connectors will be upgraded.',
  });

  const openIncidents: string[] = [];
  for (let k = 0; k < (options.openIncidents ?? 0); k++) {
    const inst = at(institutions, 980 + k);
    openIncidents.push(
      page.openIncident({
        name: `${inst.displayName}: slow responses`,
        impact: 'minor',
        body: 'Responses from this institution are slower than usual.',
        components: [inst.id],
      }),
    );
  }
  return { page, institutions, openIncidents };
}

export interface BenchConfigOptions {
  url: string;
  dbPath: string;
  intervalMs: number;
  logLevel: 'silent' | 'info' | 'warn' | 'error';
}

/** One institutions source, one console destination; HTTP on an ephemeral loopback port. */
export function benchConfigYaml(o: BenchConfigOptions): string {
  return `
server: { host: 127.0.0.1, port: 0 }
storage: { path: ${JSON.stringify(o.dbPath)} }
log: { level: ${o.logLevel} }
sources:
  - id: ${SOURCE_ID}
    type: statuspage
    name: ${JSON.stringify(SOURCE_NAME)}
    url: ${JSON.stringify(o.url)}
    role: institutions
    interval: ${o.intervalMs}ms
    jitter: 0
    timeout: 5s
destinations: [{ id: console, type: console, color: never }]
subscriptions: [{ destination: console }]
`;
}

const tempDirs = new Set<string>();

/** A temp dir that is removed by `removeTempDir`, or at exit at the latest (an interrupted bench leaves nothing). */
export function makeTempDir(): string {
  if (tempDirs.size === 0) process.once('exit', () => [...tempDirs].forEach(removeTempDir));
  const dir = mkdtempSync(join(tmpdir(), 'belvo-status-bench-'));
  tempDirs.add(dir);
  return dir;
}

export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

/** The environment minus any BELVO_STATUS_* override, so the operator's shell cannot change what is measured. */
export function cleanEnv(): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('BELVO_STATUS_')) env[k] = v;
  return env;
}
