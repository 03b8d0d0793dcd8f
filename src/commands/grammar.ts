// The `/belvo-status` text -> a typed command. Pure and total: anything it cannot understand becomes
// `{ kind: 'invalid' }` with a message and the usage line, never an exception (a user must never see a stack trace).
import { parseDuration } from '../config/units.js';
import { describeMention, type MentionLevel, type MentionTarget, parseMentionTarget } from '../domain/mention.js';
import { parseReportShorthand } from '../domain/report.js';
import { SEVERITIES, type Severity } from '../domain/severity.js';
import type { SilenceRecurrence } from '../domain/silence.js';
import type { QuietHours, SubscriptionFilter } from '../domain/subscription.js';
import { overview, type Subcommand, usageOf } from './usage.js';

/**
 * What `ack` and `silence` point at, as typed; the handlers find the alert. On-call types whatever it has at hand:
 * the short id from a message (A12), a fingerprint or a PagerDuty dedup key (anything with a `/`), or an institution.
 */
export type AlertTarget =
  | { type: 'alert'; alertId: string }
  | { type: 'key'; key: string }
  | { type: 'institution'; query: string };

export type SilenceTarget = AlertTarget;

export type ParsedCommand = (
  | { kind: 'status' }
  | { kind: 'institution'; query: string }
  | { kind: 'subscribe'; filter: SubscriptionFilter }
  | { kind: 'unsubscribe'; id?: string }
  | { kind: 'subscriptions' }
  | { kind: 'silence'; target: SilenceTarget; durationMs: number; duration: string; reason?: string }
  | { kind: 'recurring-silence'; target: SilenceTarget; recurrence: SilenceRecurrence; reason?: string }
  | { kind: 'silences' }
  | { kind: 'unsilence'; id: string }
  | { kind: 'ack'; target: AlertTarget }
  | { kind: 'history'; limit: number }
  | { kind: 'audit' }
  | { kind: 'help' }
  | { kind: 'invalid'; message: string; usage: string }
) & {
  /** Asked for an answer everyone in the channel sees (`public` or `--public`, first or last word). */
  public: boolean;
};

export const HISTORY_DEFAULT = 10;
export const HISTORY_MAX = 50;
/** Shorter is a typo for minutes; longer should be a config change, not a forgotten chat command. */
export const SILENCE_MIN_MS = 60_000;
export const SILENCE_MAX_MS = 30 * 86_400_000;

interface Token {
  /** The word with its quotes removed. */
  text: string;
  /** Offsets in the input, quotes included, so free text (a reason) can be taken as typed. */
  start: number;
  end: number;
}

const QUOTES = new Set(['"', '“', '”']);

/** Splits on whitespace; double quotes (straight or curly, as phones type them) group words. */
function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let text = '';
  let start = -1;
  let quoted = false;
  for (let i = 0; i < input.length; i++) {
    const ch = input.charAt(i);
    if (QUOTES.has(ch)) {
      if (start < 0) start = i;
      quoted = !quoted;
      continue;
    }
    if (!quoted && /\s/.test(ch)) {
      if (start >= 0) tokens.push({ text, start, end: i });
      text = '';
      start = -1;
      continue;
    }
    if (start < 0) start = i;
    text += ch;
  }
  // An unclosed quote runs to the end: tolerated, the user clearly meant one value.
  if (start >= 0) tokens.push({ text, start, end: input.length });
  return tokens.filter((t) => t.text.length > 0);
}

class Invalid extends Error {
  constructor(
    message: string,
    readonly sub?: Subcommand,
  ) {
    super(message);
  }
}

const isPublicWord = (t: Token | undefined) => t !== undefined && /^(--)?public$/i.test(t.text);

