// A status page snapshot to signals. Pure. The page's word is the state: components map straight to observations,
// incidents and maintenances keep the page's lifecycle (never inferred).

import type { InstitutionCatalogue } from '../domain/catalogue.js';
import { fingerprint } from '../domain/fingerprint.js';
import { guessCountry, type InstitutionRef, slugify } from '../domain/institution.js';
import { MAINTENANCE_KIND } from '../domain/maintenance-window.js';
import type { Severity } from '../domain/severity.js';
import type { MaintenanceRef, ServiceRef, Signal, TimelineEntry } from '../domain/signal.js';
import type {
  StatusPageComponent,
  StatusPageIncident,
  StatusPageMaintenance,
  StatusPageSnapshot,
} from '../domain/status-page.js';

export interface StatusPageSourceInfo {
  id: string;
  name: string;
  /** `institutions`: each component is one institution. */
  role: 'api' | 'institutions';
  url: string;
  environment?: string;
  failuresBeforeAlert?: number;
  /** Joins component names with Belvo's institution names, so every source speaks of one institution alike. */
  catalogue?: InstitutionCatalogue;
}

export interface StatusPageDetection {
  signals: Signal[];
  completeScopes: string[];
}

const COMPONENT_SEVERITY: Record<string, Severity> = {
  degraded_performance: 'minor',
  partial_outage: 'major',
  major_outage: 'critical',
};

const IMPACT_SEVERITY: Record<string, Severity> = {
  none: 'info',
  minor: 'minor',
  major: 'major',
  critical: 'critical',
};

const CLOSED_INCIDENT = new Set(['resolved', 'postmortem', 'completed']);
const ACTIVE_MAINTENANCE = new Set(['in_progress', 'verifying']);

function humanStatus(status: string): string {
  return status.replace(/_/g, ' ');
}

// A page of 1,000 institutions is detected on every change: their names barely ever change, so derive each once.
const INSTITUTION_CACHE_LIMIT = 10_000;
const institutionCache = new Map<string, InstitutionRef>();

function institutionOf(c: { name: string; groupName?: string }, catalogue?: InstitutionCatalogue): InstitutionRef {
  const key = `${catalogue?.version ?? -1}\u0000${c.groupName ?? ''}\u0000${c.name}`;
  const cached = institutionCache.get(key);
  if (cached) return cached;
  const country = guessCountry(c.groupName, c.name);
  // Belvo's name when the catalogue knows it (filters, silences and links speak of `erebor_mx_retail`); the page's
  // own words stay the display name people recognise from the page.
  const known = catalogue?.match({ name: c.name, ...(c.groupName && { group: c.groupName }) }).institution;
  const ref: InstitutionRef = Object.freeze({
    name: known?.name ?? slugify(c.name),
    displayName: c.name,
    ...((country ?? known?.country) && { country: country ?? known?.country }),
  });
  if (institutionCache.size >= INSTITUTION_CACHE_LIMIT) institutionCache.clear();
  institutionCache.set(key, ref);
  return ref;
}

/** The API page is the Belvo API: its incidents and components are evidence of one problem. */
function serviceOf(src: StatusPageSourceInfo): ServiceRef {
  return { id: src.id, name: src.name };
}

function timeline(incident: StatusPageIncident): TimelineEntry[] {
  return incident.updates.map((u) => ({
    id: u.id,
    at: u.at,
    status: u.status,
    text: u.body,
    origin: 'source' as const,
  }));
}

function componentSignal(
  src: StatusPageSourceInfo,
  c: StatusPageComponent,
  maintenance: MaintenanceRef | undefined,
): Signal {
  const bad = c.status !== 'operational' && c.status !== 'under_maintenance';
  const inMaintenance =
    c.status === 'under_maintenance'
      ? (maintenance ?? { id: `component:${c.id}`, title: `${c.name} under maintenance` })
      : maintenance;
  return {
    fingerprint: fingerprint.statuspageComponent(src.id, c.id),
    kind: 'statuspage.component',
    source: src.id,
    lifecycle: 'observed',
    observation: bad ? 'bad' : 'ok',
    // Unknown future statuses are "not operational" but not the worst.
    severity: COMPONENT_SEVERITY[c.status] ?? 'minor',
    title: `${c.name}: ${humanStatus(c.status)}`,
    status: c.status,
    url: src.url,
    ...(src.environment !== undefined && { environment: src.environment }),
    ...(src.role === 'institutions' && { institution: institutionOf(c, src.catalogue) }),
    ...(src.role === 'api' && { service: serviceOf(src) }),
    evidence: { component: c.name, ...(c.groupName !== undefined && { group: c.groupName }) },
    ...(inMaintenance && { maintenance: inMaintenance }),
  };
}

function incidentUrl(src: StatusPageSourceInfo, i: StatusPageIncident): string {
  return i.url ?? `${src.url.replace(/\/+$/, '')}/incidents/${i.id}`;
}

