import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfigText } from '../../../src/config/load.js';

function problems(text: string, env: Record<string, string> = {}): string[] {
  try {
    parseConfigText(text, 'test.yaml', env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => `${p.path}: ${p.message}`);
    throw err;
  }
  return [];
}

describe('web configuration', () => {
  it('is on at / without a login by default', () => {
    expect(parseConfigText('{}', 't', {}).config.web).toEqual({ enabled: true, basePath: '' });
  });

  it('takes a base path, a public URL and a bearer token or basic auth from the environment', () => {
    const { config, secrets } = parseConfigText(
      `
web:
  basePath: /status
  publicUrl: https://belvo-status.example.com/status
  auth: { type: basic, username: oncall, password: { secretEnv: WEB_PASSWORD } }
`,
      't',
      { WEB_PASSWORD: 'hunter2' },
    );
    expect(config.web).toEqual({
      enabled: true,
      basePath: '/status',
      publicUrl: 'https://belvo-status.example.com/status',
      auth: { type: 'basic', username: 'oncall', password: { secretEnv: 'WEB_PASSWORD' } },
    });
    expect(secrets.get('WEB_PASSWORD')).toBe('hunter2');
    expect(
      parseConfigText('web: { auth: { type: bearer, token: { secretEnv: WEB_TOKEN } } }', 't', { WEB_TOKEN: 'x' })
        .config.web.auth,
    ).toEqual({ type: 'bearer', token: { secretEnv: 'WEB_TOKEN' } });
  });

  it('names what is wrong: a base path with a slash at the end, a URL with a password, a token written inline', () => {
    expect(problems('web: { basePath: /status/ }')).toEqual([
      'web.basePath: empty, or a path such as /status (no trailing slash, no query)',
    ]);
    expect(problems('web: { publicUrl: "https://u:p@example.com" }')).toEqual([
      'web.publicUrl: no credentials in the URL (it is posted in chat)',
    ]);
    expect(problems('web: { auth: { type: bearer, token: abc } }').join('\n')).toMatch(/^web\.auth\.token: /);
    expect(problems('web: { auth: { type: bearer, token: { secretEnv: WEB_TOKEN } } }').join('\n')).toContain(
      'WEB_TOKEN',
    );
  });
});
