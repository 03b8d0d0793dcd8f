// Which of the page's updates a thread reply quotes: every update that is news in this event, oldest first (a poll
// can bring "monitoring" and "resolved" at once, and both belong in the thread).
import type { AlertEvent } from './alert.js';
import type { TimelineEntry } from './signal.js';

/** Cap on updates quoted in one reply; the parent's timeline keeps them all. */
const MAX_QUOTED = 5;

export function updatesToQuote(event: AlertEvent): TimelineEntry[] {
  if (event.updates) return event.updates.slice(-MAX_QUOTED);
  // Events queued before they carried their updates: the latest update, when it is newer than the previous note.
  const a = event.alert;
  const update = a.timeline.filter((e) => e.origin === 'source').at(-1);
  const previous = a.timeline.filter((e) => e.origin === 'engine' && e.id !== `engine:${event.version}`).at(-1);
  return update && (!previous || update.at > previous.at) ? [update] : [];
}
