import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configSubscriptions, policyFrom } from '../../../src/app/core-config.js';
import { ConfigError, parseConfigText } from '../../../src/config/load.js';

const PD = `
destinations:
  - { id: pagerduty, type: pagerduty, routingKey: { secretEnv: PD_KEY } }
  - { id: console, type: console }
`;
const env = { PD_KEY: 'R0UT1NGKEY0000000000000000000000' };

function problems(text: string): string[] {
  try {
    parseConfigText(text, 't', env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => `${p.path}: ${p.message}`);
    throw err;
  }
  return [];
}

describe('paging policy in the config', () => {
  it('without rules, pages Belvo API major outages, critical institutions and storms, on every PagerDuty destination', () => {
    const { config } = parseConfigText(
      `${PD}
sources:
  - { id: belvo-api, type: statuspage, name: Belvo, url: 'https://status.belvo.com', role: api }
  - { id: institutions, type: statuspage, name: Institutions, url: 'https://i.belvo.com', role: institutions }
policy: { paging: { criticalInstitutions: [erebor_mx_retail] } }
`,
      't',
      env,
    );
    const policy = policyFrom(config);
    expect(policy.paging.rules.map((r) => [r.name, r.afterMs, r.destinations])).toEqual([
      ['belvo-api-major-outage', 0, ['pagerduty']],
      ['critical-institution-down', 0, ['pagerduty']],
      ['institution-storm', 0, ['pagerduty']],
    ]);
    expect(policy.paging.rules[0]?.match).toEqual({ sources: ['belvo-api'], minSeverity: 'major' });
    expect(policy.storms).toEqual({ count: 5, windowMs: 120_000 });
    expect(policy.reminderEveryMs).toBe(0);
  });

  it('reads rules with escalation delays, reminders, and storms turned off', () => {
    const { config } = parseConfigText(
      `${PD}
policy:
  paging:
    rules:
      - { name: late, match: { minSeverity: major, countries: [MX] }, page: 15m, to: [pagerduty] }
  storms: { count: 0 }
  reminders: { every: 2h }
`,
      't',
      env,
    );
    const policy = policyFrom(config);
    expect(policy.paging.rules).toEqual([
      {
        name: 'late',
        match: { minSeverity: 'major', countries: ['MX'] },
        afterMs: 900_000,
        destinations: ['pagerduty'],
      },
    ]);
    expect(policy.storms).toBeUndefined();
    expect(policy.reminderEveryMs).toBe(7_200_000);
  });

  it('names every wrong key: a rule paging a chat destination, a subscription to a pager, a bad quiet-hours window', () => {
    expect(
      problems(`${PD}
subscriptions:
  - { destination: pagerduty }
  - destination: console
    quietHours: { from: '22:00', to: '7am', tz: Mars/Olympus }
policy:
  paging:
    rules:
      - { name: x, page: soon, to: [console] }
`),
    ).toEqual([
      // In the order of the file.
      'subscriptions[0].destination: "pagerduty" is a pagerduty destination: what pages is decided by policy.paging.rules, not subscriptions',
      'subscriptions[1].quietHours.to: a time of day as HH:MM (e.g. 22:00)',
      'subscriptions[1].quietHours.tz: not an IANA time zone (e.g. America/Mexico_City, UTC)',
      'policy.paging.rules[0].page: "soon" is neither "immediately" nor a duration (e.g. 15m)',
      'policy.paging.rules[0].to[0]: no pagerduty destination with id "console" (known: pagerduty)',
    ]);
  });

  it('a missing routing key is named, and its value never printed', () => {
    const text = problems(PD.replace('PD_KEY', 'PD_MISSING')).join('\n');
    expect(text).toMatch(/PD_MISSING/);
  });

  it('quiet hours in a config subscription reach routing, urgent defaulting to critical', () => {
    const { config } = parseConfigText(
      `${PD}
subscriptions:
  - destination: console
    quietHours: { from: '22:00', to: '07:00', tz: America/Mexico_City }
`,
      't',
      env,
    );
    expect(configSubscriptions(config, 0)[0]?.filter.quietHours).toEqual({
      from: '22:00',
      to: '07:00',
      tz: 'America/Mexico_City',
      urgent: 'critical',
    });
  });

  it('a scheduled maintenance is reminded an hour ahead unless configured; a channel names its time zone', () => {
    const read = (extra: string) => parseConfigText(`${PD}\n${extra}`, 't', env).config;
    expect(policyFrom(read('')).maintenanceRemindBeforeMs).toBe(3_600_000);
    const config = read(`
subscriptions:
  - { destination: console, tz: America/Sao_Paulo }
policy: { maintenance: { remindBefore: 30m } }
`);
    expect(policyFrom(config).maintenanceRemindBeforeMs).toBe(1_800_000);
    expect(configSubscriptions(config, 0)[0]?.filter.tz).toBe('America/Sao_Paulo');
    expect(policyFrom(read('policy: { maintenance: { remindBefore: 0 } }')).maintenanceRemindBeforeMs).toBe(0);
    expect(
      problems(`${PD}
subscriptions:
  - { destination: console, tz: Sao Paulo }
policy: { maintenance: { remindBefore: soon, every: 1h } }
`),
    ).toEqual([
      'subscriptions[0].tz: not an IANA time zone (e.g. America/Mexico_City, UTC)',
      'policy.maintenance.remindBefore: not a duration: "soon" (use e.g. 500ms, 30s, 5m, 1h)',
      'policy.maintenance.every: unknown key',
    ]);
  });

  it('a maintenance the page never closes is closed an hour after its window unless configured (0: never)', () => {
    const read = (extra: string) => parseConfigText(`${PD}\n${extra}`, 't', env).config;
    expect(policyFrom(read('')).maintenanceCloseAfterMs).toBe(3_600_000);
    expect(policyFrom(read('policy: { maintenance: { closeAfter: 6h } }')).maintenanceCloseAfterMs).toBe(21_600_000);
    expect(policyFrom(read('policy: { maintenance: { closeAfter: 0 } }')).maintenanceCloseAfterMs).toBe(0);
    expect(problems(`${PD}\npolicy: { maintenance: { closeAfter: later } }`)).toEqual([
      'policy.maintenance.closeAfter: not a duration: "later" (use e.g. 500ms, 30s, 5m, 1h)',
    ]);
  });
});

