// A change the bot itself makes to an alert (acknowledged, silenced, escalated, a reminder): a new version with a
// note in the timeline, and the event that delivers it. Pure.
import type { Alert, AlertEvent, AlertEventType } from '../domain/alert.js';
import type { TimelineEntry } from '../domain/signal.js';

export interface EngineNote {
  type: AlertEventType;
  /** Timeline status word (`acknowledged`, `escalated`, `reminder`). */
  status: string;
  reason: string;
  quiet: boolean;
  noPage: boolean;
  bypassSilence?: boolean;
  /** The source's updates this change carries (a member's page updates, quoted in the thread). */
  updates?: TimelineEntry[];
}

/** `alert` is changed already (the caller set what the note is about); this bumps its version and notes it. */
export function withEngineNote(alert: Alert, note: EngineNote, now: number): { alert: Alert; event: AlertEvent } {
  const next = structuredClone(alert);
  next.version += 1;
  next.timeline = [
    ...next.timeline,
    { id: `engine:${next.version}`, at: now, status: note.status, text: note.reason, origin: 'engine' },
  ];
  const event: AlertEvent = {
    type: note.type,
    alert: structuredClone(next),
    version: next.version,
    at: now,
    reason: note.reason,
    quiet: note.quiet,
    noPage: note.noPage,
    ...(note.bypassSilence && { bypassSilence: true }),
    ...(note.updates?.length && { updates: note.updates }),
  };
  return { alert: next, event };
}
