// One Discord channel, through the bot token: one parent message per alert, edited in place on every version, each
// update posted in the thread started from it. A post never goes out twice: every create carries a nonce derived
// from (destination, alert, version) with enforce_nonce, so Discord answers a repeat with the first message; after a
// crash (maybeDelivered) the channel and the thread are also read back to find what was already posted, and a
// read-back that meets a 429, a 5xx or a timeout retries the delivery instead of posting blind.
// https://discord.com/developers/docs/resources/message#create-message
import { createHash } from 'node:crypto';
import { type APIChannel, type APIMessage, Routes } from 'discord-api-types/v10';
import type { Alert, AlertEvent } from '../../src/domain/alert.js';
import type { DeliveryRequest, DeliveryResult, MessageRef, Notifier } from '../../src/ports/notifier.js';
import type { DiscordClient } from './client.js';
import { DISCORD_CODES, DiscordCallError, deliveryOutcome } from './errors.js';
import { DISCORD_APP_URL, DISCORD_LIMITS, THREAD_AUTO_ARCHIVE_MINUTES } from './limits.js';
import { type DiscordMessage, parentFooter, renderParent, renderReply, replyFooter, threadName } from './render.js';

export interface DiscordChannelNotifierOptions {
  /** `discord:<channel id>`, whether the config names the channel or /belvo-status subscribed it. */
  destination: string;
  channel: string;
  client: DiscordClient;
  /** The incident's page on the bot's web page, linked from each parent message. */
  incidentUrl?: (alertId: string) => string;
}

/** How many recent messages are read back after a crash (the parent is normally among the last few). */
const RECOVERY_LOOKBACK = 50;
/** A message older than the alert by more than this is not its parent (clocks differ a little). */
const CLOCK_SLACK_MS = 5 * 60_000;

