// A maintenance Belvo schedules ahead on a status page: its window as a reader in a given time zone reads it, when
// it has moved, and when its reminder is due. Pure; the zone rules come from Intl (the platform's tz database).
import { durationText } from './alert.js';
import { zonedFormatter } from './wall-clock.js';

/** The alert kind of a status page's scheduled maintenance (announced ahead, then in progress, then completed). */
export const MAINTENANCE_KIND = 'statuspage.maintenance';

/** A status page's maintenance (its own alert, not a component held by one): planned work, shown in blue. */
export function isMaintenance(a: { kind: string }): boolean {
  return a.kind === MAINTENANCE_KIND;
}

/** Where no time zone is configured, windows read in UTC. */
export const DEFAULT_TIME_ZONE = 'UTC';

/** How long before its start a scheduled maintenance is reminded in its thread, unless configured. */
export const DEFAULT_REMIND_BEFORE_MS = 60 * 60_000;

/**
 * How long after its window's end a maintenance the page never closed is closed by the bot, unless configured: a
 * page that forgets to mark its work completed must not keep a message open (and the status answer listing it) for
 * ever.
 */
export const DEFAULT_CLOSE_AFTER_MS = 60 * 60_000;

/** Why the bot closed a maintenance itself: the thread says it once, the message says the window ended. */
export const LAPSED_REASON = 'window ended; the page never said it completed';

/** The window the page announces (`scheduled_for`, `scheduled_until`), epoch ms. */
export interface MaintenanceWindow {
  from: number;
  until?: number;
}

/** "2h", not "2h 0m": windows are planned in round hours. */
function spanText(ms: number): string {
  return durationText(ms).replace(/ 0m$/, '');
}

function parts(at: number, tz: string): { day: string; time: string } {
  const f = zonedFormatter('window', 'en-GB', tz, {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  const p = f.formatToParts(new Date(at));
  const get = (t: string) => p.find((x) => x.type === t)?.value ?? '';
  return {
    day: `${get('weekday')} ${get('day')} ${get('month')} ${get('year')}`,
    time: `${get('hour')}:${get('minute')}`,
  };
}

/**
 * "Sun 6 Dec 2026 02:00-04:00 America/Sao_Paulo (2h)"; a window across midnight names both days, one without an
 * end says "from ...". The zone is named, so nobody has to guess whose clock it is.
 */
export function windowText(w: MaintenanceWindow, tz: string = DEFAULT_TIME_ZONE): string {
  const start = parts(w.from, tz);
  if (w.until === undefined || w.until <= w.from) return `from ${start.day} ${start.time} ${tz}`;
  const end = parts(w.until, tz);
  const span = end.day === start.day ? `${start.time}-${end.time}` : `${start.time} - ${end.day} ${end.time}`;
  return `${start.day} ${span} ${tz} (${spanText(w.until - w.from)})`;
}

export function sameWindow(a: MaintenanceWindow | undefined, b: MaintenanceWindow | undefined): boolean {
  return a?.from === b?.from && a?.until === b?.until;
}

/** "Scheduled maintenance announced: <window>": the reason an announcement gives, the window in UTC (see inZone). */
export function announcedReason(w: MaintenanceWindow, status: string): string {
  if (status === 'scheduled') return `maintenance scheduled for ${windowText(w)}`;
  return `maintenance ${status.replace(/_/g, ' ')} (window ${windowText(w)})`;
}

export function movedReason(w: MaintenanceWindow): string {
  return `window moved to ${windowText(w)}`;
}

export function reminderReason(w: MaintenanceWindow, now: number): string {
  return `starts in ${spanText(Math.max(0, w.from - now))}: ${windowText(w)}`;
}

/**
 * A reason the engine wrote with the window in UTC, as a reader in `tz` reads it. The engine decides once for every
 * channel; each channel's subscription names its own zone.
 */
export function reasonInZone(reason: string, w: MaintenanceWindow, tz: string): string {
  if (tz === DEFAULT_TIME_ZONE) return reason;
  return reason.split(windowText(w)).join(windowText(w, tz));
}

/**
 * Whether a still-scheduled maintenance is due its reminder at `now`: inside the last `remindBeforeMs` before its
 * start, and not reminded (nor announced) inside that stretch already. A window moved later arms it again.
 */
export function reminderDue(
  a: { status: string; maintenanceWindow?: MaintenanceWindow; remindedAt?: number; firedAt?: number },
  now: number,
  remindBeforeMs: number,
): boolean {
  const w = a.maintenanceWindow;
  if (!w || remindBeforeMs <= 0 || a.status !== 'scheduled') return false;
  const armsAt = w.from - remindBeforeMs;
  if (now < armsAt || now >= w.from) return false;
  // Announced less than `remindBeforeMs` ahead: the announcement already said it is imminent.
  const lastSaid = Math.max(a.remindedAt ?? Number.NEGATIVE_INFINITY, a.firedAt ?? Number.NEGATIVE_INFINITY);
  return lastSaid < armsAt;
}

/**
 * Whether an open maintenance's window ended at least `closeAfterMs` ago without the page closing it. A window
 * without an end never lapses (there is nothing to measure from); `closeAfterMs` 0 turns it off.
 */
export function windowLapsed(
  a: { kind: string; state: string; maintenanceWindow?: MaintenanceWindow },
  now: number,
  closeAfterMs: number,
): boolean {
  const until = a.maintenanceWindow?.until;
  if (!isMaintenance(a) || a.state !== 'firing' || until === undefined || closeAfterMs <= 0) return false;
  return now >= until + closeAfterMs;
}

/**
 * A maintenance the bot closed because its window lapsed stays closed while the page keeps showing the same window
 * open: the page saying it again is not news. A moved window is (the work goes on: it reopens).
 */
export function heldClosed(
  prev: { state: string; lapsedAt?: number; maintenanceWindow?: MaintenanceWindow },
  s: { observation: string; maintenanceWindow?: MaintenanceWindow },
): boolean {
  if (prev.state !== 'resolved' || prev.lapsedAt === undefined || s.observation !== 'bad') return false;
  return s.maintenanceWindow === undefined || sameWindow(prev.maintenanceWindow, s.maintenanceWindow);
}

/** What a closed alert's message says it is: a maintenance completed (or its window ended), anything else resolved. */
export function closedWord(a: { kind: string; lapsedAt?: number }): string {
  if (!isMaintenance(a)) return 'Resolved';
  return a.lapsedAt !== undefined ? 'Window ended' : 'Completed';
}

/** "Scheduled", "In progress", "Verifying": where a scheduled maintenance stands, as its message's state line says. */
export function maintenanceStage(status: string): string {
  const w = status.replace(/_/g, ' ');
  return `${w.charAt(0).toUpperCase()}${w.slice(1)}`;
}

/** The window as the destination of `event` reads it, for an alert that has one. */
export function eventWindowText(event: { alert: { maintenanceWindow?: MaintenanceWindow }; timeZone?: string }) {
  const w = event.alert.maintenanceWindow;
  return w ? windowText(w, event.timeZone ?? DEFAULT_TIME_ZONE) : undefined;
}
