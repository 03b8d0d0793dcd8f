// The Discord adapter: one REST client for the bot token (so every channel shares Discord's buckets and the pause
// after a refused token), channel notifiers built on demand, channel webhooks (no bot needed), and /belvo-status over
// the interactions endpoint mounted on the bot's HTTP server and/or over Discord's gateway (no public URL needed).
// Both ways in share one interaction handler: the same commands, the same answers.
import type { CommandRunner } from '../../src/commands/handlers.js';
import type { Adapter, AdapterDeps } from '../../src/ports/adapter.js';
import type { Notifier } from '../../src/ports/notifier.js';
import { createDiscordChannelNotifier } from './channel-notifier.js';
import { DiscordClient } from './client.js';
import {
  DISCORD_CHANNEL_DESTINATION,
  type DiscordApp,
  type DiscordDestination,
  type DiscordWebhookDestination,
  discordChannelDestination,
  discordConfigRules,
} from './config.js';
import { type DiscordGateway, startDiscordGateway } from './gateway.js';
import { createInteractionHandler } from './interactions.js';
import { mountDiscordInteractions } from './interactions-route.js';
import { discordPublicKey } from './verify.js';
import { createDiscordWebhookNotifier } from './webhook-notifier.js';

export interface DiscordSlice {
  /** The `discord:` section: the application (bot token, public key); webhooks work without it. */
  app: DiscordApp | undefined;
  destinations: (DiscordDestination | DiscordWebhookDestination)[];
}

export interface DiscordDeps extends AdapterDeps {
  commands: CommandRunner;
}

const DEFAULT_TIMEOUT_MS = 10_000;

const CANNOT_POST =
  'this bot has no Discord bot token (discord.botToken), so it can answer here but not post alerts; ' +
  'set the token, or send alerts to this channel through a discord-webhook destination in the config';

export function createDiscordAdapter(slice: DiscordSlice, deps: DiscordDeps): Adapter {
  const app = slice.app;
  const logger = deps.logger.child({ component: 'discord' });
  const timeoutMs = app?.timeout ?? DEFAULT_TIMEOUT_MS;
  const botToken = app?.botToken && deps.secret(app.botToken.secretEnv);
  const bot =
    app && botToken ? new DiscordClient({ apiUrl: app.apiUrl, token: botToken, timeoutMs, logger }) : undefined;
  const incidentUrl = deps.incidentUrl && { incidentUrl: deps.incidentUrl };
  /** A channel's notifier; undefined without a bot token (nothing could post there). */
  const channel = (destination: string, channelId: string): Notifier | undefined => {
    if (!bot) {
      logger.error({ destination }, 'a Discord channel needs discord.botToken to be posted to');
      return undefined;
    }
    return createDiscordChannelNotifier({ destination, channel: channelId, client: bot, ...incidentUrl });
  };
  const notifiers = slice.destinations.flatMap((d): Notifier[] => {
    if (d.type === 'discord') return [channel(discordChannelDestination(d.channel), d.channel)].flatMap((n) => n ?? []);
    const url = deps.secret(d.url.secretEnv);
    return [createDiscordWebhookNotifier({ destination: d.id, url, timeoutMs, ...incidentUrl })];
  });
  // Interaction answers and follow-ups authenticate with the interaction's token in the URL, never with the bot token.
  const interactions = app && new DiscordClient({ apiUrl: app.apiUrl, timeoutMs });
  /** One handler for both ways in (the Interactions Endpoint, the gateway). */
  const handle =
    app &&
    interactions &&
    createInteractionHandler({
      applicationId: app.applicationId,
      client: interactions,
      logger,
      run: (cmd, caller) =>
        deps.commands(
          cmd,
          {
            platform: 'discord',
            id: caller.channelId,
            destination: discordChannelDestination(caller.channelId),
            ...(!bot && { cannotPost: CANNOT_POST }),
          },
          { id: caller.userId, ...(caller.userName && { name: caller.userName }) },
        ),
    });
  let gateway: DiscordGateway | undefined;
  return {
    notifiers,
    destinationKey: discordConfigRules.destinationKey,
    /** For the dispatcher: a `discord:<channel>` destination subscribed from chat. */
    resolve(destination) {
      const channelId = DISCORD_CHANNEL_DESTINATION.exec(destination)?.[1];
      return channelId && app ? channel(destination, channelId) : undefined;
    },
    mount(router) {
      if (!app?.publicKey || !handle) return;
      mountDiscordInteractions(router, {
        publicKey: discordPublicKey(app.publicKey),
        handle,
        logger,
        now: () => deps.clock.now(),
        ...(deps.seen && { seen: deps.seen }),
      });
    },
    async start() {
      if (!app?.gateway || !handle || !interactions) return;
      if (!botToken) {
        // The config check refuses this; an empty environment variable gets here.
        logger.error({}, 'the Discord gateway needs discord.botToken: /belvo-status is not received');
        return;
      }
      gateway = await startDiscordGateway({
        token: botToken,
        apiUrl: app.apiUrl,
        timeoutMs,
        handle,
        callbacks: interactions,
        logger: logger.child({ via: 'gateway' }),
        now: () => deps.clock.now(),
        ...(deps.seen && { seen: deps.seen }),
      });
    },
    connections(): Record<string, string> {
      return gateway ? { 'discord-gateway': gateway.state() } : {};
    },
    async stop() {
      await gateway?.stop();
    },
  };
}
