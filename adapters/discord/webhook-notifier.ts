// One Discord channel webhook (no bot needed): the parent is posted with `?wait=true` so Discord returns it, then
// edited in place on every version. A channel webhook cannot start a thread from a message, so in a text channel the
// parent itself carries the recent updates; in a forum channel each alert becomes a post (`thread_name`) and the
// updates are threaded there. A webhook can neither read the channel back nor use a nonce: after a crash between
// Discord's answer and the bot's record, a parent can be posted twice (at least once beats never).
// https://discord.com/developers/docs/resources/webhook#execute-webhook
import { type APIMessage, type APIWebhook, Routes } from 'discord-api-types/v10';
import type { DeliveryRequest, DeliveryResult, MessageRef, Notifier } from '../../src/ports/notifier.js';
import { messageLink } from './channel-notifier.js';
import { DiscordClient } from './client.js';
import { DISCORD_CODES, DiscordCallError, deliveryOutcome } from './errors.js';
import { renderParent, renderReply, threadName } from './render.js';

export interface WebhookUrlParts {
  /** REST base the webhook lives under (`https://discord.com/api`). */
  apiUrl: string;
  id: string;
  token: string;
}

/**
 * `https://discord.com/api[/v10]/webhooks/<id>/<token>` -> its parts; undefined for anything else. The message of a
 * failure never quotes the URL: it holds the token.
 */
export function parseWebhookUrl(url: string): WebhookUrlParts | undefined {
  const m = /^(https?:\/\/[^/?#]+(?:\/[^?#]*?)?)\/(?:v\d+\/)?webhooks\/(\d{5,})\/([\w-]+)\/?(?:[?#].*)?$/.exec(
    url.trim(),
  );
  if (!m) return undefined;
  return { apiUrl: m[1] as string, id: m[2] as string, token: m[3] as string };
}

export interface DiscordWebhookNotifierOptions {
  /** The config id: a webhook is its own destination. */
  destination: string;
  /** The webhook URL (a secret: it contains the token). */
  url: string;
  timeoutMs?: number;
  /** Tests: the REST client to use instead of one built from the URL. */
  client?: DiscordClient;
  /** The incident's page on the bot's web page, linked from each message. */
  incidentUrl?: (alertId: string) => string;
}

export function createDiscordWebhookNotifier(opts: DiscordWebhookNotifierOptions): Notifier {
  const parts = parseWebhookUrl(opts.url);
  const client =
    opts.client ??
    new DiscordClient({
      apiUrl: parts?.apiUrl ?? 'http://invalid',
      ...(opts.timeoutMs && { timeoutMs: opts.timeoutMs }),
    });
  let where: Promise<{ guild?: string } | undefined> | undefined;

  const query = (thread?: string) => new URLSearchParams({ wait: 'true', ...(thread && { thread_id: thread }) });

  /** The server of the webhook's channel, for links (asked once, again only after a failure). */
  function guildOf(hook: WebhookUrlParts) {
    where ??= client.get<APIWebhook>(Routes.webhook(hook.id, hook.token), { auth: false }).then(
      (w) => (w.guild_id ? { guild: w.guild_id } : {}),
      () => {
        where = undefined;
        return undefined;
      },
    );
    return where;
  }

  async function ref(hook: WebhookUrlParts, alertId: string, m: APIMessage, thread?: string): Promise<MessageRef> {
    const g = await guildOf(hook);
    return {
      alertId,
      destination: opts.destination,
      messageId: m.id,
      extra: {
        channel: m.channel_id,
        ...(g && { link: messageLink(g.guild, m.channel_id, m.id) }),
        ...(thread && { thread }),
      },
    };
  }

  async function postParent(hook: WebhookUrlParts, req: DeliveryRequest): Promise<MessageRef> {
    const a = req.event.alert;
    const body = renderParent(req.event, {
      buttons: false,
      history: true,
      mention: true,
      ...(opts.incidentUrl && { incidentUrl: opts.incidentUrl }),
    });
    try {
      const m = await client.post<APIMessage>(Routes.webhook(hook.id, hook.token), {
        auth: false,
        query: query(),
        body,
      });
      return ref(hook, a.id, m);
    } catch (err) {
      if (DiscordCallError.from(err).code !== DISCORD_CODES.forumNeedsThread) throw err;
      // A forum channel: the alert becomes a post of its own, and its updates are threaded there.
      const m = await client.post<APIMessage>(Routes.webhook(hook.id, hook.token), {
        auth: false,
        query: query(),
        body: { ...body, thread_name: threadName(a) },
      });
      return ref(hook, a.id, m, m.channel_id);
    }
  }

  return {
    destination: opts.destination,
    minIntervalMs: 0,
    async deliver(req: DeliveryRequest): Promise<DeliveryResult> {
      if (!parts)
        return { outcome: 'failed', error: 'the webhook URL is not a Discord webhook URL (…/webhooks/<id>/<token>)' };
      const { event } = req;
      try {
        const parent = req.parent;
        if (!parent) {
          if (event.quiet || event.type === 'reminder') return { outcome: 'delivered' };
          return { outcome: 'delivered', parent: await postParent(parts, req) };
        }
        const thread = parent.extra?.thread;
        try {
          await client.patch(Routes.webhookMessage(parts.id, parts.token, parent.messageId), {
            auth: false,
            ...(thread && { query: new URLSearchParams({ thread_id: thread }) }),
            body: renderParent(event, {
              buttons: false,
              history: true,
              ...(opts.incidentUrl && { incidentUrl: opts.incidentUrl }),
            }),
          });
        } catch (err) {
          if (DiscordCallError.from(err).code !== DISCORD_CODES.unknownMessage) throw err;
          return { outcome: 'delivered', parent: await postParent(parts, req) };
        }
        if (thread && !event.quiet) {
          await client.post(Routes.webhook(parts.id, parts.token), {
            auth: false,
            query: query(thread),
            body: renderReply(event, { mention: true }),
          });
        } else if (!event.quiet && event.mention?.length) {
          // No thread to reply in: an escalation that wakes someone is said in the channel itself.
          await client.post(Routes.webhook(parts.id, parts.token), {
            auth: false,
            query: query(),
            body: renderReply(event, { mention: true }),
          });
        }
        return { outcome: 'delivered', parent: { ...parent, extra: { ...parent.extra } } };
      } catch (err) {
        return deliveryOutcome(err);
      }
    },
  };
}
