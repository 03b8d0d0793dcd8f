// A scheduled maintenance through the lifecycle and the time-driven check: one alert from the day it is scheduled
// to its completion, a moved window as an update, a reminder before it starts, closed by the bot when the page never
// closes it, never a page.
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../src/domain/alert.js';
import { closedWord, LAPSED_REASON, MAINTENANCE_KIND } from '../../../src/domain/maintenance-window.js';
import type { Signal } from '../../../src/domain/signal.js';
import { DEFAULT_ENGINE_CONFIG } from '../../../src/engine/engine-config.js';
import { isIncidentMember } from '../../../src/engine/incidents.js';
import { applySignal } from '../../../src/engine/lifecycle.js';
import { applyPolicy, type PolicyContext } from '../../../src/engine/policy.js';
import { policyTick } from '../../../src/engine/time-driven.js';
import { drive, MIN, summary } from './drive.js';

const HOUR = 60 * MIN;
const FROM = 10 * HOUR;

function maintenance(over: Partial<Signal> = {}): Signal {
  return {
    fingerprint: 'statuspage/api/maintenance/m1',
    kind: MAINTENANCE_KIND,
    source: 'api',
    lifecycle: 'source',
    observation: 'bad',
    severity: 'info',
    title: 'Maintenance: Database upgrade',
    status: 'scheduled',
    startedAt: FROM,
    maintenanceWindow: { from: FROM, until: FROM + 2 * HOUR },
    updates: [{ id: 'u1', at: 0, status: 'scheduled', text: 'Planned.', origin: 'source' }],
    ...over,
  };
}

const moved = { from: FROM + HOUR, until: FROM + 3 * HOUR };

describe('a scheduled maintenance in the lifecycle', () => {
  it('announced with its window, moved, in progress, completed: one alert, a reason each, never paging', () => {
    const run = drive([
      { at: 0, signal: maintenance() },
      { at: MIN, signal: maintenance() },
      {
        at: 2 * MIN,
        signal: maintenance({
          maintenanceWindow: moved,
          updates: [
            { id: 'u1', at: 0, status: 'scheduled', text: 'Planned.', origin: 'source' },
            { id: 'u2', at: 2 * MIN, status: 'scheduled', text: 'Moved an hour.', origin: 'source' },
          ],
        }),
      },
      { at: FROM + HOUR, signal: maintenance({ maintenanceWindow: moved, status: 'in_progress' }) },
      {
        at: FROM + 3 * HOUR,
        signal: maintenance({
          maintenanceWindow: moved,
          status: 'completed',
          observation: 'ok',
          resolvedAt: FROM + 3 * HOUR,
        }),
      },
    ]);
    expect(run.alerts).toHaveLength(1);
    expect(summary(run)).toBe('opened@1 updated@2 updated@3 resolved@4');
    expect(run.events.map((e) => e.reason)).toEqual([
      'maintenance scheduled for Thu 1 Jan 1970 10:00-12:00 UTC (2h)',
      'window moved to Thu 1 Jan 1970 11:00-13:00 UTC (2h)',
      'maintenance in progress',
      'maintenance completed',
    ]);
    // The page's update about the move is quoted with it, in the same reply.
    expect(run.events[1]?.updates?.map((u) => u.text)).toEqual(['Moved an hour.']);
    expect(run.events.every((e) => e.noPage)).toBe(true);
  });

  it('a re-read of the same window is not news', () => {
    const run = drive([
      { at: 0, signal: maintenance() },
      { at: MIN, signal: maintenance({ maintenanceWindow: { from: FROM, until: FROM + 2 * HOUR } }) },
    ]);
    expect(summary(run)).toBe('opened@1');
  });
});

describe('its reminder, on the time-driven check', () => {
  const opened = drive([{ at: 0, signal: maintenance() }]).alert;
  if (!opened) throw new Error('no alert');
  const ctx = (now: number, remindBeforeMs?: number): PolicyContext => ({
    subscriptions: [{ id: 's', destination: 'chat', filter: { tz: 'America/Sao_Paulo' }, createdAt: 0 }],
    silences: [],
    now,
    policy: {
      paging: { criticalInstitutions: [], rules: [{ name: 'all', match: {}, afterMs: 0, destinations: ['pd'] }] },
      reminderEveryMs: 10 * MIN,
      ...(remindBeforeMs !== undefined && { maintenanceRemindBeforeMs: remindBeforeMs }),
    },
  });
  const tick = (now: number, remindBeforeMs?: number) => {
    const c = ctx(now, remindBeforeMs);
    const t = policyTick([opened], c);
    return applyPolicy(t.events, t.alerts, c);
  };

  it("nothing before the hour; then one reply in the channel's zone, never a page", () => {
    expect(tick(FROM - HOUR - MIN).intents).toEqual([]);
    const due = tick(FROM - HOUR + MIN);
    expect(due.intents.map((i) => [i.destination, i.event.type, i.event.reason, i.event.page])).toEqual([
      ['chat', 'reminder', 'starts in 59m: Thu 1 Jan 1970 07:00-09:00 America/Sao_Paulo (2h)', undefined],
    ]);
    expect(due.alerts[0]?.remindedAt).toBe(FROM - HOUR + MIN);
  });

  it('configured earlier, or off', () => {
    expect(tick(FROM - 2 * HOUR, 3 * HOUR).events.map((e) => e.reason)).toEqual([
      'starts in 2h: Thu 1 Jan 1970 10:00-12:00 UTC (2h)',
    ]);
    expect(tick(FROM - 30 * MIN, 0).events).toEqual([]);
  });
});