describe('the Belvo section of the example config', () => {
  it('is valid once uncommented, every documented key included', () => {
    const text = readFileSync('config/example.yaml', 'utf8');
    const block = `# belvo:${text.split('\n# belvo:')[1]}`;
    const yaml = block
      .split('\n')
      .map((l) => l.replace(/^# ?/, ''))
      .join('\n');
    const { config } = parseConfigText(yaml, 'example', {
      BELVO_SECRET_KEY_ID: 'id',
      BELVO_SECRET_KEY_PASSWORD: 'pw',
      BELVO_WEBHOOK_AUTHORIZATION: 'Bearer x',
      BELVO_INGEST_TOKEN: 't',
    });
    expect(config.belvo?.environments[0]).toMatchObject({
      id: 'production',
      institutionsInterval: 120_000,
      reconcileInterval: 900_000,
      spikeCheckInterval: 60_000,
      webhook: { allowOnlyBelvoAddresses: false, trustedProxies: [] },
    });
    expect(config.belvo?.spikes).toEqual({
      window: 3_600_000,
      baseline: 604_800_000,
      minCount: 10,
      factor: 5,
      shortWindow: 600_000,
    });
    expect(config.belvo?.ingest?.evaluateEvery).toBe(30_000);
    expect(config.belvo?.retention).toBe(30 * 86_400_000);
    expect(config.belvo?.errorRatios).toEqual({
      longWindow: 3_600_000,
      shortWindow: 300_000,
      minCalls: 50,
      minShortCalls: 10,
      thresholds: { institution: 0.1, link: 0.3, belvo: 0.05, request: 0.1, timeout: 0.05 },
    });
  });

  it('a retention shorter than the spike baseline it must keep is named', () => {
    let problems: string[] = [];
    try {
      parseConfigText(`${PD}\nbelvo:\n  retention: 3d\n  spikes: { baseline: 7d }\n`, 't', env);
    } catch (err) {
      problems = (err as ConfigError).problems.map((p) => `${p.path}: ${p.message}`);
    }
    expect(problems).toEqual([
      'belvo.retention: retention must cover spikes.baseline + spikes.window: the spike baseline is counted from link events',
    ]);
  });

  it('error-ratio settings: a short window longer than the long one, or a threshold given in percent, is named', () => {
    let problems: string[] = [];
    try {
      parseConfigText(
        `${PD}
belvo:
  errorRatios: { longWindow: 30m, shortWindow: 1h, thresholds: { link: 30 } }
`,
        't',
        env,
      );
    } catch (err) {
      problems = (err as ConfigError).problems.map((p) => `${p.path}: ${p.message}`);
    }
    expect(problems).toEqual([
      'belvo.errorRatios.thresholds.link: at most 1 (a share: 0.1 is 10%)',
      'belvo.errorRatios.shortWindow: shortWindow must be shorter than longWindow',
    ]);
  });
});
