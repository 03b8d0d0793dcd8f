// A status page as the detectors need it, whatever feed it came from (JSON API, RSS, Atom, webhook).
// Times are epoch milliseconds; adapters do the tolerant timestamp parsing.

export const COMPONENT_STATUSES = [
  'operational',
  'degraded_performance',
  'partial_outage',
  'major_outage',
  'under_maintenance',
] as const;
/** Unknown future statuses are kept as strings and treated as "not operational". */
export type ComponentStatus = (typeof COMPONENT_STATUSES)[number] | (string & {});

export type IncidentImpact = 'none' | 'minor' | 'major' | 'critical' | 'maintenance' | (string & {});

export interface StatusPageComponent {
  id: string;
  name: string;
  status: ComponentStatus;
  /** Name of the group it sits in (often a country on the institutions page). */
  groupName?: string;
  updatedAt?: number;
}

export interface StatusPageUpdate {
  /** The JSON update id; for RSS/Atom, incident id + status + time. */
  id: string;
  /** `investigating | identified | monitoring | resolved | postmortem | update`, maintenance words likewise. */
  status: string;
  body: string;
  at: number;
  affectedComponents?: { code: string; name: string; oldStatus?: string; newStatus?: string }[];
}

export interface StatusPageIncident {
  id: string;
  name: string;
  /** Lower-case status word (`investigating`, `resolved`, maintenances `in_progress`, `completed`...). */
  status: string;
  impact: IncidentImpact;
  url?: string;
  createdAt?: number;
  startedAt?: number;
  resolvedAt?: number;
  /** Component ids and names the incident names. */
  components: { id: string; name: string }[];
  /** Newest first as the page gives them; order is not relied upon. */
  updates: StatusPageUpdate[];
}

export interface StatusPageMaintenance extends StatusPageIncident {
  scheduledFor?: number;
  scheduledUntil?: number;
}

export interface StatusPageSnapshot {
  page: { id?: string; name?: string; url?: string };
  /** Absent when the feed has no component data (RSS/Atom). */
  components?: StatusPageComponent[];
  incidents: StatusPageIncident[];
  maintenances: StatusPageMaintenance[];
  /**
   * True when `incidents` holds every incident still open on the page (JSON API): an open alert whose incident
   * is missing was resolved or deleted. RSS/Atom history is a window and never complete.
   */
  incidentsComplete: boolean;
  maintenancesComplete: boolean;
}
