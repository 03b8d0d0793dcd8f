// Slack's documented limits, with where they are written down.
// https://api.slack.com/reference/block-kit/blocks (50 blocks per message, section text 3000, fields 10 x 2000)
// https://api.slack.com/methods/chat.postMessage#truncating (text truncated past 40,000 characters)
export const SLACK_LIMITS = {
  blocksPerMessage: 50,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  messageText: 40_000,
  buttonText: 75,
  contextElements: 10,
} as const;

/** Production Web API base; tests and proxies point `apiUrl` elsewhere. */
export const SLACK_API_URL = 'https://slack.com/api/';

/** Slack asks for about one message per second per channel (chat.postMessage, "special" rate tier). */
export const SLACK_POST_INTERVAL_MS = 1000;

/** The metadata event type that marks the bot's alert messages (found again after a crash). */
export const ALERT_METADATA_TYPE = 'belvo_status_alert';
