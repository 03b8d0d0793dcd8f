// A scheduled maintenance through the lifecycle and the time-driven check: one alert from the day it is scheduled
// to its completion, a moved window as an update, a reminder before it starts, never a page.
import { describe, expect, it } from 'vitest';
import { MAINTENANCE_KIND } from '../../../src/domain/maintenance-window.js';
import type { Signal } from '../../../src/domain/signal.js';
import { isIncidentMember } from '../../../src/engine/incidents.js';
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
