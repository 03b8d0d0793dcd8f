import { describe, expect, it } from 'vitest';
import { parseTimestamp, zoneOffsetMinutes } from '../../src/domain/timestamp.js';

const at = (iso: string) => new Date(iso).getTime();

describe('parseTimestamp', () => {
  it.each([
    // ISO 8601 with 0-6 fractional digits and Z
    ['2024-07-07T22:40:48Z', '2024-07-07T22:40:48.000Z'],
    ['2024-07-07T22:40:48.7Z', '2024-07-07T22:40:48.700Z'],
    ['2024-07-07T22:40:48.71Z', '2024-07-07T22:40:48.710Z'],
    ['2024-07-07T22:40:48.712Z', '2024-07-07T22:40:48.712Z'],
    ['2024-07-07T22:40:48.712917Z', '2024-07-07T22:40:48.712Z'],
    ['2024-07-07T22:40:48.999999Z', '2024-07-07T22:40:48.999Z'],
    // local offsets, as Statuspage sends them
    ['2022-02-15T13:37:37.407-08:00', '2022-02-15T21:37:37.407Z'],
    ['2022-02-15T13:37:37-0800', '2022-02-15T21:37:37.000Z'],
    ['2021-12-23T10:30:37+01:00', '2021-12-23T09:30:37.000Z'],
    ['2021-12-23T10:30:37+0100', '2021-12-23T09:30:37.000Z'],
    ['2021-12-23T10:30:37+05:30', '2021-12-23T05:00:37.000Z'],
    ['2021-12-23T10:30:37-03', '2021-12-23T13:30:37.000Z'],
    ['2021-12-23 10:30:37Z', '2021-12-23T10:30:37.000Z'],
    ['2021-12-23T10:30Z', '2021-12-23T10:30:00.000Z'],
    ['  2021-12-23T10:30:37Z  ', '2021-12-23T10:30:37.000Z'],
    // offset crossing a day and a year boundary
    ['2021-12-31T23:30:00-08:00', '2022-01-01T07:30:00.000Z'],
    // RFC 822 / 1123 as in RSS pubDate
    ['Thu, 23 Dec 2021 10:30:37 +0100', '2021-12-23T09:30:37.000Z'],
    ['Thu, 23 Dec 2021 10:30:37 -0800', '2021-12-23T18:30:37.000Z'],
    ['Thu, 23 Dec 2021 10:30:37 GMT', '2021-12-23T10:30:37.000Z'],
    ['Thu, 23 Dec 2021 10:30:37 UT', '2021-12-23T10:30:37.000Z'],
    ['Thu, 23 Dec 2021 10:30:37 UTC', '2021-12-23T10:30:37.000Z'],
    ['Thu, 23 Dec 2021 10:30:37 EST', '2021-12-23T15:30:37.000Z'],
    ['Thu, 23 Dec 2021 10:30:37 PDT', '2021-12-23T17:30:37.000Z'],
    ['Thu, 23 Dec 2021 10:30:37 +0100 (CET)', '2021-12-23T09:30:37.000Z'],
    ['23 Dec 2021 10:30 +0000', '2021-12-23T10:30:00.000Z'],
    ['Thu, 3 Dec 21 10:30:37 +0000', '2021-12-03T10:30:37.000Z'],
    ['Wed, 03 Jun 2026 07:28:39 +0000', '2026-06-03T07:28:39.000Z'],
  ])('%s', (text, expected) => {
    expect(parseTimestamp(text)).toBe(at(expected));
  });

  it.each([
    [''],
    ['   '],
    ['garbage'],
    ['not a date at all, really'],
    ['2024-13-01T00:00:00Z'],
    ['2024-02-30T00:00:00Z'],
    ['2024-07-07T25:00:00Z'],
    ['2024-07-07T22:61:00Z'],
    ['2024-07-07T22:40:48+25:00'],
    ['Thu, 23 Foo 2021 10:30:37 +0100'],
    ['Thu, 23 Dec 2021 10:30:37 XYZT'],
    ['1700000000000'],
  ])('%j is undefined, never NaN', (text) => {
    expect(parseTimestamp(text)).toBeUndefined();
  });

  it('accepts a leap day only in a leap year', () => {
    expect(parseTimestamp('2024-02-29T00:00:00Z')).toBe(at('2024-02-29T00:00:00Z'));
    expect(parseTimestamp('2023-02-29T00:00:00Z')).toBeUndefined();
  });

  it('returns undefined for a non-string at runtime', () => {
    expect(parseTimestamp(null as unknown as string)).toBeUndefined();
    expect(parseTimestamp(1 as unknown as string)).toBeUndefined();
  });
});

describe('zoneOffsetMinutes', () => {
  it.each([
    ['Z', 0],
    ['CET', 60],
    ['cest', 120],
    ['PST', -480],
    ['-03', -180],
    ['+0530', 330],
    ['-08:00', -480],
    ['GMT+1', 60],
    ['UTC-03:00', -180],
  ])('%s -> %d', (zone, minutes) => {
    expect(zoneOffsetMinutes(zone)).toBe(minutes);
  });

  it('is undefined for an unknown zone', () => {
    expect(zoneOffsetMinutes('Mars/Olympus')).toBeUndefined();
  });
});
