import { describe, expect, it } from 'vitest';
import { configSubscriptions } from '../../../src/app/core-config.js';
import { parseConfigText } from '../../../src/config/load.js';
import { routeEvents } from '../../../src/engine/route.js';
import { makeAlert, makeEvent } from '../../contract/alert-factory.js';

describe('one Slack channel reached several ways', () => {
  it('config destinations naming the same channel, and a chat subscription there, give one delivery per alert', () => {
    const { config } = parseConfigText(
      `
slack: { botToken: { secretEnv: SLACK_BOT_TOKEN } }
destinations:
  - { id: oncall, type: slack, channel: C0ONCALL1 }
  - { id: oncall-again, type: slack, channel: C0ONCALL1 }
  - { id: console, type: console }
subscriptions:
  - { destination: oncall }
  - { destination: oncall-again, minSeverity: major }
  - { destination: console }
`,
      't',
      { SLACK_BOT_TOKEN: 'xoxb-x' },
    );
    const subs = configSubscriptions(config, 0);
    expect(subs.map((s) => s.destination)).toEqual(['slack:C0ONCALL1', 'slack:C0ONCALL1', 'console']);
    const fromChat = { id: 'sub-1', destination: 'slack:C0ONCALL1', filter: {}, createdAt: 0 };
    const { intents } = routeEvents([makeEvent(makeAlert({ id: 'A1', maintenance: undefined }))], {
      subscriptions: [...subs, fromChat],
      silences: [],
      now: 0,
    });
    expect(intents.map((i) => i.destination)).toEqual(['slack:C0ONCALL1', 'console']);
  });
});