const ALIASES: Record<string, Subcommand> = {
  status: 'status',
  institution: 'institution',
  subscribe: 'subscribe',
  unsubscribe: 'unsubscribe',
  subscriptions: 'subscriptions',
  silence: 'silence',
  silences: 'silences',
  unsilence: 'unsilence',
  ack: 'ack',
  acknowledge: 'ack',
  history: 'history',
  audit: 'audit',
  help: 'help',
  '?': 'help',
};

export function parseCommand(text: string): ParsedCommand {
  let tokens = tokenize(text);
  let isPublic = false;
  if (isPublicWord(tokens[0])) {
    isPublic = true;
    tokens = tokens.slice(1);
  }
  if (isPublicWord(tokens[tokens.length - 1])) {
    isPublic = true;
    tokens = tokens.slice(0, -1);
  }
  const [head, ...args] = tokens;
  if (!head) return { kind: 'status', public: isPublic };

  const sub = ALIASES[head.text.toLowerCase()];
  if (!sub) {
    return {
      kind: 'invalid',
      public: false,
      message: `Unknown subcommand "${head.text}". To look up an institution: /belvo-status institution ${head.text}`,
      usage: overview(),
    };
  }
  try {
    return { ...parseSubcommand(sub, args, text), public: isPublic };
  } catch (err) {
    if (!(err instanceof Invalid)) throw err;
    return { kind: 'invalid', public: false, message: err.message, usage: usageOf(err.sub ?? sub) };
  }
}

type Body = ParsedCommand extends infer C ? (C extends unknown ? Omit<C, 'public'> : never) : never;

function parseSubcommand(sub: Subcommand, args: Token[], raw: string): Body {
  switch (sub) {
    case 'status':
    case 'subscriptions':
    case 'silences':
    case 'audit':
    case 'help':
      noArguments(sub, args);
      return { kind: sub };
    case 'institution': {
      if (args.length === 0) throw new Invalid('institution needs a name or part of it');
      return { kind: 'institution', query: args.map((t) => t.text).join(' ') };
    }
    case 'subscribe':
      return { kind: 'subscribe', filter: parseFilter(args) };
    case 'unsubscribe': {
      if (args.length > 1) throw new Invalid('unsubscribe takes at most one subscription id');
      const id = args[0]?.text;
      return id === undefined ? { kind: 'unsubscribe' } : { kind: 'unsubscribe', id: normalizeSubscriptionId(id) };
    }
    case 'silence':
      return parseSilence(args, raw);
    case 'unsilence': {
      const [id, ...extra] = args;
      if (!id || extra.length > 0) throw new Invalid('unsilence needs one silence id (S4)');
      return { kind: 'unsilence', id: normalizeSilenceId(id.text) };
    }
    case 'ack': {
      if (args.length === 0) {
        throw new Invalid('ack what? An alert id (A12), its fingerprint, its PagerDuty dedup key or an institution');
      }
      return { kind: 'ack', target: targetOf(args, 'ack A12') };
    }
    case 'history': {
      const [n, ...extra] = args;
      if (extra.length > 0) throw new Invalid('history takes one number at most');
      if (!n) return { kind: 'history', limit: HISTORY_DEFAULT };
      if (!/^\d+$/.test(n.text) || Number(n.text) < 1) {
        throw new Invalid(`"${n.text}" is not a number of incidents (1 to ${HISTORY_MAX})`);
      }
      return { kind: 'history', limit: Math.min(Number(n.text), HISTORY_MAX) };
    }
  }
}

function noArguments(sub: Subcommand, args: Token[]): void {
  if (args.length > 0) throw new Invalid(`${sub} takes no arguments (got "${args.map((t) => t.text).join(' ')}")`);
}

/** `A12`, `a12` or `[A12]` (as `status` prints it) -> `A12`. */
export function alertIdOf(text: string): string | undefined {
  const m = /^\[?a0*(\d+)\]?$/i.exec(text.trim());
  return m ? `A${m[1]}` : undefined;
}

