// One Slack channel as a destination: one parent message per alert, edited in place on every version, with the
// update as a thread reply. After a crash (maybeDelivered) it looks in the channel before posting again: messages
// carry the alert id and version in their metadata.
import { LogLevel, WebClient } from '@slack/web-api';
import type { DeliveryRequest, DeliveryResult, MessageRef, Notifier } from '../../src/ports/notifier.js';
import { classifySlackError } from './classify.js';
import { deleteDuplicates, isParentOf, LOOKBACK, metaOf, type SlackListed, threadReplies } from './heal-duplicates.js';
import { SLACK_API_URL, SLACK_POST_INTERVAL_MS } from './limits.js';
import { renderParent as renderParentWith, renderReply, type SlackMessage } from './render.js';

export interface SlackNotifierOptions {
  /** Destination id (`slack:C0123` for a channel subscribed from chat, or a config id). */
  destination: string;
  channel: string;
  token: string;
  apiUrl?: string;
  timeoutMs?: number;
  /** The incident's page on the bot's web page, linked from each parent message. */
  incidentUrl?: (alertId: string) => string;
  /**
   * How long a request Slack may still apply (it timed out, or a 5xx) is given to land before its retry reads the
   * channel back. Default twice the timeout.
   */
  settleMs?: number;
  now?: () => number;
}

interface Posted {
  ts: string;
}

/** Set on a message ref while a post may still land after the bot stopped waiting: `unsettled: <since, ms>`. */
const UNSETTLED = 'unsettled';

