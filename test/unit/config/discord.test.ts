import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { canonicalDestination, configSubscriptions } from '../../../src/app/core-config.js';
import { ConfigError, parseConfigText } from '../../../src/config/load.js';

const KEY = 'a'.repeat(64);
const CHANNEL = '123456789012345678';

function problems(text: string, env: Record<string, string> = {}): string[] {
  try {
    parseConfigText(text, 'test.yaml', env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => `${p.path}: ${p.message}`);
    throw err;
  }
  return [];
}

describe('Discord configuration', () => {
  it('a bot channel, a webhook and a channel subscribed by id; a channel is discord:<id> however it is named', () => {
    const { config, secrets } = parseConfigText(
      `
discord:
  botToken: { secretEnv: DISCORD_BOT_TOKEN }
  applicationId: "${CHANNEL}"
  publicKey: ${KEY}
destinations:
  - { id: oncall, type: discord, channel: "${CHANNEL}" }
  - { id: hook, type: discord-webhook, url: { secretEnv: DISCORD_WEBHOOK_URL } }
subscriptions:
  - { destination: oncall }
  - { destination: hook, minSeverity: major }
  - { destination: "discord:${CHANNEL}" }
`,
      't',
      { DISCORD_BOT_TOKEN: 'bot-token', DISCORD_WEBHOOK_URL: 'https://discord.com/api/webhooks/1234567/tok' },
    );
    expect(config.discord).toEqual({
      botToken: { secretEnv: 'DISCORD_BOT_TOKEN' },
      applicationId: CHANNEL,
      publicKey: KEY,
      gateway: false,
      apiUrl: 'https://discord.com/api',
      timeout: 10_000,
    });
    expect(secrets.get('DISCORD_WEBHOOK_URL')).toMatch(/^https:/);
    expect(canonicalDestination(config, 'oncall')).toBe(`discord:${CHANNEL}`);
    expect(configSubscriptions(config, 0).map((s) => s.destination)).toEqual([
      `discord:${CHANNEL}`,
      'hook',
      `discord:${CHANNEL}`,
    ]);
  });

  it('names every Discord mistake at once: no bot token for a channel, a bad key, a #name, an inline URL', () => {
    const found = problems(`
discord:
  applicationId: "${CHANNEL}"
  publicKey: not-hex
destinations:
  - { id: oncall, type: discord, channel: "#oncall" }
  - { id: hook, type: discord-webhook, url: https://discord.com/api/webhooks/1/x }
subscriptions:
  - { destination: "discord:nope" }
`);
    expect(found).toEqual(
      expect.arrayContaining([
        "discord.publicKey: the application's public key: 64 hexadecimal characters",
        'destinations[0].channel: a Discord id (17-20 digits; Developer Mode > Copy ID)',
        'destinations[0].type: a discord destination needs `discord.botToken` (the bot posts to the channel)',
        expect.stringMatching(/^destinations\[1\]\.url: /),
        expect.stringMatching(/^subscriptions\[0\]\.destination: no destination with id "discord:nope"/),
      ]),
    );
  });

  it('gateway mode: needs the bot token (said plainly), not the public key; without either way in, says both', () => {
    const { config } = parseConfigText(
      `
discord:
  botToken: { secretEnv: DISCORD_BOT_TOKEN }
  applicationId: "${CHANNEL}"
  gateway: true
`,
      't',
      { DISCORD_BOT_TOKEN: 'bot-token' },
    );
    expect(config.discord).toMatchObject({ gateway: true, applicationId: CHANNEL });
    expect(config.discord?.publicKey).toBeUndefined();

    expect(problems(`discord: { applicationId: "${CHANNEL}", gateway: true }`)).toEqual([
      'discord.gateway: the gateway needs `discord.botToken`: the bot connects to Discord with it to receive ' +
        '/belvo-status (Developer Portal > your application > Bot > Reset Token)',
    ]);
    expect(problems(`discord: { applicationId: "${CHANNEL}", gateway: yes-please }`)).toEqual([
      'discord.gateway: Invalid input: expected boolean, received string',
    ]);
    expect(problems(`discord: { applicationId: "${CHANNEL}", botToken: { secretEnv: T } }`, { T: 'x' })).toEqual([
      'discord.publicKey: /belvo-status needs a way in: `publicKey` (the Interactions Endpoint, POST ' +
        '/discord/interactions on a public URL) or `gateway: true` (no public URL; needs `botToken`)',
    ]);
  });

  it('the commented discord section of the example config is valid once uncommented', () => {
    const text = readFileSync('config/example.yaml', 'utf8');
    const block = `# discord:${text.split('\n# discord:')[1]?.split('\n\n')[0]}`;
    const yaml = block
      .split('\n')
      .map((l) => l.replace(/^# ?/, ''))
      .join('\n');
    const { config } = parseConfigText(yaml, 'example', { DISCORD_BOT_TOKEN: 'x' });
    expect(Object.keys(config.discord ?? {}).sort()).toEqual([
      'apiUrl',
      'applicationId',
      'botToken',
      'gateway',
      'publicKey',
      'timeout',
    ]);
  });
});
