// Alert events as Slack messages: a parent (Block Kit inside a coloured attachment) edited in place, and a short
// thread reply per update. Pure; everything stays inside Slack's limits, cutting with "+N more".
import { type Alert, type AlertEvent, acknowledgedText, durationText } from '../../src/domain/alert.js';
import { updatesToQuote } from '../../src/domain/event-updates.js';
import { DIGEST_KIND } from '../../src/domain/fingerprint.js';
import { actionableEvidence, fitLines, memberLines, pagingText } from '../../src/domain/group-text.js';
import { healthError } from '../../src/domain/health-text.js';
import { impactText, originLabel } from '../../src/domain/incident-text.js';
import { closedWord, eventWindowText, isMaintenance, maintenanceStage } from '../../src/domain/maintenance-window.js';
import type { MentionTarget } from '../../src/domain/mention.js';
import { statusText } from '../../src/domain/status-text.js';
import { clip, escapeSlack } from '../../src/domain/text.js';
import { ALERT_METADATA_TYPE, SLACK_LIMITS } from './limits.js';
import { renderCommandReply } from './render-reply.js';

// biome-ignore lint/suspicious/noExplicitAny: Block Kit JSON is wide; the fake API and Slack validate it.
export type Block = Record<string, any>;

export interface SlackMessage {
  text: string;
  blocks?: Block[];
  attachments?: { color: string; fallback: string; blocks: Block[] }[];
  metadata: { event_type: string; event_payload: Record<string, string | number> };
}

export const COLORS = {
  critical: '#D92D20',
  major: '#D92D20',
  minor: '#F79009',
  info: '#98A2B3',
  maintenance: '#2E90FA',
  resolved: '#12B76A',
} as const;

export const ACTIONS = {
  ack: 'belvo_status_ack',
  silence: 'belvo_status_silence_1h',
  open: 'belvo_status_open',
} as const;

function colorOf(a: Alert): string {
  if (a.state === 'resolved') return COLORS.resolved;
  if (a.maintenance || isMaintenance(a)) return COLORS.maintenance;
  return COLORS[a.severity];
}

function stateLine(event: AlertEvent): string {
  const a = event.alert;
  if (a.state === 'resolved') {
    const took = a.resolvedAt !== undefined ? ` after ${durationText(a.resolvedAt - a.startedAt)}` : '';
    return `:white_check_mark: ${closedWord(a)}${took}`;
  }
  const parts = [`:red_circle: ${a.severity.toUpperCase()}`];
  if (a.maintenance) parts[0] = `:large_blue_circle: Under maintenance: ${escapeSlack(a.maintenance.title)}`;
  if (isMaintenance(a)) parts[0] = `:large_blue_circle: ${maintenanceStage(a.status)} maintenance`;
  if (a.flapping) parts.push(':arrows_counterclockwise: flapping');
  if (a.acknowledged) parts.push(`:eyes: ${escapeSlack(acknowledgedText(a.acknowledged))}`);
  if (a.silenced && a.silenced.until > event.at) {
    const every = a.silenced.every ? ` (${escapeSlack(a.silenced.every)})` : '';
    parts.push(`:zzz: silenced by ${escapeSlack(a.silenced.by)} until ${slackDate(a.silenced.until)}${every}`);
  }
  const paging = pagingText(a, event.at);
  if (paging) parts.push(`:rotating_light: ${escapeSlack(paging)}`);
  return parts.join('  ·  ');
}

function latestUpdate(a: Alert) {
  const updates = a.timeline.filter((e) => e.origin === 'source');
  return updates[updates.length - 1];
}

function slackDate(at: number): string {
  // Slack shows the reader's own time zone; the fallback is UTC.
  return `<!date^${Math.floor(at / 1000)}^{date_short_pretty} {time}|${new Date(at).toISOString()}>`;
}