export function createSlackNotifier(opts: SlackNotifierOptions): Notifier {
  const renderParent = (event: DeliveryRequest['event'], mention = false) =>
    renderParentWith(event, { ...(opts.incidentUrl && { incidentUrl: opts.incidentUrl }), mention });
  const client = new WebClient(opts.token, {
    slackApiUrl: opts.apiUrl ?? SLACK_API_URL,
    // The outbox retries, with its own backoff and Retry-After; the client must not retry underneath it.
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: opts.timeoutMs ?? 10_000,
    logLevel: LogLevel.ERROR,
  });
  const channel = opts.channel;
  const now = opts.now ?? Date.now;
  const settleMs = opts.settleMs ?? 2 * (opts.timeoutMs ?? 10_000);

  async function post(message: SlackMessage, threadTs?: string, broadcast = false): Promise<Posted> {
    const base = {
      channel,
      text: message.text,
      ...(message.blocks && { blocks: message.blocks }),
      ...(message.attachments && { attachments: message.attachments }),
      metadata: message.metadata,
      unfurl_links: false as const,
      unfurl_media: false as const,
    };
    const res = !threadTs
      ? await client.chat.postMessage(base)
      : broadcast
        ? await client.chat.postMessage({ ...base, thread_ts: threadTs, reply_broadcast: true })
        : await client.chat.postMessage({ ...base, thread_ts: threadTs });
    return { ts: String(res.ts) };
  }

  async function update(ts: string, message: SlackMessage): Promise<void> {
    await client.chat.update({
      channel,
      ts,
      text: message.text,
      ...(message.attachments && { attachments: message.attachments }),
      ...(message.blocks && { blocks: message.blocks }),
      metadata: message.metadata,
    });
  }

  /**
   * Our parent for this alert, if a previous attempt posted it before the bot could record it. A parent with
   * replies carries `thread_ts` equal to its own ts. When the channel cannot be read (the bot posts with
   * chat:write.public but is not a member), nothing can be checked: the caller posts (at least once beats never).
   */
  async function findParent(alertId: string, except?: string): Promise<string | undefined> {
    try {
      const res = await client.conversations.history({ channel, limit: LOOKBACK, include_all_metadata: true });
      return ((res.messages ?? []) as SlackListed[]).find((m) => isParentOf(m, alertId) && m.ts !== except)?.ts;
    } catch (err) {
      // Slack busy (429, 5xx, a timeout) is no answer: the delivery is tried again later, it does not post blind.
      if (classifySlackError(err).kind === 'retry') throw err;
      return undefined;
    }
  }

  /** Whether the thread already has the reply for this version (every page of a long thread). */
  async function hasReply(parentTs: string, version: number): Promise<boolean> {
    try {
      return (await threadReplies(client, channel, parentTs)).some((m) => Number(metaOf(m)?.version) === version);
    } catch (err) {
      if (classifySlackError(err).kind === 'retry') throw err;
      return false;
    }
  }

  /**
   * While the alert's message is unsettled, duplicates that landed late are deleted; the mark stays until a
   * look after the settle time found the channel clean. Best effort: a channel that cannot be read keeps the mark.
   */
  async function settle(alertId: string, parent: MessageRef): Promise<string | undefined> {
    const since = Number(parent.extra?.[UNSETTLED]);
    if (!Number.isFinite(since)) return undefined;
    try {
      await deleteDuplicates(client, channel, alertId, parent.messageId);
    } catch {
      return String(since);
    }
    return now() - since >= settleMs ? undefined : String(since);
  }

  /** A link people can open (a page links to it); best effort: a message without one is still delivered. */
  async function linkTo(ts: string): Promise<string | undefined> {
    try {
      const res = await client.chat.getPermalink({ channel, message_ts: ts });
      return typeof res.permalink === 'string' ? res.permalink : undefined;
    } catch {
      return undefined;
    }
  }

  const ref = (alertId: string, ts: string, link?: string, unsettled?: string): MessageRef => ({
    alertId,
    destination: opts.destination,
    messageId: ts,
    extra: { channel, ...(link !== undefined && { link }), ...(unsettled !== undefined && { [UNSETTLED]: unsettled }) },
  });

  return {
    destination: opts.destination,
    minIntervalMs: SLACK_POST_INTERVAL_MS,
    settleMs,
    async deliver(req: DeliveryRequest): Promise<DeliveryResult> {
      const { event } = req;
      const alertId = event.alert.id;
      // An attempt after one that may have landed: what it posts is watched for a late duplicate from then on.
      const mark = req.maybeDelivered ? String(now()) : undefined;
      try {
        const parentTs = req.parent?.messageId;
        if (!parentTs && req.maybeDelivered) {
          // This channel's first message for the alert may have gone out before the bot died: it is the parent.
          const found = await findParent(alertId);
          if (found) {
            await update(found, renderParent(event));
            return { outcome: 'delivered', parent: ref(alertId, found, await linkTo(found), mark) };
          }
        }
        if (!parentTs) {
          // An edit, or a reminder, of a message this channel never got: a reminder is never a new parent.
          if (event.quiet || event.type === 'reminder') return { outcome: 'delivered' };
          const posted = await post(renderParent(event, true));
          // The first message for this channel is the parent itself; its thread starts with the next version.
          return { outcome: 'delivered', parent: ref(alertId, posted.ts, await linkTo(posted.ts), mark) };
        }
        const unsettled = mark ?? (req.parent ? await settle(alertId, req.parent) : undefined);
        try {
          await update(parentTs, renderParent(event));
        } catch (err) {
          const failure = classifySlackError(err);
          if (failure.kind !== 'gone') throw err;
          // Someone deleted the parent: post a new one and keep the story there (unless a previous attempt did).
          const again = req.maybeDelivered ? await findParent(alertId, parentTs) : undefined;
          const ts = again ?? (await post(renderParent(event, true))).ts;
          return { outcome: 'delivered', parent: ref(alertId, ts, await linkTo(ts), unsettled) };
        }
        if (!event.quiet && !(req.maybeDelivered && (await hasReply(parentTs, event.version)))) {
          // A mention on an escalation: the reply wakes them and shows in the channel too (reply_broadcast).
          const mention = (event.mention?.length ?? 0) > 0;
          await post(renderReply(event, { mention }), parentTs, mention);
        }
        return { outcome: 'delivered', parent: ref(alertId, parentTs, req.parent?.extra?.link, unsettled) };
      } catch (err) {
        const failure = classifySlackError(err);
        if (failure.kind === 'retry') {
          return {
            outcome: 'retry',
            error: failure.error,
            ...(failure.retryAfterMs !== undefined && { retryAfterMs: failure.retryAfterMs }),
            // Slack may still apply it: the retry reads the channel back once it has had time to land.
            ...(failure.uncertain && { settleMs }),
          };
        }
        return { outcome: 'failed', error: failure.error };
      }
    },
  };
}
