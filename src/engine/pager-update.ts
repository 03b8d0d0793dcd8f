// What the pager's own app did to a page (acknowledged, resolved, reassigned, annotated), applied to the alert it
// pages for. Pure, clock injected. Each change is a new version with a note, delivered like a chat acknowledgement:
// the message is edited in place and the thread says what happened.
import { type Alert, type AlertEvent, acknowledgedText } from '../domain/alert.js';
import { cleanText } from '../domain/clean-text.js';
import { closedInPagerText } from '../domain/group-text.js';
import { clip, oneLine } from '../domain/text.js';
import type { PagerUpdate } from '../ports/pager-updates.js';
import { type EngineNote, withEngineNote } from './engine-note.js';

export type PagerUpdateResult =
  /** `event` undefined: only what the bot keeps of the pager changed (its incident id), nothing to show. */
  { changed: true; alert: Alert; event?: AlertEvent } | { changed: false; reason: string };

/** How many of the pager's event ids an alert remembers: far more than one incident's webhooks retried at once. */
export const PAGER_EVENTS_KEPT = 50;
/** A note is quoted in the thread up to this long (PagerDuty's notes can run to pages). */
export const NOTE_MAX = 1500;
/**
 * How much earlier than the bot's page an event may say it happened and still be about that page: the two clocks
 * differ a little. Anything older is about an earlier page of the same alert.
 */
export const PAGER_CLOCK_SKEW_MS = 60_000;
/** Who did it when the pager names nobody (an auto-resolve, an escalation rule). */
const NOBODY = 'an automatic rule';

type Effect = { apply: (next: Alert) => void; note: EngineNote } | { unchanged: string };

function effectOf(alert: Alert, update: PagerUpdate, now: number): Effect {
  const by = update.by ? oneLine(cleanText(update.by), 100) : NOBODY;
  const note = (status: string, reason: string, extra: Partial<EngineNote> = {}): EngineNote => ({
    type: 'updated',
    status,
    reason,
    quiet: false,
    // Whatever happened at the pager, the pager is not paged about it again.
    noPage: true,
    ...extra,
  });
  if (!alert.announced) return { unchanged: `${alert.id} has not fired yet` };
  switch (update.type) {
    case 'triggered':
      return { unchanged: 'the page itself' };
    case 'acknowledged': {
      if (alert.state === 'resolved') return { unchanged: `${alert.id} is already resolved` };
      if (alert.acknowledged) return { unchanged: `${alert.id} was already ${acknowledgedText(alert.acknowledged)}` };
      const ack = { by, at: now, via: 'pagerduty' as const };
      return {
        // The paging policy then acknowledges the page at every pager it went to: a no-op where it happened, and
        // the others stop escalating too.
        apply: (next) => {
          next.acknowledged = ack;
        },
        note: note('acknowledged', acknowledgedText(ack)),
      };
    }
    case 'resolved': {
      // The bot's own resolve coming back, or a page closed after the problem ended: nothing new.
      if (alert.state === 'resolved') return { unchanged: `${alert.id} is already resolved` };
      if (!alert.paging) return { unchanged: `${alert.id} is not paged by the bot` };
      if (alert.paging.closedInPager) return { unchanged: `${alert.id} was already resolved in PagerDuty` };
      // The alert follows its source, not the pager: it stays open, and its message says the page was closed.
      return {
        apply: (next) => {
          if (next.paging) next.paging = { ...next.paging, pager: 'resolved', closedInPager: { by, at: now } };
          // The acknowledgement was of a page that no longer exists; if it gets worse, the new page is unacknowledged.
          delete next.acknowledged;
        },
        note: note('resolved_in_pager', closedInPagerText(alert, by)),
      };
    }
    case 'reassigned': {
      if (alert.state === 'resolved') return { unchanged: `${alert.id} is already resolved` };
      const to = update.assignees.map((a) => oneLine(cleanText(a), 100)).filter(Boolean);
      const reason = `reassigned in PagerDuty to ${to.length ? to.join(', ') : 'nobody'}${update.by ? ` by ${by}` : ''}`;
      return { apply: () => {}, note: note('reassigned', reason) };
    }
    case 'annotated': {
      const text = clip(cleanText(update.note).trim(), NOTE_MAX);
      if (text === '') return { unchanged: 'an empty note' };
      const entry = {
        id: `pagerduty-note:${update.noteId}`,
        at: update.at,
        status: 'note',
        text,
        origin: 'engine' as const,
      };
      return {
        // Kept in the timeline (the web page shows it) and quoted in the thread.
        apply: (next) => {
          next.timeline = [...next.timeline, entry];
        },
        note: note('note', `note in PagerDuty by ${by}`, { updates: [entry] }),
      };
    }
  }
}

export function applyPagerUpdate(alert: Alert, update: PagerUpdate, now: number): PagerUpdateResult {
  if (alert.paging?.pagerEvents?.includes(update.eventId)) {
    return { changed: false, reason: `event ${update.eventId} was already applied` };
  }
  // Signatures carry no time: a delivery recorded from an earlier page (the same dedup key, before a relapse) and
  // sent again must not acknowledge or close today's page. When it happened is in the signed body.
  const since = alert.paging?.pagedAt ?? alert.firedAt ?? alert.startedAt;
  if (update.at < since - PAGER_CLOCK_SKEW_MS) {
    return { changed: false, reason: `event ${update.eventId} happened before this page was sent` };
  }
  const effect = effectOf(alert, update, now);
  const next = structuredClone(alert);
  const knowsIncident = next.paging?.incident?.id === update.incident.id;
  if (next.paging) {
    next.paging.incident = update.incident;
    next.paging.pagerEvents = [...(next.paging.pagerEvents ?? []), update.eventId].slice(-PAGER_EVENTS_KEPT);
  }
  if ('unchanged' in effect) {
    // Nothing to show; learning the pager's incident id is still worth keeping (a note names only that).
    return next.paging && !knowsIncident
      ? { changed: true, alert: next }
      : { changed: false, reason: effect.unchanged };
  }
  effect.apply(next);
  return { changed: true, ...withEngineNote(next, effect.note, now) };
}
