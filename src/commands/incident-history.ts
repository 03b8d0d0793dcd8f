// Past incidents as people read them: one entry per incident a channel heard of (an institution incident stands for
// its members), by when it started, with how long it lasted. Shared by `/belvo-status history` and the web page.
import type { Alert } from '../domain/alert.js';

/** When it started: the source's word, or the bot's firing time when the bot noticed before the source's start. */
export function incidentStartedAt(a: Alert): number {
  return a.firedAt !== undefined && a.firedAt < a.startedAt ? a.firedAt : a.startedAt;
}

/** When it ended, or undefined while it is open. */
export function incidentEndedAt(a: Alert): number | undefined {
  return a.state === 'resolved' ? (a.resolvedAt ?? a.lastSeenAt) : undefined;
}

/**
 * Announced alerts that speak for themselves (members, and a page's incident listed on its institutions' incidents,
 * are told by those), newest start first.
 */
export function historyIncidents(announced: Alert[]): Alert[] {
  return announced
    .filter((a) => a.incidentId === undefined && a.listedOn === undefined)
    .sort((x, y) => incidentStartedAt(y) - incidentStartedAt(x));
}
