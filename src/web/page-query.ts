// What the reader asked for in the URL: the institution filter, the sort and the history window. The same page
// works without its script (a form and links that reload it) and with it (filtering as one types).
import { normalizeName } from '../commands/institution-match.js';

export const SORT_KEYS = ['name', 'statusPage', 'api', 'valid', 'tokenRequired', 'invalid', 'errors'] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export const WINDOWS = [7, 30] as const;

export interface PageQuery {
  /** Part of an institution's name (display or Belvo name), any case or accents. */
  q: string;
  /** Two-letter country code, upper case, or '' for all. */
  country: string;
  sort: SortKey;
  dir: 'asc' | 'desc';
  days: (typeof WINDOWS)[number];
}

export const DEFAULT_QUERY: PageQuery = { q: '', country: '', sort: 'name', dir: 'asc', days: 7 };

/** Whatever the URL says, a query the page can answer: unknown values fall back to the defaults. */
export function parsePageQuery(params: URLSearchParams): PageQuery {
  const q = (params.get('q') ?? '').trim().slice(0, 100);
  const country = (params.get('country') ?? '').trim().toUpperCase();
  const sort = params.get('sort') as SortKey | null;
  const days = Number(params.get('days'));
  return {
    q,
    country: /^[A-Z]{2}$/.test(country) ? country : '',
    sort: sort && (SORT_KEYS as readonly string[]).includes(sort) ? sort : DEFAULT_QUERY.sort,
    dir: params.get('dir') === 'desc' ? 'desc' : 'asc',
    days: (WINDOWS as readonly number[]).includes(days) ? (days as PageQuery['days']) : DEFAULT_QUERY.days,
  };
}

/** The query string for a link, leaving out what is at its default (short, stable URLs). */
export function queryString(q: PageQuery, change: Partial<PageQuery> = {}): string {
  const next = { ...q, ...change };
  const params = new URLSearchParams();
  if (next.q) params.set('q', next.q);
  if (next.country) params.set('country', next.country);
  if (next.sort !== DEFAULT_QUERY.sort) params.set('sort', next.sort);
  if (next.dir !== DEFAULT_QUERY.dir) params.set('dir', next.dir);
  if (next.days !== DEFAULT_QUERY.days) params.set('days', String(next.days));
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** An institution's words for the filter: display and Belvo names, folded as the chat's lookup folds them. */
export function filterKey(...names: (string | undefined)[]): string {
  return normalizeName(names.filter(Boolean).join(' '));
}

/** Every word of the query is in the key (so "erebor mx" finds `erebor_mx_retail`); the script matches the same way. */
export function matchesName(key: string, q: string): boolean {
  const words = normalizeName(q).split(' ').filter(Boolean);
  return words.every((w) => key.includes(w));
}

let collator: Intl.Collator | undefined;

/**
 * Names in a person's order ("Banco 9" before "Banco 10"). One collator, as `localeCompare` builds one per call;
 * made on first use, so a bot whose page nobody opens does not pay for it at start.
 */
export function byText(a: string, b: string): number {
  collator ??= new Intl.Collator('en', { numeric: true, sensitivity: 'base' });
  return collator.compare(a, b);
}
