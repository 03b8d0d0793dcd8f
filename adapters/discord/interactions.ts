// /belvo-status and the alert buttons, from Discord interactions to the shared command handlers and back. Discord
// wants an answer within 3 s: a quick answer is the response itself; a slow one is deferred and the real answer
// follows by editing the original response with the interaction token (valid 15 minutes).
// https://discord.com/developers/docs/interactions/receiving-and-responding

import {
  type APIApplicationCommandInteractionDataOption,
  InteractionResponseType,
  InteractionType,
  Routes,
} from 'discord-api-types/v10';
import { z } from 'zod';
import { answerInTime } from '../../src/commands/answer-in-time.js';
import { type ParsedCommand, parseCommand } from '../../src/commands/grammar.js';
import type { Reply } from '../../src/commands/reply.js';
import type { Logger } from '../../src/ports/logger.js';
import type { DiscordClient } from './client.js';
import { COMMAND_NAME, commandText } from './command-tree.js';
import { EPHEMERAL_FLAG } from './limits.js';
import { parseCustomId } from './render.js';
import { renderCommandReply } from './render-reply.js';

export interface DiscordCommandCaller {
  channelId: string;
  userId: string;
  userName?: string;
}

export interface InteractionHandlerOptions {
  applicationId: string;
  /** Without a bot token: follow-ups authenticate with the interaction's own token. */
  client: DiscordClient;
  logger: Logger;
  /** Runs one command for one channel and user (the composition root binds the store and routing). */
  run: (cmd: ParsedCommand, caller: DiscordCommandCaller) => Promise<Reply>;
  /** Past this, the interaction is deferred and the answer follows. */
  followUpAfterMs?: number;
}

/** The response body Discord reads from the HTTP answer. */
export type InteractionResponse = { type: number; data?: Record<string, unknown> };

/** What the route needs to answer: the response, or "that is not something we understand". */
export type InteractionResult =
  | { ok: true; response: InteractionResponse }
  | { ok: false; reason: string; malformed?: boolean };

// The parts of an interaction this bot reads, with the types it reads them as: a signed body that does not fit
// (an option or custom_id of another type) is the sender's mistake, a 400, never a crash. Unknown fields pass.
const option = z.looseObject({
  name: z.string(),
  type: z.number(),
  value: z.unknown().optional(),
  get options() {
    return z.array(option).optional();
  },
});
const user = z.looseObject({
  id: z.string().optional(),
  username: z.string().optional(),
  global_name: z.string().nullish(),
});
const interactionShape = z.looseObject({
  type: z.number(),
  token: z.string().optional(),
  channel_id: z.string().optional(),
  channel: z.looseObject({ id: z.string().optional() }).optional(),
  member: z.looseObject({ nick: z.string().nullish(), user: user.optional() }).optional(),
  user: user.optional(),
  data: z
    .looseObject({
      name: z.string().optional(),
      custom_id: z.string().optional(),
      options: z.array(option).optional(),
    })
    .optional(),
});

interface Interaction {
  type: number;
  token?: string;
  channel_id?: string;
  channel?: { id?: string };
  member?: { nick?: string | null; user?: User };
  user?: User;
  data?: {
    name?: string;
    custom_id?: string;
    options?: APIApplicationCommandInteractionDataOption[];
  };
}

interface User {
  id?: string;
  username?: string;
  global_name?: string | null;
}

function callerOf(i: Interaction): DiscordCommandCaller | undefined {
  const user = i.member?.user ?? i.user;
  const channelId = i.channel_id ?? i.channel?.id;
  if (!user?.id || !channelId) return undefined;
  const name = i.member?.nick || user.global_name || user.username;
  return { channelId, userId: user.id, ...(name && { userName: name }) };
}

/** A button's command: the same as Slack's buttons run. */
function buttonCommand(customId: string): ParsedCommand | undefined {
  const parsed = parseCustomId(customId);
  if (!parsed) return undefined;
  if (parsed.action === 'ack') {
    return { kind: 'ack', target: { type: 'alert', alertId: parsed.alertId }, public: false };
  }
  return {
    kind: 'silence',
    target: { type: 'alert', alertId: parsed.alertId },
    durationMs: 3_600_000,
    duration: '1h',
    public: false,
  };
}

export function createInteractionHandler(opts: InteractionHandlerOptions) {
  /** Runs the command; answers now if it is quick, else defers and edits the answer in when it is ready. */
  async function answer(
    i: Interaction,
    cmd: ParsedCommand,
    caller: DiscordCommandCaller,
    privately: boolean,
  ): Promise<InteractionResponse> {
    const work = opts
      .run(cmd, caller)
      .then((reply) => (privately ? { ...reply, visibility: 'ephemeral' as const } : reply));
    const timed = await answerInTime(work, opts.logger, { channel: caller.channelId }, opts.followUpAfterMs);
    if ('quick' in timed) {
      return { type: InteractionResponseType.ChannelMessageWithSource, data: { ...renderCommandReply(timed.quick) } };
    }
    // Slow (a large store, a busy machine): "thinking…" now, seen by whom the answer will be seen by.
    const token = i.token;
    void timed.later.then(async (reply) => {
      if (!token) return;
      try {
        const { flags: _, ...body } = renderCommandReply(reply);
        await opts.client.patch(Routes.webhookMessage(opts.applicationId, token), { auth: false, body });
      } catch (err) {
        opts.logger.error(
          { error: err instanceof Error ? err.message : String(err), channel: caller.channelId },
          '/belvo-status follow-up could not be sent',
        );
      }
    });
    const ephemeral = privately || !cmd.public;
    return {
      type: InteractionResponseType.DeferredChannelMessageWithSource,
      ...(ephemeral && { data: { flags: EPHEMERAL_FLAG } }),
    };
  }

  return async function handle(body: unknown): Promise<InteractionResult> {
    const shape = interactionShape.safeParse(body);
    if (!shape.success) {
      const where = shape.error.issues[0]?.path.join('.') || '(body)';
      return { ok: false, malformed: true, reason: `malformed interaction at ${where}` };
    }
    const i = shape.data as Interaction;
    if (i.type === InteractionType.Ping) return { ok: true, response: { type: InteractionResponseType.Pong } };
    const caller = callerOf(i);
    if (i.type === InteractionType.ApplicationCommand) {
      if (i.data?.name !== COMMAND_NAME || !caller) return { ok: false, reason: 'not /belvo-status in a channel' };
      const cmd = parseCommand(commandText(i.data.options));
      return { ok: true, response: await answer(i, cmd, caller, false) };
    }
    if (i.type === InteractionType.MessageComponent) {
      const cmd = buttonCommand(i.data?.custom_id ?? '');
      if (!cmd || !caller) return { ok: false, reason: 'not one of our buttons' };
      const response = await answer(i, cmd, caller, true);
      opts.logger.info({ action: i.data?.custom_id, user: caller.userId }, 'alert button');
      // The clicker learns what happened (done, or why not), privately; the message itself is edited by delivery.
      return { ok: true, response };
    }
    return { ok: false, reason: `interaction type ${String(i.type)} is not handled` };
  };
}
