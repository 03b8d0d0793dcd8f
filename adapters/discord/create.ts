// The Discord adapter as the composition root sees it: one REST client for the bot token (so every channel shares
// Discord's buckets and the pause after a refused token), channel notifiers built on demand, and the interactions
// endpoint mounted on the bot's HTTP server.
import type { ParsedCommand } from '../../src/commands/grammar.js';
import type { Reply } from '../../src/commands/reply.js';
import type { RouteMounter } from '../../src/ports/http-routes.js';
import type { Logger } from '../../src/ports/logger.js';
import type { Notifier } from '../../src/ports/notifier.js';
import type { SeenRequests } from '../../src/ports/seen-requests.js';
import { createDiscordChannelNotifier } from './channel-notifier.js';
import { DiscordClient } from './client.js';
import { DISCORD_CHANNEL_DESTINATION } from './destination.js';
import { createInteractionHandler, type DiscordCommandCaller } from './interactions.js';
import { mountDiscordInteractions } from './interactions-route.js';
import { discordPublicKey } from './verify.js';

export interface DiscordAppOptions {
  apiUrl: string;
  timeoutMs: number;
  /** Needed to post to channels; commands and their follow-ups work without it. */
  botToken?: string;
  applicationId: string;
  /** Hex, from the application's "General Information" page. */
  publicKey: string;
  logger: Logger;
  /** The incident's page on the bot's web page (`web.publicUrl`), linked from each parent message. */
  incidentUrl?: (alertId: string) => string;
}

/** `discord:<channel id>`: how a Discord channel is named as a destination (config or /belvo-status subscribe). */

export function createDiscordApp(opts: DiscordAppOptions) {
  const bot = opts.botToken
    ? new DiscordClient({ apiUrl: opts.apiUrl, token: opts.botToken, timeoutMs: opts.timeoutMs, logger: opts.logger })
    : undefined;
  // Interaction follow-ups authenticate with the interaction's token in the URL, never with the bot token.
  const interactions = new DiscordClient({ apiUrl: opts.apiUrl, timeoutMs: opts.timeoutMs });
  /** A channel's notifier; undefined without a bot token (nothing could post there). */
  const channel = (destination: string, channelId: string): Notifier | undefined => {
    if (!bot) {
      opts.logger.error({ destination }, 'a Discord channel needs discord.botToken to be posted to');
      return undefined;
    }
    return createDiscordChannelNotifier({
      destination,
      channel: channelId,
      client: bot,
      ...(opts.incidentUrl && { incidentUrl: opts.incidentUrl }),
    });
  };
  return {
    channel,
    /** For the dispatcher: a `discord:<channel>` destination subscribed from chat. */
    resolve(destination: string): Notifier | undefined {
      const channelId = DISCORD_CHANNEL_DESTINATION.exec(destination)?.[1];
      return channelId ? channel(destination, channelId) : undefined;
    },
    mountInteractions(
      router: RouteMounter,
      run: (cmd: ParsedCommand, caller: DiscordCommandCaller) => Promise<Reply>,
      now?: () => number,
      seen?: SeenRequests,
    ): void {
      mountDiscordInteractions(router, {
        publicKey: discordPublicKey(opts.publicKey),
        handle: createInteractionHandler({
          applicationId: opts.applicationId,
          client: interactions,
          logger: opts.logger,
          run,
        }),
        logger: opts.logger,
        ...(now && { now }),
        ...(seen && { seen }),
      });
    },
  };
}
