import type { InstitutionRef } from './institution.js';
import type { MaintenanceWindow } from './maintenance-window.js';
import type { Loudness, MentionTarget } from './mention.js';
import type { ReportBody } from './report.js';
import type { Severity } from './severity.js';
import type { EvidenceValue, Figure, Lifecycle, MaintenanceRef, ServiceRef, TimelineEntry } from './signal.js';

/**
 * - `pending`: bad observations seen, fewer than the fail threshold; never announced.
 * - `firing`: announced (or held back by a maintenance) and open.
 * - `resolved`: closed; kept so a quick relapse reopens the same alert (flapping) instead of a new one.
 */
export type AlertState = 'pending' | 'firing' | 'resolved';

export interface MaintenanceWindowState extends MaintenanceRef {
  since: number;
  /** What the alert looked like when the window began, so only net change is reported when it ends. */
  before: { state: AlertState; severity: Severity; announced: boolean };
}

export interface Acknowledgement {
  by: string;
  at: number;
  /** Where it was acknowledged when not in chat: the pager's own app (its webhook told the bot). */
  via?: 'pagerduty';
}

/** "acknowledged by Ana", or "acknowledged in PagerDuty by Ana": how every message and answer says it. */
export function acknowledgedText(ack: Acknowledgement): string {
  return ack.via === 'pagerduty' ? `acknowledged in PagerDuty by ${ack.by}` : `acknowledged by ${ack.by}`;
}

/** The pager's own incident for a page, as its webhooks name it (a note names only this). */
export interface PagerIncident {
  id: string;
  url?: string;
}

/** One alert inside a grouped alert (a storm): listed on the group's message, which speaks for all of them. */
export interface GroupMember {
  id: string;
  kind: string;
  source: string;
  title: string;
  institution?: InstitutionRef;
  severity: Severity;
  state: AlertState;
  /** The member's own status word ("investigating", "partial_outage"). */
  status?: string;
  /** When it joined the group (its own firing time, or the group's start for alerts absorbed at once). */
  since: number;
  resolvedAt?: number;
  /** The member's own fingerprint and environment: silences and filters on the group look at its members. */
  fingerprint?: string;
  environment?: string;
  /** A few words of the member's own numbers ("14 in 1h"), shown after its title. */
  detail?: string;
  flapping?: boolean;
  /** Held by an announced maintenance (never pages). */
  maintenance?: boolean;
}

/** What an institution incident knows of who saw the problem first. */
export interface Correlation {
  /** When the first member fired, and what it was ("token_required spike (production)"). */
  noticedAt: number;
  noticedBy: string;
  /** True when the team's own data (API health, spikes, error ratios) saw it before Belvo's status page. */
  early: boolean;
  /** When Belvo's status page first showed it (undefined: not yet, or never). */
  confirmedAt?: number;
}

export interface PagingState {
  /** The paging rule that matched. */
  rule: string;
  /** Pager destinations the rule pages. */
  destinations: string[];
  /** When it pages if still firing, unacknowledged and not silenced (its firing time for an immediate rule). */
  dueAt: number;
  pagedAt?: number;
  /** What the pager was last told; `resolved` closes the story (a relapse pages anew). */
  pager?: 'triggered' | 'acknowledged' | 'resolved';
  /** Severity the pager last heard: a worse one is sent again, so the page shows it. */
  severity?: Severity;
  /** The pager's incident, once one of its webhooks named it. */
  incident?: PagerIncident;
  /**
   * Someone resolved the page in the pager while the alert still fails: it is not paged again for the same
   * problem unless it gets worse (a higher severity), and no reminders nag about it.
   */
  closedInPager?: { by: string; at: number };
  /** The pager's webhook events already applied (the latest few): the same event sent again changes nothing. */
  pagerEvents?: string[];
}

/** A moving figure as the alert's messages know it (see engine/figures.ts). */
export interface FigureState extends Figure {
  /** The highest step a thread reply announced while open: only a higher one is news. */
  announcedStep: number;
  /** The value the message last showed, and when: quiet edits of a moving figure are rate-limited. */
  shownValue: number;
  shownAt: number;
}

