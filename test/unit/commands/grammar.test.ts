import { describe, expect, it } from 'vitest';
import { type ParsedCommand, parseCommand } from '../../../src/commands/grammar.js';

type Parsed = Partial<ParsedCommand> & Record<string, unknown>;

describe('parseCommand: what it understands', () => {
  it.each<[string, Parsed]>([
    ['', { kind: 'status', public: false }],
    ['   ', { kind: 'status', public: false }],
    ['status', { kind: 'status', public: false }],
    ['STATUS', { kind: 'status', public: false }],
    ['public', { kind: 'status', public: true }],
    ['status public', { kind: 'status', public: true }],
    ['--public status', { kind: 'status', public: true }],
    ['Status --PUBLIC', { kind: 'status', public: true }],
    ['institution erebor', { kind: 'institution', query: 'erebor', public: false }],
    ['institution Banco   Erebor MX', { kind: 'institution', query: 'Banco Erebor MX' }],
    ['institution "Banco Erebor" public', { kind: 'institution', query: 'Banco Erebor', public: true }],
    ['Institution Bogotá', { kind: 'institution', query: 'Bogotá' }],
    ['subscribe', { kind: 'subscribe', filter: {} }],
    [
      'subscribe statuspage source.health country:mx,CO institution:erebor_mx_retail,bancox source:institutions env:Production min:MAJOR',
      {
        kind: 'subscribe',
        filter: {
          kinds: ['statuspage', 'source.health'],
          sources: ['institutions'],
          environments: ['production'],
          institutions: ['erebor_mx_retail', 'bancox'],
          countries: ['MX', 'CO'],
          minSeverity: 'major',
        },
      },
    ],
    [
      'subscribe quiet:22:00-7:00 tz:america/mexico_city',
      { kind: 'subscribe', filter: { quietHours: { from: '22:00', to: '07:00', tz: 'America/Mexico_City' } } },
    ],
    ['subscribe tz:UTC quiet:09:30-18:00', { filter: { quietHours: { from: '09:30', to: '18:00', tz: 'UTC' } } }],
    // Alone, the channel's own clock (a scheduled maintenance's window reads in it).
    ['subscribe tz:america/sao_paulo', { filter: { tz: 'America/Sao_Paulo' } }],
    [
      'subscribe institution:"Banco Erebor MX - Retail" country:MX country:MX,BR',
      { filter: { institutions: ['Banco Erebor MX - Retail'], countries: ['MX', 'BR'] } },
    ],
    ['subscribe statuspage public', { kind: 'subscribe', filter: { kinds: ['statuspage'] }, public: true }],
    ['unsubscribe', { kind: 'unsubscribe' }],
    ['unsubscribe SUB-03', { kind: 'unsubscribe', id: 'sub-3' }],
    ['subscriptions', { kind: 'subscriptions' }],
    [
      'silence A12 2h',
      { kind: 'silence', target: { type: 'alert', alertId: 'A12' }, durationMs: 7_200_000, duration: '2h' },
    ],
    ['silence [a12] 30M', { target: { type: 'alert', alertId: 'A12' }, durationMs: 1_800_000, duration: '30m' }],
    [
      'silence banco erebor 1d bank migration, see "INC-42"',
      {
        target: { type: 'institution', query: 'banco erebor' },
        durationMs: 86_400_000,
        reason: 'bank migration, see "INC-42"',
      },
    ],
    [
      'silence erebor_mx_retail 1h30m',
      { target: { type: 'institution', query: 'erebor_mx_retail' }, durationMs: 5_400_000 },
    ],
    ['silence A7 1h known public', { kind: 'silence', reason: 'known', public: true }],
    [
      'silence institution:erebor every sun 02:00-04:00 tz:America/Sao_Paulo core banking window',
      {
        kind: 'recurring-silence',
        target: { type: 'institution', query: 'erebor' },
        recurrence: { days: [0], from: '02:00', to: '04:00', tz: 'America/Sao_Paulo' },
        reason: 'core banking window',
      },
    ],
    [
      'silence institution:Banco Erebor every Sunday 2:00-4:00 America/Mexico_City',
      {
        kind: 'recurring-silence',
        target: { type: 'institution', query: 'Banco Erebor' },
        recurrence: { days: [0], from: '02:00', to: '04:00', tz: 'America/Mexico_City' },
      },
    ],
    [
      'silence A12 every sat,sun mon-tue 22:00-01:00 tz:utc',
      {
        kind: 'recurring-silence',
        target: { type: 'alert', alertId: 'A12' },
        recurrence: { days: [0, 1, 2, 6], from: '22:00', to: '01:00', tz: 'UTC' },
      },
    ],
    [
      'silence erebor every weekdays 09:00-10:00 UTC',
      { recurrence: { days: [1, 2, 3, 4, 5], from: '09:00', to: '10:00', tz: 'UTC' } },
    ],
    ['silence A7 2h it happens every night', { kind: 'silence', reason: 'it happens every night' }],
    ['silence institution:erebor 2h', { kind: 'silence', target: { type: 'institution', query: 'erebor' } }],
    ['silences', { kind: 'silences', public: false }],
    [
      'subscribe min:major mention:<!subteam^S0123|@oncall-belvo>,<@U0456|ana> mention-from:critical',
      {
        kind: 'subscribe',
        filter: {
          minSeverity: 'major',
          mention: {
            to: [
              { kind: 'group', id: 'S0123' },
              { kind: 'user', id: 'U0456' },
            ],
            from: 'critical',
          },
        },
      },
    ],
    [
      'subscribe mention:<@&123456789012345678> mention:here mention-from:paged',
      {
        filter: {
          mention: {
            to: [{ kind: 'group', id: '123456789012345678' }, { kind: 'here' }],
            from: 'paged',
          },
        },
      },
    ],
    ['unsilence S4', { kind: 'unsilence', id: 'S4' }],
    ['unsilence s04', { kind: 'unsilence', id: 'S4' }],
    ['unsilence config:0', { kind: 'unsilence', id: 'config:0' }],
    ['ack A12', { kind: 'ack', target: { type: 'alert', alertId: 'A12' } }],
    ['ACK a12', { kind: 'ack', target: { type: 'alert', alertId: 'A12' } }],
    ['acknowledge [A12]', { kind: 'ack', target: { type: 'alert', alertId: 'A12' } }],
    ['ack institution/erebor_mx_retail', { kind: 'ack', target: { type: 'key', key: 'institution/erebor_mx_retail' } }],
    [
      'ack belvo-status/institution/erebor_mx_retail public',
      { kind: 'ack', target: { type: 'key', key: 'belvo-status/institution/erebor_mx_retail' }, public: true },
    ],
    ['ack Banco Erebor', { kind: 'ack', target: { type: 'institution', query: 'Banco Erebor' } }],
    ['ack erebor', { kind: 'ack', target: { type: 'institution', query: 'erebor' } }],
    [
      'silence statuspage/belvo-api/incident/n4njzfn1mqy0 1h deploy',
      { target: { type: 'key', key: 'statuspage/belvo-api/incident/n4njzfn1mqy0' }, durationMs: 3_600_000 },
    ],
    ['history', { kind: 'history', limit: 10 }],
    ['history 3', { kind: 'history', limit: 3 }],
    ['history 500', { kind: 'history', limit: 50 }],
    ['audit', { kind: 'audit' }],
    ['help', { kind: 'help' }],
    ['Help public', { kind: 'help', public: true }],
  ])('%j', (input, expected) => {
    expect(parseCommand(input)).toMatchObject(expected);
  });

  it('gives the full shape, nothing extra', () => {
    expect(parseCommand('silence A12 2h')).toEqual({
      kind: 'silence',
      target: { type: 'alert', alertId: 'A12' },
      durationMs: 7_200_000,
      duration: '2h',
      public: false,
    });
    expect(parseCommand('subscribe min:minor')).toEqual({
      kind: 'subscribe',
      filter: { minSeverity: 'minor' },
      public: false,
    });
  });
});

