// Discord's documented limits and addresses, with where they are written down.
// https://discord.com/developers/docs/resources/message#embed-object-embed-limits (exceeding one is a 400
// "Invalid Form Body": the whole message is refused, so the renderer keeps inside every one of them)
export const DISCORD_LIMITS = {
  content: 2000,
  embedsPerMessage: 10,
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  author: 256,
  /** Across every embed of one message: titles, descriptions, field names and values, footers, author names. */
  embedTotal: 6000,
  /** https://discord.com/developers/docs/resources/channel#start-thread-from-message */
  threadName: 100,
  /** https://discord.com/developers/docs/resources/message#create-message (integer or string of 25 characters) */
  nonce: 25,
  /** https://discord.com/developers/docs/interactions/message-components#button-object */
  customId: 100,
  buttonLabel: 80,
  /** https://discord.com/developers/docs/interactions/application-commands#application-command-object */
  commandDescription: 100,
} as const;

/** Production REST base, without the version; tests and proxies point `apiUrl` elsewhere. */
export const DISCORD_API_URL = 'https://discord.com/api';
export const DISCORD_API_VERSION = '10';

/** Where a person opens a message: https://discord.com/channels/<guild or @me>/<channel>/<message>. */
export const DISCORD_APP_URL = 'https://discord.com';

/**
 * How long a thread started from an alert stays open without activity (minutes; 60, 1440, 4320 or 10080).
 * A week: an incident's thread should not vanish from the channel list overnight.
 */
export const THREAD_AUTO_ARCHIVE_MINUTES = 10_080;

/** https://discord.com/developers/docs/resources/message#message-object-message-flags */
export const EPHEMERAL_FLAG = 64;

/**
 * Rate-limit waits shorter than this are done inside the REST client (a bucket resetting in a moment); longer ones
 * are handed back to the outbox, which pauses the destination and lets others go on.
 */
export const INLINE_RATE_LIMIT_WAIT_MS = 1000;
