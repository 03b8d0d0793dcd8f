// "History": a timeline per institution over the window (each incident a bar, coloured by how bad it got), Belvo's
// API first, and the list of incidents with how long they lasted, how far ahead of Belvo's status page the bot was,
// and who acknowledged them.
import { historyIncidents, incidentEndedAt, incidentStartedAt } from '../../commands/incident-history.js';
import { isBelvoApi } from '../../commands/open-alerts.js';
import type { Alert } from '../../domain/alert.js';
import { STORM_KIND } from '../../domain/fingerprint.js';
import { institutionText } from '../../domain/incident-text.js';
import type { InstitutionRef } from '../../domain/institution.js';
import type { Severity } from '../../domain/severity.js';
import { DAY_MS, type PageData } from '../page-data.js';
import { byText, filterKey, matchesName, type PageQuery } from '../page-query.js';
import { type AlertView, alertView } from './alert-view.js';

/** Width of the timeline in its own units (an SVG viewBox): bars are placed in thousandths of the window. */
export const TIMELINE_WIDTH = 1000;
/** A bar is at least this wide, so a five-minute blip in a 30-day window can still be seen and clicked. */
const MIN_BAR = 3;
/** Incidents listed below the timeline; the rest are counted (the timeline still shows them all). */
export const HISTORY_ROWS = 200;

export interface TimelineBar {
  id: string;
  title: string;
  severity: Severity;
  startedAt: number;
  endedAt?: number;
  x: number;
  width: number;
}

export interface TimelineRow {
  label: string;
  /** Belvo name (none for Belvo's API row). */
  name?: string;
  country: string;
  bars: TimelineBar[];
}

export interface HistoryIncident extends AlertView {
  key: string;
  country: string;
}

export interface HistoryView {
  since: number;
  until: number;
  days: number;
  rows: TimelineRow[];
  incidents: HistoryIncident[];
  /** Incidents in the window, before the filter and the cut, and after the filter. */
  total: number;
  matching: number;
}

function bar(id: string, title: string, severity: Severity, start: number, end: number | undefined, data: PageData) {
  const since = data.now - data.days * DAY_MS;
  const span = data.now - since;
  const from = Math.max(start, since);
  const to = Math.min(end ?? data.now, data.now);
  const x = Math.round(((from - since) / span) * TIMELINE_WIDTH * 10) / 10;
  const width = Math.max(MIN_BAR, Math.round(((to - from) / span) * TIMELINE_WIDTH * 10) / 10);
  return {
    id,
    title,
    severity,
    startedAt: start,
    ...(end !== undefined && { endedAt: end }),
    x: Math.min(x, TIMELINE_WIDTH - MIN_BAR),
    width,
  };
}

export function buildHistoryView(data: PageData, query: PageQuery): HistoryView {
  const rows = new Map<string, TimelineRow>();
  const api: TimelineRow = { label: "Belvo's API", country: '', bars: [] };
  const rowOf = (i: InstitutionRef) => {
    const k = i.name.toLowerCase();
    let row = rows.get(k);
    if (!row) {
      const known = data.catalogue.get(i.name) ?? i;
      row = {
        label: institutionText(known),
        name: i.name,
        country: known.country ?? i.country ?? '',
        bars: [],
      };
      rows.set(k, row);
    }
    return row;
  };
  const barred = new Set<string>();
  const add = (row: TimelineRow, b: TimelineBar) => {
    if (barred.has(`${row.name ?? ''}/${b.id}`)) return;
    barred.add(`${row.name ?? ''}/${b.id}`);
    row.bars.push(b);
  };
  const incidents = historyIncidents(data.history);
  for (const a of incidents) {
    const b = bar(a.id, a.title, a.peakSeverity, incidentStartedAt(a), incidentEndedAt(a), data);
    if (isBelvoApi(a)) add(api, b);
    if (a.institution) add(rowOf(a.institution), b);
    for (const i of a.affects ?? []) add(rowOf(i), b);
    // A storm speaks for its institutions' incidents, which may never have been announced on their own.
    if (a.kind === STORM_KIND) {
      for (const m of a.members ?? []) {
        if (!m.institution) continue;
        add(
          rowOf(m.institution),
          bar(
            m.id,
            m.title,
            m.severity,
            m.since,
            m.resolvedAt ?? (a.state === 'resolved' ? incidentEndedAt(a) : undefined),
            data,
          ),
        );
      }
    }
  }
  const filtering = query.country !== '' || query.q !== '';
  const matches = (r: { country: string }, key: () => string) =>
    (!query.country || r.country === query.country) && (!query.q || matchesName(key(), query.q));
  const timeline = [...rows.values()]
    .filter((r) => !filtering || matches(r, () => filterKey(r.label, r.name)))
    .sort((x, y) => y.bars.length - x.bars.length || byText(x.label, y.label));
  for (const r of timeline) r.bars.sort((x, y) => x.startedAt - y.startedAt);
  api.bars.sort((x, y) => x.startedAt - y.startedAt);

  const keyOf = (a: Alert) => (a.institution ? filterKey(a.institution.displayName, a.institution.name) : '');
  const matching = filtering
    ? incidents.filter(
        (a) => a.institution !== undefined && matches({ country: a.institution.country ?? '' }, () => keyOf(a)),
      )
    : incidents;
  // The API's row matches a filter by name ("belvo"), never one by country.
  const withApi = !filtering || matches(api, () => filterKey('belvo api'));
  // Only the listed ones are worked out in full: a month of a thousand institutions is thousands of incidents.
  const listed = matching.slice(0, HISTORY_ROWS).map(
    (a): HistoryIncident => ({
      ...alertView(a, data.now, data.silences),
      key: keyOf(a),
      country: a.institution?.country ?? '',
    }),
  );
  return {
    since: data.now - data.days * DAY_MS,
    until: data.now,
    days: data.days,
    rows: withApi ? [api, ...timeline] : timeline,
    incidents: listed,
    total: incidents.length,
    matching: matching.length,
  };
}
