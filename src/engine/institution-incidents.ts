// One incident per institution problem: the alerts about one institution, whatever source raised them (its status
// page component, Belvo's API health, a token_required or invalid spike, the team's error ratio), are the members of
// one institution incident. Delivery and paging follow the incident: one message listing each source's evidence as it
// arrives, one page. Each member keeps its own lifecycle; the incident is open while any member is, its severity is
// the worst open member's, and it resolves when the last member does. When the team's own data opens it before
// Belvo's status page shows anything, it says so, and says when the status page confirmed it. Pure, clock injected.
import type { Alert, AlertEvent, AlertEventType, GroupMember } from '../domain/alert.js';
import { durationText } from '../domain/alert.js';
import {
  DESTINATION_HEALTH_KIND,
  fingerprint,
  INCIDENT_KIND,
  SOURCE_HEALTH_KIND,
  STORM_KIND,
} from '../domain/fingerprint.js';
import {
  evidenceDetail,
  evidencePhrase,
  incidentStatus,
  incidentTitle,
  isStatusPageKind,
} from '../domain/incident-text.js';
import { severityRank, worstSeverity } from '../domain/severity.js';
import { withEngineNote } from './engine-note.js';
import { groupAlert } from './group-alert.js';

export interface CorrelationInput {
  /** This batch's events and the alerts it stores (events hold snapshots of these alerts). */
  events: AlertEvent[];
  alerts: Alert[];
  /** Stored institution incidents: the latest one of each institution this batch touches (open or not). */
  incidents: Alert[];
  now: number;
  newId: () => string;
  /** A resolved incident reopens when a member fails again this soon (the flapping window); later, a new one opens. */
  reopenWithinMs: number;
  /** Source timeline entries kept on an incident. */
  timelineLimit: number;
}

export interface CorrelationResult {
  events: AlertEvent[];
  alerts: Alert[];
  notes: string[];
}

/** An alert that is evidence about one institution (and so a member of its incident). */
export function isIncidentMember(a: Pick<Alert, 'kind' | 'institution'>): boolean {
  return (
    a.institution !== undefined &&
    a.kind !== INCIDENT_KIND &&
    a.kind !== STORM_KIND &&
    a.kind !== SOURCE_HEALTH_KIND &&
    a.kind !== DESTINATION_HEALTH_KIND &&
    !a.kind.startsWith('bot.')
  );
}

/** The incident fingerprints a batch may touch, for the store to load. */
export function incidentFingerprints(events: AlertEvent[]): string[] {
  const names = new Set<string>();
  for (const e of events) {
    if (isIncidentMember(e.alert)) names.add(e.alert.institution?.name as string);
    for (const ref of e.alert.affects ?? []) names.add(ref.name);
  }
  return [...names].map(fingerprint.institutionIncident);
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
  worse: GroupMember[];
  updates: string[];
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
  const incident = groupAlert({
    id,
    fingerprint: fingerprint.institutionIncident(member.institution?.name as string),
    kind: INCIDENT_KIND,
    members: [],
    startedAt: member.startedAt,
    now,
  });
  incident.institution = member.institution as NonNullable<Alert['institution']>;
  incident.correlation = {
    noticedAt: now,
    noticedBy: evidencePhrase(member),
    early: !isStatusPageKind(member.kind),
  };
  return incident;
}

