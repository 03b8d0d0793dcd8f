// Alert events as Discord messages: a parent (one embed, coloured by state, with buttons in a bot's channel) edited
// in place, and a short embed per update in the thread started from it. Pure; every Discord limit is respected
// (a message over one is refused whole), cutting with "+N more".

import type { APIActionRowComponent, APIButtonComponent, APIEmbed, APIEmbedField } from 'discord-api-types/v10';
import { type Alert, type AlertEvent, acknowledgedText, durationText } from '../../src/domain/alert.js';
import { updatesToQuote } from '../../src/domain/event-updates.js';
import { DIGEST_KIND } from '../../src/domain/fingerprint.js';
import { fitLines, memberLines, pagingText } from '../../src/domain/group-text.js';
import { healthError } from '../../src/domain/health-text.js';
import { impactText, originLabel } from '../../src/domain/incident-text.js';
import { closedWord, eventWindowText, isMaintenance, maintenanceStage } from '../../src/domain/maintenance-window.js';
import { REPORT_KIND } from '../../src/domain/report.js';
import { statusText } from '../../src/domain/status-text.js';
import { clip, escapeDiscord } from '../../src/domain/text.js';
import { fitEmbed } from './fit.js';
import { DISCORD_LIMITS } from './limits.js';
import { renderCommandReply } from './render-reply.js';

export interface DiscordMessage {
  content?: string;
  embeds: APIEmbed[];
  /** Always sent on a bot's messages (empty removes the buttons once an alert is resolved). */
  components?: APIActionRowComponent<APIButtonComponent>[];
  /**
   * Nothing a status page wrote may ping anyone: no parsing at all, and only the roles and users a subscription
   * names (in `content`, written by the bot) are allowed.
   */
  allowed_mentions: { parse: []; roles?: string[]; users?: string[] };
}

/**
 * The event's mention as Discord content and the allow-list that lets exactly those ping. Slack's `here` has no
 * safe Discord twin (`@here` needs `parse: ['everyone']`), so it is left out: name a role instead.
 */
export function discordMention(
  event: AlertEvent,
  on: boolean | undefined,
): Pick<DiscordMessage, 'content' | 'allowed_mentions'> {
  const targets = on ? (event.mention ?? []) : [];
  const roles = targets.flatMap((t) => (t.kind === 'group' ? [t.id] : []));
  const users = targets.flatMap((t) => (t.kind === 'user' ? [t.id] : []));
  if (roles.length + users.length === 0) return { allowed_mentions: { parse: [] } };
  return {
    content: [...roles.map((r) => `<@&${r}>`), ...users.map((u) => `<@${u}>`)].join(' '),
    allowed_mentions: { parse: [], ...(roles.length && { roles }), ...(users.length && { users }) },
  };
}

export const COLORS = {
  critical: 0xd92d20,
  major: 0xd92d20,
  minor: 0xf79009,
  info: 0x98a2b3,
  maintenance: 0x2e90fa,
  resolved: 0x12b76a,
} as const;

/** Button custom ids: the same action names as Slack's, with the alert id after a colon. */
export const ACTIONS = {
  ack: 'belvo_status_ack',
  silence: 'belvo_status_silence_1h',
} as const;

export type AlertAction = keyof typeof ACTIONS;

export function customIdFor(action: AlertAction, alertId: string): string {
  return `${ACTIONS[action]}:${alertId}`.slice(0, DISCORD_LIMITS.customId);
}

/** `belvo_status_ack:A12` -> `{ action: 'ack', alertId: 'A12' }`; undefined for anything else. */
export function parseCustomId(customId: string): { action: AlertAction; alertId: string } | undefined {
  const [name, alertId] = customId.split(':', 2);
  const action = (Object.keys(ACTIONS) as AlertAction[]).find((k) => ACTIONS[k] === name);
  return action && alertId ? { action, alertId } : undefined;
}

