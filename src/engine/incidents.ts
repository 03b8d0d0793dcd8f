// One incident per problem. The alerts about one institution, whatever source raised them (its status page component,
// Belvo's API health, a token_required or invalid spike, the team's error ratio), are the members of one institution
// incident; the Belvo API's status page incidents and degraded components are the members of one Belvo API incident.
// Delivery and paging follow the incident: one message listing each source's evidence as it arrives, one page. Each
// member keeps its own lifecycle; the incident is open while any member is, its severity is the worst open member's,
// and it resolves when the last member does, at the time the last one ended. When the team's own data opens an
// institution's incident before Belvo's status page shows anything, it says so, and says when the page confirmed it.
// A status-page incident naming several institutions is listed on their incidents (and pages through them). Pure,
// clock injected.

import type { Alert, AlertEvent, AlertEventType, GroupMember } from '../domain/alert.js';
import { durationText } from '../domain/alert.js';
import {
  DESTINATION_HEALTH_KIND,
  fingerprint,
  INCIDENT_KIND,
  isIncidentKind,
  SERVICE_INCIDENT_KIND,
  SOURCE_HEALTH_KIND,
  STORM_KIND,
} from '../domain/fingerprint.js';
import {
  evidenceDetail,
  evidencePhrase,
  incidentStatus,
  incidentTitle,
  isStatusPageKind,
  serviceIncidentStatus,
  serviceIncidentTitle,
} from '../domain/incident-text.js';
import { MAINTENANCE_KIND } from '../domain/maintenance-window.js';
import { severityRank, worstSeverity } from '../domain/severity.js';
import type { TimelineEntry } from '../domain/signal.js';
import { withEngineNote } from './engine-note.js';
import { groupAlert } from './group-alert.js';

export interface CorrelationInput {
  /** This batch's events and the alerts it stores (events hold snapshots of these alerts). */
  events: AlertEvent[];
  alerts: Alert[];
  /** Stored incidents: the latest one of each problem this batch touches (open or not), and every open one. */
  incidents: Alert[];
  now: number;
  newId: () => string;
  /** A resolved incident reopens when a member fails again this soon (the flapping window); later, a new one opens. */
  reopenWithinMs: number;
  /** Source timeline entries kept on an incident. */
  timelineLimit: number;
  /** The team's links per institution (Belvo name) and in all: every institution incident says what it touches. */
  links?: { byInstitution: Map<string, number>; total: number };
}

export interface CorrelationResult {
  events: AlertEvent[];
  alerts: Alert[];
  notes: string[];
}

/**
 * An alert that is evidence about one institution or the Belvo API (and so a member of its incident). A scheduled
 * maintenance is not: it is planned work, announced on its own message, never evidence of an outage.
 */
export function isIncidentMember(a: Pick<Alert, 'kind' | 'institution' | 'service'>): boolean {
  return (
    (a.institution !== undefined || a.service !== undefined) &&
    !isIncidentKind(a.kind) &&
    a.kind !== MAINTENANCE_KIND &&
    a.kind !== STORM_KIND &&
    a.kind !== SOURCE_HEALTH_KIND &&
    a.kind !== DESTINATION_HEALTH_KIND &&
    !a.kind.startsWith('bot.')
  );
}

/** The incident a member belongs to, by fingerprint: its institution's, else its service's. */
export function problemOf(a: Pick<Alert, 'institution' | 'service'>): string {
  if (a.institution) return fingerprint.institutionIncident(a.institution.name);
  return fingerprint.serviceIncident(a.service?.id as string);
}

/** The incident fingerprints a batch may touch, for the store to load. */
export function incidentFingerprints(events: AlertEvent[]): string[] {
  const keys = new Set<string>();
  for (const e of events) {
    if (isIncidentMember(e.alert)) keys.add(problemOf(e.alert));
    for (const ref of e.alert.affects ?? []) keys.add(fingerprint.institutionIncident(ref.name));
  }
  return [...keys];
}