/** Brings what the incident shows in line with its members (severity, title, status, environment, maintenance). */
function summarize(incident: Alert, now: number): void {
  const members = incident.members ?? [];
  const open = members.filter((m) => m.state !== 'resolved');
  if (open.length > 0) {
    incident.severity = open.reduce<Alert['severity']>((w, m) => worstSeverity(w, m.severity), 'info');
    incident.peakSeverity = worstSeverity(incident.peakSeverity, incident.severity);
  }
  incident.title = incidentTitle(incident.institution as NonNullable<Alert['institution']>, members);
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
  incident.status = incidentStatus(incident);
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
function carryTimeline(incident: Alert, member: Alert, limit: number): string[] {
  const known = new Set(incident.timeline.map((t) => t.id));
  const fresh = member.timeline
    .filter((t) => t.origin === 'source')
    .map((t) => ({ ...t, id: `${member.id}/${t.id}` }))
    .filter((t) => !known.has(t.id));
  if (fresh.length === 0) return [];
  incident.timeline = [...incident.timeline, ...fresh].slice(-limit);
  return fresh.map((t) => t.status);
}

export function correlateInstitutions(input: CorrelationInput): CorrelationResult {
  const { now } = input;
  const notes: string[] = [];
  const stored = new Map(input.alerts.map((a) => [a.id, a]));
  const latest = new Map<string, Alert>();
  for (const i of input.incidents) {
    if (i.kind !== INCIDENT_KIND || !i.institution) continue;
    const known = latest.get(i.institution.name);
    const better = !known || (known.state === 'resolved' && (i.state !== 'resolved' || i.startedAt > known.startedAt));
    if (better) latest.set(i.institution.name, i);
  }
  const openById = new Map(
    input.incidents.filter((i) => i.kind === INCIDENT_KIND && i.state !== 'resolved').map((i) => [i.id, i]),
  );
  for (const i of openById.values()) if (i.institution) latest.set(i.institution.name, i);
  const touched = new Map<string, Touch>();
  const kept: AlertEvent[] = [];

  const touch = (name: string, incident: Alert): Touch => {
    let t = touched.get(name);
    if (!t) {
      const copy = structuredClone(incident);
      t = {
        incident: copy,
        before: JSON.stringify(copy),
        wasFlapping: copy.flapping,
        joined: [],
        recovered: [],
        worse: [],
        updates: [],
        quiet: true,
        noPage: true,
      };
      touched.set(name, t);
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
    } else if (firing && was && severityRank(member.severity) > severityRank(was.severity)) {
      t.worse.push(member);
    } else if (firing && !e.quiet && e.type !== 'reminder') {
      t.updates.push(`${phrase}: ${e.reason}`);
    }
    if (a.flapping && e.type === 'flapping') t.flapReason = `${phrase}: ${e.reason}`;
    for (const status of sourceUpdates) if (firing) t.updates.push(`${phrase}: ${status.replace(/_/g, ' ')}`);
  };

  for (const e of input.events) {
    kept.push(e);
    const a = e.alert;
    // A status-page incident naming several institutions keeps its own message, and is listed on (and confirms)
    // each of their incidents that is open: it never opens one.
    for (const ref of isIncidentMember(a) ? [] : (a.affects ?? [])) {
      const current = touched.get(ref.name)?.incident ?? latest.get(ref.name);
      if (current?.state !== 'firing') continue;
      listOn(touch(ref.name, current), e, a);
    }
    if (!isIncidentMember(a)) continue;
    const firing = a.state === 'firing';
    const opening = firing && (e.type === 'opened' || e.type === 'reopened' || e.type === 'flapping');
    // Announced on its own before incidents grouped it: it keeps its own message to the end.
    if (!a.incidentId && !opening) continue;
    // A member stays with the open incident it joined, even if its institution's name changed meanwhile (the
    // catalogue learnt Belvo's name for a status-page component after the component had failed).
    const joined = a.incidentId ? openById.get(a.incidentId) : undefined;
    const name = joined?.institution?.name ?? (a.institution?.name as string);

    const current = touched.get(name)?.incident ?? latest.get(name);
    let t: Touch;
    if (!current || (current.state === 'resolved' && now - (current.resolvedAt ?? 0) > input.reopenWithinMs)) {
      if (!opening) continue; // its incident is long over: nothing left to tell
      const incident = newIncident(input.newId(), a, now);
      t = touch(name, incident);
      t.before = '';
      t.opening = 'opened';
      t.first = { id: a.id, phrase: evidencePhrase(a), reason: e.reason };
      notes.push(`institution incident ${incident.id} opened for ${name} by ${a.id}`);
    } else {
      t = touch(name, current);
      if (t.incident.state === 'resolved') {
        if (!opening) continue;
        const incident = t.incident;
        incident.state = 'firing';
        incident.firedAt = now;
        incident.startedAt = a.startedAt;
        delete incident.resolvedAt;
        delete incident.acknowledged;
        delete incident.remindedAt;
        incident.correlation = { noticedAt: now, noticedBy: evidencePhrase(a), early: !isStatusPageKind(a.kind) };
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
    summarize(incident, now);
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
      incident.resolvedAt = now;
      incident.status = incidentStatus(incident);
      reason = `every source recovered (last: ${t.recovered.map((m) => m.title).join(', ') || 'none'})`;
      notes.push(`institution incident ${incident.id} resolved`);
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
        { type, status: type, reason, quiet: t.quiet && !news, noPage: t.noPage },
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
