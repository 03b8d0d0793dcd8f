// A silence set or lifted from chat shows on the alert's message (who, until when), as a quiet edit: the thread
// gets nothing and nothing pages. Pure.
import type { Alert, AlertEvent } from '../domain/alert.js';
import type { Silence } from '../domain/silence.js';

export function silenceNotice(
  alert: Alert,
  silence: Silence | undefined,
  now: number,
): { alert: Alert; event: AlertEvent } | undefined {
  if (alert.state === 'resolved' || !alert.announced) return undefined;
  if (!silence && !alert.silenced) return undefined;
  const next = structuredClone(alert);
  if (silence) {
    next.silenced = { id: silence.id, by: silence.createdBy, until: silence.endsAt, reason: silence.reason };
  } else {
    delete next.silenced;
  }
  next.version += 1;
  const reason = silence
    ? `silenced by ${silence.createdBy} until ${new Date(silence.endsAt).toISOString()}: ${silence.reason}`
    : 'silence lifted';
  next.timeline = [
    ...next.timeline,
    {
      id: `engine:${next.version}`,
      at: now,
      status: silence ? 'silenced' : 'unsilenced',
      text: reason,
      origin: 'engine' as const,
    },
  ];
  const event: AlertEvent = {
    type: 'updated',
    alert: structuredClone(next),
    version: next.version,
    at: now,
    reason,
    quiet: true,
    noPage: true,
    bypassSilence: true,
  };
  return { alert: next, event };
}
