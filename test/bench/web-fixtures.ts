// A month in the life of a team on 1,000 institutions, as the web page reads it: 100,000 links across them, about
// 1,500 institution incidents over 30 days (each with its sources as members), incidents on Belvo's API, a storm,
// and a few incidents still open. Shared by `npm run bench` (how long the page takes) and a test (how big it is).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteStore } from '../../adapters/sqlite/sqlite-store.js';
import type { Alert, GroupMember } from '../../src/domain/alert.js';
import { INCIDENT_KIND, STORM_KIND } from '../../src/domain/fingerprint.js';
import type { InstitutionRef } from '../../src/domain/institution.js';
import { SEVERITIES, type Severity } from '../../src/domain/severity.js';
import type { BelvoLinkListing } from '../../src/ports/belvo-links.js';
import type { Store } from '../../src/ports/store.js';
import type { PageDeps } from '../../src/web/page-data.js';

export const WEB_INSTITUTIONS = 1000;
export const WEB_LINKS = 100_000;
export const WEB_DAYS = 30;
const DAY = 24 * 3_600_000;
const COUNTRIES = ['MX', 'CO', 'BR', 'CL', 'AR', 'PE'];

export interface WebFixture {
  store: Store;
  now: number;
  deps: PageDeps;
  institutions: InstitutionRef[];
  /** The links stored, as Belvo would list them (a fake Belvo can hold the same account). */
  links: BelvoLinkListing[];
  incidents: number;
  /** Closes the store; removes its directory unless the caller gave it. */
  dispose(): Promise<void>;
}