function incidentSignal(
  src: StatusPageSourceInfo,
  i: StatusPageIncident,
  institutions: Map<string, StatusPageComponent>,
): Signal {
  const closed = CLOSED_INCIDENT.has(i.status);
  const named = i.components.map((c) => c.name);
  // An incident naming exactly one institution is about that institution (for filters and, later, correlation).
  const only = src.role === 'institutions' && i.components.length === 1 ? i.components[0] : undefined;
  const inst = only ? institutions.get(only.id) : undefined;
  const several =
    src.role === 'institutions' && i.components.length > 1
      ? i.components
          .map((c) => institutions.get(c.id))
          .filter((c): c is StatusPageComponent => c !== undefined)
          .map((c) => institutionOf(c, src.catalogue))
      : [];
  return {
    fingerprint: fingerprint.statuspageIncident(src.id, i.id),
    kind: 'statuspage.incident',
    source: src.id,
    lifecycle: 'source',
    observation: closed ? 'ok' : 'bad',
    severity: IMPACT_SEVERITY[i.impact] ?? 'minor',
    title: i.name,
    status: i.status,
    url: incidentUrl(src, i),
    ...(src.environment !== undefined && { environment: src.environment }),
    ...(inst && { institution: institutionOf(inst, src.catalogue) }),
    ...(several.length > 1 && { affects: several }),
    ...(src.role === 'api' && { service: serviceOf(src) }),
    ...(i.startedAt !== undefined || i.createdAt !== undefined ? { startedAt: i.startedAt ?? i.createdAt } : {}),
    ...(closed && i.resolvedAt !== undefined && { resolvedAt: i.resolvedAt }),
    updates: timeline(i),
    evidence: { page: src.name, ...(named.length > 0 && { components: named }) },
    revision: `impact=${i.impact};components=${i.components
      .map((c) => c.id)
      .sort()
      .join(',')}`,
    reportLateResolution: true,
  };
}

/**
 * A maintenance from the moment its page schedules it: announced ahead with its window, then in progress, then
 * completed, one alert all along. It is information, never an outage: severity info (never pages), and no service,
 * so it is not evidence of a Belvo API incident (see engine/incidents.ts for institutions).
 */
function maintenanceSignal(
  src: StatusPageSourceInfo,
  m: StatusPageMaintenance,
  institutions: Map<string, StatusPageComponent>,
): Signal {
  const closed = CLOSED_INCIDENT.has(m.status);
  const only = src.role === 'institutions' && m.components.length === 1 ? m.components[0] : undefined;
  const inst = only ? institutions.get(only.id) : undefined;
  const window =
    m.scheduledFor !== undefined
      ? { from: m.scheduledFor, ...(m.scheduledUntil !== undefined && { until: m.scheduledUntil }) }
      : undefined;
  // Its start is the window's until it is under way, then the page's "in progress" update: a maintenance's own
  // `started_at` is when it was posted, days ahead, which would make every duration wrong.
  const begun = m.updates.filter((u) => u.status === 'in_progress').map((u) => u.at);
  const underWay = ACTIVE_MAINTENANCE.has(m.status) || closed;
  const startedAt = (underWay && begun.length > 0 ? Math.min(...begun) : undefined) ?? m.scheduledFor ?? m.startedAt;
  return {
    fingerprint: fingerprint.statuspageMaintenance(src.id, m.id),
    kind: MAINTENANCE_KIND,
    source: src.id,
    lifecycle: 'source',
    observation: closed ? 'ok' : 'bad',
    severity: 'info',
    title: `Maintenance: ${m.name}`,
    status: m.status,
    url: incidentUrl(src, m),
    ...(src.environment !== undefined && { environment: src.environment }),
    ...(inst && { institution: institutionOf(inst, src.catalogue) }),
    ...(startedAt !== undefined && { startedAt }),
    ...(closed && (m.resolvedAt ?? m.scheduledUntil) !== undefined && { resolvedAt: m.resolvedAt ?? m.scheduledUntil }),
    updates: timeline(m),
    evidence: {
      page: src.name,
      ...(m.components.length > 0 && { components: m.components.map((c) => c.name) }),
      ...(m.scheduledUntil !== undefined && { until: new Date(m.scheduledUntil).toISOString() }),
    },
    ...(window && { maintenanceWindow: window }),
  };
}

export function detectStatusPage(src: StatusPageSourceInfo, snap: StatusPageSnapshot): StatusPageDetection {
  const signals: Signal[] = [];
  const completeScopes: string[] = [];

  // Components covered by a maintenance in progress: their alerts are shown as maintenance and never page.
  const underMaintenance = new Map<string, MaintenanceRef>();
  for (const m of snap.maintenances) {
    if (!ACTIVE_MAINTENANCE.has(m.status)) continue;
    for (const c of m.components) {
      underMaintenance.set(c.id, {
        id: m.id,
        title: m.name,
        ...(m.scheduledUntil !== undefined && { until: m.scheduledUntil }),
      });
    }
  }

  const byId = new Map<string, StatusPageComponent>();
  // A list is complete only when it lists something: a page answering 200 with an empty list is broken or being
  // rebuilt, and must not resolve every open alert at once.
  if (snap.components) {
    for (const c of snap.components) {
      byId.set(c.id, c);
      signals.push(componentSignal(src, c, underMaintenance.get(c.id)));
    }
    if (snap.components.length > 0) completeScopes.push(fingerprint.statuspageScope(src.id, 'component'));
  }
  for (const i of snap.incidents) signals.push(incidentSignal(src, i, byId));
  if (snap.incidentsComplete && snap.incidents.length > 0) {
    completeScopes.push(fingerprint.statuspageScope(src.id, 'incident'));
  }
  for (const m of snap.maintenances) signals.push(maintenanceSignal(src, m, byId));
  if (snap.maintenancesComplete && snap.maintenances.length > 0) {
    completeScopes.push(fingerprint.statuspageScope(src.id, 'maintenance'));
  }
  return { signals, completeScopes };
}
