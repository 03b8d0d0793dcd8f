// An in-memory Statuspage page that tests and the demo script step by step. It keeps what Statuspage keeps (times as
// epoch ms, updates newest first, component changes recorded on each update) so the renderers can produce the
// real wire formats from it.
import { IdSource } from './ids.js';
import { type PageZone, pageZone, toEpochMs } from './time.js';

/** Unknown future statuses are allowed on purpose: readers must tolerate them. */
export type ComponentStatus =
  | 'operational'
  | 'degraded_performance'
  | 'partial_outage'
  | 'major_outage'
  | 'under_maintenance'
  | (string & {});
export type IncidentStatus = 'investigating' | 'identified' | 'monitoring' | 'resolved' | 'postmortem' | (string & {});
export type MaintenanceStatus = 'scheduled' | 'in_progress' | 'verifying' | 'completed' | (string & {});
export type Impact = 'none' | 'minor' | 'major' | 'critical' | 'maintenance' | (string & {});
export type TimeInput = number | Date | string;

export interface SimComponent {
  id: string;
  name: string;
  description: string | null;
  status: ComponentStatus;
  createdAt: number;
  updatedAt: number;
  /** Among top-level entries, or among the group's members. */
  position: number;
  showcase: boolean;
  startDate: string | null;
  groupId: string | null;
  /** True for a group header; its status is the worst of its members. */
  group: boolean;
  onlyShowIfDegraded: boolean;
  /** Member ids, for a group header. */
  memberIds: string[];
}

export interface SimAffectedComponent {
  code: string;
  name: string;
  oldStatus: ComponentStatus;
  newStatus: ComponentStatus;
}

export interface SimIncidentUpdate {
  id: string;
  status: IncidentStatus | MaintenanceStatus;
  body: string;
  incidentId: string;
  createdAt: number;
  updatedAt: number;
  displayAt: number;
  /** Null when the update touched no component, as Statuspage sends it. */
  affectedComponents: SimAffectedComponent[] | null;
  deliverNotifications: boolean;
}

export interface SimIncident {
  id: string;
  kind: 'incident' | 'maintenance';
  /** The Atom feed's numeric id, deliberately unrelated to `id`. */
  atomNumber: number;
  name: string;
  status: IncidentStatus | MaintenanceStatus;
  impact: Impact;
  createdAt: number;
  updatedAt: number;
  startedAt: number;
  monitoringAt: number | null;
  resolvedAt: number | null;
  shortlink: string;
  componentIds: string[];
  /** Newest first. */
  updates: SimIncidentUpdate[];
  scheduledFor: number | null;
  scheduledUntil: number | null;
}

export interface SimulatedPageOptions {
  /** Statuspage page id, e.g. `kctbh9vrtdwd`. */
  id: string;
  name: string;
  /** Canonical page URL used in links; the server uses its own URL when absent. */
  url?: string;
  /** Fixed offset every timestamp is printed in. Default `-08:00`. */
  timeZoneOffset?: string;
  /** `page.time_zone`; derived from the offset when absent. */
  timeZone?: string;
  /** Abbreviation in RSS/Atom stamps (`CET`); derived from the offset when absent. */
  timeZoneAbbreviation?: string;
  /** Seed for ids; defaults to the page id so one scenario always yields the same ids. */
  seed?: string;
  now?: () => number;
}

/** A component named on an incident: an id (status unchanged) or an id with the status the incident sets. */
export type ComponentRef = string | { id: string; status: ComponentStatus };

export interface OpenIncidentInput {
  name: string;
  impact: Impact;
  status?: IncidentStatus;
  body: string;
  components?: ComponentRef[];
  deliverNotifications?: boolean;
  /** When the problem began, if earlier than now. */
  startedAt?: TimeInput;
}

export interface UpdateIncidentInput {
  /** Defaults to the current status (shown as "Update" in the feeds). */
  status?: IncidentStatus | MaintenanceStatus;
  body: string;
  impact?: Impact;
  components?: ComponentRef[];
  deliverNotifications?: boolean;
}

export interface ScheduleMaintenanceInput {
  name: string;
  components: string[];
  scheduledFor: TimeInput;
  scheduledUntil: TimeInput;
  body: string;
  deliverNotifications?: boolean;
}

const CLOSED_INCIDENT = new Set(['resolved', 'postmortem']);
const CLOSED_MAINTENANCE = new Set(['completed']);
const SEVERITY: Record<string, number> = {
  operational: 0,
  under_maintenance: 1,
  degraded_performance: 2,
  partial_outage: 3,
  major_outage: 4,
};