/** Discord's nonce: up to 25 characters; the same key always gives the same nonce. */
export function nonceFor(...parts: (string | number)[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('base64url').slice(0, DISCORD_LIMITS.nonce);
}

/** Milliseconds since the epoch at which a snowflake id was made (https://discord.com/developers/docs/reference#snowflakes). */
export function snowflakeTime(id: string): number {
  try {
    return Number(BigInt(id) >> 22n) + 1_420_070_400_000;
  } catch {
    return 0;
  }
}

export function messageLink(guildId: string | undefined, channelId: string, messageId: string): string {
  return `${DISCORD_APP_URL}/channels/${guildId ?? '@me'}/${channelId}/${messageId}`;
}

const footerOf = (m: APIMessage) => m.embeds?.[0]?.footer?.text;

export function createDiscordChannelNotifier(opts: DiscordChannelNotifierOptions): Notifier {
  const parent = (event: AlertEvent, mention = false) =>
    renderParent(event, { buttons: true, mention, ...(opts.incidentUrl && { incidentUrl: opts.incidentUrl }) });
  const { client, channel } = opts;
  let guild: Promise<{ id?: string } | undefined> | undefined;

  /** The server the channel is in (for links people can open); asked once, and again only after a failure. */
  function guildOf(): Promise<{ id?: string } | undefined> {
    guild ??= client.get<APIChannel>(Routes.channel(channel)).then(
      (c) => ('guild_id' in c && c.guild_id ? { id: c.guild_id } : {}),
      () => {
        guild = undefined;
        return undefined;
      },
    );
    return guild;
  }

  async function create(where: string, message: DiscordMessage, nonce: string): Promise<APIMessage> {
    return client.post<APIMessage>(Routes.channelMessages(where), {
      body: { ...message, nonce, enforce_nonce: true },
    });
  }

  async function edit(messageId: string, message: DiscordMessage): Promise<void> {
    await client.patch(Routes.channelMessage(channel, messageId), { body: message });
  }

  /** A previous attempt's parent for this alert, read back from the channel (undefined when it cannot be read). */
  async function findParent(a: Alert, except?: string): Promise<string | undefined> {
    try {
      const recent = await client.get<APIMessage[]>(Routes.channelMessages(channel), {
        query: new URLSearchParams({ limit: String(RECOVERY_LOOKBACK) }),
      });
      const found = recent.find(
        (m) =>
          m.author?.bot === true &&
          m.id !== except &&
          footerOf(m) === parentFooter(a) &&
          snowflakeTime(m.id) >= a.firstSeenAt - CLOCK_SLACK_MS,
      );
      return found?.id;
    } catch (err) {
      return unreadable(err, undefined);
    }
  }

  /**
   * A read-back that failed. Without Read Message History (403) the nonce is all there is: it makes Discord return
   * the first message for a few minutes. Any other failure (429, 5xx, a timeout) is passing: the delivery is retried
   * rather than posted blind, since a retry that comes later than the nonce's few minutes would post twice.
   */
  function unreadable<T>(err: unknown, cannotRead: T): T {
    const e = DiscordCallError.from(err);
    if (e.kind === 'auth' || e.code === DISCORD_CODES.missingAccess || e.code === DISCORD_CODES.missingPermissions) {
      return cannotRead;
    }
    throw e;
  }

  /** Whether the thread already has this version's reply. */
  async function hasReply(threadId: string, alertId: string, version: number): Promise<boolean> {
    try {
      const recent = await client.get<APIMessage[]>(Routes.channelMessages(threadId), {
        query: new URLSearchParams({ limit: String(RECOVERY_LOOKBACK) }),
      });
      return recent.some((m) => footerOf(m) === replyFooter(alertId, version));
    } catch (err) {
      return unreadable(err, false);
    }
  }

  /** The thread started from the parent (its id is the parent's id); "already created" is as good as created. */
  async function ensureThread(parentId: string, a: Alert): Promise<string> {
    try {
      await client.post(Routes.threads(channel, parentId), {
        body: { name: threadName(a), auto_archive_duration: THREAD_AUTO_ARCHIVE_MINUTES },
      });
    } catch (err) {
      const e = DiscordCallError.from(err);
      if (e.code !== DISCORD_CODES.threadAlreadyCreated) throw e;
    }
    return parentId;
  }

  async function ref(alertId: string, messageId: string, thread?: string): Promise<MessageRef> {
    const g = await guildOf();
    return {
      alertId,
      destination: opts.destination,
      messageId,
      extra: {
        channel,
        // A link only when the server is known: a wrong link is worse than none.
        ...(g && { link: messageLink(g.id, channel, messageId) }),
        ...(thread && { thread }),
      },
    };
  }

  async function postParent(req: DeliveryRequest, replacing?: string): Promise<MessageRef> {
    const a = req.event.alert;
    const posted = await create(channel, parent(req.event, true), nonceFor(opts.destination, a.id, replacing ?? ''));
    return ref(a.id, posted.id);
  }

  return {
    destination: opts.destination,
    // Pacing comes from Discord's own rate-limit headers, bucket by bucket (the client keeps them).
    minIntervalMs: 0,
    async deliver(req: DeliveryRequest): Promise<DeliveryResult> {
      const { event } = req;
      const a = event.alert;
      try {
        const parentId = req.parent?.messageId;
        if (!parentId) {
          // The first message for this alert may have gone out before the bot died: it is the parent.
          const found = req.maybeDelivered ? await findParent(a) : undefined;
          if (found) {
            await edit(found, parent(event));
            return { outcome: 'delivered', parent: await ref(a.id, found) };
          }
          // An edit, or a reminder, of a message this channel never got: a reminder is never a new parent.
          if (event.quiet || event.type === 'reminder') return { outcome: 'delivered' };
          return { outcome: 'delivered', parent: await postParent(req) };
        }
        try {
          await edit(parentId, parent(event));
        } catch (err) {
          const e = DiscordCallError.from(err);
          if (e.code !== DISCORD_CODES.unknownMessage) throw e;
          // Someone deleted the parent: post a new one and keep the story there (unless a previous attempt did).
          const again = req.maybeDelivered ? await findParent(a, parentId) : undefined;
          return { outcome: 'delivered', parent: again ? await ref(a.id, again) : await postParent(req, parentId) };
        }
        let thread = req.parent?.extra?.thread;
        if (!event.quiet) {
          thread ??= await ensureThread(parentId, a);
          if (!(req.maybeDelivered && (await hasReply(thread, a.id, event.version)))) {
            // A mention on an escalation pings its role or users in the thread, which Discord adds them to.
            const reply = renderReply(event, { mention: true });
            await create(thread, reply, nonceFor(opts.destination, a.id, event.version, 'reply'));
          }
        }
        return { outcome: 'delivered', parent: await ref(a.id, parentId, thread) };
      } catch (err) {
        return deliveryOutcome(err);
      }
    },
  };
}
