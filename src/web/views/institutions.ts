// "Institutions": one row per institution the team uses (its links, or an alert about it), grouped by country, with
// its state on Belvo's status page, Belvo's API health for it, the team's links by status and the error ratio of
// the team's calls there. Sorted and filtered as the URL asks (the page's script does the same in place).
import { humanStatus } from '../../commands/format.js';
import type { Alert } from '../../domain/alert.js';
import { INCIDENT_KIND } from '../../domain/fingerprint.js';
import type { InstitutionRef } from '../../domain/institution.js';
import { severityRank } from '../../domain/severity.js';
import type { PageData } from '../page-data.js';
import { byText, filterKey, matchesName, type PageQuery, type SortKey } from '../page-query.js';
import { type Level, levelOf } from './alert-view.js';

export const COUNTRY_NAMES: Record<string, string> = {
  AR: 'Argentina',
  BR: 'Brazil',
  CL: 'Chile',
  CO: 'Colombia',
  EC: 'Ecuador',
  MX: 'Mexico',
  PE: 'Peru',
  UY: 'Uruguay',
};

export type CellLevel = Level | 'ok' | 'unknown';

export interface StateCell {
  level: CellLevel;
  text: string;
  /** The alert behind it, for a link to its page. */
  alertId?: string;
}

export interface InstitutionRow {
  name: string;
  displayName: string;
  country: string;
  statusPage: StateCell;
  api: StateCell;
  links?: { valid: number; tokenRequired: number; invalid: number; other: number; total: number };
  errors?: { calls: number; failures: number; ratio?: number };
  /** Its open institution incident. */
  incident?: { id: string; level: CellLevel };
}

export interface CountryGroup {
  code: string;
  name: string;
  rows: InstitutionRow[];
}

export interface InstitutionsView {
  groups: CountryGroup[];
  /** Rows before the filter, and after. */
  total: number;
  shown: number;
  /** Every country with institutions (for the filter's choices), by name. */
  countries: { code: string; name: string; count: number }[];
  environments: string[];
  callsReported: boolean;
}

export function countryName(code: string): string {
  return code ? (COUNTRY_NAMES[code] ?? code) : 'Country unknown';
}

/** How bad a state is, for sorting (the page's script sorts by the same numbers). */
export function rankOf(level: CellLevel): number {
  if (level === 'unknown') return -2;
  if (level === 'ok' || level === 'resolved') return -1;
  if (level === 'maintenance') return 0.5;
  return severityRank(level) + 1;
}

function worst(alerts: Alert[]): Alert | undefined {
  return [...alerts].sort((x, y) => rankOf(levelOf(y)) - rankOf(levelOf(x)))[0];
}

/** The value a column sorts by (higher is worse or bigger); names sort as text. */
function sortValue(row: InstitutionRow, key: SortKey): number | string {
  switch (key) {
    case 'name':
      return row.displayName.toLowerCase();
    case 'statusPage':
      return rankOf(row.statusPage.level);
    case 'api':
      return rankOf(row.api.level);
    case 'valid':
      return row.links?.valid ?? -1;
    case 'tokenRequired':
      return row.links?.tokenRequired ?? -1;
    case 'invalid':
      return row.links?.invalid ?? -1;
    case 'errors':
      return row.errors?.ratio ?? -1;
  }
}

export function sortRows(rows: InstitutionRow[], key: SortKey, dir: 'asc' | 'desc'): InstitutionRow[] {
  const sign = dir === 'asc' ? 1 : -1;
  return [...rows].sort((x, y) => {
    const a = sortValue(x, key);
    const b = sortValue(y, key);
    const by = typeof a === 'string' ? byText(a, b as string) : a - (b as number);
    return sign * by || byText(x.displayName, y.displayName);
  });
}

