import { describe, expect, it } from 'vitest';
import { configSubscriptions } from '../../../src/app/core-config.js';
import { ConfigError, parseConfigText } from '../../../src/config/load.js';

const base = (subscriptions: string) => `
sources:
  - id: api
    type: statuspage
    name: Belvo API
    url: https://status.belvo.com
destinations:
  - id: console
    type: console
subscriptions:
${subscriptions}
`;

function problems(text: string): string[] {
  try {
    parseConfigText(text, 'test.yaml', { PD_KEY: 'k' });
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => `${p.path}: ${p.message}`);
    throw err;
  }
  return [];
}

describe('a subscription report in the config', () => {
  it('takes a cron and a time zone, and defaults the zone to the quiet hours one, else UTC', () => {
    const { config } = parseConfigText(
      base(`  - destination: console
    report: { cron: "0 9 * * 1-5", tz: America/Mexico_City }
  - destination: console
    quietHours: { from: "22:00", to: "07:00", tz: America/Bogota }
    report: { cron: "30 8 * * 1" }
  - destination: console
    report: { cron: "0 18 * * *" }`),
      'test.yaml',
      { PD_KEY: 'k' },
    );
    expect(configSubscriptions(config, 0).map((s) => s.filter.report)).toEqual([
      { cron: '0 9 * * 1-5', tz: 'America/Mexico_City' },
      { cron: '30 8 * * 1', tz: 'America/Bogota' },
      { cron: '0 18 * * *', tz: 'UTC' },
    ]);
  });

  it('a bad cron, an unknown time zone and an unknown key are each named', () => {
    const found = problems(
      base(`  - destination: console
    report: { cron: "0 25 * * *", tz: America/Mexico_City }
  - destination: console
    report: { cron: "0 9 * *", tz: Mars/Olympus_Mons }
  - destination: console
    report: { cron: "0 9 * * *", every: daily }`),
    );
    expect(found).toEqual([
      'subscriptions[0].report.cron: "0 25 * * *" is not a cron expression: 25 is not a valid expression for hour',
      expect.stringMatching(/^subscriptions\[1\]\.report\.cron: "0 9 \* \*" has 4 fields: a report's cron has five/),
      expect.stringMatching(/^subscriptions\[1\]\.report\.tz: not an IANA time zone/),
      'subscriptions[2].report.every: unknown key',
    ]);
  });
});
