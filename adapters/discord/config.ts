// The Discord adapter's part of the configuration: the application (`discord:`), channel destinations (posted with
// the bot token) and channel webhook destinations (no bot needed).
import { z } from 'zod';
import { type AdapterConfigRules, duration, httpUrl, id, rawList, secretRef } from '../../src/config/fields.js';

const snowflake = z.string().regex(/^\d{17,20}$/, 'a Discord id (17-20 digits; Developer Mode > Copy ID)');

export const discordDestination = z.strictObject({
  id,
  type: z.literal('discord'),
  /** Channel id: the bot posts there with its token (View Channel, Send Messages, Create Public Threads). */
  channel: snowflake,
});
export type DiscordDestination = z.output<typeof discordDestination>;

/** A channel webhook: no bot needed. Its URL contains its token, so it is a secret. */
export const discordWebhookDestination = z.strictObject({ id, type: z.literal('discord-webhook'), url: secretRef });
export type DiscordWebhookDestination = z.output<typeof discordWebhookDestination>;

/** The Discord application: its bot token for channel destinations, its public key for /belvo-status. */
export const discordApp = z.strictObject({
  botToken: secretRef.optional(),
  applicationId: snowflake,
  /** Public (not a secret): it verifies the signature of every request to POST /discord/interactions. */
  publicKey: z.string().regex(/^[0-9a-fA-F]{64}$/, "the application's public key: 64 hexadecimal characters"),
  apiUrl: httpUrl.default('https://discord.com/api'),
  timeout: duration.default(10_000),
});
export type DiscordApp = z.output<typeof discordApp>;

/** `discord:<channel id>`: how a Discord channel is named as a destination (config or /belvo-status subscribe). */
export const discordChannelDestination = (channelId: string) => `discord:${channelId}`;
export const DISCORD_CHANNEL_DESTINATION = /^discord:(\d{17,20})$/;

export const discordConfigRules: AdapterConfigRules = {
  types: ['discord', 'discord-webhook'],
  destinationKey: (d) => {
    if (d.type === 'discord') return discordChannelDestination(String(d.channel));
    return d.type === 'discord-webhook' ? d.id : undefined;
  },
  directDestination: DISCORD_CHANNEL_DESTINATION,
  check(root) {
    const app = root.discord as Record<string, unknown> | undefined;
    return rawList(root, 'destinations').flatMap((d, i) =>
      d?.type === 'discord' && app?.botToken === undefined
        ? [
            {
              path: ['destinations', i, 'type'],
              message: 'a discord destination needs `discord.botToken` (the bot posts to the channel)',
            },
          ]
        : [],
    );
  },
};
