// Durations are the source's: an incident's start and end come from the page, the bot's clock only for what it saw.
import { describe, expect, it } from 'vitest';
import { durationText } from '../../../src/domain/alert.js';
import type { TimelineEntry } from '../../../src/domain/signal.js';
import { drive, incidentSignal, MIN, summary } from './drive.js';

const DAY = 24 * 60 * MIN;
const update = (id: string, status: string, at: number): TimelineEntry => ({
  id,
  at,
  status,
  text: `${status} text`,
  origin: 'source',
});

// A real case: an incident of 2022-11-25, 14:39 -> 16:34 UTC, read years later.
const started = Date.parse('2022-11-25T14:39:00Z');
const ended = Date.parse('2022-11-25T16:34:00Z');
const later = Date.parse('2026-12-03T10:00:00Z');
const oldIncident = incidentSignal({
  observation: 'ok',
  status: 'resolved',
  startedAt: started,
  resolvedAt: ended,
  updates: [update('u1', 'investigating', started), update('u2', 'resolved', ended)],
});

describe('durations from the source', () => {
  it('an incident open when seen and resolved later lasts what the page says, not until the poll that saw it', () => {
    const opened = Date.parse('2026-12-03T09:00:00Z');
    const resolvedOnPage = Date.parse('2026-12-03T09:40:00Z');
    const run = drive([
      {
        at: opened + MIN,
        signal: incidentSignal({ startedAt: opened, updates: [update('u1', 'investigating', opened)] }),
      },
      // The bot was down from 09:10 to 11:00: it sees the resolution two hours late.
      {
        at: Date.parse('2026-12-03T11:00:00Z'),
        signal: incidentSignal({
          observation: 'ok',
          status: 'resolved',
          startedAt: opened,
          resolvedAt: resolvedOnPage,
          updates: [update('u1', 'investigating', opened), update('u2', 'resolved', resolvedOnPage)],
        }),
      },
    ]);
    expect(summary(run)).toBe('opened@1 resolved@2');
    const a = run.events[1]?.alert;
    expect(a?.resolvedAt).toBe(resolvedOnPage);
    expect(durationText((a?.resolvedAt ?? 0) - (a?.startedAt ?? 0))).toBe('40m');
  });

  it('an old incident first seen already resolved is history: never announced, and its duration is the page’s', () => {
    const run = drive([{ at: later, lastReadAt: later - MIN, signal: oldIncident }]);
    expect(run.events).toEqual([]);
    expect(run.alert?.state).toBe('resolved');
    expect(durationText((run.alert?.resolvedAt ?? 0) - (run.alert?.startedAt ?? 0))).toBe('1h 55m');
  });

  it('one that opened and closed while the bot was not looking is reported once, as resolved before the bot saw it', () => {
    const run = drive([{ at: ended + DAY, lastReadAt: started - MIN, signal: oldIncident }]);
    expect(summary(run)).toBe('resolved@1');
    expect(run.events[0]?.reason).toBe('resolved before the bot saw it');
    const a = run.events[0]?.alert;
    expect(durationText((a?.resolvedAt ?? 0) - (a?.startedAt ?? 0))).toBe('1h 55m');
  });

  it('a resolution time the page gets wrong never makes a negative or future duration', () => {
    const run = drive([
      { at: 10 * MIN, signal: incidentSignal({ startedAt: 5 * MIN }) },
      { at: 20 * MIN, signal: incidentSignal({ observation: 'ok', status: 'resolved', resolvedAt: 3 * MIN }) },
    ]);
    expect(run.alert?.resolvedAt).toBe(5 * MIN);
    const future = drive([
      { at: 10 * MIN, signal: incidentSignal({ startedAt: 5 * MIN }) },
      { at: 20 * MIN, signal: incidentSignal({ observation: 'ok', status: 'resolved', resolvedAt: 90 * MIN }) },
    ]);
    expect(future.alert?.resolvedAt).toBe(20 * MIN);
  });
});

describe('updates posted between two polls', () => {
  it('an intermediate update and the resolution seen in one poll are both in the event, in order', () => {
    const u1 = update('u1', 'investigating', 0);
    const u2 = update('u2', 'monitoring', 3 * MIN);
    const u3 = update('u3', 'resolved', 4 * MIN);
    const run = drive([
      { at: MIN, signal: incidentSignal({ updates: [u1] }) },
      { at: 5 * MIN, signal: incidentSignal({ observation: 'ok', status: 'resolved', updates: [u3, u2, u1] }) },
    ]);
    expect(summary(run)).toBe('opened@1 resolved@2');
    expect(run.events[0]?.updates?.map((u) => u.id)).toEqual(['u1']);
    expect(run.events[1]?.updates?.map((u) => u.status)).toEqual(['monitoring', 'resolved']);
  });

  it('an event without news from the page carries no updates', () => {
    const u1 = update('u1', 'investigating', 0);
    const run = drive([
      { at: MIN, signal: incidentSignal({ updates: [u1] }) },
      { at: 2 * MIN, signal: incidentSignal({ updates: [u1], severity: 'critical' }) },
    ]);
    expect(summary(run)).toBe('opened@1 updated@2');
    expect(run.events[1]?.updates).toBeUndefined();
  });
});
