// A silence shows on the alert's message (who, until when). Setting one is a quiet edit: the thread gets nothing
// and nothing pages. Lifting one (by hand or because it ended) announces the alert if it is still firing: a channel
// that never heard of it because of the silence hears of it now, and what has resolved meanwhile stays quiet. Pure.
import type { Alert, AlertEvent } from '../domain/alert.js';
import { type Silence, silenceReason, silenceShown } from '../domain/silence.js';
import { withEngineNote } from './engine-note.js';

export function silenceNotice(
  alert: Alert,
  silence: Silence | undefined,
  now: number,
  why = 'silence lifted',
): { alert: Alert; event: AlertEvent } | undefined {
  if (alert.state === 'resolved' || !alert.announced) return undefined;
  if (!silence && !alert.silenced) return undefined;
  const next = structuredClone(alert);
  if (silence) {
    next.silenced = silenceShown(silence, now);
    const reason = silenceReason(silence, now);
    return withEngineNote(
      next,
      { type: 'updated', status: 'silenced', reason, quiet: true, noPage: true, bypassSilence: true },
      now,
    );
  }
  delete next.silenced;
  // Not noPage: an alert whose page was held back by the silence may page now (the paging policy decides).
  return withEngineNote(
    next,
    { type: 'updated', status: 'unsilenced', reason: `${why}; still firing`, quiet: false, noPage: false },
    now,
  );
}