function fields(event: AlertEvent): Block[] {
  const a = event.alert;
  const list: [string, string | undefined][] = [
    ['Severity', a.severity],
    ['Status', statusText(a)],
    // In the channel's own zone (its subscription's `tz`): a window is planned by a local clock.
    ['Window', eventWindowText(event)],
    [
      'Institution',
      a.institution
        ? `${a.institution.displayName}${a.institution.country ? ` (${a.institution.country})` : ''}`
        : undefined,
    ],
    ['Environment', a.environment],
    ['Impact', impactText(a)],
    ['Started', a.maintenanceWindow ? undefined : slackDate(a.startedAt)],
    ['Alert', `${a.id} · ${originLabel(a)}`],
  ];
  return list
    .filter((f): f is [string, string] => f[1] !== undefined)
    .slice(0, SLACK_LIMITS.sectionFields)
    .map(([k, v]) => ({
      type: 'mrkdwn',
      text: clip(`*${k}*\n${k === 'Started' ? v : escapeSlack(v)}`, SLACK_LIMITS.fieldText),
    }));
}

/** What a "cannot be read" alert failed with: the error, and Belvo's request_id kept whole however long the error. */
function failureBlock(a: Alert): Block | undefined {
  const failure = healthError(a);
  if (!failure) return undefined;
  const id = failure.requestId ? `\n*request_id*: \`${escapeSlack(failure.requestId)}\`` : '';
  const head = '*Last error*: ';
  const room = SLACK_LIMITS.sectionText - head.length - id.length;
  return { type: 'section', text: { type: 'mrkdwn', text: `${head}${clip(escapeSlack(failure.error), room)}${id}` } };
}

/** A storm's or a digest's members, down first; cut with "+N more" to fit one section. */
function membersBlock(a: Alert): Block | undefined {
  if (!a.members?.length) return undefined;
  const lines = memberLines(a).map((l) => `${l.down ? ':red_circle:' : ':white_check_mark:'} ${escapeSlack(l.text)}`);
  return { type: 'section', text: { type: 'mrkdwn', text: fitLines(lines, SLACK_LIMITS.sectionText) } };
}

function buttons(a: Alert): Block | undefined {
  const elements: Block[] = [];
  // A digest is a summary, not an alert: nothing to acknowledge or silence on it.
  if (a.state !== 'resolved' && a.kind !== DIGEST_KIND) {
    // Planned work waits for nobody: nothing to acknowledge on a scheduled maintenance.
    if (!a.acknowledged && !isMaintenance(a)) {
      elements.push({
        type: 'button',
        action_id: ACTIONS.ack,
        text: { type: 'plain_text', text: 'Acknowledge' },
        value: a.id,
        style: 'primary',
      });
    }
    elements.push({
      type: 'button',
      action_id: ACTIONS.silence,
      text: { type: 'plain_text', text: 'Silence 1h' },
      value: a.id,
    });
  }
  if (a.url) {
    elements.push({
      type: 'button',
      action_id: ACTIONS.open,
      text: { type: 'plain_text', text: 'Open status page' },
      url: a.url,
    });
  }
  return elements.length ? { type: 'actions', elements } : undefined;
}

/** The notification fallback (push notifications, screen readers): one line. */
export function fallbackText(event: AlertEvent): string {
  const a = event.alert;
  const state = a.state === 'resolved' ? 'Resolved' : a.maintenance ? 'Maintenance' : a.severity.toUpperCase();
  // `text` is parsed by Slack too: a page title must not be able to @channel everyone or disguise a link.
  return clip(`[${state}] ${escapeSlack(a.title)}`, 300);
}

export interface ParentOptions {
  /** The incident's page on the bot's web page (`web.publicUrl`), linked from the message when set. */
  incidentUrl?: (alertId: string) => string;
  /** The event's mention goes on this message (a parent being posted; an edit never pings anyone). */
  mention?: boolean;
}

/** Slack's syntax for a mention: the only `<!…>` and `<@…>` a message carries (page text is escaped). */
export function slackMention(t: MentionTarget): string {
  return t.kind === 'group' ? `<!subteam^${t.id}>` : t.kind === 'user' ? `<@${t.id}>` : '<!here>';
}

/** `<!subteam^S0123> <@U0456> ` before a message's text, when the event carries a mention and this message takes it. */
function mentionPrefix(event: AlertEvent, on: boolean | undefined): string {
  return on && event.mention?.length ? `${event.mention.map(slackMention).join(' ')} ` : '';
}

