// The alert lifecycle for one fingerprint: pure, clock injected, one decision per observation.
// applySignal() first moves the alert's state (thresholds, flapping, maintenance), then decides what of that is
// news worth an event by comparing before and after. At most one event per observation.
import { type Alert, type AlertEvent, type AlertEventType, durationText } from '../domain/alert.js';
import { SOURCE_HEALTH_KIND } from '../domain/fingerprint.js';
import { announcedReason, heldClosed, movedReason, sameWindow } from '../domain/maintenance-window.js';
import { severityRank, worstSeverity } from '../domain/severity.js';
import { GONE_STATUS, type Signal, type TimelineEntry } from '../domain/signal.js';
import { type EngineConfig, type Thresholds, thresholdsFor } from './engine-config.js';
import { figureNews, figureShown } from './figures.js';

export interface LifecycleContext {
  now: number;
  config: EngineConfig;
  /** The source has never been read successfully before: history is recorded, not announced. */
  firstSight: boolean;
  newId: () => string;
  /**
   * The source's last successful read before this one: a thing first seen already resolved is news only if it ended
   * after it (missed while the bot was down or between polls); older ones are history.
   */
  lastReadAt?: number;
}

export interface Transition {
  /** The alert to store, when anything about it changed (undefined: nothing to write). */
  alert?: Alert;
  event?: AlertEvent;
  /** Why, for logs and tests, also when nothing was emitted. */
  reason: string;
}

type Facts = Pick<
  Alert,
  'state' | 'severity' | 'peakSeverity' | 'status' | 'revision' | 'flapping' | 'announced' | 'maintenanceWindow'
> & {
  maintenance: boolean;
};

function facts(a: Alert): Facts {
  return {
    state: a.state,
    severity: a.severity,
    peakSeverity: a.peakSeverity,
    status: a.status,
    revision: a.revision,
    flapping: a.flapping,
    announced: a.announced,
    maintenance: a.maintenance !== undefined,
    ...(a.maintenanceWindow && { maintenanceWindow: { ...a.maintenanceWindow } }),
  };
}

function thresholdsOf(s: Signal, config: EngineConfig): Thresholds {
  if (s.lifecycle === 'source') return { fail: 1, ok: 1, holdDownMs: 0 };
  const t = thresholdsFor(config, s.kind);
  return { ...t, fail: s.thresholds?.fail ?? t.fail, ok: s.thresholds?.ok ?? t.ok };
}

/** A resolved alert is reused when the same thing relapses soon (flapping) or when the source owns its identity. */
function reusable(prev: Alert, s: Signal, now: number, config: EngineConfig): boolean {
  if (prev.state !== 'resolved') return true;
  if (s.lifecycle === 'source') return true;
  // Resolved inside a maintenance window: the window's end still has to be settled on this alert.
  if (prev.maintenance) return true;
  return prev.resolvedAt !== undefined && now - prev.resolvedAt <= config.flapping.windowMs;
}

function cloneAlert(a: Alert): Alert {
  return structuredClone(a);
}

function newAlert(s: Signal, ctx: LifecycleContext): Alert {
  return {
    id: ctx.newId(),
    fingerprint: s.fingerprint,
    kind: s.kind,
    source: s.source,
    lifecycle: s.lifecycle,
    state: 'pending',
    version: 0,
    severity: s.severity,
    peakSeverity: s.severity,
    title: s.title,
    status: s.status,
    ...(s.url !== undefined && { url: s.url }),
    ...(s.environment !== undefined && { environment: s.environment }),
    ...(s.institution !== undefined && { institution: s.institution }),
    ...(s.affects !== undefined && { affects: s.affects }),
    ...(s.service !== undefined && { service: s.service }),
    evidence: {},
    flapping: false,
    announced: false,
    counters: { bad: 0, ok: 0 },
    flips: [],
    startedAt: s.startedAt ?? ctx.now,
    firstSeenAt: ctx.now,
    lastSeenAt: ctx.now,
    timeline: [],
    rev: 0,
  };
}

