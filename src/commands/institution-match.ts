// Finding "the institution the user means" among the institutions alerts have named. People type part of a
// display name, without accents, in any case ("bogota" for "Banco de Bogotá"), or the API name (erebor_mx_retail).
import type { Alert } from '../domain/alert.js';
import type { InstitutionRef } from '../domain/institution.js';
import type { Store } from '../ports/store.js';

/** How far back a lookup reaches besides what is open: recent enough to matter, small enough to answer in 3 s. */
export const RECENT_ALERTS = 1000;

export interface InstitutionMatch {
  institution: InstitutionRef;
  /** Its alerts, open (firing) first, then newest first. */
  alerts: Alert[];
}

/** Lower case, accents and punctuation gone, words separated by one space (`erebor_mx_retail` -> `erebor mx retail`). */
export function normalizeName(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** Open alerts and the most recent ones: where an institution a user asks about can be found. */
export async function loadInstitutionAlerts(store: Store): Promise<Alert[]> {
  const [open, recent] = await Promise.all([
    store.listAlerts({ states: ['firing'] }),
    store.listAlerts({ limit: RECENT_ALERTS }),
  ]);
  const byId = new Map<string, Alert>();
  for (const a of [...open, ...recent]) if (!byId.has(a.id)) byId.set(a.id, a);
  return [...byId.values()];
}

/**
 * Institutions whose name or display name contains every word of the query. An exact match (the whole name or
 * display name) wins alone, so "Banco X" is not ambiguous just because "Banco X Empresas" exists too.
 */
export function matchInstitutions(query: string, alerts: Alert[]): InstitutionMatch[] {
  const words = normalizeName(query).split(' ').filter(Boolean);
  if (words.length === 0) return [];
  const wanted = words.join(' ');
  const groups = new Map<string, InstitutionMatch & { exact: boolean }>();
  for (const alert of alerts) {
    const inst = alert.institution;
    if (!inst) continue;
    const names = [normalizeName(inst.name), normalizeName(inst.displayName)];
    const exact = names.includes(wanted);
    if (!exact && !names.some((n) => words.every((w) => n.includes(w)))) continue;
    const key = inst.name.toLowerCase();
    const group = groups.get(key) ?? { institution: inst, alerts: [], exact };
    group.alerts.push(alert);
    groups.set(key, group);
  }
  let found = [...groups.values()];
  if (found.some((g) => g.exact)) found = found.filter((g) => g.exact);
  const firing = (g: InstitutionMatch) => g.alerts.some((a) => a.state === 'firing');
  const latest = (g: InstitutionMatch) => Math.max(...g.alerts.map((a) => a.lastSeenAt));
  for (const g of found) g.alerts.sort(byOpenThenNewest);
  found.sort((x, y) => Number(firing(y)) - Number(firing(x)) || latest(y) - latest(x));
  return found.map(({ institution, alerts }) => ({ institution, alerts }));
}

function byOpenThenNewest(x: Alert, y: Alert): number {
  const open = (a: Alert) => (a.state === 'firing' ? 1 : 0);
  return open(y) - open(x) || y.lastSeenAt - x.lastSeenAt;
}

/** `Banco Erebor MX - Retail (MX)` */
export function institutionLabel(inst: InstitutionRef): string {
  return `${inst.displayName}${inst.country ? ` (${inst.country})` : ''}`;
}

export type InstitutionResolution =
  | { found: 'one'; institution: InstitutionRef; alerts: Alert[] }
  | { found: 'many'; matches: InstitutionMatch[] }
  | { found: 'none' };

/**
 * Turns what a user typed into the institution's `name` for a filter or a silence, which match names exactly: a
 * silence on "erebor" would otherwise match nothing and mute nothing, silently.
 */
export function resolveInstitution(query: string, alerts: Alert[]): InstitutionResolution {
  const matches = matchInstitutions(query, alerts);
  if (matches.length === 0) return { found: 'none' };
  if (matches.length > 1) return { found: 'many', matches };
  const [only] = matches as [InstitutionMatch];
  return { found: 'one', institution: only.institution, alerts: only.alerts };
}