/** The footer that names the alert: people read it (`/belvo-status ack A12`), crash recovery finds messages by it. */
export const FOOTER_BRAND = 'belvo-status';
export function parentFooter(a: Alert): string {
  // A report's own footer (its schedule and period) names it as well as an alert id would.
  if (a.kind === REPORT_KIND) return `${a.status} · ${FOOTER_BRAND}`;
  return `Alert ${a.id} · ${originLabel(a)} · ${FOOTER_BRAND}`;
}
export function replyFooter(alertId: string, version: number): string {
  return `Alert ${alertId} · version ${version} · ${FOOTER_BRAND}`;
}

function colorOf(a: Alert): number {
  if (a.state === 'resolved') return COLORS.resolved;
  if (a.maintenance || isMaintenance(a)) return COLORS.maintenance;
  return COLORS[a.severity];
}

/** Discord renders `<t:seconds:style>` in the reader's own time zone. */
export function discordTime(at: number, style: 'f' | 'R' = 'f'): string {
  return `<t:${Math.floor(at / 1000)}:${style}>`;
}

/** Only http(s) links: Discord refuses an embed or button URL it cannot open (400), and so should we. */
export function safeUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.toString() : undefined;
  } catch {
    return undefined;
  }
}

function stateLine(event: AlertEvent): string {
  const a = event.alert;
  if (a.state === 'resolved') {
    const took = a.resolvedAt !== undefined ? ` after ${durationText(a.resolvedAt - a.startedAt)}` : '';
    return `✅ **${closedWord(a)}**${took}`;
  }
  const parts = [`🔴 **${a.severity.toUpperCase()}**`];
  if (a.maintenance) parts[0] = `🔵 **Under maintenance**: ${escapeDiscord(a.maintenance.title)}`;
  if (isMaintenance(a)) parts[0] = `🔵 **${maintenanceStage(a.status)} maintenance**`;
  if (a.flapping) parts.push('🔁 flapping');
  if (a.acknowledged) parts.push(`👀 ${escapeDiscord(acknowledgedText(a.acknowledged))}`);
  if (a.silenced && a.silenced.until > event.at) {
    const every = a.silenced.every ? ` (${escapeDiscord(a.silenced.every)})` : '';
    parts.push(`💤 silenced by ${escapeDiscord(a.silenced.by)} until ${discordTime(a.silenced.until)}${every}`);
  }
  const paging = pagingText(a, event.at);
  if (paging) parts.push(`🚨 ${escapeDiscord(paging)}`);
  return parts.join('  ·  ');
}

function latestUpdate(a: Alert) {
  return a.timeline.filter((e) => e.origin === 'source').at(-1);
}

function words(status: string): string {
  return status.replace(/_/g, ' ');
}

function evidenceText(value: Alert['evidence'][string]): string {
  if (Array.isArray(value)) return value.join(', ');
  if (typeof value === 'number') return value.toLocaleString('en-US');
  return String(value);
}

function field(name: string, value: string, inline = true): APIEmbedField {
  return {
    name: clip(name, DISCORD_LIMITS.fieldName),
    // An empty value is a 400; a dash says "nothing" just as well.
    value: clip(value || '-', DISCORD_LIMITS.fieldValue),
    inline,
  };
}

/** Updates before the latest, newest first: where a thread cannot be started, the parent keeps the story. */
function earlierUpdates(a: Alert): APIEmbedField[] {
  const earlier = a.timeline
    .filter((e) => e.origin === 'source')
    .slice(0, -1)
    .reverse();
  if (earlier.length === 0) return [];
  const shown = earlier.slice(0, EARLIER_UPDATES_SHOWN).map((u) => {
    const head = `**${escapeDiscord(words(u.status))}** · ${discordTime(u.at, 'R')}: `;
    return head + clip(escapeDiscord(u.text.replace(/\s+/g, ' ')), 200);
  });
  if (earlier.length > EARLIER_UPDATES_SHOWN) shown.push(`+${earlier.length - EARLIER_UPDATES_SHOWN} more`);
  return [field('Earlier updates', shown.join('\n'), false)];
}