describe('planned work, not an outage', () => {
  const erebor = { name: 'erebor_mx_retail', displayName: 'Banco Erebor MX - Retail', country: 'MX' };

  it("is not evidence of its institution's incident", () => {
    expect(isIncidentMember({ kind: MAINTENANCE_KIND, institution: erebor })).toBe(false);
    expect(isIncidentMember({ kind: 'statuspage.component', institution: erebor })).toBe(true);
  });

  it('wakes nobody, even in a channel that mentions from info, and pages no one', () => {
    const opened = drive([{ at: 0, signal: maintenance({ institution: erebor }) }]).events;
    const result = applyPolicy(opened, [], {
      subscriptions: [
        {
          id: 's',
          destination: 'chat',
          filter: { mention: { to: [{ kind: 'group', id: 'S0ONCALL' }], from: 'info' } },
          createdAt: 0,
        },
      ],
      silences: [],
      now: 0,
      policy: {
        paging: {
          criticalInstitutions: ['erebor_mx_retail'],
          rules: [{ name: 'all', match: {}, afterMs: 0, destinations: ['pd'] }],
        },
        reminderEveryMs: 0,
      },
    });
    expect(result.intents.map((i) => [i.destination, i.event.type, i.event.mention, i.event.timeZone])).toEqual([
      ['chat', 'opened', undefined, 'UTC'],
    ]);
  });
});

describe('a maintenance the page never closes, on the time-driven check', () => {
  const UNTIL = FROM + 2 * HOUR;
  const inProgress = maintenance({ status: 'in_progress' });
  const open = drive([{ at: FROM + MIN, signal: inProgress }]).alert;
  if (!open) throw new Error('no alert');
  const ctx = (now: number, closeAfterMs?: number): PolicyContext => ({
    subscriptions: [{ id: 's', destination: 'chat', filter: {}, createdAt: 0 }],
    silences: [],
    now,
    policy: {
      paging: { criticalInstitutions: [], rules: [{ name: 'all', match: {}, afterMs: 0, destinations: ['pd'] }] },
      reminderEveryMs: 10 * MIN,
      ...(closeAfterMs !== undefined && { maintenanceCloseAfterMs: closeAfterMs }),
    },
  });
  const tick = (alert: Alert, now: number, closeAfterMs?: number) => {
    const c = ctx(now, closeAfterMs);
    const t = policyTick([alert], c);
    return applyPolicy(t.events, t.alerts, c);
  };

  it('stays open through its window and the hour after it; then closes once, in the thread, never paging', () => {
    expect(tick(open, UNTIL).intents).toEqual([]);
    expect(tick(open, UNTIL + HOUR - MIN).intents).toEqual([]);
    const closed = tick(open, UNTIL + HOUR);
    expect(
      closed.intents.map((i) => [i.destination, i.event.type, i.event.reason, i.event.quiet, i.event.page]),
    ).toEqual([['chat', 'resolved', 'window ended; the page never said it completed', false, undefined]]);
    const alert = closed.alerts[0] as Alert;
    expect(alert).toMatchObject({ state: 'resolved', resolvedAt: UNTIL, lapsedAt: UNTIL + HOUR });
    expect(closedWord(alert)).toBe('Window ended');
    // Closed, it is no longer on the time-driven check's list: nothing more, ever.
    expect(tick(alert, UNTIL + 5 * HOUR).intents).toEqual([]);
  });

  it('a scheduled one the page never started lapses the same way; one without an end, or with closeAfter 0, never', () => {
    const scheduled = drive([{ at: 0, signal: maintenance() }]).alert as Alert;
    expect(tick(scheduled, UNTIL + HOUR).events.map((e) => e.reason)).toEqual([LAPSED_REASON]);
    const endless = drive([{ at: 0, signal: maintenance({ maintenanceWindow: { from: FROM } }) }]).alert as Alert;
    expect(tick(endless, UNTIL + 100 * HOUR).events).toEqual([]);
    expect(tick(open, UNTIL + 100 * HOUR, 0).events).toEqual([]);
    expect(tick(open, UNTIL + 3 * HOUR, 3 * HOUR).events.map((e) => e.type)).toEqual(['resolved']);
  });

  it('the page repeating the same open window keeps it closed; a moved window reopens it; a late completion is quoted', () => {
    const lapsed = tick(open, UNTIL + HOUR).alerts[0] as Alert;
    const ctxOf = (now: number) => ({ now, config: DEFAULT_ENGINE_CONFIG, firstSight: false, newId: () => 'A9' });
    const again = applySignal(lapsed, inProgress, ctxOf(UNTIL + 2 * HOUR));
    expect(again.event).toBeUndefined();
    expect(again.alert).toBeUndefined();

    const later = { from: FROM, until: UNTIL + 4 * HOUR };
    const moved = applySignal(
      lapsed,
      maintenance({ status: 'in_progress', maintenanceWindow: later }),
      ctxOf(UNTIL + 2 * HOUR),
    );
    expect(moved.event?.type).toBe('reopened');
    expect(moved.event?.reason).toBe('maintenance in progress (window Thu 1 Jan 1970 10:00-16:00 UTC (6h))');
    expect(moved.alert?.lapsedAt).toBeUndefined();

    const done = applySignal(
      lapsed,
      maintenance({
        status: 'completed',
        observation: 'ok',
        resolvedAt: UNTIL + 3 * HOUR,
        updates: [
          { id: 'u1', at: 0, status: 'scheduled', text: 'Planned.', origin: 'source' },
          { id: 'u9', at: UNTIL + 3 * HOUR, status: 'completed', text: 'Done, sorry for the delay.', origin: 'source' },
        ],
      }),
      ctxOf(UNTIL + 3 * HOUR),
    );
    expect(done.event?.type).toBe('updated');
    expect(done.event?.updates?.map((u) => u.text)).toEqual(['Done, sorry for the delay.']);
    expect(closedWord(done.alert as Alert)).toBe('Completed');
  });
});
