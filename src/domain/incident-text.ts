// How an institution incident reads: each source's evidence in a few words, the early-warning note, the lead time.
// The same on every platform (adapters add their own markup and limits).
import { type Alert, durationText, type GroupMember } from './alert.js';
import { INCIDENT_KIND, SERVICE_INCIDENT_KIND } from './fingerprint.js';
import type { InstitutionRef } from './institution.js';
import type { ServiceRef } from './signal.js';

const words = (status: string) => status.replace(/_/g, ' ');

/** Where an alert came from, in the words a message footer uses: an incident comes from several sources. */
export function originLabel(a: Pick<Alert, 'kind' | 'source'>): string {
  if (a.kind === INCIDENT_KIND) return 'institution incident';
  return a.kind === SERVICE_INCIDENT_KIND ? `incident on ${a.source}` : a.source;
}

/** Evidence published by Belvo on its status page (the confirmation), as opposed to the team's own data. */
export function isStatusPageKind(kind: string): boolean {
  return kind.startsWith('statuspage.');
}

/** What one member says about its institution, without its name: "token_required spike (production)". */
export function evidencePhrase(
  a: Pick<Alert, 'kind' | 'status' | 'title' | 'environment' | 'evidence' | 'service'>,
): string {
  const env = a.environment ? ` (${a.environment})` : '';
  if (a.service) {
    // On the API page the component is the subject ("API: partial outage"); an incident speaks for itself.
    const component = typeof a.evidence.component === 'string' ? a.evidence.component : undefined;
    if (a.kind === 'statuspage.component' && component) return `${component}: ${words(a.status)}`;
    if (a.kind === 'statuspage.incident') return a.title;
  }
  switch (a.kind) {
    case 'statuspage.component':
      return `${words(a.status)} on Belvo's status page`;
    case 'statuspage.incident':
      return `on Belvo's status page: ${a.title}`;
    case 'belvo.institution-down':
      return `${words(a.status)} on Belvo's API${env}`;
    case 'belvo.token_required-spike':
      return `token_required spike${env}`;
    case 'belvo.invalid-spike':
      return `invalid credentials spike${env}`;
  }
  if (a.kind.startsWith('belvo.error-ratio.')) {
    const ratio = typeof a.evidence.ratio === 'number' ? `${(a.evidence.ratio * 100).toFixed(1)}% ` : '';
    return `${ratio}${a.kind.slice('belvo.error-ratio.'.length)} errors in the team's calls`;
  }
  return a.title;
}

/** The rule that fired, with its numbers, as the member's detector states it (what on-call judges it by). */
export function evidenceDetail(a: Pick<Alert, 'evidence' | 'state'>): string | undefined {
  const rule = a.evidence.rule;
  return a.state !== 'resolved' && typeof rule === 'string' && rule ? rule : undefined;
}

/** "Banco X (MX)"; a name that already says its country ("Banco X MX - Retail") is left as it is. */
export function institutionText(i: InstitutionRef): string {
  const says = i.country !== undefined && new RegExp(`\\b${i.country}\\b`, 'i').test(i.displayName);
  return `${i.displayName}${i.country && !says ? ` (${i.country})` : ''}`;
}

const TITLE_PHRASES = 3;

/** "Banco X (MX): token_required spike (production), partial outage on Belvo's status page". */
export function incidentTitle(i: InstitutionRef, members: GroupMember[]): string {
  const open = members.filter((m) => m.state !== 'resolved');
  const shown = (open.length > 0 ? open : members).map((m) => m.title);
  const listed = shown.slice(0, TITLE_PHRASES).join(', ');
  const more = shown.length > TITLE_PHRASES ? ` +${shown.length - TITLE_PHRASES} more` : '';
  return `${institutionText(i)}: ${listed}${more}`;
}

/** "Belvo API: Elevated error rates (investigating), API: partial outage". */
export function serviceIncidentTitle(service: ServiceRef, members: GroupMember[]): string {
  const open = members.filter((m) => m.state !== 'resolved');
  // The page's incidents first: their name says what is wrong; the components say where.
  const byKind = (m: GroupMember) => (m.kind === 'statuspage.incident' ? 0 : 1);
  const shown = [...(open.length > 0 ? open : members)].sort((x, y) => byKind(x) - byKind(y)).map((m) => m.title);
  const listed = shown.slice(0, TITLE_PHRASES).join(', ');
  const more = shown.length > TITLE_PHRASES ? ` +${shown.length - TITLE_PHRASES} more` : '';
  return `${service.name}: ${listed}${more}`;
}

/** The API incident's status line: the page's own word for its open incident, else what its components show. */
export function serviceIncidentStatus(incident: Alert): string {
  if (incident.state === 'resolved') return 'resolved';
  const open = (incident.members ?? []).filter((m) => m.state !== 'resolved');
  const pageIncident = open.find((m) => m.kind === 'statuspage.incident');
  if (pageIncident?.status) return words(pageIncident.status);
  if (open.length === 0) return incident.status;
  return open.length === 1 ? 'one component affected' : `${open.length} components affected`;
}

const utcTime = (at: number) => `${new Date(at).toISOString().slice(11, 16)} UTC`;

/** The incident's status line: whether Belvo's status page shows it yet (the early warning), or since when. */
export function incidentStatus(incident: Alert): string {
  const c = incident.correlation;
  if (!c) return incident.status;
  if (incident.state === 'resolved') return 'resolved';
  if (c.confirmedAt === undefined) return `not yet on Belvo's status page (noticed ${utcTime(c.noticedAt)})`;
  if (!c.early) return "on Belvo's status page";
  return `on Belvo's status page since ${utcTime(c.confirmedAt)}, ${durationText(c.confirmedAt - c.noticedAt)} after the bot noticed`;
}

/** For history: how far ahead of Belvo's status page the bot was, in words, or undefined for other alerts. */
export function leadTimeText(incident: Alert): string | undefined {
  const c = incident.correlation;
  if (!c) return undefined;
  if (!c.early) return "first seen on Belvo's status page";
  if (c.confirmedAt === undefined) return `never on Belvo's status page (noticed from ${c.noticedBy})`;
  return `${durationText(c.confirmedAt - c.noticedAt)} before Belvo's status page (noticed from ${c.noticedBy})`;
}

/** "1,240 of your links (8.0%)": how much of the team's Belvo account an institution incident touches. */
export function impactText(a: Pick<Alert, 'evidence'>): string | undefined {
  const links = a.evidence.links;
  const share = a.evidence.linkShare;
  if (typeof links !== 'number' || typeof share !== 'number') return undefined;
  return `${links.toLocaleString('en-US')} of your links (${(share * 100).toFixed(1)}%)`;
}
