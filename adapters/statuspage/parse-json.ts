// Statuspage public JSON API documents -> the neutral StatusPageSnapshot.
// Wire facts: Statuspage's API documentation and https://doers.statuspage.io/api/v2/
// Parsing is tolerant (loose objects, nullable optionals, unknown status words kept); only a document that cannot be
// understood (not JSON, no `components`/`incidents` array, an item without an id) is rejected.

import { z } from 'zod';
import { cleanText } from '../../src/domain/clean-text.js';
import type {
  StatusPageComponent,
  StatusPageIncident,
  StatusPageMaintenance,
  StatusPageSnapshot,
  StatusPageUpdate,
} from '../../src/domain/status-page.js';
import { parseTimestamp } from '../../src/domain/timestamp.js';

/** A document the adapter cannot understand; `reason` is short and never echoes the body. */
export class StatusPageFormatError extends Error {
  readonly code = 'malformed' as const;
  constructor(reason: string) {
    super(reason);
    this.name = 'StatusPageFormatError';
  }
}

/** Statuses only scheduled maintenances use; an item carrying one is a maintenance whatever list it came in. */
export const MAINTENANCE_STATUSES: ReadonlySet<string> = new Set([
  'scheduled',
  'in_progress',
  'verifying',
  'completed',
]);

type Page = StatusPageSnapshot['page'];

export interface SummaryDoc {
  page: Page;
  components: StatusPageComponent[];
  incidents: StatusPageIncident[];
  /** Undefined when the summary had no `scheduled_maintenances` key. */
  maintenances: StatusPageMaintenance[] | undefined;
}

export interface IncidentsDoc {
  page: Page;
  incidents: StatusPageIncident[];
  /** Maintenance-shaped items found in `incidents[]`, kept apart so they never read as incidents. */
  maintenances: StatusPageMaintenance[];
}

export interface MaintenancesDoc {
  page: Page;
  maintenances: StatusPageMaintenance[];
}

// --- wire schemas: loose objects, every field but identity optional and nullable ---

const id = z.union([z.string().min(1), z.number()]).transform((v) => String(v));
// Names and update bodies are shown in chat: cleaned of invisible and direction-changing characters on the way in.
const text = z
  .string()
  .nullish()
  .transform((v) => (typeof v === 'string' ? cleanText(v) : v));

const pageSchema = z.looseObject({ id: text, name: text, url: text }).nullish();

const componentSchema = z.looseObject({
  id,
  name: text,
  status: text,
  group: z.boolean().nullish(),
  group_id: text,
  /** On a group header: the ids of its members. */
  components: z.array(z.unknown()).nullish(),
  updated_at: text,
});

const affectedSchema = z.looseObject({ code: id.nullish(), name: text, old_status: text, new_status: text });

const updateSchema = z.looseObject({
  id: id.nullish(),
  status: text,
  body: text,
  created_at: text,
  updated_at: text,
  display_at: text,
  affected_components: z.array(affectedSchema).nullish(),
});

const incidentSchema = z.looseObject({
  id,
  name: text,
  status: z.string(),
  impact: text,
  shortlink: text,
  created_at: text,
  updated_at: text,
  started_at: text,
  resolved_at: text,
  scheduled_for: text,
  scheduled_until: text,
  components: z.array(z.looseObject({ id, name: text })).nullish(),
  incident_updates: z.array(updateSchema).nullish(),
});

const summarySchema = z.looseObject({
  page: pageSchema,
  components: z.array(componentSchema),
  incidents: z.array(incidentSchema),
  scheduled_maintenances: z.array(incidentSchema).nullish(),
});

const incidentsSchema = z.looseObject({ page: pageSchema, incidents: z.array(incidentSchema) });
const maintenancesSchema = z.looseObject({ page: pageSchema, scheduled_maintenances: z.array(incidentSchema) });

type WireIncident = z.infer<typeof incidentSchema>;
type WireComponent = z.infer<typeof componentSchema>;

// --- decoding ---

