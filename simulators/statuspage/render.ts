// Pure renderers from the page model to Statuspage's wire formats (JSON API v2, history.rss, history.atom), field
// for field as the reference describes, including the extras real pages send, so readers meet realistic payloads.
import {
  isIncidentOpen,
  type SimComponent,
  type SimIncident,
  type SimIncidentUpdate,
  type SimulatedPage,
} from './model.js';
import { feedStamp, isoLocal, isoLocalSeconds, type PageZone, rfc822 } from './time.js';

export interface RenderOptions {
  /** Base URL for links when the page has none of its own (the server passes its address). */
  url?: string;
  /** `<var data-var=...>` tags in feed stamps, as current pages print; false renders the older plain form. */
  feedVarTags?: boolean;
  /** Items in history.rss/history.atom (newest first). */
  feedLimit?: number;
}

/** Statuspage's own limit for incidents.json and scheduled-maintenances.json. */
export const INCIDENTS_LIMIT = 50;
export const DEFAULT_FEED_LIMIT = 25;
const FALLBACK_URL = 'http://127.0.0.1';

// ---- wire shapes ---------------------------------------------------------------------------------------------------

export interface WirePage {
  id: string;
  name: string;
  url: string;
  time_zone: string;
  updated_at: string;
}
export interface WireStatus {
  indicator: 'none' | 'minor' | 'major' | 'critical' | 'maintenance';
  description: string;
}
export interface WireComponent {
  id: string;
  name: string;
  status: string;
  created_at: string;
  updated_at: string;
  position: number;
  description: string | null;
  showcase: boolean;
  start_date: string | null;
  group_id: string | null;
  page_id: string;
  group: boolean;
  only_show_if_degraded: boolean;
  components?: string[];
}
export interface WireIncidentUpdate {
  id: string;
  status: string;
  body: string;
  incident_id: string;
  created_at: string;
  updated_at: string;
  display_at: string;
  affected_components: { code: string; name: string; old_status: string; new_status: string }[] | null;
  deliver_notifications: boolean;
  custom_tweet: string | null;
  tweet_id: string | null;
}
export interface WireIncident {
  id: string;
  name: string;
  status: string;
  created_at: string;
  updated_at: string;
  monitoring_at: string | null;
  resolved_at: string | null;
  impact: string;
  shortlink: string;
  started_at: string;
  page_id: string;
  incident_updates: WireIncidentUpdate[];
  components: WireComponent[];
  reminder_intervals: string | null;
}
export interface WireMaintenance extends WireIncident {
  scheduled_for: string;
  scheduled_until: string;
  scheduled_remind_prior: boolean;
  scheduled_reminded_at: string | null;
  impact_override: string;
  scheduled_auto_in_progress: boolean;
  scheduled_auto_completed: boolean;
}

// ---- JSON documents ------------------------------------------------------------------------------------------------

export function pageUrl(page: SimulatedPage, options: RenderOptions = {}): string {
  return (page.url ?? options.url ?? FALLBACK_URL).replace(/\/+$/, '');
}

export function incidentUrl(page: SimulatedPage, id: string, options: RenderOptions = {}): string {
  return `${pageUrl(page, options)}/incidents/${id}`;
}

export function renderPage(page: SimulatedPage, options: RenderOptions = {}): WirePage {
  return {
    id: page.id,
    name: page.name,
    url: pageUrl(page, options),
    time_zone: page.zone.name,
    updated_at: isoLocal(page.updatedAt, page.zone),
  };
}

export function renderComponent(page: SimulatedPage, c: Readonly<SimComponent>): WireComponent {
  const wire: WireComponent = {
    id: c.id,
    name: c.name,
    status: c.status,
    created_at: isoLocal(c.createdAt, page.zone),
    updated_at: isoLocal(c.updatedAt, page.zone),
    position: c.position,
    description: c.description,
    showcase: c.showcase,
    start_date: c.startDate,
    group_id: c.groupId,
    page_id: page.id,
    group: c.group,
    only_show_if_degraded: c.onlyShowIfDegraded,
  };
  if (c.group) wire.components = [...c.memberIds];
  return wire;
}

