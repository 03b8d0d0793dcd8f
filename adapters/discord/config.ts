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

/**
 * The Discord application: its bot token for channel destinations; for /belvo-status, its public key (the
 * Interactions Endpoint, a public URL) or the gateway (a connection the bot opens: no public URL needed).
 */
export const discordApp = z.strictObject({
  botToken: secretRef.optional(),
  applicationId: snowflake,
  /** Public (not a secret): it verifies the signature of every request to POST /discord/interactions. */
  publicKey: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, "the application's public key: 64 hexadecimal characters")
    .optional(),
  /** Receive /belvo-status and button clicks over Discord's gateway (a WebSocket the bot opens with its token). */
  gateway: z.boolean().default(false),
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
    const problems = rawList(root, 'destinations').flatMap((d, i) =>
      d?.type === 'discord' && app?.botToken === undefined
        ? [
            {
              path: ['destinations', i, 'type'],
              message: 'a discord destination needs `discord.botToken` (the bot posts to the channel)',
            },
          ]
        : [],
    );
    if (app && typeof app === 'object') {
      if (app.gateway === true && app.botToken === undefined) {
        problems.push({
          path: ['discord', 'gateway'],
          message:
            'the gateway needs `discord.botToken`: the bot connects to Discord with it to receive /belvo-status ' +
            '(Developer Portal > your application > Bot > Reset Token)',
        });
      }
      // (A gateway that is not a boolean is the schema's to report; guessing a way in from it would only confuse.)
      if ((app.gateway === undefined || app.gateway === false) && app.publicKey === undefined) {
        problems.push({
          path: ['discord', 'publicKey'],
          message:
            '/belvo-status needs a way in: `publicKey` (the Interactions Endpoint, POST /discord/interactions on a ' +
            'public URL) or `gateway: true` (no public URL; needs `botToken`)',
        });
      }
    }
    return problems;
  },
};
