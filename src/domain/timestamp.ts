// Tolerant timestamp parsing for what feeds send: ISO 8601 with 0-9 fractional digits and `Z` or any offset
// (Statuspage sends the page's local offset, `2022-02-15T13:37:37.407-08:00`), and RFC 822/1123 from RSS
// (`Thu, 23 Dec 2021 10:30:37 +0100`, also with zone names). `Date.parse` is not used: its non-ISO behaviour is
// implementation-defined, and it yields NaN where callers need `undefined`.

const MINUTE_MS = 60_000;

const MONTHS: Record<string, number> = {
  jan: 0,
  feb: 1,
  mar: 2,
  apr: 3,
  may: 4,
  jun: 5,
  jul: 6,
  aug: 7,
  sep: 8,
  sept: 8,
  oct: 9,
  nov: 10,
  dec: 11,
};

/**
 * Zone abbreviations seen in RSS dates and in Statuspage's rendered update times, as minutes east of UTC.
 * Ambiguous ones take the reading that fits Belvo's region: `CST` is US/Mexico Central (-6), `IST` India.
 */
const ZONE_ABBREVIATIONS: Record<string, number> = {
  z: 0,
  ut: 0,
  utc: 0,
  gmt: 0,
  wet: 0,
  west: 60,
  bst: 60,
  cet: 60,
  met: 60,
  cest: 120,
  mest: 120,
  eet: 120,
  eest: 180,
  msk: 180,
  ist: 330,
  wib: 420,
  sgt: 480,
  hkt: 480,
  awst: 480,
  jst: 540,
  kst: 540,
  acst: 570,
  aest: 600,
  aedt: 660,
  nzst: 720,
  nzdt: 780,
  nst: -210,
  ndt: -150,
  ast: -240,
  adt: -180,
  est: -300,
  edt: -240,
  cst: -360,
  cdt: -300,
  mst: -420,
  mdt: -360,
  pst: -480,
  pdt: -420,
  akst: -540,
  akdt: -480,
  hst: -600,
  brt: -180,
  brst: -120,
  art: -180,
  uyt: -180,
  clt: -240,
  clst: -180,
  pyt: -240,
  bot: -240,
  vet: -240,
  cot: -300,
  pet: -300,
  ect: -300,
};

const NUMERIC_OFFSET = /^(?:(?:utc|gmt|ut)\s*)?([+-])(\d{1,2})(?::?(\d{2}))?$/i;

/**
 * Minutes east of UTC for a zone written as `Z`, `+0100`, `-08:00`, `-03`, `GMT+1`, `UTC-03:00` or a known
 * abbreviation (`CET`, `PST`, `GMT`...). Undefined when unknown.
 */
export function zoneOffsetMinutes(zone: string): number | undefined {
  const text = zone.trim();
  const named = ZONE_ABBREVIATIONS[text.toLowerCase()];
  if (named !== undefined) return named;
  const m = NUMERIC_OFFSET.exec(text);
  if (!m) return undefined;
  const hours = Number(m[2]);
  const minutes = m[3] === undefined ? 0 : Number(m[3]);
  if (hours > 23 || minutes > 59) return undefined;
  const total = hours * 60 + minutes;
  return m[1] === '-' ? -total : total;
}

/** Month index (0-11) for an English month name or its abbreviation; undefined otherwise. */
export function monthIndex(name: string): number | undefined {
  const key = name.toLowerCase().replace(/\.$/, '');
  return MONTHS[key] ?? MONTHS[key.slice(0, 3)] ?? undefined;
}

export interface WallClock {
  year: number;
  /** 0-11 */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second?: number;
  millisecond?: number;
  /** Minutes east of UTC. */
  offsetMinutes: number;
}

/** Epoch ms of a local wall-clock time at a fixed offset; undefined when a field is out of range (Feb 30). */
export function fromWallClock(t: WallClock): number | undefined {
  const second = t.second ?? 0;
  const ms = t.millisecond ?? 0;
  if (t.month < 0 || t.month > 11 || t.day < 1 || t.hour > 23 || t.minute > 59 || second > 60) return undefined;
  const daysInMonth = new Date(Date.UTC(t.year, t.month + 1, 0)).getUTCDate();
  if (t.day > daysInMonth) return undefined;
  const utc = Date.UTC(t.year, t.month, t.day, t.hour, t.minute, second, ms);
  const at = utc - t.offsetMinutes * MINUTE_MS;
  return Number.isFinite(at) ? at : undefined;
}

// A time without a zone is read as UTC: Statuspage always sends one, and a guess beats dropping the value.
const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

const RFC822 =
  /^(?:[A-Za-z]{3,9}\.?,?\s+)?(\d{1,2})[\s-]+([A-Za-z]{3,9})\.?[\s-]+(\d{4}|\d{2})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(.*)$/;

function parseIso(m: RegExpExecArray): number | undefined {
  const fraction = m[7] ?? '';
  const offsetMinutes = m[8] === undefined ? 0 : zoneOffsetMinutes(m[8]);
  if (offsetMinutes === undefined) return undefined;
  return fromWallClock({
    year: Number(m[1]),
    month: Number(m[2]) - 1,
    day: Number(m[3]),
    hour: Number(m[4] ?? 0),
    minute: Number(m[5] ?? 0),
    second: Number(m[6] ?? 0),
    // Sub-millisecond digits are dropped, not rounded, so 59.9999 never becomes the next second.
    millisecond: Number(fraction.slice(0, 3).padEnd(3, '0')),
    offsetMinutes,
  });
}

function parseRfc822(m: RegExpExecArray): number | undefined {
  const month = monthIndex(m[2] ?? '');
  if (month === undefined) return undefined;
  let year = Number(m[3]);
  // RFC 2822 section 4.3: two-digit years below 50 are 20xx.
  if ((m[3] ?? '').length === 2) year += year < 50 ? 2000 : 1900;
  // Drop a trailing comment such as `+0100 (CET)`.
  const zone = (m[7] ?? '').replace(/\(.*\)\s*$/, '').trim();
  const offsetMinutes = zone === '' ? 0 : zoneOffsetMinutes(zone);
  if (offsetMinutes === undefined) return undefined;
  return fromWallClock({
    year,
    month,
    day: Number(m[1]),
    hour: Number(m[4]),
    minute: Number(m[5]),
    second: Number(m[6] ?? 0),
    offsetMinutes,
  });
}

/** Epoch ms of an ISO 8601 or RFC 822/1123 timestamp; undefined (never NaN) when it cannot be read. */
export function parseTimestamp(text: string): number | undefined {
  if (typeof text !== 'string') return undefined;
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  const iso = ISO.exec(trimmed);
  if (iso) return parseIso(iso);
  const rfc = RFC822.exec(trimmed);
  if (rfc) return parseRfc822(rfc);
  return undefined;
}