function renderUpdate(zone: PageZone, u: Readonly<SimIncidentUpdate>): WireIncidentUpdate {
  return {
    id: u.id,
    status: u.status,
    body: u.body,
    incident_id: u.incidentId,
    created_at: isoLocal(u.createdAt, zone),
    updated_at: isoLocal(u.updatedAt, zone),
    display_at: isoLocal(u.displayAt, zone),
    affected_components:
      u.affectedComponents?.map((a) => ({
        code: a.code,
        name: a.name,
        old_status: a.oldStatus,
        new_status: a.newStatus,
      })) ?? null,
    deliver_notifications: u.deliverNotifications,
    custom_tweet: null,
    tweet_id: null,
  };
}

export function renderIncident(page: SimulatedPage, i: Readonly<SimIncident>): WireIncident {
  const z = page.zone;
  const components: WireComponent[] = [];
  for (const id of i.componentIds) {
    const c = page.component(id);
    if (c) components.push(renderComponent(page, c));
  }
  return {
    id: i.id,
    name: i.name,
    status: i.status,
    created_at: isoLocal(i.createdAt, z),
    updated_at: isoLocal(i.updatedAt, z),
    monitoring_at: i.monitoringAt === null ? null : isoLocal(i.monitoringAt, z),
    resolved_at: i.resolvedAt === null ? null : isoLocal(i.resolvedAt, z),
    impact: i.impact,
    shortlink: i.shortlink,
    started_at: isoLocal(i.startedAt, z),
    page_id: page.id,
    incident_updates: i.updates.map((u) => renderUpdate(z, u)),
    components,
    reminder_intervals: null,
  };
}

export function renderMaintenance(page: SimulatedPage, m: Readonly<SimIncident>): WireMaintenance {
  return {
    ...renderIncident(page, m),
    scheduled_for: isoLocal(m.scheduledFor ?? m.createdAt, page.zone),
    scheduled_until: isoLocal(m.scheduledUntil ?? m.createdAt, page.zone),
    scheduled_remind_prior: false,
    scheduled_reminded_at: null,
    impact_override: 'none',
    scheduled_auto_in_progress: false,
    scheduled_auto_completed: false,
  };
}

const COMPONENT_SCORE: Record<string, number> = {
  operational: 0,
  under_maintenance: 0,
  degraded_performance: 1,
  partial_outage: 2,
  major_outage: 3,
};
const IMPACT_SCORE: Record<string, number> = { none: 0, maintenance: 0, minor: 1, major: 2, critical: 3 };
const INDICATORS = ['none', 'minor', 'major', 'critical'] as const;
const DESCRIPTIONS: Record<WireStatus['indicator'], string> = {
  none: 'All Systems Operational',
  minor: 'Minor Service Outage',
  major: 'Partial System Outage',
  critical: 'Major System Outage',
  maintenance: 'Service Under Maintenance',
};

/**
 * The worst of open incidents' impact and components' status. The live API also answers `maintenance` while a
 * maintenance runs and nothing is worse, although its docs list only the other four.
 */
export function renderStatus(page: SimulatedPage): WireStatus {
  let score = 0;
  let maintenance = false;
  for (const c of page.components()) {
    if (c.group) continue;
    score = Math.max(score, COMPONENT_SCORE[c.status] ?? 1);
    if (c.status === 'under_maintenance') maintenance = true;
  }
  for (const i of page.incidents()) if (isIncidentOpen(i)) score = Math.max(score, IMPACT_SCORE[i.impact] ?? 1);
  for (const m of page.maintenances()) if (m.status === 'in_progress' || m.status === 'verifying') maintenance = true;
  const indicator = score === 0 && maintenance ? 'maintenance' : (INDICATORS[score] ?? 'critical');
  return { indicator, description: DESCRIPTIONS[indicator] };
}

export function renderComponentsJson(page: SimulatedPage, options: RenderOptions = {}) {
  return { page: renderPage(page, options), components: page.components().map((c) => renderComponent(page, c)) };
}

export function renderStatusJson(page: SimulatedPage, options: RenderOptions = {}) {
  return { page: renderPage(page, options), status: renderStatus(page) };
}

/** Latest 50 incidents, any status. */
export function renderIncidentsJson(page: SimulatedPage, options: RenderOptions = {}) {
  const incidents = page.incidents().slice(0, INCIDENTS_LIMIT);
  return { page: renderPage(page, options), incidents: incidents.map((i) => renderIncident(page, i)) };
}

