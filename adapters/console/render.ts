// One line (and an indented detail line) per alert event, for a person watching a terminal. Pure. Every line names
// the alert's id (and its institution, where it has one), so `grep A12` or `grep Erebor` finds all of its lines.
import pc from 'picocolors';
import { type AlertEvent, durationText } from '../../src/domain/alert.js';
import { INCIDENT_KIND } from '../../src/domain/fingerprint.js';
import { actionableEvidence, memberLines, pagingText } from '../../src/domain/group-text.js';
import { healthError } from '../../src/domain/health-text.js';
import { impactText } from '../../src/domain/incident-text.js';
import { eventWindowText } from '../../src/domain/maintenance-window.js';
import type { ReportBody } from '../../src/domain/report.js';
import type { Severity } from '../../src/domain/severity.js';
import { oneLine } from '../../src/domain/text.js';

export interface RenderOptions {
  color: boolean;
  /** Time zone for the timestamp; the machine's by default. */
  timeZone?: string;
}

type Paint = (s: string) => string;

const LABEL: Record<AlertEvent['type'], string> = {
  opened: 'OPENED',
  updated: 'UPDATE',
  reopened: 'REOPENED',
  flapping: 'FLAPPING',
  resolved: 'RESOLVED',
  reminder: 'REMINDER',
};

const MAX_DETAIL = 240;
const MAX_MEMBER_LINES = 20;

function palette(color: boolean) {
  const c = pc.createColors(color);
  const severity: Record<Severity, Paint> = {
    info: c.blue,
    minor: c.yellow,
    major: c.red,
    critical: (s) => c.bold(c.red(s)),
  };
  const type: Record<AlertEvent['type'], Paint> = {
    opened: (s) => c.bold(c.red(s)),
    updated: c.yellow,
    reopened: (s) => c.bold(c.red(s)),
    flapping: c.magenta,
    resolved: (s) => c.bold(c.green(s)),
    reminder: c.yellow,
  };
  return { c, severity, type };
}

function clock(at: number, timeZone?: string): string {
  const d = new Date(at);
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23', // not hour12: false, which prints midnight as 24 with some locales
  }).formatToParts(d);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}:${get('second')}`;
}

/** `[A3 Banco Erebor MX - Retail (MX)]`: which alert a detail line belongs to, and what it is about. */
function lineTag(a: AlertEvent['alert']): string {
  const i = a.institution;
  const about = i ? ` ${oneLine(i.displayName, 120)}${i.country ? ` (${i.country})` : ''}` : '';
  return `[${a.id}${about}]`;
}

/** The lines printed for one event; empty for quiet (edit-only) events. */
export function renderConsole(event: AlertEvent, opts: RenderOptions): string[] {
  if (event.quiet) return [];
  if (event.report) return reportLines(event, event.report, opts);
  const { c, severity, type } = palette(opts.color);
  const a = event.alert;
  // An institution incident's title names its institution with the country already.
  let where = a.institution?.country && a.kind !== INCIDENT_KIND ? ` (${a.institution.country})` : '';
  // A title that speaks of the API name (erebor_mx_retail) still gets the name people grep for.
  const shown = a.institution?.displayName;
  if (shown && !a.title.toLowerCase().includes(shown.toLowerCase())) where += ` · ${oneLine(shown, 120)}`;
  const tags = [
    a.maintenance ? c.blue('maintenance') : '',
    a.flapping && event.type !== 'flapping' ? c.magenta('flapping') : '',
  ]
    .filter(Boolean)
    .join(' ');
  let head = [
    c.dim(clock(event.at, opts.timeZone)),
    type[event.type](LABEL[event.type].padEnd(8)),
    severity[a.severity](a.severity.toUpperCase().padEnd(8)),
    c.bold(`[${a.id}]`),
    `${oneLine(a.title, 300)}${where}`,
    tags,
  ]
    .filter(Boolean)
    .join(' ');
  if (event.type === 'resolved' && a.resolvedAt !== undefined) {
    head += c.green(` after ${durationText(a.resolvedAt - a.startedAt)}`);
  }
  const details: string[] = [];
  if (event.type !== 'flapping') {
    // The news of this event; without any (an event queued before events carried them), the latest as context.
    const latest = a.timeline.filter((e) => e.origin === 'source').at(-1);
    for (const update of event.updates ?? (latest ? [latest] : [])) {
      details.push(`${update.status.replace(/_/g, ' ')}: ${oneLine(update.text, MAX_DETAIL)}`);
    }
  }
  const failure = event.type !== 'resolved' ? healthError(a) : undefined;
  if (failure) {
    details.push(`last error: ${oneLine(failure.error, 160)}`);
    // Apart from the message, so a long one never cuts off the id Belvo support asks for.
    if (failure.requestId) details.push(`request_id: ${oneLine(failure.requestId, 100)}`);
  }
  details.push(oneLine(event.reason, MAX_DETAIL));
  const window = event.type !== 'resolved' ? eventWindowText(event) : undefined;
  if (window && !event.reason.includes(window)) details.push(`window ${window}`);
  const impact = event.type !== 'resolved' ? impactText(a) : undefined;
  if (impact) details.push(`affects ${impact}`);
  const paging = pagingText(a, event.at);
  if (paging) details.push(paging);
  if (event.type !== 'resolved') {
    for (const e of actionableEvidence(a)) details.push(`${e.label}: ${oneLine(e.values.join(', '), 400)}`);
  }
  const link = a.url ? `  ${c.underline(oneLine(a.url, 500))}` : '';
  const tag = lineTag(a);
  const lines = [head, `    ${tag} ${c.dim(details.join(' · '))}${link}`];
  // A storm or a digest lists its members, a line each (each names its institution), cut after a screenful.
  const members = memberLines(a);
  for (const m of members.slice(0, MAX_MEMBER_LINES)) {
    lines.push(`      ${tag} ${m.down ? c.red('down') : c.green('up  ')} ${oneLine(m.text, MAX_DETAIL)}`);
  }
  if (members.length > MAX_MEMBER_LINES) lines.push(`      ${tag} +${members.length - MAX_MEMBER_LINES} more`);
  return lines;
}

/** A scheduled report: a head line, then each section's heading and lines, indented. */
function reportLines(event: AlertEvent, report: ReportBody, opts: RenderOptions): string[] {
  const { c } = palette(opts.color);
  const lines = [
    `${c.dim(clock(event.at, opts.timeZone))} ${c.bold(c.cyan('REPORT'.padEnd(8)))} ${oneLine(report.title, 300)}`,
  ];
  for (const section of report.sections) {
    if (section.heading) lines.push(`    ${c.bold(oneLine(section.heading, 200))}`);
    for (const line of section.lines) lines.push(`      ${oneLine(line, MAX_DETAIL)}`);
  }
  if (report.footer) lines.push(`    ${c.dim(oneLine(report.footer, 300))}`);
  return lines;
}
