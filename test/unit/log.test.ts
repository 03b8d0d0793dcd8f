import { describe, expect, it } from 'vitest';
import { createLogger, type LoggerOptions } from '../../src/log.js';
import type { Logger } from '../../src/ports/logger.js';

const SLACK_TOKEN = 'xoxb-2207-8812-Zq9rT4kLmN0pWx';
const WEBHOOK_PATH_SECRET = 'sp-hook.7f3a+c9e(1)';
const BELVO_PASSWORD = 'Belvo*Pa55^word$';

/** A logger writing into an array, one parsed JSON object per line, and the raw text. */
function collect(opts: Partial<LoggerOptions> = {}): {
  log: Logger;
  lines: string[];
  records: () => Record<string, unknown>[];
} {
  const lines: string[] = [];
  const log = createLogger({
    level: 'info',
    secrets: [SLACK_TOKEN, WEBHOOK_PATH_SECRET, BELVO_PASSWORD],
    destination: { write: (line: string) => void lines.push(line) },
    ...opts,
  });
  return { log, lines, records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

const SECRETS = [SLACK_TOKEN, WEBHOOK_PATH_SECRET, BELVO_PASSWORD];
const leaks = (text: string) => SECRETS.filter((s) => text.includes(s));

describe('secret values are scrubbed wherever they appear', () => {
  it('inside the message string', () => {
    const { log, lines, records } = collect();
    log.warn({ destination: 'slack' }, `chat.postMessage refused token ${SLACK_TOKEN}: invalid_auth`);
    expect(leaks(lines.join(''))).toEqual([]);
    expect(records()[0]?.msg).toBe('chat.postMessage refused token [Redacted]: invalid_auth');
  });

  it('inside an ordinary field, leaving the rest of the value readable', () => {
    const { log, records } = collect();
    log.info({ path: `/webhooks/statuspage/${WEBHOOK_PATH_SECRET}` }, 'request failed');
    expect(records()[0]).toMatchObject({ path: '/webhooks/statuspage/[Redacted]', msg: 'request failed' });
  });

  it('inside an error, its stack and its cause', () => {
    const { log, lines, records } = collect();
    const cause = new Error(`login refused for password ${BELVO_PASSWORD}`);
    log.error({ err: new Error(`Slack said invalid_auth for ${SLACK_TOKEN}`, { cause }) }, 'delivery failed');
    expect(leaks(lines.join(''))).toEqual([]);
    const err = records()[0]?.err as { message: string; stack: string };
    expect(err.message).toBe('Slack said invalid_auth for [Redacted]: login refused for password [Redacted]');
    expect(err.stack).toContain('Error: Slack said invalid_auth for [Redacted]');
  });

  it('deep inside nested objects and arrays', () => {
    const { log, lines, records } = collect();
    log.error({ attempt: { request: { body: { note: `tok=${SLACK_TOKEN}` } }, tried: [BELVO_PASSWORD, 'x'] } }, 'x');
    expect(leaks(lines.join(''))).toEqual([]);
    expect(records()[0]?.attempt).toEqual({
      request: { body: { note: 'tok=[Redacted]' } },
      tried: ['[Redacted]', 'x'],
    });
  });

  it('in a child logger bindings', () => {
    const { log, lines } = collect();
    log.child({ url: `https://hooks.example/${WEBHOOK_PATH_SECRET}` }).info({}, 'ready');
    expect(lines).toHaveLength(1);
    expect(leaks(lines.join(''))).toEqual([]);
    expect(lines[0]).toContain('"url":"https://hooks.example/[Redacted]"');
  });

  it('secrets with regular-expression characters are matched literally', () => {
    const { log, records } = collect();
    // `.`, `+`, `(`, `)`, `*`, `^`, `$` must not act as patterns: near misses stay as they are.
    log.info({ a: 'sp-hookX7f3a+c9e(1)', b: 'sp-hook.7f3ac9e1', c: `[${WEBHOOK_PATH_SECRET}]` }, 'm');
    expect(records()[0]).toMatchObject({ a: 'sp-hookX7f3a+c9e(1)', b: 'sp-hook.7f3ac9e1', c: '[[Redacted]]' });
  });

  it('every occurrence, not only the first', () => {
    const { log, records } = collect();
    log.info({}, `${SLACK_TOKEN} and again ${SLACK_TOKEN}`);
    expect(records()[0]?.msg).toBe('[Redacted] and again [Redacted]');
  });

  it('a secret that starts with another secret is scrubbed whole', () => {
    const { log, lines } = collect({ secrets: ['hook-token', 'hook-token-s3cond-half'] });
    log.info({}, 'push to /webhooks/statuspage/hook-token-s3cond-half refused');
    expect(lines.join('')).not.toContain('s3cond-half');
  });

  it('a secret containing a quote or a backslash is scrubbed too', () => {
    const secret = 'Pa"55\\word!';
    const { log, records } = collect({ secrets: [secret] });
    log.warn({}, `login failed for ${secret}`);
    expect(records()[0]?.msg).toBe('login failed for [Redacted]');
  });
});

describe('keys that hold secrets are redacted by name', () => {
  it('at the top level', () => {
    const { log, records } = collect({ secrets: [] });
    log.info({ token: 't-1', secret: 's-1', password: 'p-1', authorization: 'Bearer a-1' }, 'm');
    expect(records()[0]).toMatchObject({
      token: '[Redacted]',
      secret: '[Redacted]',
      password: '[Redacted]',
      authorization: '[Redacted]',
    });
  });

  it('one level down, and in request headers', () => {
    const { log, lines, records } = collect({ secrets: [] });
    log.info(
      {
        slack: { token: 't-2', channel: 'C0123' },
        belvo: { password: 'p-2', secretId: 'id-visible' },
        push: { secret: 's-2' },
        req: { method: 'POST', headers: { authorization: 'Basic a-2', 'content-type': 'application/json' } },
        outbound: { headers: { authorization: 'Bearer a-3', 'x-slack-signature': 'v0=abc' } },
      },
      'm',
    );
    expect(lines.join('')).not.toMatch(/t-2|p-2|s-2|a-2|a-3|v0=abc/);
    expect(records()[0]).toMatchObject({
      slack: { token: '[Redacted]', channel: 'C0123' },
      belvo: { password: '[Redacted]', secretId: 'id-visible' },
      push: { secret: '[Redacted]' },
      req: { method: 'POST', headers: { authorization: '[Redacted]', 'content-type': 'application/json' } },
      outbound: { headers: { authorization: '[Redacted]', 'x-slack-signature': '[Redacted]' } },
    });
  });
});

describe('everything else is kept', () => {
  it('ordinary fields, the message, the level, the app name and an ISO time', () => {
    const { log, records } = collect();
    log.warn(
      { source: 'belvo-api', attempt: 3, retryInMs: 1500, error: 'HTTP 503', tokens: 12, ids: ['req_1', 'req_2'] },
      'delivery failed, will retry',
    );
    const [record] = records();
    expect(record).toMatchObject({
      level: 40,
      app: 'belvo-status-bot',
      source: 'belvo-api',
      attempt: 3,
      retryInMs: 1500,
      error: 'HTTP 503',
      tokens: 12,
      ids: ['req_1', 'req_2'],
      msg: 'delivery failed, will retry',
    });
    expect(record?.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it('honours the level', () => {
    const { log, records } = collect({ level: 'warn' });
    log.debug({}, 'd');
    log.info({}, 'i');
    log.warn({}, 'w');
    log.error({}, 'e');
    expect(records().map((r) => r.msg)).toEqual(['w', 'e']);
  });

  it('without secrets to scrub, lines pass through unchanged', () => {
    const { log, records } = collect({ secrets: [] });
    log.info({ note: SLACK_TOKEN }, 'm');
    expect(records()[0]?.note).toBe(SLACK_TOKEN);
  });
});