export function renderUnresolvedJson(page: SimulatedPage, options: RenderOptions = {}) {
  const open = page.incidents().filter(isIncidentOpen);
  return { page: renderPage(page, options), incidents: open.map((i) => renderIncident(page, i)) };
}

export type MaintenanceSelection = 'all' | 'upcoming' | 'active';

function selectMaintenances(page: SimulatedPage, which: MaintenanceSelection): Readonly<SimIncident>[] {
  const all = page.maintenances();
  if (which === 'all') return all.slice(0, INCIDENTS_LIMIT);
  const wanted = which === 'upcoming' ? ['scheduled'] : ['in_progress', 'verifying'];
  // Soonest first, as a page lists what is coming.
  return all.filter((m) => wanted.includes(m.status)).sort((a, b) => (a.scheduledFor ?? 0) - (b.scheduledFor ?? 0));
}

export function renderMaintenancesJson(
  page: SimulatedPage,
  which: MaintenanceSelection = 'all',
  options: RenderOptions = {},
) {
  const list = selectMaintenances(page, which);
  return { page: renderPage(page, options), scheduled_maintenances: list.map((m) => renderMaintenance(page, m)) };
}

/** summary.json: unresolved incidents and upcoming + active maintenances, in the key order Statuspage uses. */
export function renderSummaryJson(page: SimulatedPage, options: RenderOptions = {}) {
  const maintenances = [...selectMaintenances(page, 'active'), ...selectMaintenances(page, 'upcoming')];
  return {
    page: renderPage(page, options),
    components: page.components().map((c) => renderComponent(page, c)),
    incidents: page
      .incidents()
      .filter(isIncidentOpen)
      .map((i) => renderIncident(page, i)),
    scheduled_maintenances: maintenances.map((m) => renderMaintenance(page, m)),
    status: renderStatus(page),
  };
}

// ---- RSS and Atom --------------------------------------------------------------------------------------------------

const STATUS_LABELS: Record<string, string> = {
  investigating: 'Investigating',
  identified: 'Identified',
  monitoring: 'Monitoring',
  resolved: 'Resolved',
  postmortem: 'Postmortem',
  scheduled: 'Scheduled',
  in_progress: 'In progress',
  verifying: 'Verifying',
  completed: 'Completed',
};