function normalizeSilenceId(text: string): string {
  const m = /^\[?s0*(\d+)\]?$/i.exec(text);
  return m ? `S${m[1]}` : text;
}

function normalizeSubscriptionId(text: string): string {
  const m = /^sub-0*(\d+)$/i.exec(text);
  return m ? `sub-${m[1]}` : text;
}

/** An alert id, a key (fingerprint or dedup key: one word with a `/`), or else the words of an institution's name. */
function targetOf(tokens: Token[], example: string): AlertTarget {
  const [only] = tokens;
  const id = only && tokens.length === 1 ? alertIdOf(only.text) : undefined;
  if (id) return { type: 'alert', alertId: id };
  const sub = example.split(' ')[0];
  if (tokens.some((t) => alertIdOf(t.text) !== undefined)) throw new Invalid(`${sub} one alert at a time (${example})`);
  if (only && tokens.length === 1 && only.text.includes('/')) return { type: 'key', key: only.text.trim() };
  return { type: 'institution', query: tokens.map((t) => t.text).join(' ') };
}

// A duration in chat needs a unit: a bare "30" would be 30 ms to parseDuration, never what anyone means.
const DURATION_SHAPE = /^(\d+(\.\d+)?(ms|s|m|h|d))+$/i;

/** The free text from `tokens[from]` on, as typed (quotes, punctuation), not re-joined words. */
function restAsTyped(tokens: Token[], from: number, raw: string): string {
  const first = tokens[from];
  const last = tokens[tokens.length - 1];
  return first && last && from < tokens.length ? raw.slice(first.start, last.end).trim() : '';
}

/** `institution:Banco Erebor` says outright what the words name; the rest is read as `ack` reads it. */
function silenceTargetOf(tokens: Token[], example: string): SilenceTarget {
  const first = tokens[0];
  const m = first && /^institution:(.*)$/i.exec(first.text);
  if (m) {
    const query = [m[1] ?? '', ...tokens.slice(1).map((t) => t.text)].join(' ').trim();
    if (!query) throw new Invalid('institution: needs a name (institution:erebor)');
    return { type: 'institution', query };
  }
  return targetOf(tokens, example);
}

function parseSilence(args: Token[], raw: string): Body {
  const every = args.findIndex((t) => t.text.toLowerCase() === 'every');
  const at = args.findIndex((t) => DURATION_SHAPE.test(t.text));
  // "every" before any duration: a weekly window; after one, it is only a word of the reason.
  if (every >= 0 && (at < 0 || every < at)) return parseRecurringSilence(args, every, raw);
  if (at < 0) throw new Invalid('silence needs a duration with a unit: 30m, 2h or 1d');
  const targetTokens = args.slice(0, at);
  if (targetTokens.length === 0)
    throw new Invalid('silence what? Give an alert id or an institution before the duration');
  const durationToken = args[at]!;
  const durationMs = parseDuration(durationToken.text);
  if (durationMs === undefined) throw new Invalid(`"${durationToken.text}" is not a duration (30m, 2h, 1d)`);
  if (durationMs < SILENCE_MIN_MS || durationMs > SILENCE_MAX_MS) {
    throw new Invalid(`a silence lasts from 1m to 30d (got ${durationToken.text})`);
  }

  const target = silenceTargetOf(targetTokens, 'silence A12 2h');
  const reason = restAsTyped(args, at + 1, raw);
  return {
    kind: 'silence',
    target,
    durationMs,
    duration: durationToken.text.toLowerCase(),
    ...(reason && { reason }),
  };
}

const DAYS: Record<string, number[]> = {
  daily: [0, 1, 2, 3, 4, 5, 6],
  day: [0, 1, 2, 3, 4, 5, 6],
  weekdays: [1, 2, 3, 4, 5],
  weekends: [0, 6],
};
const DAY_PREFIXES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** `sun`, `Sunday`, `sundays`, `sábado` is not: English names or their first three letters. */
function dayOf(word: string): number | undefined {
  const w = word.toLowerCase().replace(/s$/, '');
  const i = DAY_PREFIXES.findIndex((p) => w.startsWith(p));
  if (i < 0) return undefined;
  const full = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'][i] ?? '';
  return full.startsWith(w) ? i : undefined;
}

