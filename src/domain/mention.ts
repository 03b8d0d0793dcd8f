// Who a subscription wakes up, and when: a user group, a user or the channel's active members (`here`), named the
// platform's way, from a severity on (or only once the alert pages). A mention goes on the message that opens the
// alert, or on a thread reply the moment it escalates to that level: never on an edit, never twice for one level.
// Pure; the adapters turn targets into their platform's syntax and tell the platform who may be pinged.
import type { Alert, AlertEvent } from './alert.js';
import { atLeast, type Severity } from './severity.js';

/**
 * - `group`: a Slack user group (`S0123ABCD`) or a Discord role (snowflake);
 * - `user`: a Slack user (`U0123ABCD`) or a Discord user (snowflake);
 * - `here`: Slack's `@here` (Discord has no safe equivalent: use a role).
 */
export type MentionTarget = { kind: 'group'; id: string } | { kind: 'user'; id: string } | { kind: 'here' };

/** From which level a subscription's mention applies: a severity, or only alerts that page on-call. */
export type MentionLevel = Severity | 'paged';

export interface SubscriptionMention {
  to: MentionTarget[];
  /** Default `critical`. */
  from?: MentionLevel;
}

export const DEFAULT_MENTION_LEVEL: MentionLevel = 'critical';

/** How loud an alert has been so far in its messages: the highest severity shown and whether it had paged. */
export interface Loudness {
  severity: Severity;
  paged: boolean;
}

export function loudnessOf(alert: Alert): Loudness {
  return { severity: alert.severity, paged: alert.paging?.pagedAt !== undefined };
}

function reaches(l: Loudness | undefined, level: MentionLevel): boolean {
  if (!l) return false;
  return level === 'paged' ? l.paged : atLeast(l.severity, level);
}

/**
 * Whether this event is the one that takes the alert to the mention's level: it is news (not a quiet edit, not a
 * reminder), the alert is open, and what its messages showed before (`alert.mentioned`) was below the level.
 */
export function mentionDue(event: AlertEvent, level: MentionLevel): boolean {
  if (event.quiet || event.type === 'reminder' || event.type === 'resolved') return false;
  if (event.alert.state !== 'firing') return false;
  return reaches(loudnessOf(event.alert), level) && !reaches(event.alert.mentioned, level);
}

/** `group:S0123`, `user:U0123`, `here`: how a target reads in lists and replies (no ping). */
export function describeMention(t: MentionTarget): string {
  return t.kind === 'here' ? 'here' : `${t.kind}:${t.id}`;
}

/**
 * The way people write a target, as Slack or Discord put it in a command's text, or in the config file:
 * `<!subteam^S0123|@oncall>`, `<@U0123|ana>`, `<!here>`, `@here`, `<@&123…>` (a role), `<@123…>`, `<@!123…>`, or
 * spelled out: `group:S0123`, `role:123…`, `user:U0123`. Returns a reason when it is not one (or one never allowed).
 */
export function parseMentionTarget(text: string): MentionTarget | { error: string } {
  const t = text.trim();
  let m = /^<!subteam\^([A-Z0-9]+)(\|[^>]*)?>$/i.exec(t);
  if (m?.[1]) return { kind: 'group', id: m[1] };
  m = /^<@&(\d{17,20})>$/.exec(t);
  if (m?.[1]) return { kind: 'group', id: m[1] };
  m = /^<@!?([A-Z0-9]+)(\|[^>]*)?>$/i.exec(t);
  if (m?.[1]) return { kind: 'user', id: m[1] };
  m = /^(group|subteam|role|user):([A-Za-z0-9]+)$/i.exec(t);
  if (m?.[1] && m[2]) return { kind: m[1].toLowerCase() === 'user' ? 'user' : 'group', id: m[2] };
  if (/^(<!here(\|[^>]*)?>|@?here)$/i.test(t)) return { kind: 'here' };
  if (/^(<!(channel|everyone)(\|[^>]*)?>|@?(channel|everyone))$/i.test(t)) {
    return { error: `${t} would notify everyone in the channel, even people away: use here, a group or a user` };
  }
  return {
    error:
      `"${t}" is not a group, user or here. In Slack, pick the group from the @ menu (the app escapes it); ` +
      'or write group:S0123ABCD, user:U0123ABCD (Discord: role:<id>, user:<id>)',
  };
}
