// How a grouped alert's members read, the same on every platform (adapters add their own markup and limits).
import { type Alert, durationText, type GroupMember } from './alert.js';

export function memberLabel(m: GroupMember): string {
  const i = m.institution;
  return i ? `${i.displayName}${i.country ? ` (${i.country})` : ''}` : m.title;
}

/** One line per member, still-down ones first (as they joined), then the recovered ones. */
export function memberLines(alert: Alert): { down: boolean; text: string }[] {
  const members = alert.members ?? [];
  const down = members.filter((m) => m.state !== 'resolved');
  const up = members.filter((m) => m.state === 'resolved');
  return [
    ...down.map((m) => ({
      down: true,
      text: `${memberLabel(m)}${m.detail ? ` (${m.detail})` : ''} · ${m.severity} · ${m.id}`,
    })),
    ...up.map((m) => ({
      down: false,
      text: `${memberLabel(m)} · recovered${m.resolvedAt !== undefined ? ` after ${durationText(m.resolvedAt - m.since)}` : ''} · ${m.id}`,
    })),
  ];
}

/** Lines that fit `max` characters joined by newlines, the rest counted as "+N more". */
export function fitLines(lines: string[], max: number): string {
  const out: string[] = [];
  let used = 0;
  for (const [i, line] of lines.entries()) {
    const rest = lines.length - i - 1;
    const tail = rest > 0 ? `\n+${rest} more`.length : 0;
    if (used + line.length + 1 + tail > max) {
      out.push(`+${lines.length - i} more`);
      break;
    }
    out.push(line);
    used += line.length + 1;
  }
  return out.join('\n');
}

/** What still fails, as on-call names it: the institution, the service, or the alert itself. */
export function failingSubject(alert: Alert): string {
  return alert.institution?.displayName ?? alert.service?.name ?? alert.title;
}

/** A page resolved in the pager while its alert is still open: the message must not look settled. */
export function closedInPagerText(alert: Alert, by: string): string {
  return `resolved in PagerDuty by ${by}, but ${failingSubject(alert)} still fails`;
}

/** What the paging state means to a reader of the message, or undefined when the alert does not page. */
export function pagingText(alert: Alert, at: number): string | undefined {
  const p = alert.paging;
  if (!p || alert.state === 'resolved') return undefined;
  if (p.pager === 'triggered') return `paged on-call (rule ${p.rule})`;
  if (p.pager === 'resolved' && p.closedInPager) return closedInPagerText(alert, p.closedInPager.by);
  if (p.pager === 'acknowledged') return undefined; // the acknowledgement says it
  if (p.pagedAt === undefined && !alert.acknowledged && p.dueAt > at) {
    return `pages on-call in ${durationText(p.dueAt - at)} unless acknowledged (rule ${p.rule})`;
  }
  return undefined;
}

/** Evidence a person acts on (ids to quote to Belvo support, examples to look up), as `label: values` lines. */
const ACTIONABLE_EVIDENCE: [key: string, label: string][] = [
  ['topCodes', 'Top codes'],
  ['requestIds', 'request_ids'],
  ['exampleLinks', 'Example links'],
  ['exampleExternalIds', 'Example external ids'],
];

export function actionableEvidence(alert: Alert): { label: string; values: string[] }[] {
  const out: { label: string; values: string[] }[] = [];
  for (const [key, label] of ACTIONABLE_EVIDENCE) {
    const v = alert.evidence[key];
    if (Array.isArray(v) && v.length > 0) out.push({ label, values: v.map(String) });
  }
  return out;
}