/** `sun`, `sat,sun`, `mon-fri`, `weekdays`, `daily` -> days of the week (0 = Sunday), or undefined if not days. */
function daysOf(text: string): number[] | undefined {
  const named = DAYS[text.toLowerCase()];
  if (named) return named;
  const out = new Set<number>();
  for (const part of text.split(',').filter((p) => p.length > 0)) {
    const range = /^([a-z]+)-([a-z]+)$/i.exec(part);
    if (range) {
      const from = dayOf(range[1] ?? '');
      const to = dayOf(range[2] ?? '');
      if (from === undefined || to === undefined) return undefined;
      for (let d = from; ; d = (d + 1) % 7) {
        out.add(d);
        if (d === to) break;
      }
      continue;
    }
    const d = dayOf(part);
    if (d === undefined) return undefined;
    out.add(d);
  }
  return out.size ? [...out].sort((a, b) => a - b) : undefined;
}

const RECURRING_EXAMPLE = 'silence institution:erebor every sun 02:00-04:00 tz:America/Sao_Paulo core banking window';

/** `silence <target> every <days> HH:MM-HH:MM [tz:]<zone> [reason]`: a weekly window on a local clock. */
function parseRecurringSilence(args: Token[], every: number, raw: string): Body {
  const targetTokens = args.slice(0, every);
  if (targetTokens.length === 0) throw new Invalid(`silence what? Give an alert id or an institution before "every"`);
  const target = silenceTargetOf(targetTokens, RECURRING_EXAMPLE);
  let i = every + 1;
  const days = new Set<number>();
  for (; i < args.length; i++) {
    const d = daysOf(args[i]?.text ?? '');
    if (!d) break;
    for (const x of d) days.add(x);
  }
  if (days.size === 0) {
    throw new Invalid(`every what day? sun, sat,sun, mon-fri, weekdays or daily (${RECURRING_EXAMPLE})`);
  }
  const windowToken = args[i];
  const window = windowToken && QUIET_SHAPE.exec(windowToken.text);
  if (!windowToken || !window) {
    throw new Invalid(`a recurring silence needs its local time window after the days: 02:00-04:00`);
  }
  const hhmm = (h: string | undefined, min: string | undefined) => `${(h ?? '0').padStart(2, '0')}:${min ?? '00'}`;
  const from = hhmm(window[1], window[2]);
  const to = hhmm(window[3], window[4]);
  if (from === to) throw new Invalid(`the window ${from}-${to} is empty: give two different times`);
  const tzToken = args[i + 1];
  const tzText = tzToken?.text.replace(/^(tz|timezone):/i, '');
  if (!tzToken || !tzText || !(/^(tz|timezone):/i.test(tzToken.text) || /\/|^utc$/i.test(tzText))) {
    throw new Invalid('a recurring silence needs the time zone of its window: add tz:America/Sao_Paulo (or tz:UTC)');
  }
  const tz = parseTimeZone(tzText);
  const reason = restAsTyped(args, i + 2, raw);
  return {
    kind: 'recurring-silence',
    target,
    recurrence: { days: [...days].sort((a, b) => a - b), from, to, tz },
    ...(reason && { reason }),
  };
}

const FILTER_KEYS: Record<
  string,
  | 'kinds'
  | 'countries'
  | 'institutions'
  | 'sources'
  | 'env'
  | 'min'
  | 'quiet'
  | 'tz'
  | 'mention'
  | 'mentionFrom'
  | 'report'