const EARLIER_UPDATES_SHOWN = 4;

function coreFields(event: AlertEvent, history: boolean, incidentUrl?: (alertId: string) => string): APIEmbedField[] {
  const a = event.alert;
  const fields: APIEmbedField[] = [field('Severity', a.severity), field('Status', escapeDiscord(statusText(a)))];
  if (a.institution) fields.push(field('Institution', escapeDiscord(a.institution.displayName)));
  if (a.institution?.country) fields.push(field('Country', a.institution.country));
  if (a.environment) fields.push(field('Environment', escapeDiscord(a.environment)));
  const impact = impactText(a);
  if (impact) fields.push(field('Impact', impact));
  // A planned window reads in the channel's own zone (its subscription's `tz`), with Discord's relative start.
  const window = eventWindowText(event);
  if (window && a.maintenanceWindow) {
    const starts = a.status === 'scheduled' ? ` (starts ${discordTime(a.maintenanceWindow.from, 'R')})` : '';
    fields.push(field('Window', `${window}${starts}`, false));
  } else {
    fields.push(field('Started', `${discordTime(a.startedAt)} (${discordTime(a.startedAt, 'R')})`));
  }
  if (a.state === 'resolved' && a.resolvedAt !== undefined) {
    fields.push(field('Duration', durationText(a.resolvedAt - a.startedAt)));
  }
  // A "cannot be read" alert: what failed, and Belvo's request_id in a field of its own, never cut off.
  const failure = healthError(a);
  if (failure) {
    fields.push(field('Last error', escapeDiscord(failure.error), false));
    if (failure.requestId) fields.push(field('request_id', `\`${failure.requestId.replace(/`/g, '')}\``, false));
  }
  const update = latestUpdate(a);
  if (update) {
    const head = `**${escapeDiscord(words(update.status))}** · ${discordTime(update.at, 'R')}\n`;
    fields.push(
      field('Latest update', head + clip(escapeDiscord(update.text), DISCORD_LIMITS.fieldValue - head.length), false),
    );
  }
  if (history) fields.push(...earlierUpdates(a));
  const url = safeUrl(a.url);
  const page = safeUrl(incidentUrl?.(a.id));
  const links = [
    ...(url ? [`[Open the status page](${url})`] : []),
    ...(page ? [`[Incident page](${markdownTarget(page)})`] : []),
  ];
  if (links.length) fields.push(field('Link', links.join(' · '), false));
  return fields;
}

function evidenceFields(a: Alert): APIEmbedField[] {
  // The last error of a health alert has its own fields already.
  const shownApart = healthError(a) ? new Set(['lastError', 'requestId']) : new Set<string>();
  return Object.entries(a.evidence)
    .filter(([k]) => !shownApart.has(k))
    .map(([k, v]) => field(escapeDiscord(k), escapeDiscord(evidenceText(v))));
}

/** A storm's or a digest's members, down first, for the description (what room the rest leaves them). */
function memberList(a: Alert, room: number): string {
  const lines = memberLines(a).map((l) => `${l.down ? '🔴' : '✅'} ${escapeDiscord(l.text)}`);
  return lines.length ? fitLines(lines, room) : '';
}

function buttons(a: Alert): APIActionRowComponent<APIButtonComponent>[] {
  const row: APIButtonComponent[] = [];
  // A digest is a summary, not an alert: nothing to acknowledge or silence on it.
  if (a.state !== 'resolved' && a.kind !== DIGEST_KIND) {
    if (!a.acknowledged && !isMaintenance(a))
      row.push({ type: 2, style: 1, label: 'Acknowledge', custom_id: customIdFor('ack', a.id) });
    row.push({ type: 2, style: 2, label: 'Silence 1h', custom_id: customIdFor('silence', a.id) });
  }
  const url = safeUrl(a.url);
  if (url) row.push({ type: 2, style: 5, label: 'Open status page', url });
  return row.length ? [{ type: 1, components: row }] : [];
}

