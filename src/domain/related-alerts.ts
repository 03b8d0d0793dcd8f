// Which alerts an alert is tied to, so that retention never forgets one an open alert still speaks through. Pure.
import type { Alert } from './alert.js';

/** The alerts this one is tied to: the incident or group speaking for it, the messages it is listed on, its members. */
export function relatedAlertIds(alert: Alert): string[] {
  return [
    ...(alert.incidentId ? [alert.incidentId] : []),
    ...(alert.groupId ? [alert.groupId] : []),
    ...(alert.listedOn ?? []),
    ...(alert.members ?? []).map((m) => m.id),
  ];
}
