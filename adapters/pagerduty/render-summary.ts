// The one line on-call reads on a phone before deciding to get up: which alert, how bad, which institution in
// which country, what is wrong. A storm says how many institutions are still failing and names the first few.
import type { Alert, GroupMember } from '../../src/domain/alert.js';
import { impactText } from '../../src/domain/incident-text.js';
import type { InstitutionRef } from '../../src/domain/institution.js';
import { statusText } from '../../src/domain/status-text.js';
import { clip, oneLine } from '../../src/domain/text.js';
import { PAGERDUTY_LIMITS } from './limits.js';

export const STORM_KIND = 'bot.storm';
/** Names listed in a storm's summary before "+N more". */
const STORM_NAMES = 5;

/** `[A12 · major] Banco Erebor (MX): Major outage — investigating`, at most 1024 characters. */
export function renderSummary(alert: Alert): string {
  const tag = `[${alert.id} · ${alert.severity}]`;
  const storm = alert.kind === STORM_KIND && alert.members?.length ? stormLine(alert, alert.members) : undefined;
  return clip(oneLine(`${tag} ${storm ?? alertLine(alert)}`), PAGERDUTY_LIMITS.summary, 'ellipsis');
}

export function institutionLabel(institution: InstitutionRef): string {
  return institution.country ? `${institution.displayName} (${institution.country})` : institution.displayName;
}

function alertLine(alert: Alert): string {
  const state = [];
  const status = statusText(alert);
  if (status && !alert.title.toLowerCase().includes(status.toLowerCase())) state.push(status);
  if (alert.flapping) state.push('flapping');
  const impact = impactText(alert);
  if (impact) state.push(impact);
  const line = headline(alert);
  return state.length > 0 ? `${line} — ${state.join(', ')}` : line;
}

/** The title, with the institution and its country named once. */
function headline(alert: Alert): string {
  const inst = alert.institution;
  if (!inst) return alert.title;
  const who = institutionLabel(inst);
  if (!alert.title.trim()) return who;
  if (alert.title.includes(who)) return alert.title; // an institution incident's title names both already
  // A title that already names the institution gets the country beside the name instead of the name twice.
  if (alert.title.includes(inst.displayName)) return alert.title.replace(inst.displayName, () => who);
  return `${who}: ${alert.title}`;
}

/** `9 of 12 institutions still failing (MX, CO): Banco A (MX), Banco B (CO), ... +4 more`. */
function stormLine(alert: Alert, members: GroupMember[]): string {
  const failing = members.filter((m) => m.state !== 'resolved');
  if (failing.length === 0) return `${alert.title} — all ${members.length} institutions recovered`;
  const countries = [...new Set(failing.flatMap((m) => (m.institution?.country ? [m.institution.country] : [])))];
  const count =
    failing.length === members.length
      ? `${failing.length} ${plural(failing.length)} failing`
      : `${failing.length} of ${members.length} ${plural(members.length)} still failing`;
  const where = countries.length > 0 ? ` (${countries.join(', ')})` : '';
  const names = failing.slice(0, STORM_NAMES).map((m) => (m.institution ? institutionLabel(m.institution) : m.title));
  const more = failing.length - names.length;
  return `${count}${where}: ${names.join(', ')}${more > 0 ? ` +${more} more` : ''}`;
}

function plural(n: number): string {
  return n === 1 ? 'institution' : 'institutions';
}