/** Keeps the newest `limit` source updates and the newest `limit` engine notes, in time order. */
function capTimeline(entries: TimelineEntry[], limit: number): TimelineEntry[] {
  const sorted = [...entries].sort((x, y) => x.at - y.at);
  const source = sorted.filter((e) => e.origin === 'source').slice(-limit);
  const engine = sorted.filter((e) => e.origin === 'engine').slice(-limit);
  return [...source, ...engine].sort((x, y) => x.at - y.at);
}

/**
 * Adds the source updates not seen before and returns them, oldest first. Once the timeline is full, an update
 * older than everything kept is one that was dropped for room, not news (else a long incident would re-announce
 * its oldest updates on every poll).
 */
function mergeTimeline(a: Alert, entries: TimelineEntry[] | undefined, limit: number): TimelineEntry[] {
  if (!entries?.length) return [];
  const known = new Set(a.timeline.map((e) => e.id));
  const kept = a.timeline.filter((e) => e.origin === 'source');
  const oldestKept = kept.length >= limit ? Math.min(...kept.map((e) => e.at)) : Number.NEGATIVE_INFINITY;
  const fresh = entries.filter((e) => !known.has(e.id) && e.at >= oldestKept);
  if (fresh.length === 0) return [];
  a.timeline = capTimeline([...a.timeline, ...fresh], limit);
  return [...fresh].sort((x, y) => x.at - y.at).slice(-limit);
}

/** Copies what the signal says about the thing; never touches lifecycle state. Returns the source's new updates. */
function mergeSignal(a: Alert, s: Signal, ctx: LifecycleContext): TimelineEntry[] {
  // A good observation of an open, observed alert only counts towards resolution: the message keeps saying what
  // was wrong (and how badly) until it resolves, instead of announcing "operational, severity minor" on the way.
  const recovering = s.observation === 'ok' && s.lifecycle === 'observed' && a.state !== 'resolved' && a.version > 0;
  if (!recovering) {
    a.severity = s.severity;
    a.peakSeverity = a.state === 'resolved' ? s.severity : worstSeverity(a.peakSeverity ?? s.severity, s.severity);
    a.title = s.title;
    a.status = s.status;
  }
  a.kind = s.kind;
  if (s.url !== undefined) a.url = s.url;
  if (s.environment !== undefined) a.environment = s.environment;
  if (s.institution !== undefined) a.institution = s.institution;
  if (s.affects !== undefined) a.affects = s.affects;
  if (s.service !== undefined) a.service = s.service;
  if (s.evidence !== undefined) a.evidence = { ...s.evidence };
  if (s.revision !== undefined) a.revision = s.revision;
  if (s.maintenanceWindow !== undefined) a.maintenanceWindow = { ...s.maintenanceWindow };
  if (s.startedAt !== undefined && a.state !== 'resolved') a.startedAt = s.startedAt;
  a.lastSeenAt = ctx.now;
  return mergeTimeline(a, s.updates, ctx.config.timelineLimit);
}

/** "2 consecutive bad observations", or for the bot's own polls "3 failed polls in a row". */
function streak(n: number, kind: 'bad' | 'good', s: Signal): string {
  if (s.kind === SOURCE_HEALTH_KIND) {
    const what = kind === 'bad' ? 'failed poll' : 'successful poll';
    return `${n} ${what}${n === 1 ? '' : 's'}${n === 1 ? '' : ' in a row'}`;
  }
  return `${n} consecutive ${kind} observation${n === 1 ? '' : 's'}`;
}

