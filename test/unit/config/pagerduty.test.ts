import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfigText } from '../../../src/config/load.js';

const PAGER = '  - { id: pagerduty, type: pagerduty, routingKey: { secretEnv: PD_KEY } }';

function problems(text: string, env: Record<string, string> = {}): string[] {
  try {
    parseConfigText(text, 'test.yaml', env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => `${p.path}: ${p.message}`);
    throw err;
  }
  return [];
}

describe('PagerDuty webhook configuration', () => {
  it('takes one signing secret per webhook subscription, read from the environment', () => {
    const { config, secrets } = parseConfigText(
      `pagerduty:\n  webhookSecrets:\n    - { secretEnv: PD_WEBHOOK_SECRET }\n    - { secretEnv: PD_WEBHOOK_SECRET_B }\ndestinations:\n${PAGER}\n`,
      't',
      { PD_KEY: 'k'.repeat(32), PD_WEBHOOK_SECRET: 'one', PD_WEBHOOK_SECRET_B: 'two' },
    );
    expect(config.pagerduty).toEqual({
      webhookSecrets: [{ secretEnv: 'PD_WEBHOOK_SECRET' }, { secretEnv: 'PD_WEBHOOK_SECRET_B' }],
    });
    expect(secrets.get('PD_WEBHOOK_SECRET_B')).toBe('two');
  });

  it('names what is wrong: no secret, a secret written inline, an unknown key, no pagerduty destination', () => {
    expect(problems(`pagerduty: { webhookSecrets: [] }\ndestinations:\n${PAGER}\n`, { PD_KEY: 'k' })).toEqual([
      expect.stringMatching(/^pagerduty\.webhookSecrets: at least one signing secret/),
    ]);
    expect(problems('pagerduty: { webhookSecrets: [abc123], secret: x }\n')).toEqual([
      'pagerduty.webhookSecrets[0]: Invalid input: expected object, received string',
      'pagerduty.secret: secrets are never written in the file: use `secretEnv: ENV_VAR_NAME`',
      'pagerduty: PagerDuty webhooks speak of pages the bot sent: add a destination of type pagerduty',
    ]);
  });

  it('the commented pagerduty section of the example config is valid once uncommented', () => {
    const text = readFileSync('config/example.yaml', 'utf8');
    const block = `# pagerduty:${text.split('\n# pagerduty:')[1]?.split('\n\n')[0]}`;
    const yaml = block
      .split('\n')
      .map((l) => l.replace(/^# ?/, ''))
      .join('\n');
    const { config } = parseConfigText(`${yaml}\ndestinations:\n${PAGER}\n`, 'example', {
      PD_KEY: 'k'.repeat(32),
      PD_WEBHOOK_SECRET: 's',
    });
    expect(config.pagerduty?.webhookSecrets).toEqual([{ secretEnv: 'PD_WEBHOOK_SECRET' }]);
  });
});
