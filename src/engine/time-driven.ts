// What changes with time alone, checked every few seconds: a silence that ended, a page that is due (escalation),
// a reminder that is due, a maintenance whose window ended long ago without the page closing it. Pure, clock
// injected: the caller loads the firing alerts, runs applyPolicy on the events and commits. At most one event per
// alert per tick.
import { type Alert, type AlertEvent, durationText } from '../domain/alert.js';
import {
  DEFAULT_CLOSE_AFTER_MS,
  DEFAULT_REMIND_BEFORE_MS,
  LAPSED_REASON,
  MAINTENANCE_KIND,
  reminderDue,
  reminderReason,
  windowLapsed,
} from '../domain/maintenance-window.js';
import { activeSilenceFor } from '../domain/silence.js';
import { withEngineNote } from './engine-note.js';
import { pageBlocker, pagingStep } from './paging.js';
import type { PolicyContext } from './policy.js';
import { silenceNotice } from './silence-notice.js';

export interface TickResult {
  alerts: Alert[];
  events: AlertEvent[];
}

function escalation(alert: Alert, ctx: PolicyContext): { alert: Alert; event: AlertEvent } | undefined {
  if (!alert.paging || alert.paging.pagedAt !== undefined) return undefined;
  if (alert.paging.dueAt > ctx.now) return undefined;
  const silenced = activeSilenceFor(ctx.silences, alert, ctx.now) !== undefined;
  const step = pagingStep(alert, ctx.policy.paging, silenced, ctx.now);
  if (!step.orders.some((o) => o.action === 'trigger')) return undefined;
  const firing = durationText(ctx.now - (alert.firedAt ?? alert.startedAt));
  const reason = `firing for ${firing} and not acknowledged: paging on-call (rule "${alert.paging.rule}")`;
  return withEngineNote(alert, { type: 'updated', status: 'escalated', reason, quiet: false, noPage: false }, ctx.now);
}

function reminder(alert: Alert, ctx: PolicyContext): { alert: Alert; event: AlertEvent } | undefined {
  const every = ctx.policy.reminderEveryMs;
  // A scheduled maintenance is planned work, not a problem waiting for someone: it has its own reminder.
  if (every <= 0 || !alert.announced || alert.kind === MAINTENANCE_KIND) return undefined;
  const silenced = activeSilenceFor(ctx.silences, alert, ctx.now) !== undefined;
  if (pageBlocker(alert, silenced)) return undefined;
  const last = alert.remindedAt ?? alert.firedAt ?? alert.startedAt;
  if (ctx.now - last < every) return undefined;
  const next = structuredClone(alert);
  next.remindedAt = ctx.now;
  const reason = `still firing after ${durationText(ctx.now - (alert.firedAt ?? alert.startedAt))}, and nobody has acknowledged it`;
  return withEngineNote(next, { type: 'reminder', status: 'reminder', reason, quiet: false, noPage: true }, ctx.now);
}

/** A scheduled maintenance about to start: said once in its thread, `policy.maintenance.remindBefore` ahead. */
function maintenanceReminder(alert: Alert, ctx: PolicyContext): { alert: Alert; event: AlertEvent } | undefined {
  const before = ctx.policy.maintenanceRemindBeforeMs ?? DEFAULT_REMIND_BEFORE_MS;
  if (!alert.announced || !alert.maintenanceWindow || !reminderDue(alert, ctx.now, before)) return undefined;
  const next = structuredClone(alert);
  next.remindedAt = ctx.now;
  const reason = reminderReason(alert.maintenanceWindow, ctx.now);
  return withEngineNote(next, { type: 'reminder', status: 'reminder', reason, quiet: false, noPage: true }, ctx.now);
}

/**
 * A maintenance whose window ended `policy.maintenance.closeAfter` ago and that the page never closed: closed here,
 * at the window's end, with one thread reply saying so. Planned work: it never pages.
 */
function maintenanceLapse(alert: Alert, ctx: PolicyContext): { alert: Alert; event: AlertEvent } | undefined {
  const after = ctx.policy.maintenanceCloseAfterMs ?? DEFAULT_CLOSE_AFTER_MS;
  const until = alert.maintenanceWindow?.until;
  if (until === undefined || !windowLapsed(alert, ctx.now, after)) return undefined;
  const next = structuredClone(alert);
  next.state = 'resolved';
  // Its duration is the planned one: when it really ended, nobody said.
  next.resolvedAt = Math.max(next.startedAt, until);
  next.lapsedAt = ctx.now;
  delete next.remindedAt;
  return withEngineNote(
    next,
    { type: 'resolved', status: 'resolved', reason: LAPSED_REASON, quiet: false, noPage: true },
    ctx.now,
  );
}

export function policyTick(firing: Alert[], ctx: PolicyContext): TickResult {
  const result: TickResult = { alerts: [], events: [] };
  for (const alert of firing) {
    if (alert.state !== 'firing') continue;
    let change: { alert: Alert; event: AlertEvent } | undefined;
    const silence = activeSilenceFor(ctx.silences, alert, ctx.now);
    if (alert.silenced && !silence) {
      const ended = alert.silenced.until <= ctx.now ? 'ended' : 'was lifted';
      change = silenceNotice(alert, undefined, ctx.now, `silence ${alert.silenced.id} ${ended}`);
    } else if (silence && alert.silenced?.id !== silence.id) {
      // A silence from the config file that began after the alert did: the message shows it from now on.
      change = silenceNotice(alert, silence, ctx.now);
    }
    change ??=
      maintenanceLapse(alert, ctx) ?? escalation(alert, ctx) ?? reminder(alert, ctx) ?? maintenanceReminder(alert, ctx);
    if (!change) continue;
    result.alerts.push(change.alert);
    result.events.push(change.event);
  }
  return result;
}