> = {
  kind: 'kinds',
  kinds: 'kinds',
  country: 'countries',
  countries: 'countries',
  institution: 'institutions',
  institutions: 'institutions',
  source: 'sources',
  sources: 'sources',
  env: 'env',
  environment: 'env',
  environments: 'env',
  min: 'min',
  severity: 'min',
  quiet: 'quiet',
  tz: 'tz',
  timezone: 'tz',
  mention: 'mention',
  'mention-from': 'mentionFrom',
  report: 'report',
};

const KIND_SHAPE = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$/;
const ENV_SHAPE = /^[a-z][a-z0-9_-]*$/;
const COUNTRY_SHAPE = /^[a-z]{2}$/i;
const QUIET_SHAPE = /^([01]?\d|2[0-3]):([0-5]\d)-([01]?\d|2[0-3]):([0-5]\d)$/;

function listOf(key: string, value: string): string[] {
  const items = value
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v.length > 0);
  if (items.length === 0) throw new Invalid(`${key}: needs a value`);
  return items;
}

function addAll(list: string[] | undefined, items: string[]): string[] {
  const out = [...(list ?? [])];
  for (const item of items) if (!out.includes(item)) out.push(item);
  return out;
}

function parseFilter(args: Token[]): SubscriptionFilter {
  const f: {
    kinds?: string[];
    sources?: string[];
    environments?: string[];
    institutions?: string[];
    countries?: string[];
    minSeverity?: Severity;
    quiet?: { from: string; to: string };
    tz?: string;
    mention?: MentionTarget[];
    mentionFrom?: MentionLevel;
    report?: { cron: string; every: string };
  } = {};
  for (const token of args) {
    const colon = token.text.indexOf(':');
    if (colon < 0) {
      f.kinds = addAll(f.kinds, parseKinds(token.text));
      continue;
    }
    const key = token.text.slice(0, colon);
    const value = token.text.slice(colon + 1);
    const field = FILTER_KEYS[key.toLowerCase()];
    if (!field) {
      throw new Invalid(
        `unknown filter "${key}:" (known: country, institution, source, env, min, quiet, tz, mention, mention-from, report)`,
      );
    }
    switch (field) {
      case 'kinds':
        f.kinds = addAll(f.kinds, parseKinds(value));
        break;
      case 'countries':
        f.countries = addAll(f.countries, listOf(key, value).map(parseCountry));
        break;
      case 'institutions':
        f.institutions = addAll(f.institutions, listOf(key, value));
        break;
      case 'sources':
        f.sources = addAll(f.sources, listOf(key, value));
        break;
      case 'env':
        f.environments = addAll(
          f.environments,
          listOf(key, value).map((e) => {
            const env = e.toLowerCase();
            if (!ENV_SHAPE.test(env)) throw new Invalid(`"${e}" is not an environment name (production, sandbox)`);
            return env;
          }),
        );
        break;
      case 'min': {
        if (f.minSeverity) throw new Invalid('min: given twice');
        f.minSeverity = parseSeverity(value);
        break;
      }
      case 'quiet': {
        if (f.quiet) throw new Invalid('quiet: given twice');
        f.quiet = parseQuiet(value);
        break;
      }
      case 'tz': {
        if (f.tz) throw new Invalid('tz: given twice');
        f.tz = parseTimeZone(value);
        break;
      }
      case 'mention': {
        const targets = listOf(key, value).map((item) => {
          const t = parseMentionTarget(item);
          if ('error' in t) throw new Invalid(t.error);
          return t;
        });
        const known = new Set((f.mention ?? []).map(describeMention));
        f.mention = [...(f.mention ?? []), ...targets.filter((t) => !known.has(describeMention(t)))];
        break;
      }
      case 'mentionFrom': {
        if (f.mentionFrom) throw new Invalid('mention-from: given twice');
        f.mentionFrom = value.toLowerCase() === 'paged' ? 'paged' : parseSeverity(value);
        break;
      }
      case 'report': {
        if (f.report) throw new Invalid('report: given twice');
        const parsed = parseReportShorthand(value);
        if ('error' in parsed) throw new Invalid(parsed.error);
        f.report = parsed;
        break;
      }
    }
  }
  if (f.mentionFrom && !f.mention) throw new Invalid('mention-from: says from when to mention: add mention:@group');
  if (f.quiet && !f.tz) throw new Invalid('quiet hours need a time zone: add tz:America/Mexico_City (or tz:UTC)');

  // Fixed key order: two subscriptions with the same filter serialise the same (duplicate detection).
  const filter: SubscriptionFilter = {};
  if (f.kinds) filter.kinds = f.kinds;
  if (f.sources) filter.sources = f.sources;
  if (f.environments) filter.environments = f.environments;
  if (f.institutions) filter.institutions = f.institutions;
  if (f.countries) filter.countries = f.countries;
  if (f.minSeverity) filter.minSeverity = f.minSeverity;
  if (f.quiet && f.tz) filter.quietHours = { ...f.quiet, tz: f.tz } satisfies QuietHours;
  // Alone, the zone the channel reads times in (a scheduled maintenance's window); with quiet hours, theirs is it.
  if (f.tz && !f.quiet) filter.tz = f.tz;
  if (f.mention) filter.mention = { to: f.mention, ...(f.mentionFrom && { from: f.mentionFrom }) };
  // A report is read on the channel's clock when one is given (tz:), else on UTC.
  if (f.report) filter.report = { cron: f.report.cron, tz: f.tz ?? 'UTC', every: f.report.every };
  return filter;
}

