// The Slack adapter's part of the configuration: the app (`slack:`) and channel destinations.
import { z } from 'zod';
import { type AdapterConfigRules, duration, httpUrl, id, rawList, secretRef } from '../../src/config/fields.js';
import { SLACK_API_URL } from './limits.js';

export const slackDestination = z.strictObject({
  id,
  type: z.literal('slack'),
  /** Channel id (C0123ABCD): names change, ids do not. The bot must be in the channel (or have chat:write.public). */
  channel: z.string().regex(/^[CGD][A-Z0-9]{6,}$/, 'a Slack channel id such as C0123ABCD (not the #name)'),
});
export type SlackDestination = z.output<typeof slackDestination>;

/** The Slack app: one bot token and signing secret for every Slack destination and for /belvo-status. */
export const slackApp = z.strictObject({
  botToken: secretRef,
  /** Enables POST /slack/events (slash command, buttons) on the bot's HTTP server. */
  signingSecret: secretRef.optional(),
  /** Or receive them over Socket Mode, for a bot without a public URL (an app-level token, xapp-...). */
  socketMode: z.strictObject({ appToken: secretRef }).optional(),
  apiUrl: httpUrl.default(SLACK_API_URL),
  timeout: duration.default(10_000),
});
export type SlackApp = z.output<typeof slackApp>;

/** `slack:<channel id>`: a Slack channel as a destination, whether the config names it or /belvo-status subscribed it. */
export const slackChannelDestination = (channel: string) => `slack:${channel}`;
export const SLACK_CHANNEL_DESTINATION = /^slack:([CGD][A-Z0-9]{6,})$/;

export const slackConfigRules: AdapterConfigRules = {
  types: ['slack'],
  // One channel reached both ways (config and chat) still gets one message per alert.
  destinationKey: (d) => (d.type === 'slack' ? slackChannelDestination(String(d.channel)) : undefined),
  directDestination: SLACK_CHANNEL_DESTINATION,
  check(root) {
    return rawList(root, 'destinations').flatMap((d, i) =>
      d?.type === 'slack' && root.slack === undefined
        ? [{ path: ['destinations', i, 'type'], message: 'a slack destination needs the `slack:` section (bot token)' }]
        : [],
    );
  },
};
