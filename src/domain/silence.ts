import type { Alert } from './alert.js';
import { isIncidentKind } from './fingerprint.js';
import { dayFrom, instantOf, minutesOf, wallClock } from './wall-clock.js';

export interface SilenceMatcher {
  fingerprint?: string;
  /** Institution `name` or display name. */
  institution?: string;
  source?: string;
  /** Kind or kind prefix. */
  kind?: string;
}

/**
 * A weekly window on a local clock (a bank's known Sunday 02:00-04:00 maintenance): the silence mutes only inside
 * it, every week, between the silence's `startsAt` and `endsAt`. `from > to` spans midnight into the next day.
 */
export interface SilenceRecurrence {
  /** Days the window starts on, 0 = Sunday ... 6 = Saturday, ascending, no duplicates. */
  days: number[];
  /** `HH:MM`, local time in `tz`. */
  from: string;
  to: string;
  /** IANA time zone (`America/Sao_Paulo`): the window follows the place's clock, DST included. */
  tz: string;
}

export interface Silence {
  id: string;
  matcher: SilenceMatcher;
  /** A one-off silence's window; for a recurring one, the span of time its weekly windows repeat in. */
  startsAt: number;
  endsAt: number;
  createdBy: string;
  reason: string;
  recurrence?: SilenceRecurrence;
}

/** Far enough ahead to mean "until removed", small enough for every store's integer column. */
export const NO_END = Date.UTC(9999, 11, 31);

const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;

/** `every Sun 02:00-04:00 America/Sao_Paulo`, `every Mon-Fri 22:00-23:00 UTC`. */
export function describeRecurrence(r: SilenceRecurrence): string {
  const d = [...r.days].sort((a, b) => a - b);
  const contiguous = d.length > 2 && d.every((x, i) => i === 0 || x === (d[i - 1] ?? 0) + 1);
  const days =
    d.length === 7
      ? 'day'
      : contiguous
        ? `${DAY_NAMES[d[0] ?? 0]}-${DAY_NAMES[d[d.length - 1] ?? 0]}`
        : d.map((x) => DAY_NAMES[x]).join(',');
  return `every ${days} ${r.from}-${r.to} ${r.tz}`;
}

interface Window {
  start: number;
  end: number;
}

/** The weekly windows that start on the wall-clock days from `fromDay` to `toDay` around `at`, in order. */
function windowsAround(r: SilenceRecurrence, at: number, fromDay: number, toDay: number): Window[] {
  const from = minutesOf(r.from);
  const to = minutesOf(r.to);
  const w = wallClock(at, r.tz);
  const out: Window[] = [];
  for (let offset = fromDay; offset <= toDay; offset++) {
    if (!r.days.includes((((w.weekday + offset) % 7) + 7) % 7)) continue;
    const start = dayFrom(w, offset);
    const end = dayFrom(w, to > from ? offset : offset + 1);
    out.push({
      start: instantOf(start.y, start.mo, start.d, from, r.tz),
      end: instantOf(end.y, end.mo, end.d, to, r.tz),
    });
  }
  return out;
}

/** The window of this silence that contains `now`, clipped to the silence's own span; undefined outside one. */
export function silenceWindowAt(s: Silence, now: number): Window | undefined {
  if (now < s.startsAt || now >= s.endsAt) return undefined;
  if (!s.recurrence) return { start: s.startsAt, end: s.endsAt };
  // A window spanning midnight began the day before.
  const w = windowsAround(s.recurrence, now, -1, 0).find((x) => x.start <= now && now < x.end);
  return w && { start: Math.max(w.start, s.startsAt), end: Math.min(w.end, s.endsAt) };
}

/** How an alert's message shows the silence muting it at `now`. */
export function silenceShown(s: Silence, now: number): NonNullable<Alert['silenced']> {
  return {
    id: s.id,
    by: s.createdBy,
    until: silenceUntil(s, now),
    reason: s.reason,
    ...(s.recurrence && { every: describeRecurrence(s.recurrence) }),
  };
}

/** "silenced by ana until 2026-03-01T07:00:00.000Z (every Sun 02:00-04:00 America/Sao_Paulo): bank migration" */
export function silenceReason(s: Silence, now: number): string {
  const every = s.recurrence ? ` (${describeRecurrence(s.recurrence)})` : '';
  return `silenced by ${s.createdBy} until ${new Date(silenceUntil(s, now)).toISOString()}${every}: ${s.reason}`;
}

export function silenceActive(s: Silence, now: number): boolean {
  return silenceWindowAt(s, now) !== undefined;
}

/** When the silence muting at `now` stops muting: a one-off's end, a recurring one's current window's end. */
export function silenceUntil(s: Silence, now: number): number {
  return silenceWindowAt(s, now)?.end ?? s.endsAt;
}

/** The window in effect at `now` or the next one to come (undefined when none is left). */
export function nextSilenceWindow(s: Silence, now: number): Window | undefined {
  const current = silenceWindowAt(s, now);
  if (current) return current;
  if (now >= s.endsAt) return undefined;
  const from = Math.max(now, s.startsAt);
  if (!s.recurrence) return { start: s.startsAt, end: s.endsAt };
  const w = windowsAround(s.recurrence, from, 0, 7).find((x) => x.start >= from && x.start < s.endsAt);
  return w && { start: w.start, end: Math.min(w.end, s.endsAt) };
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
