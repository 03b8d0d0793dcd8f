// One Slack channel as a destination: one parent message per alert, edited in place on every version, with the
// update as a thread reply. After a crash (maybeDelivered) it looks in the channel before posting again: messages
// carry the alert id and version in their metadata.
import { LogLevel, WebClient } from '@slack/web-api';
import type { DeliveryRequest, DeliveryResult, MessageRef, Notifier } from '../../src/ports/notifier.js';
import { classifySlackError } from './classify.js';
import { ALERT_METADATA_TYPE, SLACK_API_URL, SLACK_POST_INTERVAL_MS } from './limits.js';
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
}

interface Posted {
  ts: string;
}

/** How far back to look for our own message after a crash. */
const RECOVERY_LOOKBACK = 100;
/** Pages of 200 thread replies read at most when checking a thread (a 2,000-update incident is beyond reason). */
const RECOVERY_PAGES = 10;

function metaOf(m: { metadata?: { event_type?: string; event_payload?: Record<string, unknown> } }) {
  return m.metadata?.event_type === ALERT_METADATA_TYPE ? m.metadata.event_payload : undefined;
}

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
      const res = await client.conversations.history({ channel, limit: RECOVERY_LOOKBACK, include_all_metadata: true });
      const found = (res.messages ?? []).find(
        (m) => metaOf(m as never)?.alert_id === alertId && (!m.thread_ts || m.thread_ts === m.ts) && m.ts !== except,
      );
      return found?.ts;
    } catch {
      return undefined;
    }
  }

  /** Whether the thread already has the reply for this version (every page of a long thread). */
  async function hasReply(parentTs: string, version: number): Promise<boolean> {
    try {
      let cursor: string | undefined;
      for (let page = 0; page < RECOVERY_PAGES; page++) {
        const res = await client.conversations.replies({
          channel,
          ts: parentTs,
          include_all_metadata: true,
          limit: 200,
          ...(cursor && { cursor }),
        });
        if ((res.messages ?? []).some((m) => m.ts !== parentTs && Number(metaOf(m as never)?.version) === version)) {
          return true;
        }
        cursor = res.response_metadata?.next_cursor || undefined;
        if (!cursor) return false;
      }
      return false;
    } catch {
      return false;
    }
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

  const ref = (alertId: string, ts: string, link?: string): MessageRef => ({
    alertId,
    destination: opts.destination,
    messageId: ts,
    extra: { channel, ...(link !== undefined && { link }) },
  });

  return {
    destination: opts.destination,
    minIntervalMs: SLACK_POST_INTERVAL_MS,
    async deliver(req: DeliveryRequest): Promise<DeliveryResult> {
      const { event } = req;
      const alertId = event.alert.id;
      try {
        const parentTs = req.parent?.messageId;
        if (!parentTs && req.maybeDelivered) {
          // This channel's first message for the alert may have gone out before the bot died: it is the parent.
          const found = await findParent(alertId);
          if (found) {
            await update(found, renderParent(event));
            return { outcome: 'delivered', parent: ref(alertId, found, await linkTo(found)) };
          }
        }
        if (!parentTs) {
          // An edit, or a reminder, of a message this channel never got: a reminder is never a new parent.
          if (event.quiet || event.type === 'reminder') return { outcome: 'delivered' };
          const posted = await post(renderParent(event, true));
          // The first message for this channel is the parent itself; its thread starts with the next version.
          return { outcome: 'delivered', parent: ref(alertId, posted.ts, await linkTo(posted.ts)) };
        }
        try {
          await update(parentTs, renderParent(event));
        } catch (err) {
          const failure = classifySlackError(err);
          if (failure.kind !== 'gone') throw err;
          // Someone deleted the parent: post a new one and keep the story there (unless a previous attempt did).
          const again = req.maybeDelivered ? await findParent(alertId, parentTs) : undefined;
          const ts = again ?? (await post(renderParent(event, true))).ts;
          return { outcome: 'delivered', parent: ref(alertId, ts, await linkTo(ts)) };
        }
        if (!event.quiet && !(req.maybeDelivered && (await hasReply(parentTs, event.version)))) {
          // A mention on an escalation: the reply wakes them and shows in the channel too (reply_broadcast).
          const mention = (event.mention?.length ?? 0) > 0;
          await post(renderReply(event, { mention }), parentTs, mention);
        }
        return { outcome: 'delivered', parent: ref(alertId, parentTs, req.parent?.extra?.link) };
      } catch (err) {
        const failure = classifySlackError(err);
        if (failure.kind === 'retry') {
          return {
            outcome: 'retry',
            error: failure.error,
            ...(failure.retryAfterMs !== undefined && { retryAfterMs: failure.retryAfterMs }),
          };
        }
        return { outcome: 'failed', error: failure.error };
      }
    },
  };
}
