// "Now": Belvo's API as its status page says, every open incident with its evidence, sources and lead time, and
// what people did about them (silences, acknowledgements).
import { describeMatcher, plural } from '../../commands/format.js';
import { isBelvoApi, isUpcoming, worstFirst } from '../../commands/open-alerts.js';
import { speakerOf } from '../../domain/alert.js';
import type { Severity } from '../../domain/severity.js';
import { silenceUntil } from '../../domain/silence.js';
import type { PageData } from '../page-data.js';
import { type AlertView, alertView, type Level } from './alert-view.js';

export interface SilenceView {
  id: string;
  matches: string;
  until: number;
  by: string;
  reason: string;
}

export interface NowView {
  /** One line for the top of the page. */
  headline: string;
  worst?: Severity;
  api: {
    level: Level | 'ok' | 'unknown';
    text: string;
    alerts: AlertView[];
  };
  incidents: AlertView[];
  silences: SilenceView[];
  acknowledged: AlertView[];
}

export function buildNowView(data: PageData): NowView {
  const { now, silences } = data;
  // One row per incident: members are evidence on their institution incident or storm.
  // A maintenance scheduled ahead is listed, but is not an open incident: the headline and the API's line say what
  // is broken now.
  const all = data.firing.filter((a) => speakerOf(a) === undefined).sort(worstFirst);
  const speakers = all.filter((a) => !isUpcoming(a));
  const upcoming = all.filter(isUpcoming);
  const views = speakers.map((a) => alertView(a, now, silences));
  const api = views.filter((_, i) => isBelvoApi(speakers[i]!));
  const apiSources = data.sources.filter((s) => s.role === 'api');
  const apiRead = apiSources.some((s) => s.state?.lastSuccessAt !== undefined);
  const worst = speakers[0]?.severity;
  return {
    headline: speakers.length ? `${plural(speakers.length, 'open incident')}, worst ${worst}` : 'All clear',
    ...(worst && { worst }),
    api: api.length
      ? { level: api[0]!.level, text: api.map((a) => a.title).join('; '), alerts: api }
      : apiSources.length === 0
        ? { level: 'unknown', text: "no source watches Belvo's API status page", alerts: [] }
        : apiRead
          ? { level: 'ok', text: "operational: no open incident on Belvo's status page", alerts: [] }
          : { level: 'unknown', text: "Belvo's status page has not been read yet", alerts: [] },
    incidents: [...views, ...upcoming.map((a) => alertView(a, now, silences))],
    silences: data.silences
      .map((s) => ({
        id: s.id,
        matches: describeMatcher(s.matcher),
        until: silenceUntil(s, now),
        by: s.createdBy,
        reason: s.reason,
      }))
      .sort((x, y) => x.until - y.until),
    acknowledged: views.filter((v) => v.acknowledgedBy !== undefined),
  };
}
