// Wall-clock times in an IANA time zone, for windows people name by their local clock (quiet hours, a bank's weekly
// maintenance). The zone rules come from Intl, so daylight-saving changes follow the platform's tz database.

export interface WallClock {
  y: number;
  mo: number;
  d: number;
  /** Minute of the day, 0-1439. */
  minute: number;
  /** Day of the week, 0 = Sunday. */
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/**
 * One Intl formatter per (use, locale, zone), made on first use: making one costs far more than using it. `use` names
 * the options, which are the same for every call of one use.
 */
export function zonedFormatter(
  use: string,
  locale: string,
  tz: string,
  options: Intl.DateTimeFormatOptions,
): Intl.DateTimeFormat {
  const key = `${use}|${locale}|${tz}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { ...options, timeZone: tz });
    formatters.set(key, f);
  }
  return f;
}

/** Wall-clock date, minute of the day and weekday of `at` in `tz`. */
export function wallClock(at: number, tz: string): WallClock {
  const f = zonedFormatter('wall-clock', 'en-CA', tz, {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  const parts = f.formatToParts(new Date(at));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  const y = get('year');
  const mo = get('month');
  const d = get('day');
  return { y, mo, d, minute: get('hour') * 60 + get('minute'), weekday: new Date(Date.UTC(y, mo - 1, d)).getUTCDay() };
}

/** The instant a wall-clock time happens in `tz` (the first one, when a DST change repeats it). */
export function instantOf(y: number, mo: number, d: number, minute: number, tz: string): number {
  // Guess as if UTC, then correct by the zone's offset at the guess; twice, for guesses near a DST change.
  const naive = Date.UTC(y, mo - 1, d, Math.floor(minute / 60), minute % 60);
  let t = naive;
  for (let i = 0; i < 2; i++) {
    const w = wallClock(t, tz);
    const seen = Date.UTC(w.y, w.mo - 1, w.d, Math.floor(w.minute / 60), w.minute % 60);
    t += naive - seen;
  }
  return t;
}

/** The calendar day `offset` days from the wall-clock date of `w` (month and year roll over). */
export function dayFrom(w: Pick<WallClock, 'y' | 'mo' | 'd'>, offset: number): { y: number; mo: number; d: number } {
  const base = new Date(Date.UTC(w.y, w.mo - 1, w.d + offset));
  return { y: base.getUTCFullYear(), mo: base.getUTCMonth() + 1, d: base.getUTCDate() };
}

/** `HH:MM` -> minutes of the day. */
export function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}
