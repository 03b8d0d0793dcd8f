// How an institution incident reads: each source's evidence in a few words, the early-warning note, the lead time.
// The same on every platform (adapters add their own markup and limits).
import { type Alert, durationText, type GroupMember } from './alert.js';
import { INCIDENT_KIND } from './fingerprint.js';
import type { InstitutionRef } from './institution.js';

const words = (status: string) => status.replace(/_/g, ' ');

/** Where an alert came from, in the words a message footer uses: an incident comes from several sources. */
export function originLabel(a: Pick<Alert, 'kind' | 'source'>): string {
  return a.kind === INCIDENT_KIND ? 'institution incident' : a.source;
}

/** Evidence published by Belvo on its status page (the confirmation), as opposed to the team's own data. */
export function isStatusPageKind(kind: string): boolean {
  return kind.startsWith('statuspage.');
}

/** What one member says about its institution, without its name: "token_required spike (production)". */
export function evidencePhrase(a: Pick<Alert, 'kind' | 'status' | 'title' | 'environment' | 'evidence'>): string {
  const env = a.environment ? ` (${a.environment})` : '';
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
