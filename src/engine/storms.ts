// Storms: when many institutions fail together, one grouped alert speaks for them: one message listing them, kept
// current as members join and recover, and one page, resolved when the last member recovers. Pure, clock injected.
//
// Alerts that open while a storm forms or is open are absorbed: their own events go nowhere, the storm's message
// tells their story. Alerts announced on their own before the storm formed keep their own message (and page); the
// storm lists them too, so its count is the truth, and follows their recovery.
import type { Alert, AlertEvent, GroupMember } from '../domain/alert.js';
import { fingerprint, INCIDENT_KIND } from '../domain/fingerprint.js';
import { worstSeverity } from '../domain/severity.js';
import { withEngineNote } from './engine-note.js';
import { groupAlert } from './group-alert.js';
import { STORM_KIND } from './policy-config.js';

export interface StormInput {
  /** This batch's events and the alerts it stores (events hold snapshots of these alerts). */
  events: AlertEvent[];
  alerts: Alert[];
  /** Firing alerts as stored before this batch (to count recent failures and find the open storm). */
  firing: Alert[];
  config: { count: number; windowMs: number };
  now: number;
  newId: () => string;
}

export interface StormResult {
  events: AlertEvent[];
  alerts: Alert[];
  /** What happened, for logs. */
  notes: string[];
}

/** What can be part of a storm: an institution incident (one per institution, whatever its sources), not held by a
 * maintenance. */
function isCandidate(a: Alert): boolean {
  return a.kind === INCIDENT_KIND && a.institution !== undefined && a.maintenance === undefined;
}

function memberOf(a: Alert, since: number): GroupMember {
  return {
    id: a.id,
    kind: a.kind,
    source: a.source,
    title: a.title,
    ...(a.institution && { institution: a.institution }),
    severity: a.severity,
    state: a.state,
    since,
  };
}

function names(members: GroupMember[], max = 3): string {
  const shown = members.slice(0, max).map((m) => m.institution?.displayName ?? m.title);
  return members.length > max ? `${shown.join(', ')} +${members.length - max} more` : shown.join(', ');
}

/** Title and severity follow the members: the count still down, the worst of them. */
function summarize(storm: Alert): void {
  const members = storm.members ?? [];
  const down = members.filter((m) => m.state !== 'resolved');
  const recovered = members.length - down.length;
  if (down.length === 0) {
    // Over: the message keeps saying how big it was, at the severity it ended with.
    storm.title = `${members.length} institutions were down at once`;
    storm.status = `all ${members.length} recovered`;
  } else {
    storm.title =
      recovered > 0
        ? `${down.length} of ${members.length} institutions still down`
        : `${down.length} institutions down at once`;
    storm.status = recovered > 0 ? `${down.length} down, ${recovered} recovered` : `${down.length} down`;
    const worst = down.reduce<Alert['severity']>((w, m) => worstSeverity(w, m.severity), 'minor');
    storm.severity = worst;
    storm.peakSeverity = worstSeverity(storm.peakSeverity, worst);
  }
  // What Belvo's status page says of them, when one of its incidents names several of the storm's institutions.
  const page = storm.evidence.statusPage;
  const said = Array.isArray(page) && page.length > 0 ? page : undefined;
  if (said && down.length > 0) storm.status += ` · on Belvo's status page: ${said.join(', ')}`;
  storm.evidence = {
    down: down.length,
    recovered,
    countries: [...new Set(down.map((m) => m.institution?.country).filter((c) => c !== undefined))].join(', '),
    ...(said && { statusPage: said }),
  };
}

/**
 * Status-page incidents naming several of the storm's institutions (listed on their incidents): the storm's message
 * names the open ones, so the page's own words are on the one message people read.
 */
function notePageIncidents(storm: Alert, events: AlertEvent[]): void {
  const ids = new Set((storm.members ?? []).map((m) => m.id));
  const page = storm.evidence.statusPage;
  const titles = new Set(Array.isArray(page) ? page : []);
  for (const e of events) {
    if (!e.alert.listedOn?.some((id) => ids.has(id))) continue;
    if (e.alert.state === 'resolved') titles.delete(e.alert.title);
    else titles.add(e.alert.title);
  }
  storm.evidence = { ...storm.evidence, statusPage: [...titles] };
}

function newStorm(id: string, members: GroupMember[], startedAt: number, now: number): Alert {
  const storm = groupAlert({
    id,
    fingerprint: fingerprint.storm(now),
    kind: STORM_KIND,
    members,
    startedAt,
    now,
  });
  summarize(storm);
  return storm;
}

