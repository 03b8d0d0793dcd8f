// Words shared by the command answers: times, alert lines, filters. Plain text only (adapters escape it).
import { type Alert, durationText } from '../domain/alert.js';
import { INCIDENT_KIND } from '../domain/fingerprint.js';
import { leadTimeText } from '../domain/incident-text.js';
import { DEFAULT_MENTION_LEVEL, describeMention } from '../domain/mention.js';
import { DEFAULT_URGENT } from '../domain/quiet-hours.js';
import { type Silence, type SilenceMatcher, silenceUntil } from '../domain/silence.js';
import type { SubscriptionFilter } from '../domain/subscription.js';
import { incidentStartedAt } from './incident-history.js';

/** `2025-01-15T14:00:00Z`: ISO 8601 in UTC, without the milliseconds nobody needs in chat. */
export function isoUtc(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `2025-01-15 14:00 UTC`, for lists where the seconds are noise. */
export function shortUtc(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** How a person reads in messages (`acked by ana`): the platform's user name when it sent one, else the id. */
export function who(user: { id: string; name?: string }): string {
  return user.name ?? user.id;
}

export function humanStatus(status: string): string {
  return status.replace(/_/g, ' ');
}

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

/** "MX or CO", "a, b or c". */
export function orList(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

/**
 * At most `max` lines, the rest counted: a storm of 300 institutions must stay readable in an ephemeral answer.
 * Adapters still enforce their platform's hard limits.
 */
export function capLines(lines: string[], max: number, hint = ''): string[] {
  if (lines.length <= max) return lines;
  return [...lines.slice(0, max - 1), `+${lines.length - (max - 1)} more${hint}`];
}

/**
 * What the alert is about, without the state the title may end with: a resolved component reads
 * "Banco X: operational", which says nothing about the incident it was.
 */
export function subjectOf(alert: Alert): string {
  let title = alert.title;
  const suffix = `: ${humanStatus(alert.status)}`;
  if (alert.state === 'resolved' && title.toLowerCase().endsWith(suffix.toLowerCase())) {
    title = title.slice(0, -suffix.length);
  }
  return title;
}

/** The title, with the status added when the title does not already say it. */
export function titleWithStatus(alert: Alert): string {
  const status = humanStatus(alert.status);
  return alert.title.toLowerCase().includes(status.toLowerCase()) ? alert.title : `${alert.title} (${status})`;
}

/** What else on-call should know at a glance: flapping, maintenance, who acknowledged, a page closed, silenced until. */
export function flags(alert: Alert, silence: Silence | undefined, now: number): string[] {
  const out: string[] = [];
  if (alert.flapping) out.push('flapping');
  if (alert.maintenance) out.push(`under maintenance: ${alert.maintenance.title}`);
  if (alert.acknowledged) {
    out.push(`acked${alert.acknowledged.via === 'pagerduty' ? ' in PagerDuty' : ''} by ${alert.acknowledged.by}`);
  }
  const closed = alert.paging?.closedInPager;
  if (closed && alert.state !== 'resolved') out.push(`resolved in PagerDuty by ${closed.by}, still failing`);
  if (silence) out.push(`silenced until ${isoUtc(silenceUntil(silence, now))}`);
  return out;
}

/** " (MX)" after a title that does not name the country already (an institution incident's does). */
function countrySuffix(alert: Alert): string {
  const country = alert.institution?.country;
  return country && alert.kind !== INCIDENT_KIND ? ` (${country})` : '';
}

/** `[A7] MAJOR Banco X: major outage (MX) · for 23m · acked by ana` */
export function openAlertLine(alert: Alert, now: number, silence?: Silence): string {
  const country = countrySuffix(alert);
  const parts = [
    `[${alert.id}] ${alert.severity.toUpperCase()} ${titleWithStatus(alert)}${country}`,
    `for ${durationText(now - alert.startedAt)}`,
    ...flags(alert, silence, now),
  ];
  return parts.join(' · ');
}

/** `[A3] MAJOR Banco X (MX) · started 2025-01-15 12:00 UTC · lasted 1h 5m` (or `open for 23m`). */
export function historyLine(alert: Alert, now: number): string {
  const country = countrySuffix(alert);
  const started = incidentStartedAt(alert);
  const span =
    alert.state === 'resolved'
      ? `lasted ${durationText((alert.resolvedAt ?? alert.lastSeenAt) - started)}`
      : `open for ${durationText(now - started)}`;
  // The worst it got is what the incident was; the current severity of a resolved alert is its recovery.
  const lead = leadTimeText(alert);
  return `[${alert.id}] ${alert.peakSeverity.toUpperCase()} ${subjectOf(alert)}${country} · started ${shortUtc(started)} · ${span}${lead ? ` · ${lead}` : ''}`;
}

/** A subscription filter in words: "major and worse statuspage alerts in MX or CO". */
export function describeFilter(f: SubscriptionFilter): string {
  const severity = f.minSeverity && f.minSeverity !== 'info' ? `${f.minSeverity} and worse` : 'all';
  const kinds = f.kinds?.length ? ` ${orList(f.kinds)}` : '';
  let text = `${severity}${kinds} alerts`;
  if (f.institutions?.length) text += ` about ${orList(f.institutions)}`;
  if (f.countries?.length) text += ` in ${orList(f.countries)}`;
  if (f.sources?.length) text += ` from source ${orList(f.sources)}`;
  if (f.environments?.length) text += ` in the ${orList(f.environments)} environment`;
  return text;
}

/** What quiet hours do, in the words on-call needs at subscribe time (what still wakes them, when the rest comes). */
export function quietHoursNote(f: SubscriptionFilter): string | undefined {
  const q = f.quietHours;
  if (!q) return undefined;
  const urgent = q.urgent ?? DEFAULT_URGENT;
  return `Quiet hours ${q.from}-${q.to} (${q.tz}): only ${urgent} alerts arrive during them; the rest comes as one digest at ${q.to}. Pages are not affected.`;
}

/** `group:S0123, user:U0456 from critical`: who a subscription wakes up (plain words, never a ping). */
export function mentionText(f: SubscriptionFilter): string | undefined {
  const m = f.mention;
  if (!m) return undefined;
  const from = m.from ?? DEFAULT_MENTION_LEVEL;
  return `${m.to.map(describeMention).join(', ')} ${from === 'paged' ? 'when it pages' : `from ${from}`}`;
}

/** What a mention does, at subscribe time: when it pings, and that edits never do. */
export function mentionNote(f: SubscriptionFilter): string | undefined {
  const m = f.mention;
  if (!m) return undefined;
  const from = m.from ?? DEFAULT_MENTION_LEVEL;
  const when =
    from === 'paged'
      ? 'when an alert pages on-call'
      : `when an alert opens at ${from} or worse, or escalates to it (a reply shown in the channel)`;
  return `Mentions ${m.to.map(describeMention).join(', ')} ${when}; edits and other updates mention nobody.`;
}

export function describeMatcher(m: SilenceMatcher): string {
  const parts: string[] = [];
  if (m.fingerprint !== undefined) parts.push(`alert ${m.fingerprint}`);
  if (m.institution !== undefined) parts.push(`institution ${m.institution}`);
  if (m.source !== undefined) parts.push(`source ${m.source}`);
  if (m.kind !== undefined) parts.push(`kind ${m.kind}`);
  return parts.join(', ') || 'nothing';
}