/** The word a feed prints for an update: its status, or "Update" when the status did not change. */
export function feedLabel(status: string, previousStatus: string | undefined): string {
  if (previousStatus === status) return 'Update';
  const known = STATUS_LABELS[status];
  if (known) return known;
  const words = status.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** XML text and attribute values: what real feeds escape (apostrophes in `data-var='date'` stay as they are). */
export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Update bodies inside the feed HTML, escaped as Rails' html_escape does. */
function escapeHtml(text: string): string {
  return escapeXml(text).replace(/'/g, '&#39;');
}

/** The item's HTML: one block per update, newest first. */
export function renderFeedHtml(page: SimulatedPage, incident: Readonly<SimIncident>, varTags = true): string {
  const blocks: string[] = [];
  incident.updates.forEach((u, index) => {
    const previous = incident.updates[index + 1]?.status;
    const body = escapeHtml(u.body).replace(/\r?\n/g, '<br />');
    const stamp = feedStamp(u.displayAt, page.zone, varTags);
    blocks.push(`<p><small>${stamp}</small><br><strong>${feedLabel(u.status, previous)}</strong> - ${body}</p>`);
  });
  return blocks.join('');
}

function feedItems(page: SimulatedPage, options: RenderOptions): Readonly<SimIncident>[] {
  const all = [...page.incidents(), ...page.maintenances()].sort((a, b) => b.createdAt - a.createdAt);
  return all.slice(0, options.feedLimit ?? DEFAULT_FEED_LIMIT);
}

export function renderHistoryRss(page: SimulatedPage, options: RenderOptions = {}): string {
  const base = pageUrl(page, options);
  const varTags = options.feedVarTags ?? true;
  const items = feedItems(page, options).map((i) => {
    const link = escapeXml(incidentUrl(page, i.id, options));
    return [
      '    <item>',
      `      <title>${escapeXml(i.name)}</title>`,
      `      <description>${escapeXml(renderFeedHtml(page, i, varTags))}</description>`,
      `      <pubDate>${rfc822(i.createdAt, page.zone)}</pubDate>`,
      `      <link>${link}</link>`,
      `      <guid>${link}</guid>`,
      '    </item>',
    ].join('\n');
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/">',
    '  <channel>',
    `    <title>${escapeXml(page.name)} Status - Incident History</title>`,
    `    <link>${escapeXml(base)}</link>`,
    '    <description>Statuspage</description>',
    `    <pubDate>${rfc822(page.updatedAt, page.zone)}</pubDate>`,
    ...items,
    '  </channel>',
    '</rss>',
    '',
  ].join('\n');
}

export function renderHistoryAtom(page: SimulatedPage, options: RenderOptions = {}): string {
  const base = pageUrl(page, options);
  const host = new URL(base).hostname;
  const varTags = options.feedVarTags ?? true;
  const z = page.zone;
  const entries = feedItems(page, options).map((i) =>
    [
      '  <entry>',
      `    <id>tag:${host},2005:Incident/${i.atomNumber}</id>`,
      `    <published>${isoLocalSeconds(i.createdAt, z)}</published>`,
      `    <updated>${isoLocalSeconds(i.updatedAt, z)}</updated>`,
      `    <link rel="alternate" type="text/html" href="${escapeXml(incidentUrl(page, i.id, options))}"/>`,
      `    <title>${escapeXml(i.name)}</title>`,
      `    <content type="html">${escapeXml(renderFeedHtml(page, i, varTags))}</content>`,
      '  </entry>',
    ].join('\n'),
  );
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<feed xml:lang="en-US" xmlns="http://www.w3.org/2005/Atom">',
    `  <id>tag:${host},2005:/history</id>`,
    `  <link rel="alternate" type="text/html" href="${escapeXml(base)}"/>`,
    `  <link rel="self" type="application/atom+xml" href="${escapeXml(`${base}/history.atom`)}"/>`,
    `  <title>${escapeXml(page.name)} Status - Incident History</title>`,
    `  <updated>${isoLocalSeconds(page.updatedAt, z)}</updated>`,
    `  <author>\n    <name>${escapeXml(page.name)}</name>\n  </author>`,
    ...entries,
    '</feed>',
    '',
  ].join('\n');
}

// ---- routing -------------------------------------------------------------------------------------------------------

export interface RenderedDocument {
  body: string;
  contentType: string;
}

const JSON_TYPE = 'application/json; charset=utf-8';

/** Every path the simulator serves, to its document; `undefined` for anything else. */
export function renderDocument(
  page: SimulatedPage,
  path: string,
  options: RenderOptions = {},
): RenderedDocument | undefined {
  const json = (value: unknown): RenderedDocument => ({ body: JSON.stringify(value), contentType: JSON_TYPE });
  switch (path) {
    case '/api/v2/summary.json':
      return json(renderSummaryJson(page, options));
    case '/api/v2/status.json':
      return json(renderStatusJson(page, options));
    case '/api/v2/components.json':
      return json(renderComponentsJson(page, options));
    case '/api/v2/incidents.json':
      return json(renderIncidentsJson(page, options));
    case '/api/v2/incidents/unresolved.json':
      return json(renderUnresolvedJson(page, options));
    case '/api/v2/scheduled-maintenances.json':
      return json(renderMaintenancesJson(page, 'all', options));
    case '/api/v2/scheduled-maintenances/upcoming.json':
      return json(renderMaintenancesJson(page, 'upcoming', options));
    case '/api/v2/scheduled-maintenances/active.json':
      return json(renderMaintenancesJson(page, 'active', options));
    case '/history.rss':
      return { body: renderHistoryRss(page, options), contentType: 'application/rss+xml; charset=utf-8' };
    case '/history.atom':
      return { body: renderHistoryAtom(page, options), contentType: 'application/atom+xml; charset=utf-8' };
    default:
      return undefined;
  }
}

export const SERVED_PATHS = [
  '/api/v2/summary.json',
  '/api/v2/status.json',
  '/api/v2/components.json',
  '/api/v2/incidents.json',
  '/api/v2/incidents/unresolved.json',
  '/api/v2/scheduled-maintenances.json',
  '/api/v2/scheduled-maintenances/upcoming.json',
  '/api/v2/scheduled-maintenances/active.json',
  '/history.rss',
  '/history.atom',
] as const;
