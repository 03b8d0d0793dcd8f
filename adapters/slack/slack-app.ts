// The Bolt App behind /belvo-status and the alert buttons. Listeners translate Slack's payloads to the neutral
// command grammar and back; the answers themselves come from src/commands.
import { App, LogLevel } from '@slack/bolt';
import { answerInTime } from '../../src/commands/answer-in-time.js';
import { type ParsedCommand, parseCommand } from '../../src/commands/grammar.js';
import type { Reply } from '../../src/commands/reply.js';
import type { Logger } from '../../src/ports/logger.js';
import type { MountedReceiver } from './events-route.js';
import { SLACK_API_URL } from './limits.js';
import { ACTIONS } from './render.js';
import { renderCommandReply } from './render-reply.js';

export interface SlackCommandCaller {
  channelId: string;
  userId: string;
  userName?: string;
}

export interface SlackAppOptions {
  token: string;
  apiUrl?: string;
  receiver: MountedReceiver;
  logger: Logger;
  /** Runs one command for one channel and user (the composition root binds the store and routing). */
  run: (cmd: ParsedCommand, caller: SlackCommandCaller) => Promise<Reply>;
  /** Past this, the command is acknowledged at once and the answer follows through response_url. */
  followUpAfterMs?: number;
}

/** Slack escapes &, < and > in what users type; the grammar wants the characters. */
function unescapeSlack(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

export function createSlackApp(opts: SlackAppOptions): App {
  const app = new App({
    receiver: opts.receiver,
    // Our own authorize (one workspace, one token) instead of `token`: Bolt would otherwise call auth.test before
    // answering, and a slash command must be answered even while Slack's Web API is slow or unreachable.
    authorize: async () => ({ botToken: opts.token }),
    clientOptions: { slackApiUrl: opts.apiUrl ?? SLACK_API_URL, retryConfig: { retries: 0 } },
    logLevel: LogLevel.ERROR,
  });

  app.command(/^\/belvo-status/, async ({ command, ack, respond }) => {
    const caller = { channelId: command.channel_id, userId: command.user_id, userName: command.user_name };
    const answer = await answerInTime(
      opts.run(parseCommand(unescapeSlack(command.text ?? '')), caller),
      opts.logger,
      { channel: command.channel_id },
      opts.followUpAfterMs,
    );
    if ('quick' in answer) {
      await ack(renderCommandReply(answer.quick));
      return;
    }
    // Slow (a large store, a busy machine): answer now, and the real answer follows where Slack said to send it.
    await ack({ response_type: 'ephemeral', text: 'Working on it…' });
    try {
      await respond({ ...renderCommandReply(await answer.later), replace_original: false });
    } catch (err) {
      opts.logger.error({ err, channel: command.channel_id }, '/belvo-status follow-up could not be sent');
    }
  });

  const button = (actionId: string, toCommand: (alertId: string) => ParsedCommand) => {
    app.action(actionId, async ({ ack, body, action, respond }) => {
      await ack();
      const alertId = (action as { value?: string }).value;
      const b = body as { channel?: { id?: string }; user?: { id?: string; username?: string; name?: string } };
      if (!alertId || !b.channel?.id || !b.user?.id) return;
      try {
        const reply = await opts.run(toCommand(alertId), {
          channelId: b.channel.id,
          userId: b.user.id,
          ...((b.user.username ?? b.user.name) && { userName: b.user.username ?? b.user.name }),
        });
        opts.logger.info({ action: actionId, alert: alertId, user: b.user.id, result: reply.title }, 'alert button');
        // The clicker learns what happened (done, or why not), privately; the message itself is edited by delivery.
        await respond({ ...renderCommandReply({ ...reply, visibility: 'ephemeral' }), replace_original: false }).catch(
          (err: unknown) => opts.logger.warn({ err, action: actionId }, 'could not tell the clicker the result'),
        );
      } catch (err) {
        opts.logger.error({ err, action: actionId, alert: alertId }, 'alert button failed');
      }
    });
  };
  button(ACTIONS.ack, (alertId) => ({ kind: 'ack', target: { type: 'alert', alertId }, public: false }));
  button(ACTIONS.silence, (alertId) => ({
    kind: 'silence',
    target: { type: 'alert', alertId },
    durationMs: 3_600_000,
    duration: '1h',
    public: false,
  }));
  // A link button still reports its click; nothing to do but acknowledge it.
  app.action(ACTIONS.open, async ({ ack }) => {
    await ack();
  });
  return app;
}
