// Quiet hours: a daily window in a time zone (22:00-07:00 America/Mexico_City) during which a channel only hears
// what is urgent; the rest waits for one digest when the window ends. Pure; the time zone rules come from Intl, so
// daylight-saving changes are handled by the platform's tz database, not by hand.
import { atLeast, type Severity } from './severity.js';
import { dayFrom, instantOf, minutesOf, wallClock } from './wall-clock.js';

/** A daily window in a time zone, `from` to `to` as `HH:MM`; `from > to` spans midnight (22:00-07:00). */
export interface QuietHours {
  from: string;
  to: string;
  /** IANA time zone (`America/Mexico_City`). */
  tz: string;
  /** At or above this severity a message goes out even during quiet hours. Default `critical`. */
  urgent?: Severity;
}

export const DEFAULT_URGENT: Severity = 'critical';

export function inQuietHours(q: QuietHours, at: number): boolean {
  const from = minutesOf(q.from);
  const to = minutesOf(q.to);
  const m = wallClock(at, q.tz).minute;
  return from < to ? m >= from && m < to : m >= from || m < to;
}

/** The window containing `at`, or the last one that ended before it: `[start, end)` as instants. */
export function quietWindowAround(q: QuietHours, at: number): { start: number; end: number } {
  const from = minutesOf(q.from);
  const to = minutesOf(q.to);
  const w = wallClock(at, q.tz);
  const at_ = (offset: number, minute: number) => {
    const x = dayFrom(w, offset);
    return instantOf(x.y, x.mo, x.d, minute, q.tz);
  };
  // Candidate windows starting yesterday, today: the latest one that started at or before `at`.
  const spansMidnight = from > to;
  const windows = [-1, 0].map((o) => ({ start: at_(o, from), end: at_(spansMidnight ? o + 1 : o, to) }));
  const started = windows.filter((x) => x.start <= at);
  return started.at(-1) ?? (windows[0] as { start: number; end: number });
}

/** When the quiet window containing `at` ends (undefined when `at` is not in quiet hours). */
export function quietHoursEnd(q: QuietHours, at: number): number | undefined {
  if (!inQuietHours(q, at)) return undefined;
  return quietWindowAround(q, at).end;
}

/** Whether a message of this severity waits for the digest at `at`. */
export function heldByQuietHours(q: QuietHours | undefined, severity: Severity, at: number): boolean {
  if (!q) return false;
  if (atLeast(severity, q.urgent ?? DEFAULT_URGENT)) return false;
  return inQuietHours(q, at);
}
