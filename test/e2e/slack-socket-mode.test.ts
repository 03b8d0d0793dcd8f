// Socket Mode: the real program opens Slack's WebSocket (a fake on 127.0.0.1) and answers /belvo-status over it.
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeSlackSocket, startFakeSlackSocket } from '../fakes/slack-socket.js';
import { BotProcess } from './bot-process.js';

describe('Slack Socket Mode', () => {
  let socket: FakeSlackSocket | undefined;
  let bot: BotProcess | undefined;
  afterEach(async () => {
    await bot?.dispose();
    await socket?.close();
  });

  it('connects with the app token and answers commands and buttons over the socket', async () => {
    const fake = await startFakeSlackSocket({ appToken: 'xapp-e2e-token' });
    socket = fake;
    bot = new BotProcess(
      (dir) => `
server: { host: 127.0.0.1, port: 0 }
storage: { path: ${dir}/state.db }
slack:
  botToken: { secretEnv: SLACK_BOT_TOKEN }
  socketMode: { appToken: { secretEnv: SLACK_APP_TOKEN } }
  apiUrl: "${fake.apiUrl}"
`,
    );
    bot.start({ SLACK_BOT_TOKEN: 'xoxb-e2e', SLACK_APP_TOKEN: 'xapp-e2e-token' });
    await fake.connected();
    expect(fake.opened).toBe(1);

    const command = (text: string) => ({
      command: '/belvo-status',
      text,
      channel_id: 'C0SOCKET01',
      user_id: 'U0ANA',
      user_name: 'ana',
      team_id: 'T0',
      response_url: 'https://hooks.slack.com/commands/T0/1/x',
    });
    const status = (await fake.send('slash_commands', command('status'))) as { text: string; response_type: string };
    expect(status).toMatchObject({ text: 'Belvo status: all clear', response_type: 'ephemeral' });
    const sub = (await fake.send('slash_commands', command('subscribe min:major'))) as { text: string };
    expect(sub.text).toMatch(/^Subscribed: this channel will receive/);

    // A button click (an unknown alert): acknowledged with an empty payload, and the bot keeps going.
    const click = await fake.send('interactive', {
      type: 'block_actions',
      user: { id: 'U0BOB', username: 'bob' },
      channel: { id: 'C0SOCKET01' },
      actions: [{ type: 'button', action_id: 'belvo_status_ack', value: 'A99', action_ts: '1' }],
    });
    expect(click).toEqual({});
    expect(bot.running?.proc.exitCode).toBeNull();
  });
});