/** A URL inside `<url|text>`: the characters that would end the link are percent-encoded. */
function linkTarget(url: string): string {
  return url.replace(/[|<>]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function renderParent(event: AlertEvent, opts: ParentOptions = {}): SlackMessage {
  // A scheduled report is a summary, not an alert: its sections as a command's answer shows them, no buttons.
  if (event.report) {
    const { text, blocks } = renderCommandReply({ visibility: 'in_channel', ...event.report });
    return { text, blocks, metadata: metadata(event) };
  }
  const a = event.alert;
  const update = latestUpdate(a);
  const blocks: Block[] = [
    {
      type: 'section',
      text: { type: 'mrkdwn', text: clip(`*${escapeSlack(a.title)}*\n${stateLine(event)}`, SLACK_LIMITS.sectionText) },
    },
    { type: 'section', fields: fields(event) },
  ];
  const failure = failureBlock(a);
  if (failure) blocks.push(failure);
  const members = membersBlock(a);
  if (members) blocks.push(members);
  const evidence = actionableEvidence(a).map(
    (e) => `*${e.label}*: ${e.values.map((v) => `\`${escapeSlack(v)}\``).join(' ')}`,
  );
  if (evidence.length > 0) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: clip(evidence.join('\n'), SLACK_LIMITS.sectionText) },
    });
  }
  if (update) {
    const head = `*Latest update* (${escapeSlack(update.status.replace(/_/g, ' '))}, ${slackDate(update.at)})\n`;
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: head + clip(escapeSlack(update.text), SLACK_LIMITS.sectionText - head.length) },
    });
  }
  const page = opts.incidentUrl?.(a.id);
  blocks.push({
    type: 'context',
    elements: [
      { type: 'mrkdwn', text: clip(`Rule: ${escapeSlack(event.reason)}`, SLACK_LIMITS.sectionText) },
      ...(page ? [{ type: 'mrkdwn', text: `<${linkTarget(page)}|Incident page>` }] : []),
    ],
  });
  const actions = buttons(a);
  if (actions) blocks.push(actions);
  const fallback = fallbackText(event);
  return {
    text: mentionPrefix(event, opts.mention) + fallback,
    attachments: [{ color: colorOf(a), fallback, blocks: blocks.slice(0, SLACK_LIMITS.blocksPerMessage) }],
    metadata: metadata(event),
  };
}

/**
 * What a thread reply says: the change, in one short message. With `mention`, the reply names who it wakes up (the
 * notifier also shows it in the channel: an escalation must not hide in a thread).
 */
export function renderReply(event: AlertEvent, opts: { mention?: boolean } = {}): SlackMessage {
  const a = event.alert;
  const head: Record<AlertEvent['type'], string> = {
    opened: ':red_circle: Opened',
    updated: ':arrows_counterclockwise: Update',
    reopened: ':red_circle: Reopened',
    flapping: ':arrows_counterclockwise: Flapping',
    resolved: ':white_check_mark: Resolved',
    reminder: ':bell: Reminder',
  };
  const lines = [`${mentionPrefix(event, opts.mention)}${head[event.type]}: ${escapeSlack(event.reason)}`];
  if (event.type === 'resolved' && a.resolvedAt !== undefined)
    lines[0] += ` (after ${durationText(a.resolvedAt - a.startedAt)})`;
  // Every update the page made since the last message, in order (a poll can bring several).
  for (const update of updatesToQuote(event)) {
    lines.push(`> *${escapeSlack(update.status.replace(/_/g, ' '))}*: ${escapeSlack(update.text)}`);
  }
  const text = clip(lines.join('\n'), SLACK_LIMITS.sectionText);
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }], metadata: metadata(event) };
}

function metadata(event: AlertEvent): SlackMessage['metadata'] {
  return {
    event_type: ALERT_METADATA_TYPE,
    event_payload: { alert_id: event.alert.id, fingerprint: event.alert.fingerprint, version: event.version },
  };
}