/** What happened to one incident in this batch, to word its event. */
interface Touch {
  incident: Alert;
  before: string;
  wasFlapping: boolean;
  flapReason?: string;
  opening?: 'opened' | 'reopened';
  first?: { id: string; phrase: string; reason: string };
  joined: GroupMember[];
  recovered: GroupMember[];
  /** What the recovered members say now ("Elevated errors: resolved", "API: operational"). */
  recoveredNow: string[];
  worse: GroupMember[];
  updates: string[];
  /** The source's updates carried up in this batch, oldest first: the incident's thread quotes them. */
  news: TimelineEntry[];
  confirmed?: GroupMember;
  /** Every member event that touched it was quiet / must not page. */
  quiet: boolean;
  noPage: boolean;
}

function memberFrom(a: Alert, since: number): GroupMember {
  const detail = evidenceDetail(a);
  return {
    id: a.id,
    kind: a.kind,
    source: a.source,
    title: evidencePhrase(a),
    severity: a.severity,
    state: a.state,
    status: a.status,
    since,
    fingerprint: a.fingerprint,
    ...(a.environment !== undefined && { environment: a.environment }),
    ...(detail && { detail }),
    ...(a.flapping && { flapping: true }),
    ...(a.maintenance && { maintenance: true }),
    ...(a.state === 'resolved' && { resolvedAt: a.resolvedAt ?? since }),
  };
}

function newIncident(id: string, member: Alert, now: number): Alert {
  const service = member.institution ? undefined : member.service;
  const incident = groupAlert({
    id,
    fingerprint: problemOf(member),
    kind: service ? SERVICE_INCIDENT_KIND : INCIDENT_KIND,
    members: [],
    startedAt: member.startedAt,
    now,
  });
  if (service) {
    // The page's own source: filters and paging rules by source (`sources: [belvo-api]`) keep matching it.
    incident.service = service;
    incident.source = service.id;
    return incident;
  }
  incident.institution = member.institution as NonNullable<Alert['institution']>;
  incident.correlation = {
    noticedAt: now,
    noticedBy: evidencePhrase(member),
    early: !isStatusPageKind(member.kind),
  };
  return incident;
}

/** Brings what the incident shows in line with its members (severity, title, status, environment, maintenance). */
function summarize(incident: Alert, now: number, links?: CorrelationInput['links']): void {
  const members = incident.members ?? [];
  const open = members.filter((m) => m.state !== 'resolved');
  if (open.length > 0) {
    incident.severity = open.reduce<Alert['severity']>((w, m) => worstSeverity(w, m.severity), 'info');
    incident.peakSeverity = worstSeverity(incident.peakSeverity, incident.severity);
  }
  incident.title = incident.service
    ? serviceIncidentTitle(incident.service, members)
    : incidentTitle(incident.institution as NonNullable<Alert['institution']>, members);
  incident.flapping = open.some((m) => m.flapping);
  const environments = new Set(members.map((m) => m.environment).filter((e) => e !== undefined));
  if (environments.size === 1) incident.environment = [...environments][0] as string;
  else delete incident.environment;
  // Under maintenance only when everything still open is: one source failing outside it is a real problem.
  const held = open.length > 0 && open.every((m) => m.maintenance);
  if (held && !incident.maintenance) {
    incident.maintenance = {
      id: `members:${incident.id}`,
      title: 'announced maintenance on Belvo',
      since: now,
      before: { state: incident.state, severity: incident.severity, announced: incident.announced },
    };
  } else if (!held) {
    delete incident.maintenance;
  }
  incident.evidence = {
    ...incident.evidence,
    sources: open.length,
  };
  // What it touches of the team's account, whatever source opened it: "1,240 of your links (8.0%)".
  const mine = incident.institution && links?.byInstitution.get(incident.institution.name);
  if (mine && links && links.total > 0) {
    incident.evidence.links = mine;
    incident.evidence.linkShare = Number((mine / links.total).toFixed(4));
  }
  incident.status = statusOf(incident);
}

function statusOf(incident: Alert): string {
  return incident.service ? serviceIncidentStatus(incident) : incidentStatus(incident);
}

/** When the last member ended, by its source's clock where it has one: the incident's duration is theirs. */
function endOf(incident: Alert, now: number): number {
  const ends = (incident.members ?? []).map((m) => m.resolvedAt).filter((t): t is number => t !== undefined);
  return ends.length ? Math.min(now, Math.max(incident.startedAt, ...ends)) : now;
}

