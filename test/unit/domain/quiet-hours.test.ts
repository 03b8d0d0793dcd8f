import { describe, expect, it } from 'vitest';
import {
  heldByQuietHours,
  inQuietHours,
  type QuietHours,
  quietHoursEnd,
  quietWindowAround,
} from '../../../src/domain/quiet-hours.js';

const night: QuietHours = { from: '22:00', to: '07:00', tz: 'America/Mexico_City' }; // UTC-6, no DST since 2022
const office: QuietHours = { from: '09:00', to: '17:00', tz: 'UTC' };
const utc = (iso: string) => Date.parse(iso);

describe('quiet hours', () => {
  it.each([
    ['21:59 local (03:59Z)', '2026-03-10T03:59:00Z', false],
    ['22:00 local (04:00Z)', '2026-03-10T04:00:00Z', true],
    ['midnight local', '2026-03-10T06:00:00Z', true],
    ['06:59 local', '2026-03-10T12:59:00Z', true],
    ['07:00 local, the end is exclusive', '2026-03-10T13:00:00Z', false],
    ['noon local', '2026-03-10T18:00:00Z', false],
  ])('a window across midnight in Mexico City: %s -> %s', (_, at, expected) => {
    expect(inQuietHours(night, utc(at))).toBe(expected);
  });

  it('a window within one day', () => {
    expect(inQuietHours(office, utc('2026-03-10T08:59:00Z'))).toBe(false);
    expect(inQuietHours(office, utc('2026-03-10T09:00:00Z'))).toBe(true);
    expect(inQuietHours(office, utc('2026-03-10T17:00:00Z'))).toBe(false);
  });

  it('knows when the window around a time starts and ends, as instants', () => {
    // 02:00 local on the 10th: the window began 22:00 on the 9th and ends 07:00 on the 10th.
    expect(quietWindowAround(night, utc('2026-03-10T08:00:00Z'))).toEqual({
      start: utc('2026-03-10T04:00:00Z'),
      end: utc('2026-03-10T13:00:00Z'),
    });
    // 10:00 local: the last window is the one that ended at 07:00 the same morning.
    expect(quietWindowAround(night, utc('2026-03-10T16:00:00Z')).end).toBe(utc('2026-03-10T13:00:00Z'));
    expect(quietHoursEnd(night, utc('2026-03-10T08:00:00Z'))).toBe(utc('2026-03-10T13:00:00Z'));
    expect(quietHoursEnd(night, utc('2026-03-10T16:00:00Z'))).toBeUndefined();
  });

  it('follows daylight saving: 07:00 in New York is 12:00Z in winter and 11:00Z in summer', () => {
    const ny: QuietHours = { from: '22:00', to: '07:00', tz: 'America/New_York' };
    expect(quietWindowAround(ny, utc('2026-01-15T08:00:00Z')).end).toBe(utc('2026-01-15T12:00:00Z'));
    expect(quietWindowAround(ny, utc('2026-07-15T08:00:00Z')).end).toBe(utc('2026-07-15T11:00:00Z'));
    // The night the clocks go forward (8 March 2026, 02:00 -> 03:00): the window still ends at 07:00 local.
    expect(quietWindowAround(ny, utc('2026-03-08T09:00:00Z')).end).toBe(utc('2026-03-08T11:00:00Z'));
  });

  it('holds only what is below the urgent severity, and only inside the window', () => {
    const at = utc('2026-03-10T08:00:00Z');
    expect(heldByQuietHours(night, 'major', at)).toBe(true);
    expect(heldByQuietHours(night, 'critical', at)).toBe(false);
    expect(heldByQuietHours({ ...night, urgent: 'major' }, 'major', at)).toBe(false);
    expect(heldByQuietHours(night, 'minor', utc('2026-03-10T18:00:00Z'))).toBe(false);
    expect(heldByQuietHours(undefined, 'minor', at)).toBe(false);
  });
});
