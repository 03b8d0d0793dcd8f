// Statuspage RSS/Atom history -> the neutral StatusPageSnapshot (fallback when the JSON API is not used).
// Wire facts: Statuspage's API documentation. One item per incident; its HTML holds every update, newest first:
//   <p><small>Dec <var data-var='date'>23</var>, <var data-var='time'>10:30</var> CET</small><br>
//   <strong>Resolved</strong> - text</p>
// Identity is the JSON incident id from the item link (`.../incidents/<id>`), so an RSS, Atom and JSON reading of the
// same page name the same incident. Atom's `<id>` (`tag:host,2005:Incident/123`) is a different number: last resort.

import Parser from 'rss-parser';
import { cleanText } from '../../src/domain/clean-text.js';
import type { StatusPageMaintenance, StatusPageSnapshot, StatusPageUpdate } from '../../src/domain/status-page.js';
import { fromWallClock, monthIndex, parseTimestamp, zoneOffsetMinutes } from '../../src/domain/timestamp.js';
import { MAINTENANCE_STATUSES, StatusPageFormatError } from './parse-json.js';

export type FeedFormat = 'rss' | 'atom';

/** The prefix Statuspage puts before a maintenance window in the item HTML. */
const SCHEDULED_EVENT_MARKER = 'THIS IS A SCHEDULED EVENT';
/** The word for "still open, nothing new to say about the state". */
const UPDATE_STATUS = 'update';
const DEFAULT_OPEN_STATUS = 'investigating';
/** RSS/Atom carry no impact; detectors pick their own default for it. */
const UNKNOWN_IMPACT = 'unknown';
const DAY_MS = 86_400_000;

type FeedItem = Parser.Item & { id?: string; published?: string; updated?: string };

// --- HTML to text ---

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  ndash: '\u2013',
  mdash: '\u2014',
  lsquo: '\u2018',
  rsquo: '\u2019',
  sbquo: '\u201a',
  ldquo: '\u201c',
  rdquo: '\u201d',
  bdquo: '\u201e',
  hellip: '\u2026',
  bull: '\u2022',
  euro: '\u20ac',
  trade: '\u2122',
};
// HTML's Latin-1 entity names, code points 160-255 in order: Spanish and Portuguese text uses them.
const LATIN1_NAMES =
  'nbsp iexcl cent pound curren yen brvbar sect uml copy ordf laquo not shy reg macr deg plusmn sup2 sup3 acute micro ' +
  'para middot cedil sup1 ordm raquo frac14 frac12 frac34 iquest Agrave Aacute Acirc Atilde Auml Aring AElig Ccedil ' +
  'Egrave Eacute Ecirc Euml Igrave Iacute Icirc Iuml ETH Ntilde Ograve Oacute Ocirc Otilde Ouml times Oslash Ugrave ' +
  'Uacute Ucirc Uuml Yacute THORN szlig agrave aacute acirc atilde auml aring aelig ccedil egrave eacute ecirc euml ' +
  'igrave iacute icirc iuml eth ntilde ograve oacute ocirc otilde ouml divide oslash ugrave uacute ucirc uuml yacute ' +
  'thorn yuml';
LATIN1_NAMES.split(' ').forEach((name, i) => {
  NAMED_ENTITIES[name] = String.fromCodePoint(160 + i);
});

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z][a-z0-9]{1,31});/gi, (whole, ref: string) => {
    if (ref[0] === '#') {
      const code = ref[1] === 'x' || ref[1] === 'X' ? Number.parseInt(ref.slice(2), 16) : Number(ref.slice(1));
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED_ENTITIES[ref] ?? whole;
  });
}

