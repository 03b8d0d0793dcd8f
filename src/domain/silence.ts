import type { Alert } from './alert.js';
import { isIncidentKind } from './fingerprint.js';

export interface SilenceMatcher {
  fingerprint?: string;
  /** Institution `name` or display name. */
  institution?: string;
  source?: string;
  /** Kind or kind prefix. */
  kind?: string;
}

export interface Silence {
  id: string;
  matcher: SilenceMatcher;
  startsAt: number;
  endsAt: number;
  createdBy: string;
  reason: string;
}

export function silenceActive(s: Silence, now: number): boolean {
  return s.startsAt <= now && now < s.endsAt;
}

/** A silence matches when every field it sets matches (an empty matcher matches nothing, on purpose). */
export function silenceMatches(s: Silence, alert: Alert): boolean {
  const m = s.matcher;
  const fields = [m.fingerprint, m.institution, m.source, m.kind].filter((f) => f !== undefined);
  if (fields.length === 0) return false;
  if (m.fingerprint !== undefined && m.fingerprint !== alert.fingerprint) return false;
  if (m.source !== undefined && m.source !== alert.source) return false;
  if (m.kind !== undefined && alert.kind !== m.kind && !alert.kind.startsWith(`${m.kind}.`)) return false;
  if (m.institution !== undefined) {
    const want = m.institution.toLowerCase();
    const inst = alert.institution;
    if (!inst || (inst.name.toLowerCase() !== want && inst.displayName.toLowerCase() !== want)) return false;
  }
  return true;
}

function directSilenceFor(silences: Silence[], alert: Alert, now: number): Silence | undefined {
  return silences.find((s) => silenceActive(s, now) && silenceMatches(s, alert));
}

/**
 * The silence muting this alert now. An institution incident is muted by a silence on itself (its institution, its
 * fingerprint) or when every member still failing is muted: silencing the spike alone leaves the status page's word
 * to be heard, silencing the only source quiets the incident.
 */
export function activeSilenceFor(silences: Silence[], alert: Alert, now: number): Silence | undefined {
  const direct = directSilenceFor(silences, alert, now);
  if (direct || !isIncidentKind(alert.kind) || !alert.members) return direct;
  // A resolved incident is judged by the members it had: its resolution is as muted as its opening was.
  const open = alert.members.filter((m) => m.state !== 'resolved');
  const judged = open.length > 0 ? open : alert.members;
  if (judged.length === 0) return undefined;
  let first: Silence | undefined;
  for (const m of judged) {
    const member: Alert = {
      ...alert,
      fingerprint: m.fingerprint ?? '',
      kind: m.kind,
      source: m.source,
      members: [],
    };
    const s = directSilenceFor(silences, member, now);
    if (!s) return undefined;
    first ??= s;
  }
  return first;
}
