// A decision is pure, so the alerts it opens get provisional ids (`new:1`); the store gives them their short public
// ids (`A12`) when it commits them, in the same transaction, and renames every reference at once: a storm's members
// point to it, an incident's members to it, an intent to its alert, the snapshots in events likewise.
import type { Alert, AlertEvent } from './alert.js';

export const PROVISIONAL_PREFIX = 'new:';

export function provisionalIds(): () => string {
  let n = 0;
  return () => `${PROVISIONAL_PREFIX}${++n}`;
}

export function isProvisional(id: string): boolean {
  return id.startsWith(PROVISIONAL_PREFIX);
}

/** Renames the ids an alert carries (its own, its group's, its incident's, its members'), in place. */
export function renameAlertIds(a: Alert, ids: Map<string, string>): void {
  const to = (id: string) => ids.get(id) ?? id;
  a.id = to(a.id);
  if (a.groupId) a.groupId = to(a.groupId);
  if (a.incidentId) a.incidentId = to(a.incidentId);
  if (a.listedOn) a.listedOn = a.listedOn.map(to);
  if (a.members) for (const m of a.members) m.id = to(m.id);
}

export function renameEventIds(e: AlertEvent, ids: Map<string, string>): void {
  renameAlertIds(e.alert, ids);
}

/** Words that name provisional ids (a log note: "storm new:17 formed") with the ids they were given. */
export function renameInText(text: string, ids: Map<string, string>): string {
  return text.replace(/new:\d+/g, (id) => ids.get(id) ?? id);
}