export function isIncidentOpen(incident: Pick<SimIncident, 'kind' | 'status'>): boolean {
  return !(incident.kind === 'incident' ? CLOSED_INCIDENT : CLOSED_MAINTENANCE).has(incident.status);
}

export class SimulatedPage {
  readonly id: string;
  readonly name: string;
  url: string | undefined;
  readonly zone: PageZone;
  readonly now: () => number;
  private readonly ids: IdSource;
  private readonly componentMap = new Map<string, SimComponent>();
  private readonly incidentMap = new Map<string, SimIncident>();
  private topLevelCount = 0;
  private pageUpdatedAt: number;
  private revision = 0;

  constructor(options: SimulatedPageOptions) {
    this.id = options.id;
    this.name = options.name;
    this.url = options.url?.replace(/\/+$/, '');
    this.zone = pageZone(options.timeZoneOffset ?? '-08:00', options.timeZone, options.timeZoneAbbreviation);
    this.now = options.now ?? Date.now;
    this.ids = new IdSource(options.seed ?? options.id);
    this.pageUpdatedAt = this.now();
  }

  /** Bumped by every mutation: lets the server re-render only when something changed. */
  get version(): number {
    return this.revision;
  }

  get updatedAt(): number {
    return this.pageUpdatedAt;
  }

  // ---- components ------------------------------------------------------------------------------------------------

  addGroup(name: string, options: { description?: string; showcase?: boolean } = {}): string {
    const at = this.now();
    const id = this.ids.next();
    this.componentMap.set(id, {
      id,
      name,
      description: options.description ?? null,
      status: 'operational',
      createdAt: at,
      updatedAt: at,
      position: ++this.topLevelCount,
      showcase: options.showcase ?? false,
      startDate: null,
      groupId: null,
      group: true,
      onlyShowIfDegraded: false,
      memberIds: [],
    });
    this.touch(at);
    return id;
  }

  /** `group` is a group id or name; a name not seen before creates the group. */
  addComponent(input: {
    name: string;
    group?: string;
    status?: ComponentStatus;
    description?: string;
    showcase?: boolean;
    onlyShowIfDegraded?: boolean;
    startDate?: string;
  }): string {
    const group = input.group === undefined ? undefined : this.resolveGroup(input.group);
    const at = this.now();
    const id = this.ids.next();
    this.componentMap.set(id, {
      id,
      name: input.name,
      description: input.description ?? null,
      status: input.status ?? 'operational',
      createdAt: at,
      updatedAt: at,
      position: group ? group.memberIds.length + 1 : ++this.topLevelCount,
      showcase: input.showcase ?? !group,
      startDate: input.startDate ?? null,
      groupId: group?.id ?? null,
      group: false,
      onlyShowIfDegraded: input.onlyShowIfDegraded ?? false,
      memberIds: [],
    });
    if (group) {
      group.memberIds.push(id);
      this.refreshGroup(group, at);
    }
    this.touch(at);
    return id;
  }

  /** A component status change outside any incident (Statuspage allows it). */
  setComponentStatus(id: string, status: ComponentStatus): void {
    const at = this.now();
    this.applyStatus(this.leaf(id), status, at);
    this.touch(at);
  }

  removeComponent(id: string): void {
    const component = this.mustComponent(id);
    const at = this.now();
    const doomed = component.group ? [id, ...component.memberIds] : [id];
    for (const gone of doomed) this.componentMap.delete(gone);
    if (component.groupId) {
      const group = this.componentMap.get(component.groupId);
      if (group) {
        group.memberIds = group.memberIds.filter((m) => m !== id);
        this.refreshGroup(group, at);
      }
    }
    for (const incident of this.incidentMap.values()) {
      incident.componentIds = incident.componentIds.filter((c) => !doomed.includes(c));
    }
    this.touch(at);
  }

  // ---- incidents -------------------------------------------------------------------------------------------------

  openIncident(input: OpenIncidentInput): string {
    const at = this.now();
    const id = this.ids.next();
    const incident: SimIncident = {
      id,
      kind: 'incident',
      atomNumber: this.ids.nextNumber(),
      name: input.name,
      status: input.status ?? 'investigating',
      impact: input.impact,
      createdAt: at,
      updatedAt: at,
      startedAt: input.startedAt === undefined ? at : toEpochMs(input.startedAt),
      monitoringAt: input.status === 'monitoring' ? at : null,
      resolvedAt: null,
      shortlink: `https://stspg.io/${this.ids.next(7)}`,
      componentIds: [],
      updates: [],
      scheduledFor: null,
      scheduledUntil: null,
    };
    this.incidentMap.set(id, incident);
    const affected = this.applyRefs(incident, input.components ?? [], at);
    this.pushUpdate(incident, incident.status, input.body, affected, input.deliverNotifications ?? true, at);
    this.touch(at);
    return id;
  }