export interface RenderOptions {
  /** Buttons need a bot's message (a channel webhook cannot carry interactive components). */
  buttons: boolean;
  /** Show the earlier updates on the parent (a webhook's channel has no thread to hold them). */
  history?: boolean;
  /** The incident's page on the bot's web page (`web.publicUrl`), linked from the message when set. */
  incidentUrl?: (alertId: string) => string;
  /** The event's mention goes on this message (a parent being posted; an edit never pings anyone). */
  mention?: boolean;
}

/** A URL inside `[text](url)`: parentheses and spaces would end the link early, so they are percent-encoded. */
function markdownTarget(url: string): string {
  return url.replace(/[()\s]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

function description(event: AlertEvent): string {
  const head = clip(`${stateLine(event)}\nRule: ${escapeDiscord(event.reason)}`, DISCORD_LIMITS.description);
  // The member list gets what is left of the description, and no more than half the whole message's budget.
  const room = Math.min(DISCORD_LIMITS.description - head.length - 2, 3000);
  const members = room > 50 ? memberList(event.alert, room) : '';
  return members ? `${head}\n\n${members}` : head;
}

export function renderParent(event: AlertEvent, opts: RenderOptions = { buttons: true }): DiscordMessage {
  // A scheduled report is a summary, not an alert: its sections as a command's answer shows them, no buttons.
  if (event.report) {
    const { embeds, allowed_mentions } = renderCommandReply({
      visibility: 'in_channel',
      ...event.report,
      footer: parentFooter(event.alert),
    });
    return { embeds, allowed_mentions, ...(opts.buttons && { components: [] }) };
  }
  const a = event.alert;
  const embed = fitEmbed({
    title: clip(a.title, DISCORD_LIMITS.title),
    ...(safeUrl(a.url) && { url: safeUrl(a.url) }),
    description: description(event),
    color: colorOf(a),
    fields: coreFields(event, opts.history === true, opts.incidentUrl),
    extraFields: evidenceFields(a),
    footer: parentFooter(a),
    timestamp: new Date(event.at).toISOString(),
  });
  return {
    embeds: [embed],
    ...(opts.buttons && { components: buttons(a) }),
    ...discordMention(event, opts.mention),
  };
}

const HEAD: Record<AlertEvent['type'], string> = {
  opened: '🔴 Opened',
  updated: '🔁 Update',
  reopened: '🔴 Reopened',
  flapping: '🔁 Flapping',
  resolved: '✅ Resolved',
  reminder: '🔔 Reminder',
};

/** What a thread reply says: the change, in one short embed. */
export function renderReply(event: AlertEvent, opts: { mention?: boolean } = {}): DiscordMessage {
  const a = event.alert;
  let head = `**${HEAD[event.type]}**: ${escapeDiscord(event.reason)}`;
  if (event.type === 'resolved' && a.resolvedAt !== undefined) {
    head += ` (after ${durationText(a.resolvedAt - a.startedAt)})`;
  }
  const lines = [head];
  // Every update the page made since the last message, in order (a poll can bring several).
  for (const update of updatesToQuote(event)) {
    lines.push(`> **${escapeDiscord(words(update.status))}**: ${escapeDiscord(update.text).replace(/\n/g, '\n> ')}`);
  }
  const embed = fitEmbed({
    description: clip(lines.join('\n'), DISCORD_LIMITS.description),
    color: colorOf(a),
    fields: [],
    footer: replyFooter(a.id, event.version),
    timestamp: new Date(event.at).toISOString(),
  });
  return { embeds: [embed], ...discordMention(event, opts.mention) };
}

/** The thread started from a parent: its name says which alert it follows. */
export function threadName(a: Alert): string {
  return clip(`${a.id} · ${a.title}`, DISCORD_LIMITS.threadName);
}
