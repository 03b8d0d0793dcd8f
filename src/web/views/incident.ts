// One incident's own page (its permalink, linked from chat): everything the alert knows, its sources' evidence,
// the updates in order, and where it was posted.
import type { Alert } from '../../domain/alert.js';
import type { Silence } from '../../domain/silence.js';
import { type AlertView, alertView, type Fact, factsOf } from './alert-view.js';

export interface IncidentUpdate {
  at: number;
  status: string;
  text: string;
  /** `source`: what the status page or Belvo said; `engine`: the bot's own note (fired, flapping...). */
  origin: 'source' | 'engine';
}

export interface IncidentPage {
  alert: AlertView;
  fingerprint: string;
  source: string;
  /** Each member's own evidence (an incident's sources, a storm's institutions), by member id. */
  members: { id: string; title: string; open: boolean; facts: Fact[] }[];
  partOf?: { id: string; title: string };
  updates: IncidentUpdate[];
  /** Destinations it was posted to (chat channels, pagers), never message ids or tokens. */
  postedTo: string[];
  paging?: string;
}

export interface IncidentInput {
  alert: Alert;
  members: Alert[];
  speaker?: Alert;
  destinations: string[];
  silences: Silence[];
  now: number;
}

export function buildIncidentPage(input: IncidentInput): IncidentPage {
  const a = input.alert;
  const p = a.paging;
  return {
    alert: alertView(a, input.now, input.silences),
    fingerprint: a.fingerprint,
    source: a.source,
    members: input.members.map((m) => ({ id: m.id, title: m.title, open: m.state !== 'resolved', facts: factsOf(m) })),
    ...(input.speaker && { partOf: { id: input.speaker.id, title: input.speaker.title } }),
    updates: [...a.timeline]
      .sort((x, y) => y.at - x.at)
      .map((e) => ({ at: e.at, status: e.status.replace(/_/g, ' '), text: e.text, origin: e.origin })),
    postedTo: [...new Set(input.destinations)].sort(),
    ...(p && {
      paging: `rule ${p.rule}: ${p.pager ? `pager ${p.pager}` : p.pagedAt !== undefined ? 'paged' : 'not paged'}${p.destinations.length ? ` (${p.destinations.join(', ')})` : ''}`,
    }),
  };
}