/** A detector that states its rule with its numbers is quoted: on-call judges the alert in one look. */
function ruleOf(s: Signal): string {
  return typeof s.evidence?.rule === 'string' ? `: ${s.evidence.rule}` : '';
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function prune(flips: number[], now: number, windowMs: number): number[] {
  // A flip "in the future" (the clock stepped back) is dropped too, or it would count forever.
  return flips.filter((t) => now - t <= windowMs && t <= now);
}

/**
 * Whether flapping can hold the alert open. A page's own word (`source`) is never flapping; nor is the bot's own
 * "cannot be read": a page that reads again is readable, now, and two short outages must not keep it red for the
 * flapping window (each relapse reopens the same message instead).
 */
function flaps(s: Signal): boolean {
  return s.lifecycle === 'observed' && s.kind !== SOURCE_HEALTH_KIND;
}

/** Moves the state machine; returns a short reason. */
function step(a: Alert, s: Signal, t: Thresholds, ctx: LifecycleContext): string {
  const { now, config } = ctx;
  const flapWindow = config.flapping.windowMs;
  a.flips = prune(a.flips, now, flapWindow);
  const previous = a.counters.bad > 0 ? 'bad' : a.counters.ok > 0 ? 'ok' : undefined;
  // While flapping the alert stays open, so the flips are the observations changing underneath it.
  if (a.flapping && previous !== undefined && previous !== s.observation) a.flips.push(now);

  if (s.observation === 'bad') {
    a.counters = { bad: a.counters.bad + 1, ok: 0 };
    a.lastBadAt = now;
    delete a.okSince;
    if (a.state === 'firing') {
      const lastFlip = a.flips[a.flips.length - 1];
      if (a.flapping && (lastFlip === undefined || now - lastFlip >= flapWindow)) {
        a.flapping = false;
        return `no change for ${durationText(flapWindow)}: stopped flapping, still failing`;
      }
      return 'still failing';
    }
    if (a.counters.bad < t.fail) return `${a.counters.bad} of ${t.fail} bad observations before firing`;
    const reopening = a.state === 'resolved';
    a.state = 'firing';
    a.firedAt ??= now;
    delete a.resolvedAt;
    a.flips.push(now);
    // Flapping guards against a page flipping a state; an incident's own lifecycle is the page's word.
    if (reopening && flaps(s) && a.flips.length >= config.flapping.flips) {
      a.flapping = true;
      return `${a.flips.length} state changes in ${durationText(flapWindow)}: flapping`;
    }
    if (s.lifecycle === 'source') return `the source says ${s.status}`;
    // A detector whose rule decides in one observation (a spike, an error ratio) is quoted: its numbers are why.
    if (t.fail === 1 && typeof s.evidence?.rule === 'string') return s.evidence.rule;
    if (t.fail === 1 && s.kind !== SOURCE_HEALTH_KIND) return `the source says ${s.status}`;
    return `${streak(a.counters.bad, 'bad', s)} (threshold ${t.fail})${ruleOf(s)}`;
  }

  // observation ok
  a.counters = { bad: 0, ok: a.counters.ok + 1 };
  a.okSince ??= now;
  if (a.state === 'resolved') return 'still resolved';
  if (a.state === 'pending') {
    a.state = 'resolved';
    a.resolvedAt = endOf(a, s, now);
    return 'recovered before reaching the fail threshold';
  }
  if (a.flapping) {
    const quietFor = now - (a.lastBadAt ?? a.firstSeenAt);
    if (quietFor < flapWindow) return `flapping: resolves after ${durationText(flapWindow)} without failures`;
    a.flapping = false;
    return resolve(a, now, `stable for ${durationText(quietFor)} after flapping`);
  }
  const heldDown = t.holdDownMs > 0 && now - a.okSince >= t.holdDownMs;
  if (a.counters.ok < t.ok && !heldDown) return `${a.counters.ok} of ${t.ok} good observations before resolving`;
  if (flaps(s) && a.flips.length + 1 >= config.flapping.flips) {
    // Resolving now would be one flip too many: keep the message open and say it is flapping instead.
    a.flapping = true;
    a.flips.push(now);
    return `${a.flips.length} state changes in ${durationText(flapWindow)}: flapping`;
  }
  a.flips.push(now);
  const why =
    s.status === GONE_STATUS
      ? `no longer listed by the source (${plural(a.counters.ok, 'poll')})`
      : s.lifecycle === 'source'
        ? `the source says ${s.status}`
        : heldDown && a.counters.ok < t.ok
          ? `no failure for ${Math.round(t.holdDownMs / 1000)} s (hold-down)`
          : `${streak(a.counters.ok, 'good', s)} (threshold ${t.ok})`;
  return resolve(a, endOf(a, s, now), why);
}

function resolve(a: Alert, at: number, why: string): string {
  a.state = 'resolved';
  a.resolvedAt = at;
  return why;
}

/**
 * When it ended: the source's word where it has one (an incident's `resolved_at`, a maintenance's completion), so a
 * duration is the page's and not how long the bot took to look; the bot's clock only for what it observed itself.
 */
function endOf(a: Alert, s: Signal, now: number): number {
  if (s.lifecycle !== 'source' || s.resolvedAt === undefined) return now;
  return Math.min(now, Math.max(a.startedAt, s.resolvedAt));
}

function enterOrLeaveMaintenance(a: Alert, s: Signal, before: Alert, now: number): void {
  // A closed alert seen fine inside a window has nothing to hold for it (it may be reused for a relapse).
  const relevant = before.state !== 'resolved' || s.observation === 'bad';
  if (s.maintenance && !a.maintenance && relevant) {
    a.maintenance = {
      ...s.maintenance,
      since: now,
      before: { state: before.state, severity: before.severity, announced: before.announced },
    };
  } else if (s.maintenance && a.maintenance) {
    a.maintenance = { ...a.maintenance, ...s.maintenance };
  }
}

interface Decision {
  type: AlertEventType;
  quiet: boolean;
  reason: string;
}

/** What, of the change from `was` to `a`, is news. */
function decide(
  was: Facts | undefined,
  a: Alert,
  s: Signal,
  stepReason: string,
  ctx: LifecycleContext,
  freshUpdates: number,
): Decision | undefined {
  const inWindow = a.maintenance !== undefined;
  const leaving = was?.maintenance === true && !s.maintenance;

  if (inWindow && !leaving) {
    // Inside an announced maintenance nothing pages and nothing new is announced; an open message says so once.
    const before = a.maintenance?.before;
    if (!was?.maintenance && before?.state === 'firing' && before.announced && a.state === 'firing') {
      return { type: 'updated', quiet: false, reason: `under maintenance: ${a.maintenance?.title}` };
    }
    return undefined;
  }

  if (leaving) {
    const before = a.maintenance?.before;
    const title = a.maintenance?.title ?? 'maintenance';
    delete a.maintenance;
    // Only the net change across the window is news: compare with what the message said when it began.
    const wasShownFiring = before?.state === 'firing' && before.announced;
    if (a.state === 'firing') {
      if (!a.announced) return { type: 'opened', quiet: false, reason: `still failing after ${title}` };
      if (!wasShownFiring) return { type: 'reopened', quiet: false, reason: `failing again after ${title}` };
      if (before?.severity !== a.severity) return { type: 'updated', quiet: false, reason: `changed during ${title}` };
      return { type: 'updated', quiet: true, reason: `${title} ended, unchanged` };
    }
    if (wasShownFiring) return { type: 'resolved', quiet: false, reason: `recovered by the end of ${title}` };
    return undefined;
  }

  const wasFiring = was?.state === 'firing';
  const window = a.maintenanceWindow;
  if (a.state === 'firing' && !wasFiring) {
    if (a.flapping) return { type: 'flapping', quiet: false, reason: stepReason };
    const why = window ? announcedReason(window, a.status) : stepReason;
    return a.announced
      ? { type: 'reopened', quiet: false, reason: why }
      : { type: 'opened', quiet: false, reason: why };
  }
  if (a.state === 'resolved' && wasFiring) {
    const why = window && s.status !== GONE_STATUS ? `maintenance ${s.status.replace(/_/g, ' ')}` : stepReason;
    return a.announced ? { type: 'resolved', quiet: false, reason: why } : undefined;
  }
  if (!was) {
    // First seen already resolved: history at first sight; afterwards news when it ended since the last read (the
    // bot was down, or it opened and closed between two polls), never announced as new.
    const missed = ctx.lastReadAt === undefined || (a.resolvedAt ?? ctx.now) >= ctx.lastReadAt;
    if (a.state === 'resolved' && s.reportLateResolution && !ctx.firstSight && missed) {
      return { type: 'resolved', quiet: false, reason: 'resolved before the bot saw it' };
    }
    return undefined;
  }
  if (!a.announced) return undefined;
  if (a.flapping !== was.flapping) {
    return a.flapping
      ? { type: 'flapping', quiet: false, reason: stepReason }
      : { type: 'updated', quiet: false, reason: stepReason };
  }
  const newUpdates = freshUpdates > 0;
  if (a.state === 'firing') {
    if (a.flapping) {
      // The flapping message stays as it is until the alert settles, unless it gets worse.
      if (severityRank(a.peakSeverity) > severityRank(was.peakSeverity)) {
        return {
          type: 'updated',
          quiet: false,
          reason: `worse while flapping: ${was.peakSeverity} -> ${a.peakSeverity}`,
        };
      }
      return undefined;
    }
    if (a.severity !== was.severity)
      return { type: 'updated', quiet: false, reason: `severity ${was.severity} -> ${a.severity}` };
    // A scheduled maintenance: a moved window and its own progress are the news, whatever update the page wrote.
    if (window && !sameWindow(window, was.maintenanceWindow)) {
      return { type: 'updated', quiet: false, reason: movedReason(window) };
    }
    if (window && a.status !== was.status) {
      return { type: 'updated', quiet: false, reason: `maintenance ${a.status.replace(/_/g, ' ')}` };
    }
    if (newUpdates) return { type: 'updated', quiet: false, reason: 'new update from the source' };
    if (a.status !== was.status)
      return { type: 'updated', quiet: false, reason: `status ${was.status} -> ${a.status}` };
    if (a.revision !== was.revision) return { type: 'updated', quiet: false, reason: 'evidence changed' };
  }
  if (a.state === 'resolved' && newUpdates) {
    return { type: 'updated', quiet: false, reason: 'new update after resolution' };
  }
  return undefined;
}

/** Is the moved alert worth a write? Re-observing a closed alert (every poll of a feed's history) is not. */
function worthStoring(before: Alert | undefined, after: Alert): boolean {
  if (!before) return true;
  // A firing alert seen bad again only moves its bad counter: not worth a write on every poll (the counter only
  // matters below the fail threshold). A good observation, flapping or any other change is.
  const steady = (a: Alert) => a.state === 'firing' && !a.flapping && a.counters.ok === 0;
  const ignoreBadStreak = steady(before) && steady(after);
  const strip = (a: Alert) => {
    const { lastSeenAt: _seen, rev: _rev, ...rest } = a;
    if (ignoreBadStreak) {
      const { counters: _c, lastBadAt: _b, ...firing } = rest;
      return firing;
    }
    if (a.state !== 'resolved') return rest;
    const { counters: _c, okSince: _o, ...closed } = rest;
    return closed;
  };
  return JSON.stringify(strip(before)) !== JSON.stringify(strip(after));
}

/**
 * Applies one observation to the alert for its fingerprint (`prev` is the latest alert with that fingerprint, if
 * any). Returns the alert to store and at most one event.
 */
export function applySignal(prev: Alert | undefined, s: Signal, ctx: LifecycleContext): Transition {
  const current = prev && reusable(prev, s, ctx.now, ctx.config) ? prev : undefined;
  // A maintenance the bot closed once its window had long ended (time-driven.ts), which the page still shows open
  // with the same window: the page repeating itself is not news, and reopening it would undo the close every poll.
  if (current && heldClosed(current, s)) return { reason: 'its window ended; the page still shows it open' };

  if (!current && s.observation === 'ok' && s.lifecycle === 'observed') {
    return { reason: 'ok, nothing open' };
  }

  const a = current ? cloneAlert(current) : newAlert(s, ctx);
  const was = current ? facts(current) : undefined;
  const t = thresholdsOf(s, ctx.config);

  const fresh = mergeSignal(a, s, ctx);
  enterOrLeaveMaintenance(a, s, current ?? a, ctx.now);
  const stepReason = step(a, s, t, ctx);
  // A lapsed maintenance that opens again (its window moved) or that the page now says completed is the page's again.
  if (a.lapsedAt !== undefined && (a.state !== 'resolved' || (s.observation === 'ok' && s.status !== GONE_STATUS))) {
    delete a.lapsedAt;
  }
  // Nothing was announced, so a window's end has nothing to settle: do not hold a closed alert for it.
  if (a.state === 'resolved' && a.maintenance && !a.announced) delete a.maintenance;
  if (a.state === 'resolved' && current?.state !== 'resolved') {
    // Resolution shows the thing as it is now ("API: operational"), at the severity it had while open.
    a.title = s.title;
    a.status = s.status;
  }
  const decision =
    decide(was, a, s, stepReason, ctx, fresh.length) ?? figureDecision(was, a, s, ctx.now, ctx.config.figureEditMs);
  const figure = s.observation === 'bad' ? s.figure : undefined;

  if (!decision) {
    // The figure the message will show next (its shown value and steps stay what the last message said).
    if (figure) a.figure = { ...(a.figure ?? figureShown(undefined, figure, ctx.now, true)), ...figure };
    // Pending or history: store it when it is new or moved; a new `observed` alert that is not bad is not stored.
    return worthStoring(current, a) ? { alert: a, reason: stepReason } : { reason: stepReason };
  }

  if (figure) {
    // A new story (opened, reopened) starts its steps afresh; a thread reply announces the step it reached.
    const opening = decision.type !== 'updated' && decision.type !== 'reminder';
    a.figure = figureShown(opening ? undefined : a.figure, figure, ctx.now, !decision.quiet);
  }
  a.version += 1;
  if (decision.type === 'opened' || decision.type === 'resolved') a.announced = true;
  a.timeline = capTimeline(
    [
      ...a.timeline,
      {
        id: `engine:${a.version}`,
        at: ctx.now,
        status: decision.type,
        text: decision.reason,
        origin: 'engine' as const,
      },
    ],
    ctx.config.timelineLimit,
  );

  const event: AlertEvent = {
    type: decision.type,
    alert: structuredClone(a),
    version: a.version,
    at: ctx.now,
    reason: decision.reason,
    quiet: decision.quiet,
    noPage: a.maintenance !== undefined || a.severity === 'info',
    ...(fresh.length > 0 && { updates: fresh }),
  };
  return { alert: a, event, reason: decision.reason };
}

/**
 * A firing, announced alert whose only change is its figure: a reply when it enters a higher step, a rate-limited
 * quiet edit when it merely moves (engine/figures.ts).
 */
function figureDecision(
  was: Facts | undefined,
  a: Alert,
  s: Signal,
  now: number,
  editEveryMs: number,
): Decision | undefined {
  const steady = was?.state === 'firing' && a.state === 'firing' && a.announced && !a.flapping && !a.maintenance;
  if (!steady || s.observation !== 'bad') return undefined;
  const news = figureNews(a.figure, s.figure, now, editEveryMs);
  if (news.type === 'step') return { type: 'updated', quiet: false, reason: news.reason };
  if (news.type === 'edit') return { type: 'updated', quiet: true, reason: news.reason };
  return undefined;
}