export interface Alert {
  /** Short public id used in chat (`/belvo-status ack A12`). */
  id: string;
  fingerprint: string;
  kind: string;
  source: string;
  lifecycle: Lifecycle;
  state: AlertState;
  /** Bumped by meaningful change only; 0 while pending. Delivery is keyed on (alert, version, destination). */
  version: number;
  severity: Severity;
  /** Worst severity while open: a channel that heard of the alert at `major` also hears it resolve at `minor`. */
  peakSeverity: Severity;
  title: string;
  status: string;
  url?: string;
  environment?: string;
  institution?: InstitutionRef;
  /** A status-page incident naming several institutions: it is listed on their incidents. */
  affects?: InstitutionRef[];
  /** The service it is about when not an institution (the Belvo API as one status page shows it). */
  service?: ServiceRef;
  /**
   * A status-page incident naming several institutions that opened while their incidents were open: those
   * incidents list it and page for it, so it has no message or page of its own.
   */
  listedOn?: string[];
  evidence: Record<string, EvidenceValue>;
  /** The figure that moves while it is open (a count, a ratio), shown beside the status. */
  figure?: FigureState;
  revision?: string;
  flapping: boolean;
  maintenance?: MaintenanceWindowState;
  /** A scheduled maintenance (kind `statuspage.maintenance`): the window its page announces. */
  maintenanceWindow?: MaintenanceWindow;
  /**
   * A scheduled maintenance the bot closed when its window had ended a while ago and the page never said it
   * completed: when it did. The page saying the same window again keeps it closed; a moved window reopens it.
   */
  lapsedAt?: number;
  acknowledged?: Acknowledgement;
  /** The silence muting it, as its message shows it (kept for display; routing reads the silences themselves). */
  silenced?: {
    id: string;
    by: string;
    until: number;
    reason: string;
    /** A recurring silence's schedule (`every Sun 02:00-04:00 America/Sao_Paulo`); `until` is this window's end. */
    every?: string;
  };
  /** How loud its messages have been since it (re)opened: a mention is for the event that goes past that. */
  mentioned?: Loudness;
  /** A grouped alert (kind `bot.storm`): the alerts it carries, in the order they joined. */
  members?: GroupMember[];
  /** The grouped alert speaking for this one: its own events go nowhere while it is a member. */
  groupId?: string;
  /**
   * The institution incident this alert is evidence of (kind `institution.incident`): its own events go nowhere,
   * the incident's message lists it, and the incident pages for it.
   */
  incidentId?: string;
  /** An institution incident: who noticed first, and when Belvo's status page confirmed it. */
  correlation?: Correlation;
  /** Paging: which rule pages it, when, and what the pager was last told. */
  paging?: PagingState;
  /** Last reminder (a long-firing, unacknowledged alert is repeated in its thread). */
  remindedAt?: number;
  /** True once an `opened` event went out; resolution is only reported for announced alerts. */
  announced: boolean;
  counters: { bad: number; ok: number };
  /** Times of firing/resolved flips still inside the flapping window. */
  flips: number[];
  /** When the source says it started, else when the bot first saw it bad. */
  startedAt: number;
  firstSeenAt: number;
  lastSeenAt: number;
  firedAt?: number;
  resolvedAt?: number;
  /** First good observation of the current good streak (hold-down). */
  okSince?: number;
  /** Last bad observation (flapping settles after a quiet window). */
  lastBadAt?: number;
  timeline: TimelineEntry[];
  /** Store's optimistic-concurrency revision; the engine leaves it alone. */
  rev: number;
}

/**
 * - `reminder`: still firing and unacknowledged after a long time; chat repeats it in the alert's thread only.
 */
export type AlertEventType = 'opened' | 'updated' | 'reopened' | 'flapping' | 'resolved' | 'reminder';

/** What a pager (PagerDuty) must do with an event; set only on the intents routed to pager destinations. */
export type PageAction = 'trigger' | 'acknowledge' | 'resolve';

/** One meaningful change of one alert: what delivery turns into messages. */
export interface AlertEvent {
  type: AlertEventType;
  /** The alert as it is at this version (a snapshot: rendering later shows what was true then). */
  alert: Alert;
  version: number;
  at: number;
  /** Why the engine emitted it, in words on-call can read ("2 consecutive bad polls (threshold 2)"). */
  reason: string;
  /** Edit-only: chat edits the parent but posts no thread reply; the console prints nothing. */
  quiet: boolean;
  /** Never pages (maintenance, info). Routing and paging policies read it. */
  noPage: boolean;
  /** Delivered even where a silence matches: the notice that the silence began or ended (an edit, never a page). */
  bypassSilence?: boolean;
  /** Set per chat destination: who this message wakes up (its subscription's mention, at the level it crossed). */
  mention?: MentionTarget[];
  /**
   * Set per chat destination for a scheduled maintenance: the time zone its subscription reads times in (its `tz`,
   * else its quiet hours' zone, else UTC). Its window and the reason are shown in it.
   */
  timeZone?: string;
  /** Set on intents for pager destinations only (chat and console never see it). */
  page?: PageAction;
  /** The source's updates that are news in this event, oldest first (a poll can bring several). */
  updates?: TimelineEntry[];
  /** A scheduled report (kind `bot.report`): destinations show this text instead of an alert's message. */
  report?: ReportBody;
}

/** The grouped alert or incident whose message speaks for this one, if any. */
export function speakerOf(alert: Alert): string | undefined {
  return alert.groupId ?? alert.incidentId ?? alert.listedOn?.[0];
}

export function isOpen(alert: Alert): boolean {
  return alert.state !== 'resolved';
}

export function durationText(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m${sec ? ` ${sec}s` : ''}`;
  return `${sec}s`;
}