export function groupStorms(input: StormInput): StormResult {
  const { now, config } = input;
  const notes: string[] = [];
  const stored = new Map(input.alerts.map((a) => [a.id, a]));
  const openStorm = input.firing.find((a) => a.kind === STORM_KIND && a.state === 'firing');
  const storm = openStorm ? structuredClone(openStorm) : undefined;
  const memberIds = new Set(storm?.members?.map((m) => m.id));
  // A member of a storm that is over is on its own again (a relapse is news, and may page).
  for (const e of input.events) {
    if (e.alert.groupId && e.alert.groupId !== storm?.id) {
      delete e.alert.groupId;
      const a = stored.get(e.alert.id);
      if (a) delete a.groupId;
    }
  }

  const opening = input.events.filter(
    (e) =>
      (e.type === 'opened' || e.type === 'reopened') && !e.quiet && isCandidate(e.alert) && !memberIds.has(e.alert.id),
  );
  let group = storm;
  let formed = false;
  if (!group && opening.length > 0) {
    const batch = new Set(opening.map((e) => e.alert.id));
    const recent = input.firing.filter(
      (a) =>
        isCandidate(a) &&
        !a.groupId &&
        !batch.has(a.id) &&
        a.announced &&
        a.firedAt !== undefined &&
        now - a.firedAt <= config.windowMs,
    );
    if (opening.length + recent.length >= config.count) {
      const startedAt = Math.min(...[...recent, ...opening.map((e) => e.alert)].map((a) => a.startedAt));
      group = newStorm(
        input.newId(),
        recent.map((a) => memberOf(a, a.firedAt ?? now)),
        startedAt,
        now,
      );
      formed = true;
      for (const a of recent) memberIds.add(a.id);
    }
  }
  if (!group) return { events: input.events, alerts: input.alerts, notes };

  const joined: GroupMember[] = [];
  const recoveredNow: GroupMember[] = [];
  const worse: GroupMember[] = [];
  const kept: AlertEvent[] = [];
  const absorb = new Set(opening.map((e) => e.alert.id));
  const members = group.members ?? [];
  for (const e of input.events) {
    const id = e.alert.id;
    if (absorb.has(id)) {
      const member = memberOf(e.alert, now);
      members.push(member);
      joined.push(member);
      // The stored alert now points to its group; its own event goes nowhere.
      const a = stored.get(id);
      if (a) a.groupId = group.id;
      continue;
    }
    const member = members.find((m) => m.id === id);
    if (!member) {
      kept.push(e);
      continue;
    }
    if (e.alert.state === 'resolved' && member.state !== 'resolved') {
      member.state = 'resolved';
      member.resolvedAt = e.alert.resolvedAt ?? now;
      recoveredNow.push(member);
    } else if (e.alert.state === 'firing' && member.state === 'resolved') {
      member.state = 'firing';
      delete member.resolvedAt;
      joined.push(member);
    } else if (e.alert.severity !== member.severity) {
      if (worstSeverity(e.alert.severity, member.severity) === e.alert.severity) worse.push(member);
      member.severity = e.alert.severity;
    }
    // A member announced on its own keeps its own message; an absorbed one is told by the storm only.
    if (!e.alert.groupId) kept.push(e);
  }
  group.members = members;
  notePageIncidents(group, input.events);
  summarize(group);

  const parts: string[] = [];
  if (joined.length) parts.push(`${joined.length} more down: ${names(joined)}`);
  if (worse.length) parts.push(`worse: ${names(worse)}`);
  if (recoveredNow.length) parts.push(`recovered: ${names(recoveredNow)}`);
  if (!formed && parts.length === 0) return { events: kept, alerts: [...stored.values()], notes };

  const down = members.filter((m) => m.state !== 'resolved');
  let result: { alert: Alert; event: AlertEvent };
  if (formed) {
    const reason = `${members.length} institutions failed within ${Math.round(config.windowMs / 1000)}s (storm threshold ${config.count}): ${names(members)}`;
    result = withEngineNote(group, { type: 'opened', status: 'storm', reason, quiet: false, noPage: false }, now);
    notes.push(`storm ${group.id} formed: ${reason}`);
  } else if (down.length === 0) {
    group.state = 'resolved';
    // When the last institution recovered, by its sources' clocks: the storm's duration is theirs.
    const ends = members.map((m) => m.resolvedAt).filter((t): t is number => t !== undefined);
    group.resolvedAt = ends.length ? Math.min(now, Math.max(group.startedAt, ...ends)) : now;
    const reason = `every institution recovered (last: ${names(recoveredNow)})`;
    result = withEngineNote(group, { type: 'resolved', status: 'resolved', reason, quiet: false, noPage: false }, now);
    notes.push(`storm ${group.id} over`);
  } else {
    const reason = `${parts.join('; ')} (${down.length} still down)`;
    result = withEngineNote(group, { type: 'updated', status: 'storm', reason, quiet: false, noPage: false }, now);
  }
  result.alert.lastSeenAt = now;
  result.event.alert.lastSeenAt = now;
  stored.set(result.alert.id, result.alert);
  return { events: [...kept, result.event], alerts: [...stored.values()], notes };
}
