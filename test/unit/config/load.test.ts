import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfigText } from '../../../src/config/load.js';

const base = `
sources:
  - id: api
    type: statuspage
    name: Belvo API
    url: https://status.belvo.com
destinations:
  - id: console
    type: console
subscriptions:
  - destination: console
`;

function problems(text: string, env: Record<string, string> = {}): string[] {
  try {
    parseConfigText(text, 'test.yaml', env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => `${p.path}: ${p.message}`);
    throw err;
  }
  return [];
}

describe('config loading', () => {
  it('the shipped default config is valid and watches both Belvo pages on the console', () => {
    const loaded = parseConfigText(readFileSync('config/default.yaml', 'utf8'), 'config/default.yaml', {});
    expect(loaded.config.sources.map((s) => s.url)).toEqual([
      'https://status.belvo.com',
      'https://institutions.belvo.com',
    ]);
    expect(loaded.config.storage).toEqual({
      driver: 'sqlite',
      path: './data/belvo-status.db',
      minFree: 64 * 1024 * 1024,
    });
    expect(loaded.config.server.port).toBe(8080);
    expect(loaded.config.destinations).toEqual([{ id: 'console', type: 'console', color: 'auto' }]);
  });

  it('the documented example config is valid as shipped, with nothing set in the environment', () => {
    const loaded = parseConfigText(readFileSync('config/example.yaml', 'utf8'), 'config/example.yaml', {});
    expect(loaded.config.sources.map((s) => s.id)).toEqual(['belvo-api', 'institutions']);
    expect(loaded.config.silences).toEqual([]);
  });

  it('fills defaults and parses human units', () => {
    const { config } = parseConfigText(base, 't', {});
    const s = config.sources[0];
    expect(s).toMatchObject({ format: 'json', role: 'api', interval: 60_000, timeout: 10_000, failuresBeforeAlert: 3 });
    expect(s?.maxBodySize).toBe(5 * 1024 * 1024);
    expect(config.engine.flapping).toEqual({ window: 30 * 60_000, flips: 4 });
  });

  it('names a misspelt key, a wrong type and a bad reference, all at once', () => {
    const text = base
      .replace('url: https://status.belvo.com', 'url: https://status.belvo.com\n    intervall: 30s')
      .replace('- destination: console', '- destination: slack')
      .concat('server:\n  port: "eighty"\n');
    const found = problems(text);
    expect(found).toHaveLength(3);
    expect(found).toEqual(
      expect.arrayContaining([
        'sources[0].intervall: unknown key (did you mean `interval`?)',
        'server.port: Invalid input: expected number, received string',
        'subscriptions[0].destination: no destination with id "slack" (known: console)',
      ]),
    );
  });

  it('refuses a duration it cannot read, with the value and an example', () => {
    expect(
      problems(base.replace('url: https://status.belvo.com', 'url: https://status.belvo.com\n    interval: soon')),
    ).toEqual(['sources[0].interval: not a duration: "soon" (use e.g. 500ms, 30s, 5m, 1h)']);
  });

  it('a console time zone must be a real IANA zone', () => {
    const text = base.replace('type: console', 'type: console\n    timeZone: Mars/Olympus_Mons');
    expect(problems(text)).toEqual(['destinations[0].timeZone: not an IANA time zone (e.g. America/Mexico_City, UTC)']);
    const ok = parseConfigText(
      base.replace('type: console', 'type: console\n    timeZone: America/Mexico_City'),
      't',
      {},
    );
    expect(ok.config.destinations[0]).toMatchObject({ type: 'console', timeZone: 'America/Mexico_City' });
  });

  it('a Slack destination needs the slack section, a channel id and the bot token from the environment', () => {
    const slackDest = base.replace(
      'destinations:\n  - id: console\n    type: console',
      'destinations:\n  - id: console\n    type: console\n  - id: oncall\n    type: slack\n    channel: "#oncall"',
    );
    expect(problems(slackDest)).toEqual([
      'destinations[1].type: a slack destination needs the `slack:` section (bot token)',
      'destinations[1].channel: a Slack channel id such as C0123ABCD (not the #name)',
    ]);
    const full = `${slackDest.replace('"#oncall"', 'C0123ABCD')}slack:\n  botToken: { secretEnv: SLACK_BOT_TOKEN }\n`;
    expect(problems(full)).toEqual([
      'slack.botToken.secretEnv: environment variable SLACK_BOT_TOKEN (or SLACK_BOT_TOKEN_FILE) is not set',
    ]);
    const ok = parseConfigText(full, 't', { SLACK_BOT_TOKEN: 'xoxb-test-token' });
    expect(ok.config.slack?.apiUrl).toBe('https://slack.com/api/');
    expect(ok.config.destinations[1]).toEqual({ id: 'oncall', type: 'slack', channel: 'C0123ABCD' });
  });

  it('environment variables override the file', () => {
    const { config } = parseConfigText(base, 't', {
      BELVO_STATUS_SERVER__PORT: '9090',
      BELVO_STATUS_SOURCES__0__FAILURES_BEFORE_ALERT: '5',
      BELVO_STATUS_SOURCES__0__INTERVAL: '15s',
    });
    expect(config.server.port).toBe(9090);
    expect(config.sources[0]?.failuresBeforeAlert).toBe(5);
    expect(config.sources[0]?.interval).toBe(15_000);
  });

  it('BELVO_STATUS_CONFIG (the file path) and variables named as secrets are not overrides', () => {
    const text = base.replace(
      'url: https://status.belvo.com',
      'url: https://status.belvo.com\n    push:\n      secretEnv: BELVO_STATUS_PUSH_SECRET',
    );
    const loaded = parseConfigText(text, 't', {
      BELVO_STATUS_CONFIG: 'config/mine.yaml',
      BELVO_STATUS_PUSH_SECRET: 'a-secret-value',
    });
    expect(loaded.secrets.get('BELVO_STATUS_PUSH_SECRET')).toBe('a-secret-value');
  });

  it('an override that is not valid YAML is taken as a string, never echoed in an error', () => {
    const found = problems(base, { BELVO_STATUS_SERVER__PORT: 'a: b: c @secret' });
    expect(found).toEqual([
      'server.port: Invalid input: expected number, received string (set by BELVO_STATUS_SERVER__PORT)',
    ]);
    const { config } = parseConfigText(base, 't', { BELVO_STATUS_STORAGE__PATH: '@data/x.db' });
    expect(config.storage.path).toBe('@data/x.db');
  });

  it('refuses a zero interval or timeout, and credentials in a status page URL', () => {
    const text = base.replace(
      'url: https://status.belvo.com',
      'url: https://user:pass@status.belvo.com\n    interval: 0\n    timeout: 0s',
    );
    expect(problems(text)).toEqual([
      'sources[0].url: no credentials in the URL (status pages are public; a URL with user:password@ would be printed)',
      'sources[0].interval: at least 50ms',
      'sources[0].timeout: at least 50ms',
    ]);
  });

  it('an override of an unknown key is named like any other', () => {
    expect(problems(base, { BELVO_STATUS_SERVER__PROT: '1' })).toEqual([
      'server.prot: unknown key (did you mean `port`?) (set by BELVO_STATUS_SERVER__PROT)',
    ]);
  });

  const pushed = base.replace(
    'url: https://status.belvo.com',
    'url: https://status.belvo.com\n    push:\n      secretEnv: STATUSPAGE_PUSH_SECRET',
  );

  it('a missing secret is named with the variables that would provide it', () => {
    expect(problems(pushed)).toEqual([
      'sources[0].push.secretEnv: environment variable STATUSPAGE_PUSH_SECRET (or STATUSPAGE_PUSH_SECRET_FILE) is not set',
    ]);
  });

  it('secrets come from the environment or from a *_FILE, and stay out of the config object', () => {
    const fromEnv = parseConfigText(pushed, 't', { STATUSPAGE_PUSH_SECRET: 's3cr3t-value' });
    expect(fromEnv.secrets.get('STATUSPAGE_PUSH_SECRET')).toBe('s3cr3t-value');
    expect(JSON.stringify(fromEnv.config)).not.toContain('s3cr3t-value');
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    writeFileSync(join(dir, 'secret'), 'from-a-file\n');
    const fromFile = parseConfigText(pushed, 't', { STATUSPAGE_PUSH_SECRET_FILE: join(dir, 'secret') });
    expect(fromFile.secrets.get('STATUSPAGE_PUSH_SECRET')).toBe('from-a-file');
  });

  it('an inline secret is refused without echoing it', () => {
    const text = base.replace(
      'url: https://status.belvo.com',
      'url: https://status.belvo.com\n    push:\n      secret: hunter2hunter2',
    );
    const found = problems(text);
    expect(found).toEqual([
      'sources[0].push.secretEnv: required',
      'sources[0].push.secret: secrets are never written in the file: use `secretEnv: ENV_VAR_NAME`',
    ]);
    expect(found.join()).not.toContain('hunter2');
  });

  describe('problems a person fixes at once', () => {
    function placed(text: string, env: Record<string, string> = {}) {
      try {
        parseConfigText(text, 'my.yaml', env);
      } catch (err) {
        if (err instanceof ConfigError) return err;
        throw err;
      }
      throw new Error('the config loaded');
    }

    it('a near-miss key is answered with the key the schema knows at that place, and its line', () => {
      const err = placed(`${base}server:\n  prot: 9090\n  hots: 127.0.0.1\n`);
      expect(err.problems).toEqual([
        { path: 'server.prot', message: 'unknown key (did you mean `port`?)', line: 13 },
        { path: 'server.hots', message: 'unknown key (did you mean `host`?)', line: 14 },
      ]);
      expect(err.report()).toBe(
        [
          'my.yaml: the configuration is invalid',
          '  line 13: server.prot: unknown key (did you mean `port`?)',
          '  line 14: server.hots: unknown key (did you mean `host`?)',
        ].join('\n'),
      );
    });

    it('suggests at every depth and by the option `type` picks, never a key already set or a far one', () => {
      const text = `
sorces: []
destinations:
  - { id: s, type: slack, chanel: C0123ABCD }
  - { id: p, type: pagerduty, routingKey: { secretEnv: PD }, eventUrl: "https://x.example" }
belvo:
  environments:
    - { id: production, secretKeyId: { secretEnv: A }, secret_key_password: { secretEnv: B }, webhok: {} }
server: { port: 1, porta: 2, colour: red }
`;
      const found = placed(text, { PD: 'x', A: 'a', B: 'b' }).problems.filter((p) =>
        /unknown key|secrets are/.test(p.message),
      );
      expect(found.map((p) => `${p.line}: ${p.path}: ${p.message}`)).toEqual([
        '2: sorces: unknown key (did you mean `sources`?)',
        '4: destinations[0].chanel: unknown key (did you mean `channel`?)',
        '5: destinations[1].eventUrl: unknown key (did you mean `eventsUrl`?)',
        '8: belvo.environments[0].secret_key_password: secrets are never written in the file: use `secretEnv: ENV_VAR_NAME`',
        '8: belvo.environments[0].webhok: unknown key (did you mean `webhook`?)',
        // `port` is already there; `colour` is nothing the server knows.
        '9: server.porta: unknown key',
        '9: server.colour: unknown key',
      ]);
    });

    it('problems are listed in the order of the file', () => {
      const text = `server: { prot: 1 }\nsorces: []\nlog: { levl: info }\n`;
      expect(placed(text).problems.map((p) => p.line)).toEqual([1, 2, 3]);
    });

    it('a missing key is "required", on the line of the mapping that should hold it', () => {
      const text = 'sources:\n  - id: api\n    type: statuspage\n    url: https://status.belvo.com\n';
      expect(placed(text).problems).toEqual([{ path: 'sources[0].name', message: 'required', line: 2 }]);
      const noType = placed('destinations:\n  - id: c\n').problems;
      expect(noType).toEqual([
        {
          path: 'destinations[0].type',
          message: 'required: one of console, slack, discord, discord-webhook, pagerduty',
          line: 2,
        },
      ]);
    });

    it('a near-miss value of a closed list is answered with the list and the nearest', () => {
      const text = `${base.replace('type: console', 'type: consol')}log: { level: warning }\n`;
      expect(placed(text).problems.map((p) => `${p.line}: ${p.path}: ${p.message}`)).toEqual(
        expect.arrayContaining([
          '9: destinations[0].type: not one of console, slack, discord, discord-webhook, pagerduty (did you mean `console`?)',
          '12: log.level: not one of trace, debug, info, warn, error, fatal, silent (did you mean `warn`?)',
        ]),
      );
    });

    it('a problem set by an environment override names the variable, not a line of the file', () => {
      const err = placed(base, { BELVO_STATUS_LOG__LEVEL: 'loud' });
      expect(err.problems).toEqual([
        {
          path: 'log.level',
          message: 'not one of trace, debug, info, warn, error, fatal, silent (set by BELVO_STATUS_LOG__LEVEL)',
        },
      ]);
    });
  });

  it('broken YAML is reported with its line', () => {
    expect(problems('sources:\n  - id: [unclosed\n')[0]).toMatch(/^line \d+: not valid YAML/);
  });
});
