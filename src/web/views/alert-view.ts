// One alert as the page lists it: what it is about, how bad, since when, what was done to it, and the evidence
// behind it (link ids masked). Shared by the open incidents, the history and the incident's own page.
import { flags, subjectOf } from '../../commands/format.js';
import { incidentEndedAt, incidentStartedAt } from '../../commands/incident-history.js';
import { type Alert, durationText, type GroupMember } from '../../domain/alert.js';
import { INCIDENT_KIND, STORM_KIND } from '../../domain/fingerprint.js';
import { memberLabel } from '../../domain/group-text.js';
import { evidenceDetail, incidentStatus, institutionText, leadTimeText } from '../../domain/incident-text.js';
import type { InstitutionRef } from '../../domain/institution.js';
import type { Severity } from '../../domain/severity.js';
import type { EvidenceValue } from '../../domain/signal.js';
import { activeSilenceFor, type Silence } from '../../domain/silence.js';
import { statusText } from '../../domain/status-text.js';
import { MASKED_EVIDENCE, maskId } from '../mask.js';

/** How a row is coloured: its severity while open, maintenance, or resolved. */
export type Level = Severity | 'maintenance' | 'resolved';

export function levelOf(a: Pick<Alert, 'state' | 'severity' | 'maintenance'>): Level {
  if (a.state === 'resolved') return 'resolved';
  if (a.maintenance) return 'maintenance';
  return a.severity;
}

export interface EvidenceItem {
  /** The member's alert id, when the evidence is another alert (an incident's sources, a storm's institutions). */
  id?: string;
  text: string;
  detail?: string;
  open: boolean;
  source?: string;
}

export interface Fact {
  label: string;
  value: string;
}

export interface AlertView {
  id: string;
  kind: string;
  title: string;
  severity: Severity;
  /** The worst it got (what a past incident was). */
  peak: Severity;
  level: Level;
  open: boolean;
  institution?: InstitutionRef;
  /** "Banco X (MX)". */
  institutionText?: string;
  environment?: string;
  /** The status line: the source's word, or for an institution incident whether Belvo's page shows it yet. */
  status: string;
  startedAt: number;
  endedAt?: number;
  /** "for 23m" while open, "lasted 1h 5m" once resolved. */
  duration: string;
  leadTime?: string;
  flags: string[];
  acknowledgedBy?: string;
  sources: string[];
  evidence: EvidenceItem[];
  facts: Fact[];
  /** The source's own page (http(s) only; checked again when rendered). */
  url?: string;
  /** The incident or storm speaking for it. */
  partOf?: string;
}

/** `exampleLinks` -> "example links". */
function labelOf(key: string): string {
  return key.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

function factValue(key: string, value: EvidenceValue): string {
  const mask = MASKED_EVIDENCE.has(key);
  if (Array.isArray(value)) return value.map((v) => (mask ? maskId(v) : v)).join(', ');
  if (typeof value === 'number') {
    if (key === 'share' || key === 'ratio') return `${(value * 100).toFixed(1)}%`;
    return value.toLocaleString('en-US');
  }
  const text = String(value);
  return mask ? maskId(text) : text;
}

/** The evidence record as label/value pairs; the rule first (it says why the alert fired). */
export function factsOf(a: Pick<Alert, 'evidence'>): Fact[] {
  const entries = Object.entries(a.evidence).filter(([, v]) => !(Array.isArray(v) && v.length === 0));
  entries.sort(([x], [y]) => (x === 'rule' ? -1 : y === 'rule' ? 1 : 0));
  return entries.map(([key, value]) => ({ label: labelOf(key), value: factValue(key, value) }));
}

function memberItem(a: Alert, m: GroupMember): EvidenceItem {
  // A storm lists institutions; an institution incident lists what each source says about its one institution.
  const text = a.kind === STORM_KIND ? memberLabel(m) : m.title;
  return {
    id: m.id,
    text,
    ...(m.detail && { detail: m.detail }),
    open: m.state !== 'resolved',
    source: m.source,
  };
}

export function alertView(a: Alert, now: number, silences: Silence[]): AlertView {
  const started = incidentStartedAt(a);
  const ended = incidentEndedAt(a);
  const members = a.members ?? [];
  const detail = evidenceDetail(a);
  const sources = members.length ? [...new Set(members.map((m) => m.source))] : [a.source];
  const lead = leadTimeText(a);
  return {
    id: a.id,
    kind: a.kind,
    title: subjectOf(a),
    severity: a.severity,
    peak: a.peakSeverity,
    level: levelOf(a),
    open: a.state !== 'resolved',
    ...(a.institution && { institution: a.institution, institutionText: institutionText(a.institution) }),
    ...(a.environment && { environment: a.environment }),
    status: a.kind === INCIDENT_KIND ? incidentStatus(a) : statusText(a),
    startedAt: started,
    ...(ended !== undefined && { endedAt: ended }),
    duration: ended !== undefined ? `lasted ${durationText(ended - started)}` : `for ${durationText(now - started)}`,
    ...(lead && { leadTime: lead }),
    flags: a.state === 'resolved' ? [] : flags(a, activeSilenceFor(silences, a, now), now),
    ...(a.acknowledged && {
      acknowledgedBy: a.acknowledged.via === 'pagerduty' ? `${a.acknowledged.by} (in PagerDuty)` : a.acknowledged.by,
    }),
    sources,
    evidence: members.length
      ? members.map((m) => memberItem(a, m))
      : detail
        ? [{ text: detail, open: a.state !== 'resolved' }]
        : [],
    facts: factsOf(a),
    ...(a.url && { url: a.url }),
    ...((a.incidentId ?? a.groupId) && { partOf: a.incidentId ?? a.groupId }),
  };
}