function decode<T>(body: string, schema: z.ZodType<T>, what: string): T {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new StatusPageFormatError(`${what} is not JSON`);
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = issue && issue.path.length > 0 ? issue.path.join('.') : '(root)';
    throw new StatusPageFormatError(`${what}: ${path}: ${issue?.message ?? 'invalid'}`);
  }
  return result.data;
}

function time(value: string | null | undefined): number | undefined {
  return value ? parseTimestamp(value) : undefined;
}

function mapPage(page: z.infer<typeof pageSchema>): Page {
  const out: Page = {};
  if (page?.id) out.id = page.id;
  if (page?.name) out.name = page.name;
  if (page?.url) out.url = page.url;
  return out;
}

function mapComponents(wire: WireComponent[]): StatusPageComponent[] {
  // Group headers are not components; they only name the group (a country on the institutions page).
  const groupNames = new Map<string, string>();
  const groupOfMember = new Map<string, string>();
  for (const c of wire) {
    if (c.group !== true) continue;
    const name = c.name ?? c.id;
    groupNames.set(c.id, name);
    for (const member of c.components ?? []) if (typeof member === 'string') groupOfMember.set(member, name);
  }
  const out: StatusPageComponent[] = [];
  wire.forEach((c, index) => {
    if (c.group === true) return;
    if (!c.status) throw new StatusPageFormatError(`summary: components.${index}.status: missing`);
    const component: StatusPageComponent = { id: c.id, name: c.name ?? c.id, status: c.status.toLowerCase() };
    const groupName = (c.group_id ? groupNames.get(c.group_id) : undefined) ?? groupOfMember.get(c.id);
    if (groupName !== undefined) component.groupName = groupName;
    const updatedAt = time(c.updated_at);
    if (updatedAt !== undefined) component.updatedAt = updatedAt;
    out.push(component);
  });
  return out;
}

function incidentUrl(wire: WireIncident, page: Page): string | undefined {
  if (wire.shortlink) return wire.shortlink;
  if (page.url) return `${page.url.replace(/\/+$/, '')}/incidents/${encodeURIComponent(wire.id)}`;
  return undefined;
}

function mapUpdates(wire: WireIncident, fallbackAt: number): StatusPageUpdate[] {
  return (wire.incident_updates ?? []).map((u) => {
    const status = (u.status ?? 'update').toLowerCase();
    const at = time(u.display_at) ?? time(u.created_at) ?? time(u.updated_at) ?? fallbackAt;
    const update: StatusPageUpdate = { id: u.id ?? `${wire.id}:${status}:${at}`, status, body: u.body ?? '', at };
    if (u.affected_components) {
      update.affectedComponents = u.affected_components.map((a) => {
        const item: NonNullable<StatusPageUpdate['affectedComponents']>[number] = {
          code: a.code ?? '',
          name: a.name ?? a.code ?? '',
        };
        if (a.old_status) item.oldStatus = a.old_status.toLowerCase();
        if (a.new_status) item.newStatus = a.new_status.toLowerCase();
        return item;
      });
    }
    return update;
  });
}

function mapIncident(wire: WireIncident, page: Page, defaultImpact: string): StatusPageIncident {
  const createdAt = time(wire.created_at);
  const incident: StatusPageIncident = {
    id: wire.id,
    name: wire.name ?? '',
    status: wire.status.toLowerCase(),
    impact: (wire.impact ?? defaultImpact).toLowerCase(),
    components: (wire.components ?? []).map((c) => ({ id: c.id, name: c.name ?? c.id })),
    updates: mapUpdates(wire, createdAt ?? time(wire.updated_at) ?? 0),
  };
  const url = incidentUrl(wire, page);
  if (url !== undefined) incident.url = url;
  if (createdAt !== undefined) incident.createdAt = createdAt;
  const startedAt = time(wire.started_at) ?? createdAt;
  if (startedAt !== undefined) incident.startedAt = startedAt;
  const resolvedAt = time(wire.resolved_at);
  if (resolvedAt !== undefined) incident.resolvedAt = resolvedAt;
  return incident;
}

