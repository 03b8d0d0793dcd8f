import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../../src/commands/grammar.js';

describe('subscribe report:', () => {
  it.each([
    ['subscribe report:weekdays-09:00', { report: { cron: '0 9 * * 1-5', tz: 'UTC', every: 'weekdays 09:00' } }],
    [
      'subscribe report:daily-09:00 tz:america/mexico_city',
      // The zone is the channel's clock too (a maintenance window reads in it).
      { tz: 'America/Mexico_City', report: { cron: '0 9 * * *', tz: 'America/Mexico_City', every: 'daily 09:00' } },
    ],
    [
      'subscribe min:major report:mon-08:30 tz:America/Bogota',
      {
        minSeverity: 'major',
        tz: 'America/Bogota',
        report: { cron: '30 8 * * 1', tz: 'America/Bogota', every: 'mon 08:30' },
      },
    ],
    [
      // One zone for the channel: the quiet hours' and the report's.
      'subscribe quiet:22:00-07:00 tz:America/Sao_Paulo report:weekdays-09:00',
      {
        quietHours: { from: '22:00', to: '07:00', tz: 'America/Sao_Paulo' },
        report: { cron: '0 9 * * 1-5', tz: 'America/Sao_Paulo', every: 'weekdays 09:00' },
      },
    ],
    // A zone alone names the channel's clock.
    ['subscribe tz:UTC', { tz: 'UTC' }],
  ])('%s', (text, filter) => {
    expect(parseCommand(text)).toEqual({ kind: 'subscribe', filter, public: false });
  });

  it.each([
    ['subscribe report:weekly', /"weekly" is not a report time: write daily-09:00, weekdays-09:00/],
    ['subscribe report:weekdays-9', /not a report time/],
    ['subscribe report:daily-09:00 report:mon-09:00', /report: given twice/],
    ['subscribe report:daily-09:00 tz:Mars/Olympus_Mons', /not an IANA time zone/],
  ])('%s is refused', (text, message) => {
    const got = parseCommand(text);
    expect(got).toMatchObject({ kind: 'invalid', message: expect.stringMatching(message) });
    expect(got.kind === 'invalid' && got.usage).toContain('[report:weekdays-09:00|daily-09:00|mon-09:00]');
  });
});