/** Plain text of an HTML fragment: line breaks kept, tags dropped, entities decoded (after, so `&lt;b&gt;` stays). */
export function htmlToText(html: string): string {
  const withBreaks = html.replace(/<br\s*\/?>/gi, '\n').replace(/<\/(p|div|li)>/gi, '\n');
  return cleanText(decodeEntities(withBreaks.replace(/<[^>]*>/g, '')))
    .replace(/\u00a0/g, ' ')
    .replace(/[ \t]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

// --- dates in <small> ---

/** `Dec 23, 10:30 CET`, `Jan 5, 2024, 8:54 PM PST`, `Dec 23, 10:30` (after tags are stripped). */
const SMALL_DATE =
  /^([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s*(?:(\d{4}),?)?\s*(?:-|at)?\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?\s*(.*)$/;

/** The zone at the end of a pubDate/published value, which carries the page's offset. */
function trailingZone(raw: string | undefined): number | undefined {
  const m = raw ? /(Z|[+-]\d{2}:?\d{2}|[A-Za-z]{1,5})\s*$/.exec(raw.trim()) : null;
  return m?.[1] ? zoneOffsetMinutes(m[1]) : undefined;
}

interface DateContext {
  /** The item date: reference for the missing year and the fallback time. */
  itemAt: number | undefined;
  /** Offset to assume when the small date's zone is missing or unknown (the page's, from the item date). */
  itemOffset: number | undefined;
}

/** Epoch ms of a `<small>` date, or undefined when it cannot be read. */
export function parseSmallDate(text: string, ctx: DateContext): number | undefined {
  const m = SMALL_DATE.exec(text.replace(/\s+/g, ' ').trim());
  if (!m) return undefined;
  const month = monthIndex(m[1] ?? '');
  if (month === undefined) return undefined;
  let hour = Number(m[4]);
  const meridiem = m[7]?.toLowerCase();
  if (meridiem !== undefined) {
    if (hour < 1 || hour > 12) return undefined;
    hour = (hour % 12) + (meridiem === 'pm' ? 12 : 0);
  }
  const zone = (m[8] ?? '').trim();
  const offsetMinutes = (zone === '' ? undefined : zoneOffsetMinutes(zone)) ?? ctx.itemOffset;
  if (offsetMinutes === undefined) return undefined;
  const at = (year: number) =>
    fromWallClock({
      year,
      month,
      day: Number(m[2]),
      hour,
      minute: Number(m[5]),
      second: Number(m[6] ?? 0),
      offsetMinutes,
    });
  if (m[3] !== undefined) return at(Number(m[3]));
  if (ctx.itemAt === undefined) return undefined;
  // No year: take the one that puts the update nearest the item date (an incident opened on Dec 31 and resolved on
  // Jan 1 has its item dated in the new year, its first update in the old one).
  const refYear = new Date(ctx.itemAt).getUTCFullYear();
  let best: number | undefined;
  for (const year of [refYear - 1, refYear, refYear + 1]) {
    const candidate = at(year);
    if (candidate === undefined) continue;
    if (best === undefined || Math.abs(candidate - ctx.itemAt) < Math.abs(best - ctx.itemAt)) best = candidate;
  }
  return best;
}

// --- update blocks ---

interface Block {
  status: string;
  body: string;
  /** From the `<small>` date; undefined when it could not be read. */
  at: number | undefined;
}

function statusWord(html: string): string {
  const word = htmlToText(html).toLowerCase().replace(/\s+/g, '_');
  return word === '' ? UPDATE_STATUS : word;
}

/** Every `<small>` starts a block; the block runs to the next `<small>`. */
function parseBlocks(html: string, ctx: DateContext): Block[] {
  const smalls = [...html.matchAll(/<small\b[^>]*>([\s\S]*?)<\/small>/gi)];
  return smalls.map((match, i) => {
    const start = (match.index ?? 0) + match[0].length;
    const end = smalls[i + 1]?.index ?? html.length;
    const segment = html.slice(start, end);
    const strong = /<strong\b[^>]*>([\s\S]*?)<\/strong>/i.exec(segment);
    const rest = strong ? segment.slice((strong.index ?? 0) + strong[0].length) : segment;
    const body = htmlToText(rest).replace(/^(?:-|\u2013|\u2014)\s*/, '');
    return {
      status: statusWord(strong?.[1] ?? ''),
      body,
      at: parseSmallDate(htmlToText(match[1] ?? ''), ctx),
    };
  });
}

/**
 * Update ids must stay the same on every read: `<incident>:<status>:<ISO time>`, or a position counted from the
 * oldest update when the time is unknown (updates are only ever added on top, so that count does not shift).
 */
function toUpdates(incidentId: string, blocks: Block[], fallbackAt: number): StatusPageUpdate[] {
  const seen = new Map<string, number>();
  const updates: StatusPageUpdate[] = new Array(blocks.length);
  for (let i = blocks.length - 1; i >= 0; i--) {
    const block = blocks[i]!;
    const position = blocks.length - 1 - i;
    const key = block.at === undefined ? `#${position}` : new Date(block.at).toISOString();
    const base = `${incidentId}:${block.status}:${key}`;
    const count = (seen.get(base) ?? 0) + 1;
    seen.set(base, count);
    updates[i] = {
      id: count === 1 ? base : `${base}~${count}`,
      status: block.status,
      body: block.body,
      at: block.at ?? fallbackAt,
    };
  }
  return updates;
}

/** The newest block's status, except that `Update` keeps the previous open status. */
function currentStatus(blocks: Block[]): string {
  for (const block of blocks) if (block.status !== UPDATE_STATUS) return block.status;
  return DEFAULT_OPEN_STATUS;
}

/** `Feb 18, 06:00 - 08:00 PST` or `Feb 18, 22:00 - Feb 19, 01:00 PST` after the marker; best effort. */
function parseWindow(html: string, ctx: DateContext): { from?: number; until?: number } {
  const text = htmlToText(html);
  const at = text.indexOf(SCHEDULED_EVENT_MARKER);
  if (at < 0) return {};
  const line = text.slice(at + SCHEDULED_EVENT_MARKER.length).split('\n')[0] ?? '';
  const m = /^\s*(.+?)\s+-\s+(.+)$/.exec(line);
  if (!m) return {};
  const endText = m[2] ?? '';
  const zone = /\s([A-Za-z]{1,5}|[+-]\d{2}(?::?\d{2})?)$/.exec(endText)?.[1] ?? '';
  const from = parseSmallDate(`${m[1]} ${zone}`, ctx);
  let until = parseSmallDate(endText, ctx);
  if (until === undefined && from !== undefined) {
    // Same-day window: the end is only a time.
    const dayPart = /^([A-Za-z]{3,9}\.?\s+\d{1,2},?)/.exec(m[1] ?? '')?.[1];
    if (dayPart) until = parseSmallDate(`${dayPart} ${endText}`, ctx);
    if (until !== undefined && until < from) until += DAY_MS;
  }
  const out: { from?: number; until?: number } = {};
  if (from !== undefined) out.from = from;
  if (until !== undefined) out.until = until;
  return out;
}

// --- items ---

type XmlNode = Record<string, unknown>;
interface AtomHook {
  parseItemAtom(entry: XmlNode): FeedItem;
}

function firstText(value: unknown): string | undefined {
  const first: unknown = Array.isArray(value) ? value[0] : undefined;
  if (typeof first === 'string') return first;
  const inner = first !== null && typeof first === 'object' ? (first as { _?: unknown })._ : undefined;
  return typeof inner === 'string' ? inner : undefined;
}

/**
 * rss-parser 3 turns an Atom `<published>` into `new Date(x).toISOString()`, which throws on a bad date (rejecting
 * the whole feed) and drops the page's offset; and it throws on a `<link>` without attributes. Its per-entry hook is
 * wrapped so those fields are read raw and tolerantly here instead.
 */
function createParser(): Parser<XmlNode, FeedItem> {
  const parser = new Parser<XmlNode, FeedItem>();
  const hook = parser as unknown as AtomHook;
  const original = hook.parseItemAtom.bind(parser);
  hook.parseItemAtom = (entry) => {
    const { published, updated, link, ...rest } = entry;
    const links = Array.isArray(link) ? link.filter((l) => l !== null && typeof l === 'object' && '$' in l) : [];
    const item = original(links.length > 0 ? { ...rest, link: links } : rest);
    const publishedText = firstText(published);
    const updatedText = firstText(updated);
    if (publishedText !== undefined) item.published = publishedText;
    if (updatedText !== undefined) item.updated = updatedText;
    return item;
  };
  return parser;
}

const INCIDENT_PATH = /\/incidents\/([^/?#\s]+)/;

function identity(item: FeedItem): string | undefined {
  for (const candidate of [item.link, item.guid]) {
    const m = candidate ? INCIDENT_PATH.exec(candidate) : null;
    if (m?.[1]) return decodeURIComponent(m[1]);
  }
  return item.link || item.guid || item.id || undefined;
}

function itemDate(item: FeedItem): { raw: string | undefined; at: number | undefined } {
  for (const raw of [item.published, item.pubDate, item.updated]) {
    const at = raw ? parseTimestamp(raw) : undefined;
    if (at !== undefined) return { raw, at };
  }
  return { raw: undefined, at: undefined };
}

function toIncident(item: FeedItem, id: string): { incident: StatusPageMaintenance; maintenance: boolean } {
  const html = item.content ?? item.summary ?? '';
  const date = itemDate(item);
  const ctx: DateContext = { itemAt: date.at, itemOffset: trailingZone(date.raw) };
  const blocks = parseBlocks(html, ctx);
  const fallbackAt = date.at ?? 0;
  const updates = toUpdates(id, blocks, fallbackAt);
  const status = currentStatus(blocks);
  const maintenance = html.includes(SCHEDULED_EVENT_MARKER) || blocks.some((b) => MAINTENANCE_STATUSES.has(b.status));
  const incident: StatusPageMaintenance = {
    id,
    // The title is XML text, not HTML: `<b>` in a title is literal.
    name: cleanText(item.title ?? '')
      .replace(/\s+/g, ' ')
      .trim(),
    status,
    impact: maintenance ? 'maintenance' : UNKNOWN_IMPACT,
    components: [],
    updates,
  };
  if (item.link) incident.url = item.link;
  const oldest = updates[updates.length - 1];
  const createdAt = oldest?.at ?? date.at;
  if (createdAt !== undefined) {
    incident.createdAt = createdAt;
    incident.startedAt = createdAt;
  }
  if (status === 'resolved' || status === 'postmortem' || status === 'completed') {
    const closing = updates.find((u) => u.status === 'resolved' || u.status === 'completed');
    if (closing) incident.resolvedAt = closing.at;
  }
  if (maintenance) {
    const window = parseWindow(html, ctx);
    if (window.from !== undefined) incident.scheduledFor = window.from;
    if (window.until !== undefined) incident.scheduledUntil = window.until;
  }
  return { incident, maintenance };
}

/**
 * Parses a Statuspage history feed. `format` names what was asked for; either kind is accepted, since a page that
 * answers the other one is still understood.
 */
export async function parseFeed(body: string, format: FeedFormat): Promise<StatusPageSnapshot> {
  let feed: Parser.Output<FeedItem>;
  try {
    feed = await createParser().parseString(body);
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0]?.slice(0, 100) : 'unreadable';
    throw new StatusPageFormatError(`history.${format} is not a feed: ${reason}`);
  }
  // No `components`: a history feed does not say how components stand.
  const snapshot: StatusPageSnapshot = {
    page: {},
    incidents: [],
    maintenances: [],
    incidentsComplete: false,
    maintenancesComplete: false,
  };
  if (feed.title) snapshot.page.name = feed.title.replace(/\s+-\s+Incident History$/i, '');
  if (feed.link) snapshot.page.url = feed.link;
  const seen = new Set<string>();
  for (const item of feed.items ?? []) {
    const id = identity(item);
    if (id === undefined || seen.has(id)) continue;
    seen.add(id);
    const { incident, maintenance } = toIncident(item, id);
    if (maintenance) snapshot.maintenances.push(incident);
    else snapshot.incidents.push(incident);
  }
  return snapshot;
}

export const parseRss = (body: string): Promise<StatusPageSnapshot> => parseFeed(body, 'rss');
export const parseAtom = (body: string): Promise<StatusPageSnapshot> => parseFeed(body, 'atom');
