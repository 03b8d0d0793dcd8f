import { describe, expect, it } from 'vitest';
import {
  describeRecurrence,
  NO_END,
  nextSilenceWindow,
  type Silence,
  silenceActive,
  silenceUntil,
} from '../../../src/domain/silence.js';

const utc = (iso: string) => Date.parse(iso);

function weekly(recurrence: Silence['recurrence'], startsAt = utc('2026-01-01T00:00:00Z'), endsAt = NO_END): Silence {
  return {
    id: 'S1',
    matcher: { institution: 'erebor_mx_retail' },
    startsAt,
    endsAt,
    createdBy: 'ana',
    reason: 'core banking window',
    ...(recurrence && { recurrence }),
  };
}

// Mexico City is UTC-6 all year (no DST since 2022): Sunday 02:00-04:00 local is 08:00-10:00Z.
const sunday = weekly({ days: [0], from: '02:00', to: '04:00', tz: 'America/Mexico_City' });

describe('a weekly silence', () => {
  it.each([
    ['Sunday 01:59 local', '2026-03-01T07:59:00Z', false],
    ['Sunday 02:00 local', '2026-03-01T08:00:00Z', true],
    ['Sunday 03:59 local', '2026-03-01T09:59:00Z', true],
    ['Sunday 04:00 local: the end is exclusive', '2026-03-01T10:00:00Z', false],
    ['Monday 02:30 local', '2026-03-02T08:30:00Z', false],
    ['the next Sunday 03:00 local', '2026-03-08T09:00:00Z', true],
  ])('every Sunday 02:00-04:00 in Mexico City: %s -> %s', (_, at, expected) => {
    expect(silenceActive(sunday, utc(at))).toBe(expected);
  });

  it('mutes until the end of the window it is in, and says when the next one opens', () => {
    expect(silenceUntil(sunday, utc('2026-03-01T08:30:00Z'))).toBe(utc('2026-03-01T10:00:00Z'));
    expect(nextSilenceWindow(sunday, utc('2026-03-02T12:00:00Z'))).toEqual({
      start: utc('2026-03-08T08:00:00Z'),
      end: utc('2026-03-08T10:00:00Z'),
    });
  });

  it('follows the local clock across a daylight-saving change (New York, 8 March 2026)', () => {
    const ny = weekly({ days: [0, 6], from: '09:00', to: '10:00', tz: 'America/New_York' });
    expect(silenceActive(ny, utc('2026-03-07T14:30:00Z'))).toBe(true); // Saturday 09:30 EST (UTC-5)
    expect(silenceActive(ny, utc('2026-03-08T14:30:00Z'))).toBe(false); // Sunday 10:30 EDT
    expect(silenceActive(ny, utc('2026-03-08T13:30:00Z'))).toBe(true); // Sunday 09:30 EDT (UTC-4)
  });

  it('a window across midnight belongs to the day it starts on', () => {
    const sat = weekly({ days: [6], from: '23:00', to: '01:00', tz: 'UTC' });
    expect(silenceActive(sat, utc('2026-03-07T23:30:00Z'))).toBe(true); // Saturday night
    expect(silenceActive(sat, utc('2026-03-08T00:30:00Z'))).toBe(true); // still Saturday's window
    expect(silenceActive(sat, utc('2026-03-08T23:30:00Z'))).toBe(false); // Sunday night
    expect(silenceUntil(sat, utc('2026-03-08T00:30:00Z'))).toBe(utc('2026-03-08T01:00:00Z'));
  });

  it('never mutes outside its own span', () => {
    const span = weekly(sunday.recurrence, utc('2026-03-01T09:00:00Z'), utc('2026-03-08T09:00:00Z'));
    expect(silenceActive(span, utc('2026-03-01T08:30:00Z'))).toBe(false);
    expect(silenceActive(span, utc('2026-03-01T09:30:00Z'))).toBe(true);
    expect(silenceActive(span, utc('2026-03-08T09:30:00Z'))).toBe(false);
    expect(silenceUntil(span, utc('2026-03-08T08:30:00Z'))).toBe(utc('2026-03-08T09:00:00Z'));
    expect(nextSilenceWindow(span, utc('2026-03-08T09:00:00Z'))).toBeUndefined();
  });

  it.each([
    [[0], 'every Sun 02:00-04:00 UTC'],
    [[1, 2, 3, 4, 5], 'every Mon-Fri 02:00-04:00 UTC'],
    [[0, 6], 'every Sun,Sat 02:00-04:00 UTC'],
    [[0, 1, 2, 3, 4, 5, 6], 'every day 02:00-04:00 UTC'],
  ])('reads as it was meant: %j', (days, text) => {
    expect(describeRecurrence({ days, from: '02:00', to: '04:00', tz: 'UTC' })).toBe(text);
  });

  it('a one-off silence is its own window', () => {
    const once = weekly(undefined, 1000, 2000);
    expect(silenceActive(once, 1500)).toBe(true);
    expect(silenceUntil(once, 1500)).toBe(2000);
    expect(nextSilenceWindow(once, 500)).toEqual({ start: 1000, end: 2000 });
  });
});
