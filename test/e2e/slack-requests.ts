// Signed requests as Slack sends them to a running bot's /slack/events: slash commands and button clicks.
import { signSlackRequest } from '../support/signers.js';

export function slashCommandBody(channel: string, text: string, user = { id: 'U0ANA', name: 'ana' }): string {
  return new URLSearchParams({
    token: 'ignored',
    team_id: 'T0TEAM',
    team_domain: 'acme',
    channel_id: channel,
    channel_name: 'oncall',
    user_id: user.id,
    user_name: user.name,
    command: '/belvo-status',
    text,
    response_url: 'https://hooks.slack.com/commands/T0TEAM/1/abc',
    // Unique per request, as Slack's are (so two identical commands in one second are two requests, not a replay).
    trigger_id: `${Date.now()}.${Math.random()}`,
    api_app_id: 'A0APP',
  }).toString();
}

export async function postSignedToSlackEvents(base: string, signingSecret: string, body: string): Promise<Response> {
  return fetch(`${base}/slack/events`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...signSlackRequest(signingSecret, body, Math.floor(Date.now() / 1000)),
    },
    body,
  });
}

/** The alert id a bot's Slack message carries in its metadata. */
export function alertIdOf(message: { metadata?: unknown } | undefined): string | undefined {
  return /"alert_id":"(A\d+)"/.exec(JSON.stringify(message?.metadata))?.[1];
}
