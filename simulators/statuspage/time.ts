// Statuspage renders every timestamp in the page's own time zone; the simulator uses a fixed offset (no DST) so
// tests can assert exact strings. Internally every time is epoch milliseconds.

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;

/** A fixed UTC offset as Statuspage prints it, with the zone names a page with that offset would show. */
export interface PageZone {
  /** `-08:00`, `+01:00`, `+00:00`. */
  offset: string;
  offsetMinutes: number;
  /** IANA name for `page.time_zone`. */
  name: string;
  /** Abbreviation printed in the RSS/Atom `<small>` stamps (`CET`, `PST`, `UTC`). */
  abbreviation: string;
}

// Zones a Belvo-related page plausibly uses; anything else falls back to Etc/GMT names.
const KNOWN_ZONES: Record<string, { name: string; abbreviation: string }> = {
  '-08:00': { name: 'America/Los_Angeles', abbreviation: 'PST' },
  '-07:00': { name: 'America/Denver', abbreviation: 'MST' },
  '-06:00': { name: 'America/Mexico_City', abbreviation: 'CST' },
  '-05:00': { name: 'America/Bogota', abbreviation: '-05' },
  '-04:00': { name: 'America/Santiago', abbreviation: '-04' },
  '-03:00': { name: 'America/Sao_Paulo', abbreviation: '-03' },
  '+00:00': { name: 'Etc/UTC', abbreviation: 'UTC' },
  '+01:00': { name: 'Europe/Berlin', abbreviation: 'CET' },
  '+02:00': { name: 'Europe/Helsinki', abbreviation: 'EET' },
};

const OFFSET = /^([+-])(\d{2}):(\d{2})$/;

export function pageZone(offset: string, name?: string, abbreviation?: string): PageZone {
  const m = OFFSET.exec(offset);
  if (!m) throw new Error(`time zone offset must look like -08:00 or +01:00, got ${JSON.stringify(offset)}`);
  const sign = m[1] === '-' ? -1 : 1;
  const hours = Number(m[2]);
  const minutes = Number(m[3]);
  const offsetMinutes = sign * (hours * 60 + minutes);
  const known = KNOWN_ZONES[offset];
  // Etc/GMT names invert the sign (Etc/GMT+8 is UTC-8) and only exist for whole hours.
  const fallbackName = minutes === 0 ? `Etc/GMT${sign === -1 ? '+' : '-'}${hours}` : 'Etc/UTC';
  return {
    offset,
    offsetMinutes,
    name: name ?? known?.name ?? fallbackName,
    abbreviation: abbreviation ?? known?.abbreviation ?? `UTC${offset}`,
  };
}

/** Wall-clock fields of `ms` in the zone: a Date whose UTC getters read local time. */
function local(ms: number, zone: PageZone): Date {
  return new Date(ms + zone.offsetMinutes * 60_000);
}

/** `2022-02-15T13:37:37.407-08:00`; a UTC page prints `Z` as Statuspage does (`2024-09-10T23:21:43.539Z`). */
export function isoLocal(ms: number, zone: PageZone): string {
  const base = local(ms, zone).toISOString().slice(0, 23);
  return base + (zone.offsetMinutes === 0 ? 'Z' : zone.offset);
}

/** Atom dates: RFC 3339 without milliseconds, in the page's offset. */
export function isoLocalSeconds(ms: number, zone: PageZone): string {
  const base = local(ms, zone).toISOString().slice(0, 19);
  return base + (zone.offsetMinutes === 0 ? 'Z' : zone.offset);
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** RSS `pubDate`: RFC 822 with the page's numeric offset, `Tue, 15 Feb 2022 13:37:37 -0800`. */
export function rfc822(ms: number, zone: PageZone): string {
  const d = local(ms, zone);
  const time = `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
  const date = `${DAYS[d.getUTCDay()]}, ${pad2(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
  return `${date} ${time} ${zone.offset.replace(':', '')}`;
}

/** The stamp inside each update block of the RSS/Atom description. */
export function feedStamp(ms: number, zone: PageZone, varTags: boolean): string {
  const d = local(ms, zone);
  const month = MONTHS[d.getUTCMonth()];
  const day = String(d.getUTCDate());
  const time = `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}`;
  return varTags
    ? `${month} <var data-var='date'>${day}</var>, <var data-var='time'>${time}</var> ${zone.abbreviation}`
    : `${month} ${day}, ${time} ${zone.abbreviation}`;
}

/** HTTP dates (Last-Modified) are always GMT. */
export function httpDate(ms: number): string {
  return new Date(ms).toUTCString();
}

/** Accepts what tests naturally write: epoch ms, a Date, or an ISO string. */
export function toEpochMs(value: number | Date | string): number {
  const ms = typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : value.getTime();
  if (!Number.isFinite(ms)) throw new Error(`not a valid time: ${String(value)}`);
  return ms;
}