/** Evidence a person acts on, carried up from the member that has it (request_ids, example links). */
const CARRIED = ['topCodes', 'requestIds', 'exampleLinks', 'exampleExternalIds'];

function carryEvidence(incident: Alert, member: Alert): void {
  for (const key of CARRIED) {
    const v = member.evidence[key];
    if (Array.isArray(v) && v.length > 0) incident.evidence[key] = v;
  }
}

/** The status page's own updates (an incident's "We are investigating") appear on the incident too. */
function carryTimeline(incident: Alert, member: Alert, limit: number): TimelineEntry[] {
  const known = new Set(incident.timeline.map((t) => t.id));
  // Keyed on the member's fingerprint, not its id: a member opened in this decision has a provisional id until the
  // store commits it. (Incidents written before carried `<alert id>/<update id>`: still known.)
  const fresh = member.timeline
    .filter((t) => t.origin === 'source' && !known.has(`${member.id}/${t.id}`))
    .map((t) => ({ ...t, id: `${member.fingerprint}#${t.id}` }))
    .filter((t) => !known.has(t.id));
  if (fresh.length === 0) return [];
  incident.timeline = [...incident.timeline, ...fresh].slice(-limit);
  return fresh;
}

/**
 * Whether a member failing again reopens its resolved incident (a relapse soon after: one story) rather than opening
 * a new one. On the API page a new incident of the page is a new story, however soon; its own relapse is not.
 */
function reopens(incident: Alert, member: Alert, now: number, withinMs: number): boolean {
  if (now - (incident.resolvedAt ?? 0) > withinMs) return false;
  if (!incident.service) return true;
  return (incident.members ?? []).some((m) => m.fingerprint === member.fingerprint);
}