/** A small deterministic generator, so the fixture is the same on every run. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1_664_525 + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
}

function base(id: string, over: Partial<Alert>): Alert {
  return {
    id,
    fingerprint: `bench/${id}`,
    kind: 'statuspage.component',
    source: 'institutions',
    lifecycle: 'observed',
    state: 'resolved',
    version: 2,
    severity: 'minor',
    peakSeverity: 'minor',
    title: id,
    status: 'operational',
    evidence: {},
    flapping: false,
    announced: true,
    counters: { bad: 0, ok: 2 },
    flips: [],
    startedAt: 0,
    firstSeenAt: 0,
    lastSeenAt: 0,
    timeline: [],
    rev: 0,
    ...over,
  };
}

export async function buildWebFixture(options: { now?: number; dir?: string } = {}): Promise<WebFixture> {
  const now = options.now ?? Date.UTC(2026, 10, 27, 9, 0, 0);
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'belvo-status-web-bench-'));
  let clockNow = now - WEB_DAYS * DAY;
  const store = createSqliteStore({ path: join(dir, 'state.db'), clock: { now: () => clockNow } });
  await store.init();
  const rnd = random(42);

  const institutions: InstitutionRef[] = Array.from({ length: WEB_INSTITUTIONS }, (_, i) => {
    const country = COUNTRIES[i % COUNTRIES.length] as string;
    return {
      name: `bank${String(i).padStart(4, '0')}_${country.toLowerCase()}_retail`,
      displayName: `Banco Número ${i} ${i % 7 === 0 ? 'Empresas' : 'Personas'}`,
      country,
    };
  });
  const catalogue = new Map(institutions.map((i) => [i.name, i]));

  const statuses = ['valid', 'valid', 'valid', 'valid', 'valid', 'valid', 'valid', 'token_required', 'invalid'];
  const links: BelvoLinkListing[] = Array.from({ length: WEB_LINKS }, (_, i) => ({
    id: `0d3a6f2c-1b2c-4d5e-8f90-${String(i).padStart(12, '0')}`,
    status: statuses[Math.floor(rnd() * statuses.length)] as string,
    institution: (institutions[Math.floor(rnd() ** 2 * WEB_INSTITUTIONS)] as InstitutionRef).name,
    externalId: `user-${i}`,
    institutionUserId: `iu-${i}`,
  }));
  await store.upsertLinks('production', links, now - DAY);

  let n = 0;
  const nextId = () => `A${++n}`;
  let incidents = 0;
  // Written in time order, each at its own time (the store stamps rows with its clock, as in production).
  const perDay = 50;
  for (let day = WEB_DAYS; day >= 1; day--) {
    for (let k = 0; k < perDay; k++) {
      const inst = institutions[Math.floor(rnd() ** 1.5 * WEB_INSTITUTIONS)] as InstitutionRef;
      const start = now - day * DAY + Math.floor(rnd() * DAY);
      const end = start + 5 * 60_000 + Math.floor(rnd() * 6 * 3_600_000);
      const severity = SEVERITIES[1 + Math.floor(rnd() * 3)] as Severity;
      const incidentId = nextId();
      const memberIds = [nextId(), nextId()];
      const members: GroupMember[] = memberIds.map((id, j) => ({
        id,
        kind: j === 0 ? 'statuspage.component' : 'belvo.token_required-spike',
        source: j === 0 ? 'institutions' : 'belvo-production-links',
        title: j === 0 ? "partial outage on Belvo's status page" : 'token_required spike (production)',
        institution: inst,
        severity,
        state: 'resolved',
        since: start,
        resolvedAt: end,
      }));
      const early = rnd() < 0.4;
      clockNow = end;
      await store.commitAlerts({
        alerts: [
          base(incidentId, {
            fingerprint: `institution/${inst.name}`,
            kind: INCIDENT_KIND,
            source: 'institutions',
            severity: 'minor',
            peakSeverity: severity,
            title: `${inst.displayName} (${inst.country}): partial outage on Belvo's status page`,
            status: 'resolved',
            institution: inst,
            members,
            correlation: {
              noticedAt: start,
              noticedBy: early ? 'token_required spike (production)' : "partial outage on Belvo's status page",
              early,
              confirmedAt: start + (early ? 9 * 60_000 : 0),
            },
            ...(rnd() < 0.3 && { acknowledged: { by: 'ana', at: start + 120_000 } }),
            startedAt: start,
            firstSeenAt: start,
            lastSeenAt: end,
            firedAt: start,
            resolvedAt: end,
            timeline: [
              { id: 'engine:1', at: start, status: 'opened', text: 'opened', origin: 'engine' },
              { id: 'engine:2', at: end, status: 'resolved', text: 'resolved', origin: 'engine' },
            ],
          }),
          ...members.map((m) =>
            base(m.id, {
              kind: m.kind,
              source: m.source,
              institution: inst,
              incidentId,
              announced: false,
              severity,
              peakSeverity: severity,
              title: `${inst.displayName}: ${m.title}`,
              evidence: {
                rule: '14 in 1h, 5x the usual 2.8',
                count: 14,
                exampleLinks: [`0d3a6f2c-${m.id}-aa11bb22cc33`],
              },
              startedAt: start,
              resolvedAt: end,
              lastSeenAt: end,
            }),
          ),
        ],
        intents: [],
        cursors: [],
      });
      incidents++;
    }
    // Belvo's API had a bad hour every few days.
    if (day % 4 === 0) {
      const start = now - day * DAY + 3_600_000;
      clockNow = start + 3_600_000;
      await store.commitAlerts({
        alerts: [
          base(nextId(), {
            kind: 'statuspage.incident',
            source: 'belvo-api',
            lifecycle: 'source',
            severity: 'major',
            peakSeverity: 'major',
            title: 'Elevated error rates on link creation',
            status: 'resolved',
            url: 'https://status.belvo.com/incidents/abc',
            startedAt: start,
            firstSeenAt: start,
            lastSeenAt: start + 3_600_000,
            firedAt: start,
            resolvedAt: start + 3_600_000,
          }),
        ],
        intents: [],
        cursors: [],
      });
      incidents++;
    }
  }
  // What is open now: a storm of eight institutions, a dozen institution incidents, Belvo's API degraded.
  clockNow = now;
  const open: Alert[] = [];
  const stormMembers: GroupMember[] = [];
  for (let k = 0; k < 20; k++) {
    const inst = institutions[k * 37] as InstitutionRef;
    const id = nextId();
    const start = now - (k + 1) * 7 * 60_000;
    const member = nextId();
    open.push(
      base(id, {
        fingerprint: `institution/${inst.name}`,
        kind: INCIDENT_KIND,
        state: 'firing',
        severity: k % 3 === 0 ? 'critical' : 'major',
        peakSeverity: k % 3 === 0 ? 'critical' : 'major',
        title: `${inst.displayName} (${inst.country}): down on Belvo's API (production)`,
        status: 'open',
        institution: inst,
        members: [
          {
            id: member,
            kind: 'belvo.institution-down',
            source: 'belvo-production',
            title: "down on Belvo's API (production)",
            institution: inst,
            severity: 'major',
            state: 'firing',
            since: start,
          },
        ],
        correlation: { noticedAt: start, noticedBy: "down on Belvo's API (production)", early: true },
        startedAt: start,
        firstSeenAt: start,
        lastSeenAt: now,
        firedAt: start,
      }),
      base(member, {
        kind: 'belvo.institution-down',
        source: 'belvo-production',
        state: 'firing',
        incidentId: id,
        institution: inst,
        severity: 'major',
        title: `${inst.displayName} is down on Belvo (production)`,
        status: 'down',
        environment: 'production',
        evidence: { rule: 'Belvo lists it as down; 1,240 of your links (8%)', links: 1240, share: 0.08 },
        startedAt: start,
        lastSeenAt: now,
      }),
    );
    if (k < 8) {
      stormMembers.push({
        id,
        kind: INCIDENT_KIND,
        source: 'belvo-production',
        title: `${inst.displayName}: down`,
        institution: inst,
        severity: 'major',
        state: 'firing',
        since: start,
      });
    }
  }
  open.push(
    base(nextId(), {
      kind: STORM_KIND,
      source: 'bot',
      state: 'firing',
      severity: 'critical',
      peakSeverity: 'critical',
      title: '8 institutions failing at once',
      status: 'open',
      members: stormMembers,
      startedAt: now - 3_600_000,
      lastSeenAt: now,
      firedAt: now - 3_600_000,
    }),
    base(nextId(), {
      kind: 'statuspage.component',
      source: 'belvo-api',
      state: 'firing',
      severity: 'major',
      peakSeverity: 'major',
      title: 'API: partial outage',
      status: 'partial_outage',
      startedAt: now - 30 * 60_000,
      lastSeenAt: now,
      firedAt: now - 30 * 60_000,
    }),
  );
  await store.commitAlerts({ alerts: open, intents: [], cursors: [] });
  incidents += 21;
  for (const source of ['belvo-api', 'institutions', 'belvo-production']) {
    await store.commitAlerts({
      alerts: [],
      intents: [],
      cursors: [],
      sourceState: {
        source,
        firstSuccessAt: now - WEB_DAYS * DAY,
        lastSuccessAt: now - 20_000,
        consecutiveFailures: 0,
      },
    });
  }

  const deps: PageDeps = {
    store,
    sources: [
      { id: 'belvo-api', name: 'Belvo API', role: 'api' },
      { id: 'institutions', name: 'Belvo institutions', role: 'institutions' },
      { id: 'belvo-production', name: 'Belvo production', role: 'belvo-institutions' },
    ],
    catalogue: () => catalogue,
    belvo: {
      environments: [{ id: 'production', url: 'https://api.belvo.com', webhooksConfigured: true }],
      linkCounts: (env) => store.linkStatusCounts(env),
      duplicateLinks: (env) => store.duplicateLinks(env),
      lastWebhookAt: async () => now - 60_000,
      calls: {
        summary: (_now, _ms, institution) => {
          const h = institution ? institution.length * 31 + institution.charCodeAt(5) : 7;
          return { calls: 200 + (h % 300), failures: h % 17 };
        },
        failures: 120,
        failuresWithoutRequestId: 0,
        lastReportAt: now - 5_000,
      },
    },
    configSilences: [],
  };
  return {
    store,
    now,
    deps,
    institutions,
    links,
    incidents,
    async dispose() {
      await store.close();
      if (!options.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