  /** Adds an update (newest first); returns the update id. */
  updateIncident(id: string, input: UpdateIncidentInput): string {
    const incident = this.mustIncident(id);
    const at = this.now();
    const status = input.status ?? incident.status;
    if (status === 'monitoring' && incident.monitoringAt === null) incident.monitoringAt = at;
    if (!isIncidentOpen({ kind: incident.kind, status })) incident.resolvedAt ??= at;
    else incident.resolvedAt = null;
    incident.status = status;
    if (input.impact !== undefined) incident.impact = input.impact;
    const affected = this.applyRefs(incident, input.components ?? [], at);
    const updateId = this.pushUpdate(incident, status, input.body, affected, input.deliverNotifications ?? true, at);
    this.touch(at);
    return updateId;
  }

  /** Resolves and, as Statuspage offers by default, puts the incident's components back to operational. */
  resolveIncident(id: string, body: string, options: { restoreComponents?: boolean } = {}): string {
    return this.closeWith(id, 'resolved', body, options.restoreComponents ?? true);
  }

  deleteIncident(id: string): void {
    this.mustIncident(id);
    this.incidentMap.delete(id);
    this.touch(this.now());
  }

  // ---- maintenances ----------------------------------------------------------------------------------------------

  scheduleMaintenance(input: ScheduleMaintenanceInput): string {
    const at = this.now();
    const id = this.ids.next();
    const maintenance: SimIncident = {
      id,
      kind: 'maintenance',
      atomNumber: this.ids.nextNumber(),
      name: input.name,
      status: 'scheduled',
      impact: 'maintenance',
      createdAt: at,
      updatedAt: at,
      startedAt: at,
      monitoringAt: null,
      resolvedAt: null,
      shortlink: `https://stspg.io/${this.ids.next(7)}`,
      componentIds: [],
      updates: [],
      scheduledFor: toEpochMs(input.scheduledFor),
      scheduledUntil: toEpochMs(input.scheduledUntil),
    };
    this.incidentMap.set(id, maintenance);
    const affected = this.applyRefs(maintenance, input.components, at);
    this.pushUpdate(maintenance, 'scheduled', input.body, affected, input.deliverNotifications ?? true, at);
    this.touch(at);
    return id;
  }

  /**
   * Moves the window of a maintenance not yet started, with the update a page's editor writes about it (Statuspage
   * edits `scheduled_for` and `scheduled_until` in place: the maintenance keeps its id).
   */
  rescheduleMaintenance(
    id: string,
    input: { scheduledFor: TimeInput; scheduledUntil: TimeInput; body: string },
  ): string {
    const maintenance = this.mustMaintenance(id);
    const at = this.now();
    maintenance.scheduledFor = toEpochMs(input.scheduledFor);
    maintenance.scheduledUntil = toEpochMs(input.scheduledUntil);
    const updateId = this.pushUpdate(maintenance, maintenance.status, input.body, [], true, at);
    this.touch(at);
    return updateId;
  }

  /** In progress: its components go `under_maintenance`. */
  startMaintenance(id: string, body: string): string {
    const maintenance = this.mustMaintenance(id);
    const refs = maintenance.componentIds.map((c) => ({ id: c, status: 'under_maintenance' }));
    return this.updateIncident(id, { status: 'in_progress', body, components: refs });
  }

  verifyMaintenance(id: string, body: string): string {
    this.mustMaintenance(id);
    return this.updateIncident(id, { status: 'verifying', body });
  }

  /** Completed: its components go back to operational. */
  completeMaintenance(id: string, body: string): string {
    this.mustMaintenance(id);
    return this.closeWith(id, 'completed', body, true);
  }

  // ---- getters ---------------------------------------------------------------------------------------------------

  /** Display order: top-level entries by position, each group followed by its members. */
  components(): readonly Readonly<SimComponent>[] {
    const top = [...this.componentMap.values()].filter((c) => c.groupId === null);
    top.sort((a, b) => a.position - b.position);
    const out: SimComponent[] = [];
    for (const c of top) {
      out.push(c);
      for (const m of c.memberIds) {
        const member = this.componentMap.get(m);
        if (member) out.push(member);
      }
    }
    return out;
  }

  component(id: string): Readonly<SimComponent> | undefined {
    return this.componentMap.get(id);
  }

  componentByName(name: string): Readonly<SimComponent> | undefined {
    for (const c of this.componentMap.values()) if (c.name === name) return c;
    return undefined;
  }

  /** Incidents (not maintenances), newest first. */
  incidents(): readonly Readonly<SimIncident>[] {
    return this.newestFirst('incident');
  }