export function buildInstitutionsView(data: PageData, query: PageQuery): InstitutionsView {
  const refs = new Map<string, InstitutionRef>();
  const learn = (ref: InstitutionRef) => {
    const key = ref.name.toLowerCase();
    const known = refs.get(key);
    // The API's catalogue has the best names; an alert's ref is next; a bare Belvo name last.
    if (!known || (known.displayName === known.name && ref.displayName !== ref.name)) refs.set(key, ref);
  };
  for (const a of [...data.firing, ...data.history]) {
    if (a.institution) learn(a.institution);
    for (const i of a.affects ?? []) learn(i);
  }
  for (const c of data.linkCounts) {
    if (c.institution) learn(data.catalogue.get(c.institution) ?? { name: c.institution, displayName: c.institution });
  }
  for (const [key, ref] of refs) {
    const better = data.catalogue.get(ref.name);
    if (better) refs.set(key, { ...better, country: better.country ?? ref.country });
  }

  const firingBy = new Map<string, Alert[]>();
  for (const a of data.firing) {
    for (const i of [a.institution, ...(a.affects ?? [])]) {
      if (!i) continue;
      const key = i.name.toLowerCase();
      const list = firingBy.get(key);
      if (list) list.push(a);
      else firingBy.set(key, [a]);
    }
  }
  const links = new Map<string, NonNullable<InstitutionRow['links']>>();
  for (const c of data.linkCounts) {
    if (!c.institution) continue;
    const key = c.institution.toLowerCase();
    const l = links.get(key) ?? { valid: 0, tokenRequired: 0, invalid: 0, other: 0, total: 0 };
    if (c.status === 'valid') l.valid += c.count;
    else if (c.status === 'token_required') l.tokenRequired += c.count;
    else if (c.status === 'invalid') l.invalid += c.count;
    else l.other += c.count;
    l.total += c.count;
    links.set(key, l);
  }
  const read = (role: string) =>
    data.sources.some((s) => s.role === role && s.state?.lastSuccessAt !== undefined)
      ? 'read'
      : data.sources.some((s) => s.role === role)
        ? 'unread'
        : 'none';
  const pageRead = read('institutions');
  const apiRead = read('belvo-institutions');

  const all: InstitutionRow[] = [...refs].map(([key, ref]) => {
    const open = firingBy.get(key) ?? [];
    const pageAlert = worst(open.filter((a) => a.kind.startsWith('statuspage.')));
    const down = worst(open.filter((a) => a.kind === 'belvo.institution-down'));
    const incident = open.find((a) => a.kind === INCIDENT_KIND && a.state === 'firing');
    const l = links.get(key);
    const calls = data.calls?.of(ref.name);
    return {
      name: ref.name,
      displayName: ref.displayName,
      country: ref.country ?? '',
      statusPage: pageAlert
        ? {
            level: levelOf(pageAlert),
            text:
              pageAlert.kind === 'statuspage.component'
                ? humanStatus(pageAlert.status)
                : `incident: ${humanStatus(pageAlert.status)}`,
            alertId: pageAlert.id,
          }
        : pageRead === 'read'
          ? { level: 'ok', text: 'ok' }
          : { level: 'unknown', text: pageRead === 'none' ? 'not watched' : 'not read yet' },
      api: down
        ? {
            level: levelOf(down),
            text: `${humanStatus(down.status)}${down.environment ? ` (${down.environment})` : ''}`,
            alertId: down.id,
          }
        : apiRead === 'read'
          ? { level: 'ok', text: 'up' }
          : { level: 'unknown', text: apiRead === 'none' ? 'not watched' : 'not read yet' },
      ...(l && { links: l }),
      ...(calls && {
        errors: { ...calls, ...(calls.calls > 0 && { ratio: calls.failures / calls.calls }) },
      }),
      ...(incident && { incident: { id: incident.id, level: levelOf(incident) } }),
    };
  });

  const countries = new Map<string, number>();
  for (const r of all) countries.set(r.country, (countries.get(r.country) ?? 0) + 1);
  const shown = all.filter(
    (r) =>
      (!query.country || r.country === query.country) &&
      (!query.q || matchesName(filterKey(r.displayName, r.name), query.q)),
  );
  const groups = new Map<string, InstitutionRow[]>();
  for (const r of sortRows(shown, query.sort, query.dir)) {
    const list = groups.get(r.country);
    if (list) list.push(r);
    else groups.set(r.country, [r]);
  }
  const byName = (a: { code: string }, b: { code: string }) =>
    // Institutions of no known country come last.
    (a.code === '' ? 1 : 0) - (b.code === '' ? 1 : 0) || byText(countryName(a.code), countryName(b.code));
  return {
    groups: [...groups].map(([code, rows]) => ({ code, name: countryName(code), rows })).sort(byName),
    total: all.length,
    shown: shown.length,
    countries: [...countries]
      .map(([code, count]) => ({ code, name: countryName(code), count }))
      .filter((c) => c.code !== '')
      .sort(byName),
    environments: data.environments,
    callsReported: data.calls !== undefined,
  };
}
