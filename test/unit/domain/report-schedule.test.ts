import { describe, expect, it } from 'vitest';
import {
  defaultReportPeriodMs,
  describeReportSchedule,
  parseReportShorthand,
  reportEvent,
  reportScheduleKey,
} from '../../../src/domain/report.js';
import type { Subscription } from '../../../src/domain/subscription.js';

const DAY = 86_400_000;

describe('report times typed in chat', () => {
  it.each([
    ['weekdays-09:00', '0 9 * * 1-5', 'weekdays 09:00'],
    ['daily-09:00', '0 9 * * *', 'daily 09:00'],
    ['daily-7:05', '5 7 * * *', 'daily 07:05'],
    ['mon-09:00', '0 9 * * 1', 'mon 09:00'],
    ['MON,thu-18:30', '30 18 * * 1,4', 'mon, thu 18:30'],
    ['sunday-08:00', '0 8 * * 0', 'sunday 08:00'],
    ['weekends-10:00', '0 10 * * 0,6', 'weekends 10:00'],
  ])('%s runs at cron "%s"', (text, cron, every) => {
    expect(parseReportShorthand(text)).toEqual({ cron, every });
  });

  it.each(['weekdays', '09:00', 'weekdays-25:00', 'weekdays-09:60', 'someday-09:00', 'mo-09:00', 'mon;tue-09:00'])(
    '"%s" is refused with the forms that work',
    (text) => {
      const parsed = parseReportShorthand(text);
      expect(parsed).toEqual({ error: expect.stringContaining('daily-09:00, weekdays-09:00') });
      expect('error' in parsed && parsed.error).toContain(`"${text}"`);
    },
  );
});

describe('the period a first report covers', () => {
  it('a week for a weekly report, a day for anything more frequent', () => {
    expect(defaultReportPeriodMs('0 9 * * 1')).toBe(7 * DAY);
    expect(defaultReportPeriodMs('0 9 * * mon')).toBe(7 * DAY);
    expect(defaultReportPeriodMs('0 9 * * 1-5')).toBe(DAY);
    expect(defaultReportPeriodMs('0 9 * * *')).toBe(DAY);
    expect(defaultReportPeriodMs('0 9 1 * 1')).toBe(DAY);
    expect(defaultReportPeriodMs('0 9 * * 1,4')).toBe(DAY);
  });
});

describe('a report as delivery carries it', () => {
  it('one message per (subscription, slot) that never pages and names its schedule in words', () => {
    const slot = Date.UTC(2026, 0, 5, 15, 0);
    const body = { title: 'Belvo report', sections: [{ heading: 'Open now (0)', lines: ['Nothing open.'] }] };
    const event = reportEvent('config:0', slot, body, slot + 1000);
    expect(event.alert.id).toBe('report-config-0-20260105T1500');
    expect(event).toMatchObject({ noPage: true, quiet: false, report: body, version: 1 });
    expect(describeReportSchedule({ cron: '0 9 * * 1-5', tz: 'UTC', every: 'weekdays 09:00' })).toBe(
      'weekdays 09:00 (UTC)',
    );
    expect(describeReportSchedule({ cron: '0 9 * * 1-5', tz: 'America/Mexico_City' })).toBe(
      'cron "0 9 * * 1-5" (America/Mexico_City)',
    );
  });
});

describe('what names a schedule in the report log', () => {
  const report = { cron: '0 9 * * 1-5', tz: 'America/Mexico_City' };
  const fromConfig: Subscription = {
    id: 'config:0',
    destination: 'slack:C0REPORTS',
    filter: { countries: ['MX', 'CO'], minSeverity: 'major', report },
    createdBy: 'config',
    createdAt: 0,
  };
  const key = (over: Partial<Subscription> = {}, schedule = report) =>
    reportScheduleKey({ ...fromConfig, ...over }, schedule);

  it('a config subscription is named by what it sends and when, not by its place in the file', () => {
    expect(key()).toMatch(/^config#[\w-]{22} 0 9 \* \* 1-5 America\/Mexico_City$/);
    expect(key({ id: 'config:3' })).toBe(key());
    // The same content written in another order is the same schedule; so is another mention.
    expect(key({ filter: { report, minSeverity: 'major', countries: ['CO', 'MX'] } })).toBe(key());
    expect(key({ filter: { ...fromConfig.filter, mention: { to: [{ kind: 'here' }] } } })).toBe(key());
  });

  it('another destination, filter, time or zone is another schedule', () => {
    const keys = [
      key(),
      key({ destination: 'slack:C0FINANCE' }),
      key({ filter: { ...fromConfig.filter, minSeverity: 'critical' } }),
      key({}, { ...report, cron: '0 10 * * 1-5' }),
      key({}, { ...report, tz: 'UTC' }),
    ];
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('a chat subscription keeps its stored id', () => {
    expect(key({ id: 'sub-7', createdBy: 'ana' })).toBe('sub-7 0 9 * * 1-5 America/Mexico_City');
  });
});