  /** Scheduled maintenances, newest first. */
  maintenances(): readonly Readonly<SimIncident>[] {
    return this.newestFirst('maintenance');
  }

  /** An incident or a maintenance. */
  incident(id: string): Readonly<SimIncident> | undefined {
    return this.incidentMap.get(id);
  }

  // ---- internals -------------------------------------------------------------------------------------------------

  private newestFirst(kind: SimIncident['kind']): SimIncident[] {
    const list = [...this.incidentMap.values()].filter((i) => i.kind === kind);
    // Insertion order breaks ties so incidents created in the same millisecond keep a stable order.
    return list.reverse().sort((a, b) => b.createdAt - a.createdAt);
  }

  private touch(at: number): void {
    this.pageUpdatedAt = Math.max(this.pageUpdatedAt, at);
    this.revision++;
  }

  private closeWith(id: string, status: string, body: string, restore: boolean): string {
    const incident = this.mustIncident(id);
    const refs = restore
      ? incident.componentIds
          .filter((c) => this.componentMap.get(c)?.status !== 'operational')
          .map((c) => ({ id: c, status: 'operational' }))
      : [];
    return this.updateIncident(id, { status, body, components: refs });
  }

  private pushUpdate(
    incident: SimIncident,
    status: string,
    body: string,
    affected: SimAffectedComponent[],
    deliverNotifications: boolean,
    at: number,
  ): string {
    const id = this.ids.next();
    incident.updates.unshift({
      id,
      status,
      body,
      incidentId: incident.id,
      createdAt: at,
      updatedAt: at,
      displayAt: at,
      affectedComponents: affected.length > 0 ? affected : null,
      deliverNotifications,
    });
    incident.updatedAt = at;
    return id;
  }

  /** Links components to the incident, applies any status they carry, and returns what to record on the update. */
  private applyRefs(incident: SimIncident, refs: ComponentRef[], at: number): SimAffectedComponent[] {
    const affected: SimAffectedComponent[] = [];
    for (const ref of refs) {
      const refId = typeof ref === 'string' ? ref : ref.id;
      const target = this.mustComponent(refId);
      // Naming a group names all its members, as the Statuspage editor does.
      const leaves = target.group ? target.memberIds.map((m) => this.mustComponent(m)) : [target];
      for (const leaf of leaves) {
        if (!incident.componentIds.includes(leaf.id)) incident.componentIds.push(leaf.id);
        const oldStatus = leaf.status;
        const newStatus = typeof ref === 'string' ? oldStatus : ref.status;
        this.applyStatus(leaf, newStatus, at);
        affected.push({ code: leaf.id, name: leaf.name, oldStatus, newStatus });
      }
    }
    return affected;
  }

  private applyStatus(component: SimComponent, status: ComponentStatus, at: number): void {
    if (component.status === status) return;
    component.status = status;
    component.updatedAt = at;
    if (component.groupId) {
      const group = this.componentMap.get(component.groupId);
      if (group) this.refreshGroup(group, at);
    }
  }

  private refreshGroup(group: SimComponent, at: number): void {
    let worst: ComponentStatus = 'operational';
    for (const m of group.memberIds) {
      const status = this.componentMap.get(m)?.status ?? 'operational';
      // Unknown statuses rank as a degradation so they are never hidden behind "operational".
      if ((SEVERITY[status] ?? 2) > (SEVERITY[worst] ?? 2)) worst = status;
    }
    if (group.status !== worst) {
      group.status = worst;
      group.updatedAt = at;
    }
  }

  private resolveGroup(ref: string): SimComponent {
    const byId = this.componentMap.get(ref);
    if (byId?.group) return byId;
    for (const c of this.componentMap.values()) if (c.group && c.name === ref) return c;
    const created = this.componentMap.get(this.addGroup(ref));
    if (!created) throw new Error('unreachable: group just created');
    return created;
  }

  private leaf(id: string): SimComponent {
    const c = this.mustComponent(id);
    if (c.group) throw new Error(`component ${id} is a group: its status follows its members`);
    return c;
  }

  private mustComponent(id: string): SimComponent {
    const c = this.componentMap.get(id);
    if (!c) throw new Error(`no component ${id} on page ${this.id}`);
    return c;
  }

  private mustIncident(id: string): SimIncident {
    const i = this.incidentMap.get(id);
    if (!i) throw new Error(`no incident ${id} on page ${this.id}`);
    return i;
  }

  private mustMaintenance(id: string): SimIncident {
    const i = this.mustIncident(id);
    if (i.kind !== 'maintenance') throw new Error(`${id} is an incident, not a scheduled maintenance`);
    return i;
  }
}