export function correlateInstitutions(input: CorrelationInput): CorrelationResult {
  const { now } = input;
  const notes: string[] = [];
  const stored = new Map(input.alerts.map((a) => [a.id, a]));
  // The latest incident of each problem (by fingerprint), an open one first.
  const latest = new Map<string, Alert>();
  for (const i of input.incidents) {
    if (!isIncidentKind(i.kind)) continue;
    const known = latest.get(i.fingerprint);
    const better = !known || (known.state === 'resolved' && (i.state !== 'resolved' || i.startedAt > known.startedAt));
    if (better) latest.set(i.fingerprint, i);
  }
  const openById = new Map(
    input.incidents.filter((i) => isIncidentKind(i.kind) && i.state !== 'resolved').map((i) => [i.id, i]),
  );
  for (const i of openById.values()) latest.set(i.fingerprint, i);
  const touched = new Map<string, Touch>();
  const kept: AlertEvent[] = [];

  const touch = (key: string, incident: Alert): Touch => {
    let t = touched.get(key);
    if (!t) {
      const copy = structuredClone(incident);
      t = {
        incident: copy,
        before: JSON.stringify(copy),
        wasFlapping: copy.flapping,
        joined: [],
        recovered: [],
        recoveredNow: [],
        worse: [],
        updates: [],
        news: [],
        quiet: true,
        noPage: true,
      };
      touched.set(key, t);
    }
    return t;
  };

  /** Records what member `a` (this event's alert) says on incident `t`, and what of it is news. */
  const listOn = (t: Touch, e: AlertEvent, a: Alert): void => {
    const incident = t.incident;
    const firing = a.state === 'firing';
    t.quiet &&= e.quiet;
    t.noPage &&= e.noPage;
    if (firing) incident.startedAt = Math.min(incident.startedAt, a.startedAt);
    incident.lastSeenAt = now;
    if (isStatusPageKind(a.kind) && a.url) incident.url = a.url;
    // Opened before Belvo's institution list was read, it was named by its Belvo name: take a real name when one comes.
    const known = a.institution;
    const mine = incident.institution;
    if (
      known &&
      mine &&
      mine.displayName === mine.name &&
      known.name === mine.name &&
      known.displayName !== known.name
    ) {
      incident.institution = known;
    }
    carryEvidence(incident, a);
    const sourceUpdates = carryTimeline(incident, a, input.timelineLimit);
    if (firing || a.state === 'resolved') t.news.push(...sourceUpdates);

    const members = incident.members ?? [];
    incident.members = members;
    const index = members.findIndex((m) => m.id === a.id);
    const was = index >= 0 ? members[index] : undefined;
    const member = memberFrom(a, was && was.state !== 'resolved' ? was.since : now);
    // A recovered member is listed as what it was ("down on Belvo's API"), not as its recovery's words.
    if (was && member.state === 'resolved') member.title = was.title;
    if (index >= 0) members[index] = member;
    else members.push(member);
    const phrase = member.title;

    if (firing && (!was || was.state === 'resolved')) {
      if (t.first?.id !== a.id) t.joined.push(member);
      const correlation = incident.correlation;
      if (isStatusPageKind(a.kind) && correlation && correlation.confirmedAt === undefined) {
        correlation.confirmedAt = now;
        if (correlation.early) t.confirmed = member;
      }
    } else if (!firing && was && was.state !== 'resolved') {
      t.recovered.push(member);
      t.recoveredNow.push(a.kind === 'statuspage.incident' ? `${a.title}: ${a.status}` : evidencePhrase(a));
    } else if (firing && was && severityRank(member.severity) > severityRank(was.severity)) {
      t.worse.push(member);
    } else if (firing && !e.quiet && e.type !== 'reminder' && sourceUpdates.length === 0) {
      t.updates.push(`${phrase}: ${e.reason}`);
    }
    if (a.flapping && e.type === 'flapping') t.flapReason = `${phrase}: ${e.reason}`;
    // A member joining now is news by itself; later updates from its page say what the page now says (and are
    // quoted in the thread): "Elevated errors: identified".
    const joinedNow = firing && (!was || was.state === 'resolved');
    if (firing && !joinedNow) {
      const subject = a.kind === 'statuspage.incident' ? a.title : phrase;
      for (const u of sourceUpdates) t.updates.push(`${subject}: ${u.status.replace(/_/g, ' ')}`);
    }
  };

  // On the API page the incident says what is wrong and its components where: an incident opened together with its
  // components is told from the incident's side ("Elevated errors: the source says investigating; now also API").
  const pageIncidentFirst = (e: AlertEvent) => (e.alert.service && e.alert.kind === 'statuspage.incident' ? 0 : 1);
  for (const e of [...input.events].sort((x, y) => pageIncidentFirst(x) - pageIncidentFirst(y))) {
    kept.push(e);
    const a = e.alert;
    // A status-page incident naming several institutions is listed on (and confirms) each of their incidents that is
    // open: it never opens one. Opening while any of them is open, it is theirs to tell and page (`listedOn`);
    // opening alone, it keeps its own message to the end.
    if (!isIncidentMember(a) && a.affects?.length) {
      const opening = e.type === 'opened' || e.type === 'reopened';
      const listedOn: string[] = [];
      for (const ref of a.affects) {
        const key = fingerprint.institutionIncident(ref.name);
        const current = touched.get(key)?.incident ?? latest.get(key);
        if (current?.state !== 'firing') continue;
        listOn(touch(key, current), e, a);
        listedOn.push(current.id);
      }
      if (opening && listedOn.length > 0) a.listedOn = listedOn;
      else if (opening) delete a.listedOn;
      const own = stored.get(a.id);
      if (own) {
        if (a.listedOn) own.listedOn = a.listedOn;
        else delete own.listedOn;
      }
    }
    if (!isIncidentMember(a)) continue;
    const firing = a.state === 'firing';
    const opening = firing && (e.type === 'opened' || e.type === 'reopened' || e.type === 'flapping');
    // Announced on its own before incidents grouped it: it keeps its own message to the end.
    if (!a.incidentId && !opening) continue;
    // A member stays with the open incident it joined, even if its institution's name changed meanwhile (the
    // catalogue learnt Belvo's name for a status-page component after the component had failed).
    const joined = a.incidentId ? openById.get(a.incidentId) : undefined;
    const key = joined?.fingerprint ?? problemOf(a);

    const current = touched.get(key)?.incident ?? latest.get(key);
    let t: Touch;
    if (!current || (current.state === 'resolved' && !reopens(current, a, now, input.reopenWithinMs))) {
      if (!opening) continue; // its incident is long over: nothing left to tell
      const incident = newIncident(input.newId(), a, now);
      t = touch(key, incident);
      t.before = '';
      t.opening = 'opened';
      t.first = { id: a.id, phrase: evidencePhrase(a), reason: e.reason };
      notes.push(`incident ${incident.id} opened for ${key} by ${a.id}`);
    } else {
      t = touch(key, current);
      if (t.incident.state === 'resolved') {
        if (!opening) continue;
        const incident = t.incident;
        incident.state = 'firing';
        incident.firedAt = now;
        incident.startedAt = a.startedAt;
        delete incident.resolvedAt;
        delete incident.acknowledged;
        delete incident.remindedAt;
        if (incident.kind === INCIDENT_KIND) {
          incident.correlation = { noticedAt: now, noticedBy: evidencePhrase(a), early: !isStatusPageKind(a.kind) };
        }
        t.opening = 'reopened';
        t.first = { id: a.id, phrase: evidencePhrase(a), reason: e.reason };
      }
    }
    a.incidentId = t.incident.id;
    const own = stored.get(a.id);
    if (own) own.incidentId = t.incident.id;
    listOn(t, e, a);
  }

  for (const t of touched.values()) {
    const incident = t.incident;
    summarize(incident, now, input.links);
    const open = (incident.members ?? []).filter((m) => m.state !== 'resolved');
    let type: AlertEventType | undefined;
    let reason: string;
    const parts: string[] = [];
    if (t.confirmed && incident.correlation?.confirmedAt !== undefined) {
      const c = incident.correlation;
      parts.push(
        `confirmed by ${t.confirmed.title} ${durationText((c.confirmedAt as number) - c.noticedAt)} after the bot noticed (${c.noticedBy})`,
      );
    }
    const joined = t.joined.filter((m) => m !== t.confirmed);
    if (joined.length) parts.push(`now also ${joined.map((m) => m.title).join(', ')}`);
    if (t.worse.length) parts.push(`worse: ${t.worse.map((m) => `${m.title} now ${m.severity}`).join(', ')}`);
    if (t.recovered.length && open.length > 0) {
      parts.push(`recovered: ${t.recovered.map((m) => m.title).join(', ')} (${open.length} still failing)`);
    }
    parts.push(...new Set(t.updates));
    const settled = !incident.flapping && t.wasFlapping && open.length > 0;
    if (settled) parts.unshift('stopped flapping, still failing');

    if (t.opening) {
      type = t.opening;
      const first = t.first as { phrase: string; reason: string };
      reason = [`${first.phrase}: ${first.reason}`, ...parts].join('; ');
    } else if (open.length === 0 && incident.state === 'firing') {
      type = 'resolved';
      incident.state = 'resolved';
      incident.resolvedAt = endOf(incident, now);
      incident.status = statusOf(incident);
      // The API page's word ("Elevated errors: resolved"); an institution's sources each recovered.
      reason = incident.service
        ? t.recoveredNow.join(', ') || 'resolved'
        : `every source recovered (last: ${t.recovered.map((m) => m.title).join(', ') || 'none'})`;
      notes.push(`incident ${incident.id} resolved`);
    } else if (parts.length > 0) {
      type = 'updated';
      reason = parts.join('; ');
    } else {
      reason = '';
    }
    // Flapping is the incident's too while a member flaps: said once, and once more when it settles.
    if (
      incident.flapping &&
      !t.wasFlapping &&
      type !== 'opened' &&
      type !== 'resolved' &&
      incident.state === 'firing'
    ) {
      type = 'flapping';
      reason = t.flapReason ?? reason;
    }
    if (type) {
      // Joining, recovering and confirming are news even when the member's own change was an edit.
      const news = t.opening !== undefined || type !== 'updated' || parts.length > t.updates.length;
      const noted = withEngineNote(
        incident,
        {
          type,
          status: type,
          reason,
          quiet: t.quiet && !news,
          noPage: t.noPage,
          ...(t.news.length > 0 && { updates: [...t.news].sort((x, y) => x.at - y.at) }),
        },
        now,
      );
      stored.set(incident.id, noted.alert);
      kept.push(noted.event);
    } else if (JSON.stringify(incident) !== t.before) {
      // Fresher numbers on the members (a count, a ratio): kept for the next message, not news by themselves.
      stored.set(incident.id, incident);
    }
  }
  return { events: kept, alerts: [...stored.values()], notes };
}
