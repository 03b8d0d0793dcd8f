// Slack can apply a post after the bot gave up waiting for it (a timeout, a 5xx after taking it). The retry reads
// back before posting again, but a post that lands after the read-back leaves a second parent (never edited again,
// red after the alert resolves) or a second reply. While an alert's message is unsettled, each delivery looks for
// such duplicates, by the alert metadata every message carries, and deletes them.
import type { WebClient } from '@slack/web-api';
import { ALERT_METADATA_TYPE } from './limits.js';

/** How far back to look for our own messages. */
export const LOOKBACK = 100;
/** Pages of 200 thread replies read at most (a 2,000-update incident is beyond reason). */
export const REPLY_PAGES = 10;

type Meta = { metadata?: { event_type?: string; event_payload?: Record<string, unknown> } };
export type SlackListed = Meta & { ts?: string; thread_ts?: string };

export function metaOf(m: Meta): Record<string, unknown> | undefined {
  return m.metadata?.event_type === ALERT_METADATA_TYPE ? m.metadata.event_payload : undefined;
}

/** A top-level message of ours for this alert (a parent with replies carries `thread_ts` equal to its own ts). */
export function isParentOf(m: SlackListed, alertId: string): boolean {
  return metaOf(m)?.alert_id === alertId && (!m.thread_ts || m.thread_ts === m.ts);
}

/** Every reply in a thread, oldest first (the parent left out). */
export async function threadReplies(client: WebClient, channel: string, parentTs: string): Promise<SlackListed[]> {
  const out: SlackListed[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < REPLY_PAGES; page++) {
    const res = await client.conversations.replies({
      channel,
      ts: parentTs,
      include_all_metadata: true,
      limit: 200,
      ...(cursor && { cursor }),
    });
    for (const m of (res.messages ?? []) as SlackListed[]) if (m.ts !== parentTs) out.push(m);
    cursor = res.response_metadata?.next_cursor || undefined;
    if (!cursor) break;
  }
  return out;
}

/**
 * Deletes other parents for the alert than `parentTs`, and every reply in its thread that repeats a version already
 * replied (the first one stays). Returns how many were deleted; throws when the channel cannot be read.
 */
export async function deleteDuplicates(
  client: WebClient,
  channel: string,
  alertId: string,
  parentTs: string,
): Promise<number> {
  let deleted = 0;
  const history = await client.conversations.history({ channel, limit: LOOKBACK, include_all_metadata: true });
  for (const m of (history.messages ?? []) as SlackListed[]) {
    if (m.ts && m.ts !== parentTs && isParentOf(m, alertId)) {
      await client.chat.delete({ channel, ts: m.ts });
      deleted++;
    }
  }
  const versions = new Set<string>();
  const replies = (await threadReplies(client, channel, parentTs)).sort((a, b) => Number(a.ts) - Number(b.ts));
  for (const m of replies) {
    const version = metaOf(m)?.version;
    if (version === undefined || !m.ts) continue;
    if (!versions.has(String(version))) versions.add(String(version));
    else {
      await client.chat.delete({ channel, ts: m.ts });
      deleted++;
    }
  }
  return deleted;
}
