// Reports on a schedule: when a subscription's report goes out (a cron time on a local clock), what period it sums up,
// and the text it carries through delivery. Pure.
import { createHash } from 'node:crypto';
import type { Alert, AlertEvent } from './alert.js';
import type { Subscription } from './subscription.js';

/** A subscription's report: a five-field cron expression read on the clock of `tz` (DST included). */
export interface ReportSchedule {
  cron: string;
  tz: string;
  /** How it was asked for in chat (`weekdays 09:00`), shown instead of the cron expression. */
  every?: string;
}

/** The report as every destination shows it: a title, sections of plain lines, a footer (adapters escape it). */
export interface ReportBody {
  title: string;
  sections: { heading?: string; lines: string[] }[];
  footer?: string;
}

/** Alert kind of the pseudo-alert a report travels as through the outbox: never stored, never paged. */
export const REPORT_KIND = 'bot.report';

/** A report missed while the bot was down is still worth sending this late, and not later (old news). */
export const MISSED_REPORT_GRACE_MS = 3_600_000;

const DAY_MS = 86_400_000;

const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const DAY_WORDS: Record<string, string> = {
  daily: '*',
  weekdays: '1-5',
  weekends: '0,6',
};

/**
 * `weekdays-09:00`, `daily-18:30`, `mon-09:00`, `mon,thu-08:00` as typed in chat -> a cron expression; a message
 * saying what is accepted when it is none of those.
 */
export function parseReportShorthand(text: string): { cron: string; every: string } | { error: string } {
  const m = /^([a-z,]+)-([01]?\d|2[0-3]):([0-5]\d)$/i.exec(text.trim());
  const bad = {
    error: `"${text}" is not a report time: write daily-09:00, weekdays-09:00, or days and a time (mon-09:00, mon,thu-08:30)`,
  };
  if (!m) return bad;
  const words = m[1]!.toLowerCase();
  const hour = Number(m[2]);
  const minute = Number(m[3]);
  let dow = DAY_WORDS[words];
  if (dow === undefined) {
    const days = words.split(',').map((d) => DAY_NAMES.indexOf(d.slice(0, 3) as (typeof DAY_NAMES)[number]));
    if (days.some((d, i) => d < 0 || words.split(',')[i]!.length < 3)) return bad;
    dow = [...new Set(days)].sort((a, b) => a - b).join(',');
  }
  const time = `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
  return { cron: `${minute} ${hour} * * ${dow}`, every: `${words.replace(/,/g, ', ')} ${time}` };
}

/**
 * How far back a report looks when no earlier report of its schedule is recorded: a week for a weekly one (one day
 * of the week, any day of the month), else a day.
 */
export function defaultReportPeriodMs(cron: string): number {
  const fields = cron.trim().split(/\s+/);
  const [dom, dow] = [fields.at(-3), fields.at(-1)];
  const oneDay = dow !== undefined && /^[0-7]$|^[a-z]{3}$/i.test(dow);
  return oneDay && dom === '*' ? 7 * DAY_MS : DAY_MS;
}

/** The report's schedule in words: `weekdays 09:00 (America/Mexico_City)` or `cron "0 9 * * 1-5" (UTC)`. */
export function describeReportSchedule(s: ReportSchedule): string {
  return `${s.every ?? `cron "${s.cron}"`} (${s.tz})`;
}

/** JSON with object keys sorted and lists of words sorted: the same content gives the same text, in any order. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(canonical);
    return items.every((i) => typeof i !== 'object' || i === null) ? [...items].sort() : items;
  }
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => [k, canonical(v)]),
    );
  }
  return value;
}

/**
 * What identifies a schedule in the report log, so a report is claimed once across restarts and replicas.
 *
 * - A subscription made in chat has a stored id: the id and when it fires.
 * - One from the config file has only its place in the file (`config:N`), which moves when lines are added or
 *   reordered: another subscription would inherit its claims (and a report could go out twice after a restart
 *   within the hour). It is named by its content instead: destination, filter, cron and zone, hashed. Its mention
 *   and the shorthand it was written in change nothing a report says, so they are left out.
 *
 * Changing what a schedule sends or when makes a new schedule (its first report looks back the default period).
 */
export function reportScheduleKey(
  sub: Pick<Subscription, 'id' | 'destination' | 'filter' | 'createdBy'>,
  s: ReportSchedule,
): string {
  if (sub.createdBy !== 'config') return `${sub.id} ${s.cron} ${s.tz}`;
  const { mention: _mention, report: _report, ...filter } = sub.filter;
  const content = JSON.stringify(canonical({ destination: sub.destination, filter, cron: s.cron, tz: s.tz }));
  const digest = createHash('sha256').update(content).digest('base64url').slice(0, 22);
  return `config#${digest} ${s.cron} ${s.tz}`;
}

/** `20260105T1500`: a slot in an id. */
function compact(at: number): string {
  return new Date(at).toISOString().replace(/[-:]/g, '').slice(0, 13);
}

/**
 * A report as the one event delivery carries to one destination: a pseudo-alert (never stored) whose id is the
 * (subscription, slot), so the outbox and a platform's read-back after a crash know it as one message.
 */
export function reportEvent(subscriptionId: string, slot: number, body: ReportBody, now: number): AlertEvent {
  const alert: Alert = {
    id: `report-${subscriptionId.replace(/[^A-Za-z0-9_-]/g, '-')}-${compact(slot)}`,
    fingerprint: `bot/report/${subscriptionId}/${slot}`,
    kind: REPORT_KIND,
    source: 'bot',
    lifecycle: 'observed',
    state: 'resolved',
    version: 1,
    severity: 'info',
    peakSeverity: 'info',
    title: body.title,
    // The schedule and period: what tells this report from the previous ones where a platform reads messages back.
    status: body.footer ?? `report ${compact(slot)}`,
    evidence: {},
    flapping: false,
    announced: true,
    counters: { bad: 0, ok: 0 },
    flips: [],
    startedAt: slot,
    firstSeenAt: now,
    lastSeenAt: now,
    resolvedAt: now,
    timeline: [],
    rev: 0,
  };
  return {
    type: 'opened',
    alert,
    version: 1,
    at: now,
    reason: 'scheduled report',
    quiet: false,
    noPage: true,
    report: body,
  };
}
