import { describe, expect, it } from 'vitest';
import {
  movedReason,
  reasonInZone,
  reminderDue,
  sameWindow,
  windowText,
} from '../../../src/domain/maintenance-window.js';

const utc = (iso: string) => Date.parse(iso);
const MIN = 60_000;
const HOUR = 60 * MIN;
// Sunday 6 Dec 2026, 05:00-07:00 UTC: 02:00-04:00 in São Paulo (UTC-3), 23:00-01:00 in Mexico City (UTC-6).
const window = { from: utc('2026-12-06T05:00:00Z'), until: utc('2026-12-06T07:00:00Z') };

describe('a maintenance window as a channel reads it', () => {
  it.each([
    ['UTC when no zone is configured', undefined, 'Sun 6 Dec 2026 05:00-07:00 UTC (2h)'],
    ["on the bank's own clock", 'America/Sao_Paulo', 'Sun 6 Dec 2026 02:00-04:00 America/Sao_Paulo (2h)'],
    [
      'across midnight, both days named',
      'America/Mexico_City',
      'Sat 5 Dec 2026 23:00 - Sun 6 Dec 2026 01:00 America/Mexico_City (2h)',
    ],
  ])('%s', (_, tz, expected) => {
    expect(windowText(window, tz)).toBe(expected);
  });

  it('a window across a daylight-saving change says the hours it really lasts', () => {
    // Madrid leaves summer time at 03:00 on 25 Oct 2026: 01:00-05:00 local is five hours long.
    const w = { from: utc('2026-10-24T23:00:00Z'), until: utc('2026-10-25T04:00:00Z') };
    expect(windowText(w, 'Europe/Madrid')).toBe('Sun 25 Oct 2026 01:00-05:00 Europe/Madrid (5h)');
  });

  it('a window without an end, or an odd minute count', () => {
    expect(windowText({ from: window.from }, 'UTC')).toBe('from Sun 6 Dec 2026 05:00 UTC');
    expect(windowText({ from: window.from, until: window.from + 90 * MIN })).toBe(
      'Sun 6 Dec 2026 05:00-06:30 UTC (1h 30m)',
    );
  });

  it("a reason written in UTC reads in the channel's zone", () => {
    expect(reasonInZone(movedReason(window), window, 'America/Sao_Paulo')).toBe(
      'window moved to Sun 6 Dec 2026 02:00-04:00 America/Sao_Paulo (2h)',
    );
    expect(reasonInZone('maintenance in progress', window, 'America/Sao_Paulo')).toBe('maintenance in progress');
  });

  it('a window moved by its start or its end is another window', () => {
    expect(sameWindow(window, { ...window })).toBe(true);
    expect(sameWindow(window, { ...window, until: window.until + HOUR })).toBe(false);
    expect(sameWindow(window, { ...window, from: window.from - HOUR })).toBe(false);
    expect(sameWindow(undefined, window)).toBe(false);
  });
});

describe('the reminder before a maintenance starts', () => {
  const announced = { status: 'scheduled', maintenanceWindow: window, firedAt: window.from - 2 * 24 * HOUR };

  it.each([
    ['more than an hour before', window.from - HOUR - MIN, announced, true, false],
    ['an hour before', window.from - HOUR, announced, true, true],
    ['a minute before', window.from - MIN, announced, true, true],
    [
      'once it is due, not again',
      window.from - 30 * MIN,
      { ...announced, remindedAt: window.from - HOUR },
      true,
      false,
    ],
    ['at its start (too late to remind)', window.from, announced, true, false],
    ['already in progress', window.from - 30 * MIN, { ...announced, status: 'in_progress' }, true, false],
    [
      'announced inside the last hour: the announcement said it',
      window.from - 30 * MIN,
      { ...announced, firedAt: window.from - 40 * MIN },
      true,
      false,
    ],
    [
      'reminded for a window since moved a day later: reminded again',
      window.from + 24 * HOUR - 30 * MIN,
      { ...announced, remindedAt: window.from - HOUR, maintenanceWindow: { from: window.from + 24 * HOUR } },
      true,
      true,
    ],
    ['turned off (0)', window.from - 30 * MIN, announced, false, false],
  ])('%s', (_, now, alert, on, expected) => {
    expect(reminderDue(alert, now, on ? HOUR : 0)).toBe(expected);
  });
});