describe('parseCommand: what it refuses, and how it says so', () => {
  it.each<[string, RegExp, RegExp]>([
    ['frobnicate', /Unknown subcommand "frobnicate"/, /\/belvo-status \[status \| institution/],
    ['erebor', /To look up an institution: \/belvo-status institution erebor/, /help for details/],
    ['status now', /status takes no arguments/, /\/belvo-status status/],
    ['institution', /institution needs a name/, /institution <name or part of it>/],
    ['institution public', /institution needs a name/, /institution/],
    ['subscribe country:Mexico', /"Mexico" is not a two-letter country code/, /subscribe \[kinds/],
    ['subscribe country:', /country: needs a value/, /subscribe/],
    ['subscribe min:urgent', /"urgent" is not a severity \(info, minor, major, critical\)/, /subscribe/],
    ['subscribe major', /"major" is a severity: write min:major/, /subscribe/],
    ['subscribe MX', /looks like a country: write country:MX/, /subscribe/],
    ['subscribe color:red', /unknown filter "color:"/, /subscribe/],
    ['subscribe status/page', /not an alert kind/, /subscribe/],
    ['subscribe min:major min:minor', /min: given twice/, /subscribe/],
    ['subscribe quiet:22:00-07:00', /quiet hours need a time zone/, /tz:America\/Mexico_City/],
    ['subscribe quiet:22-07 tz:UTC', /not a quiet-hours window \(HH:MM-HH:MM/, /subscribe/],
    ['subscribe quiet:25:00-07:00 tz:UTC', /not a quiet-hours window/, /subscribe/],
    ['subscribe quiet:08:00-8:00 tz:UTC', /are empty/, /subscribe/],
    ['subscribe quiet:22:00-07:00 tz:Mars/Olympus_Mons', /not an IANA time zone/, /subscribe/],
    ['subscribe quiet:22:00-07:00 tz:+05:00', /not an IANA time zone/, /subscribe/],
    ['subscribe env:prod!', /not an environment name/, /subscribe/],
    ['unsubscribe sub-1 sub-2', /at most one subscription id/, /unsubscribe/],
    [
      'silence A12',
      /needs a duration with a unit/,
      /silence <alert id \| fingerprint \| dedup key \| institution:name> <duration \| every/,
    ],
    ['silence erebor every 02:00-04:00 tz:UTC', /every what day\?/, /silence/],
    ['silence erebor every sun tz:UTC', /needs its local time window/, /silence/],
    ['silence erebor every sun 02:00-04:00', /needs the time zone of its window/, /silence/],
    ['silence erebor every sun 02:00-04:00 tz:Mars/Olympus_Mons', /not an IANA time zone/, /silence/],
    ['silence erebor every sun 02:00-02:00 tz:UTC', /is empty/, /silence/],
    ['silence every sun 02:00-04:00 tz:UTC', /silence what\?/, /silence/],
    ['silence institution: 2h', /institution: needs a name/, /silence/],
    ['silences S1', /silences takes no arguments/, /silences/],
    ['subscribe mention:@everyone', /would notify everyone in the channel/, /subscribe/],
    ['subscribe mention:<!channel>', /would notify everyone/, /subscribe/],
    ['subscribe mention:@oncall-belvo', /pick the group from the @ menu/, /subscribe/],
    ['subscribe mention-from:critical', /add mention:/, /subscribe/],
    ['subscribe mention:here mention-from:urgent', /not a severity/, /subscribe/],
    ['silence A12 30', /needs a duration with a unit/, /silence/],
    ['silence 2h', /silence what\?/, /silence/],
    ['silence A12 30s', /from 1m to 30d \(got 30s\)/, /silence/],
    ['silence A12 31d', /from 1m to 30d/, /silence/],
    ['silence A12 A13 1h', /one alert at a time/, /silence/],
    ['unsilence', /unsilence needs one silence id/, /unsilence <silence id>/],
    [
      'ack',
      /ack what\? An alert id \(A12\), its fingerprint, its PagerDuty dedup key or an institution/,
      /ack <alert id/,
    ],
    ['ack A1 A2', /ack one alert at a time/, /ack/],
    ['ack erebor A2', /ack one alert at a time/, /ack/],
    ['history ten', /"ten" is not a number of incidents/, /history \[n\]/],
    ['history 0', /not a number of incidents \(1 to 50\)/, /history/],
    ['history 1 2', /history takes one number at most/, /history/],
    ['help me', /help takes no arguments/, /help/],
  ])('%j', (input, message, usage) => {
    const got = parseCommand(input);
    expect(got.kind).toBe('invalid');
    if (got.kind !== 'invalid') return;
    expect(got.message).toMatch(message);
    expect(got.usage).toMatch(usage);
    // Errors are for the person who typed them.
    expect(got.public).toBe(false);
  });

  it('never throws, whatever it is given', () => {
    const samples = [
      '"',
      '“unclosed',
      'subscribe "',
      ':',
      'subscribe :',
      'silence "" 1h',
      '\u0000',
      'ack [',
      'x'.repeat(5000),
    ];
    for (const s of samples) expect(() => parseCommand(s)).not.toThrow();
    expect(parseCommand('institution “Banco Erebor')).toMatchObject({ kind: 'institution', query: 'Banco Erebor' });
  });
});