function parseKinds(text: string): string[] {
  return listOf('kind', text).map((k) => {
    const kind = k.toLowerCase();
    if ((SEVERITIES as readonly string[]).includes(kind)) {
      throw new Invalid(`"${k}" is a severity: write min:${kind} for ${kind} and worse`);
    }
    if (COUNTRY_SHAPE.test(kind)) throw new Invalid(`"${k}" looks like a country: write country:${k.toUpperCase()}`);
    if (!KIND_SHAPE.test(kind)) {
      throw new Invalid(`"${k}" is not an alert kind (statuspage, statuspage.incident, source.health)`);
    }
    return kind;
  });
}

function parseCountry(text: string): string {
  if (!COUNTRY_SHAPE.test(text)) throw new Invalid(`"${text}" is not a two-letter country code (MX, CO, BR)`);
  return text.toUpperCase();
}

function parseSeverity(text: string): Severity {
  const s = text.toLowerCase();
  const found = SEVERITIES.find((v) => v === s);
  if (!found) throw new Invalid(`"${text}" is not a severity (${SEVERITIES.join(', ')})`);
  return found;
}

function parseQuiet(text: string): { from: string; to: string } {
  const m = QUIET_SHAPE.exec(text);
  if (!m) throw new Invalid(`"${text}" is not a quiet-hours window (HH:MM-HH:MM, e.g. 22:00-07:00)`);
  const hhmm = (h: string | undefined, min: string | undefined) => `${(h ?? '0').padStart(2, '0')}:${min ?? '00'}`;
  const from = hhmm(m[1], m[2]);
  const to = hhmm(m[3], m[4]);
  if (from === to) throw new Invalid(`quiet hours ${from}-${to} are empty: give two different times`);
  return { from, to };
}

/** IANA zone names as Intl knows them, canonicalised (`america/mexico_city` -> `America/Mexico_City`). */
function parseTimeZone(text: string): string {
  // Intl also takes offsets ("+05:00") on newer Node; quiet hours follow a place's clock, DST included.
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(text)) {
    throw new Invalid(`"${text}" is not an IANA time zone (America/Mexico_City, America/Bogota, UTC)`);
  }
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: text }).resolvedOptions().timeZone;
  } catch {
    throw new Invalid(`"${text}" is not an IANA time zone (America/Mexico_City, America/Bogota, UTC)`);
  }
}
