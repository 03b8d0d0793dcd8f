// Acknowledging an alert from chat: pure, clock injected. An acknowledgement is a meaningful change (the message
// shows who took it, escalation and reminders stop), so it bumps the version and emits an `updated` event that the
// normal delivery path turns into an edited message.
import { type Alert, type AlertEvent, acknowledgedText } from '../domain/alert.js';
import { withEngineNote } from './engine-note.js';

export type AcknowledgeResult =
  | { ok: true; alert: Alert; event: AlertEvent }
  | { ok: false; code: 'unknown' | 'pending' | 'resolved' | 'already_acknowledged'; reason: string };

/**
 * `alert` is the stored alert (undefined when the id is unknown); `by` is who acknowledges, as it should read in
 * messages. The returned alert keeps the stored `rev`, so committing it fails when the engine wrote it meanwhile.
 */
export function acknowledge(alert: Alert | undefined, by: string, now: number): AcknowledgeResult {
  if (!alert) return { ok: false, code: 'unknown', reason: 'no such alert' };
  if (alert.state === 'resolved') {
    return { ok: false, code: 'resolved', reason: `${alert.id} is already resolved` };
  }
  if (alert.state === 'pending' || !alert.announced) {
    // Nothing was announced yet: an event now would post a message about something that has not fired.
    return { ok: false, code: 'pending', reason: `${alert.id} has not fired yet` };
  }
  if (alert.acknowledged) {
    const at = new Date(alert.acknowledged.at).toISOString().replace(/\.\d{3}Z$/, 'Z');
    return {
      ok: false,
      code: 'already_acknowledged',
      reason: `${alert.id} was already ${acknowledgedText(alert.acknowledged)} at ${at}`,
    };
  }

  const updated: Alert = structuredClone(alert);
  updated.acknowledged = { by, at: now };
  // Someone is on it: an acknowledgement never pages (the pager adapter acknowledges its incident instead).
  const noted = withEngineNote(
    updated,
    { type: 'updated', status: 'acknowledged', reason: `acknowledged by ${by}`, quiet: false, noPage: true },
    now,
  );
  return { ok: true, ...noted };
}
