// What is open right now, sorted the way on-call reads it: Belvo's own API first, then each institution with its
// alerts (worst first) and its institution incident, then the rest. Shared by `/belvo-status status` and the web page.
import type { Alert } from '../domain/alert.js';
import { INCIDENT_KIND, isIncidentKind, SERVICE_INCIDENT_KIND } from '../domain/fingerprint.js';
import type { InstitutionRef } from '../domain/institution.js';
import { MAINTENANCE_KIND } from '../domain/maintenance-window.js';
import { severityRank } from '../domain/severity.js';

/** Belvo's own API status: its status page (role `api`) speaks of no institution; its incident speaks for it. */
export function isBelvoApi(a: Alert): boolean {
  return a.kind === SERVICE_INCIDENT_KIND || (a.kind.startsWith('statuspage.') && a.institution === undefined);
}

export function worstFirst(x: Alert, y: Alert): number {
  return severityRank(y.severity) - severityRank(x.severity) || x.startedAt - y.startedAt;
}

/** An institution's open incident (what its chat message and its page are keyed on), by lower-cased Belvo name. */
export function incidentsByInstitution(alerts: Alert[]): Map<string, Alert> {
  const out = new Map<string, Alert>();
  for (const a of alerts) {
    if (a.kind === INCIDENT_KIND && a.institution) out.set(a.institution.name.toLowerCase(), a);
  }
  return out;
}

export interface OpenInstitution {
  institution: InstitutionRef;
  /** Its open alerts other than the incident itself, worst first (never empty). */
  alerts: Alert[];
  incident?: Alert;
}

export interface OpenSituation {
  /** Belvo API alerts, worst first. */
  api: Alert[];
  /** The Belvo API incident that speaks for them (its id is the one in chat), when one is open. */
  apiIncident?: Alert;
  /** Institutions with an open alert, the worst first (its worst alert decides its place). */
  institutions: OpenInstitution[];
  /** Neither (the bot's own health, storms), worst first. */
  other: Alert[];
  /** Every open alert but incidents, which are listed through their evidence, and upcoming maintenances. */
  open: Alert[];
  /** Maintenances scheduled and not begun: planned work, not something broken now. Soonest first. */
  upcoming: Alert[];
}

/** A maintenance scheduled and not begun: announced ahead, but nothing is broken yet. */
export function isUpcoming(a: Alert): boolean {
  return a.kind === MAINTENANCE_KIND && a.status === 'scheduled';
}

/** `firing`: the firing alerts. */
export function openSituation(firing: Alert[]): OpenSituation {
  const incidents = incidentsByInstitution(firing);
  const open = firing.filter((a) => !isIncidentKind(a.kind) && !isUpcoming(a));
  const upcoming = firing
    .filter(isUpcoming)
    .sort((x, y) => (x.maintenanceWindow?.from ?? x.startedAt) - (y.maintenanceWindow?.from ?? y.startedAt));
  const apiIncident = firing.find((a) => a.kind === SERVICE_INCIDENT_KIND);
  const byInstitution = new Map<string, Alert[]>();
  for (const a of open) {
    if (!a.institution) continue;
    const key = a.institution.name.toLowerCase();
    byInstitution.set(key, [...(byInstitution.get(key) ?? []), a]);
  }
  const institutions = [...byInstitution].map(([key, alerts]): OpenInstitution => {
    alerts.sort(worstFirst);
    const incident = incidents.get(key);
    return { institution: alerts[0]!.institution!, alerts, ...(incident && { incident }) };
  });
  institutions.sort((x, y) => worstFirst(x.alerts[0]!, y.alerts[0]!));
  return {
    api: open.filter(isBelvoApi).sort(worstFirst),
    ...(apiIncident && { apiIncident }),
    institutions,
    other: open.filter((a) => !isBelvoApi(a) && !a.institution).sort(worstFirst),
    open,
    upcoming,
  };
}