function mapMaintenance(wire: WireIncident, page: Page): StatusPageMaintenance {
  const maintenance: StatusPageMaintenance = mapIncident(wire, page, 'maintenance');
  const scheduledFor = time(wire.scheduled_for);
  if (scheduledFor !== undefined) maintenance.scheduledFor = scheduledFor;
  const scheduledUntil = time(wire.scheduled_until);
  if (scheduledUntil !== undefined) maintenance.scheduledUntil = scheduledUntil;
  return maintenance;
}

function isMaintenance(wire: WireIncident): boolean {
  return Boolean(wire.scheduled_for) || MAINTENANCE_STATUSES.has(wire.status.toLowerCase());
}

// --- public API ---

/** `summary.json`: components (groups resolved to `groupName`), unresolved incidents, upcoming/active maintenances. */
export function parseSummary(body: string): SummaryDoc {
  const doc = decode(body, summarySchema, 'summary.json');
  const page = mapPage(doc.page);
  return {
    page,
    components: mapComponents(doc.components),
    incidents: doc.incidents.map((i) => mapIncident(i, page, 'none')),
    maintenances: doc.scheduled_maintenances?.map((m) => mapMaintenance(m, page)),
  };
}

/** `incidents.json`: the latest incidents, resolved ones included. */
export function parseIncidents(body: string): IncidentsDoc {
  const doc = decode(body, incidentsSchema, 'incidents.json');
  const page = mapPage(doc.page);
  const incidents: StatusPageIncident[] = [];
  const maintenances: StatusPageMaintenance[] = [];
  for (const wire of doc.incidents) {
    if (isMaintenance(wire)) maintenances.push(mapMaintenance(wire, page));
    else incidents.push(mapIncident(wire, page, 'none'));
  }
  return { page, incidents, maintenances };
}

/** `scheduled-maintenances.json`: the latest maintenances, completed ones included. */
export function parseMaintenances(body: string): MaintenancesDoc {
  const doc = decode(body, maintenancesSchema, 'scheduled-maintenances.json');
  const page = mapPage(doc.page);
  return { page, maintenances: doc.scheduled_maintenances.map((m) => mapMaintenance(m, page)) };
}

function newestUpdateAt(incident: StatusPageIncident): number {
  let newest = Number.NEGATIVE_INFINITY;
  for (const u of incident.updates) if (u.at > newest) newest = u.at;
  return newest;
}

/**
 * Merges by id: the list document (incidents.json, scheduled-maintenances.json) wins, since it also holds resolved
 * items; except when the summary's copy has a strictly newer update (the two are fetched in parallel and a CDN may
 * serve one a little stale), so a status never steps back and forth between polls.
 */
function mergeById<T extends StatusPageIncident>(base: T[], newer: T[]): T[] {
  const byId = new Map<string, T>();
  for (const item of base) if (!byId.has(item.id)) byId.set(item.id, item);
  for (const item of newer) {
    const existing = byId.get(item.id);
    if (existing === undefined || newestUpdateAt(existing) <= newestUpdateAt(item)) byId.set(item.id, item);
  }
  return [...byId.values()];
}

export interface JsonDocs {
  summary: SummaryDoc;
  /** Absent when incidents.json could not be had (404): the summary's unresolved incidents still suffice. */
  incidents?: IncidentsDoc;
  maintenances?: MaintenancesDoc;
}

/** Assembles one snapshot from the parsed documents; cheap, so a reader can cache documents and re-assemble. */
export function snapshotFromJson(docs: JsonDocs): StatusPageSnapshot {
  const { summary } = docs;
  const listedMaintenances = [...(docs.incidents?.maintenances ?? []), ...(docs.maintenances?.maintenances ?? [])];
  return {
    page: summary.page,
    components: summary.components,
    incidents: mergeById(summary.incidents, docs.incidents?.incidents ?? []),
    maintenances: mergeById(summary.maintenances ?? [], listedMaintenances),
    // summary.json lists every unresolved incident, so the set is complete with or without incidents.json.
    incidentsComplete: true,
    maintenancesComplete: summary.maintenances !== undefined || docs.maintenances !== undefined,
  };
}
