// The scheduled report: what is open now, the incidents of the period (durations, lead time over Belvo's status
// page), the institutions that failed most, the team's links and token_required trend, its calls' error ratio and the
// audit's findings. Built from the same views as `status`, `history` and `audit`, so the report and the commands
// never disagree.
import { type Alert, durationText } from '../domain/alert.js';
import { isIncidentKind } from '../domain/fingerprint.js';
import type { InstitutionRef } from '../domain/institution.js';
import { describeReportSchedule, type ReportBody, type ReportSchedule } from '../domain/report.js';
import { type SubscriptionFilter, subscriptionMatches } from '../domain/subscription.js';
import type { Store } from '../ports/store.js';
import { byStatus } from './account-section.js';
import { auditFindings, SYMBOL } from './audit-handlers.js';
import type { BelvoAccountView } from './belvo-view.js';
import { capLines, historyLine, plural, shortUtc } from './format.js';
import { historyIncidents, incidentEndedAt, incidentStartedAt } from './incident-history.js';
import { institutionLabel } from './institution-match.js';
import { worstFirst } from './open-alerts.js';
import { openSections } from './status-handlers.js';

export interface ReportInput {
  store: Store;
  belvo?: BelvoAccountView;
  /** The subscription's filter: the report speaks of the alerts its channel hears of. */
  filter: SubscriptionFilter;
  schedule: ReportSchedule;
  /** Start of the period: the previous report of this schedule, else a day or a week back. */
  since: number;
  now: number;
}

/** Lines per list: a report is read in one look; the rest is counted and one command away. */
export const REPORT_LINES = 15;
const TOP_INSTITUTIONS = 5;

/** `Thu 09:00` on the schedule's clock: how people name the last report. */
function localTime(at: number, tz: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: tz,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(at);
}

/**
 * Does the channel hear of this alert? An institution incident speaks for alerts of any kind or source, so only the
 * filter's other fields (severity, institution, country) apply to it.
 */
function heardHere(filter: SubscriptionFilter, a: Alert): boolean {
  if (!isIncidentKind(a.kind)) return subscriptionMatches(filter, a);
  const { kinds: _kinds, sources: _sources, ...rest } = filter;
  return subscriptionMatches(rest, a);
}

/** The incidents the period saw: started in it, or ended in it (those still open are under "Open now" too). */
export function periodIncidents(announced: Alert[], since: number, now: number): Alert[] {
  return historyIncidents(announced).filter((a) => {
    const start = incidentStartedAt(a);
    const end = incidentEndedAt(a);
    return start < now && (start >= since || (end !== undefined && end >= since));
  });
}

/** Institutions by how often they failed in the period, then how long they were down in it. */
export function failedMost(
  incidents: Alert[],
  since: number,
  now: number,
): { institution: InstitutionRef; count: number; downMs: number }[] {
  const byName = new Map<string, { institution: InstitutionRef; count: number; downMs: number }>();
  for (const a of incidents) {
    if (!a.institution) continue;
    const key = a.institution.name.toLowerCase();
    const entry = byName.get(key) ?? { institution: a.institution, count: 0, downMs: 0 };
    entry.count++;
    entry.downMs += Math.max(0, (incidentEndedAt(a) ?? now) - Math.max(incidentStartedAt(a), since));
    byName.set(key, entry);
  }
  return [...byName.values()].sort((x, y) => y.count - x.count || y.downMs - x.downMs);
}

function trendWord(now: number, before: number): string {
  if (now === before) return 'steady';
  return now > before ? 'rising' : 'falling';
}

async function linksSection(input: ReportInput, belvo: BelvoAccountView): Promise<string[]> {
  const { store, since, now } = input;
  const span = now - since;
  const lines: string[] = [];
  for (const env of belvo.environments) {
    const counts = await belvo.linkCounts(env.id);
    lines.push(`${env.id}: ${counts.length ? byStatus(counts) : 'no links known'}`);
    // Links entering token_required in this period against the period before: a slow rise is a trend, not a page.
    const [current, previous] = await Promise.all([
      store.linkEventCounts({ environment: env.id, code: 'token_required', since, until: now }),
      store.linkEventCounts({ environment: env.id, code: 'token_required', since: since - span, until: since }),
    ]);
    const sum = (rows: { count: number }[]) => rows.reduce((n, r) => n + r.count, 0);
    const [n, before] = [sum(current), sum(previous)];
    const top = [...current].sort((x, y) => y.count - x.count).filter((r) => r.institution !== null)[0];
    const most = top && n > 0 ? `, most at ${top.institution} (${top.count})` : '';
    lines.push(
      `${env.id} token_required: ${plural(n, 'link')} entered it this period${most}; ${before} the period before (${trendWord(n, before)})`,
    );
  }
  return lines;
}

function callsLine(input: ReportInput, belvo: BelvoAccountView): string {
  const calls = belvo.calls;
  if (!calls) return 'Your app does not report its Belvo calls (belvo.ingest and the reporter module).';
  const window = Math.min(input.now - input.since, calls.keptMs ?? input.now - input.since);
  const s = calls.summary(input.now, window);
  const head = `Your calls, last ${durationText(window)}`;
  if (s.calls === 0) return `${head}: none reported`;
  return `${head}: ${s.calls.toLocaleString('en-US')}, ${((s.failures / s.calls) * 100).toFixed(1)}% failed (${s.failures.toLocaleString('en-US')})`;
}

export async function scheduledReport(input: ReportInput): Promise<ReportBody> {
  const { store, belvo, filter, schedule, since, now } = input;
  const [firing, changed, silences] = await Promise.all([
    store.listAlerts({ states: ['firing'] }),
    store.listAlerts({ announcedOnly: true, changedSince: since }),
    store.listSilences(now),
  ]);
  // What is open, as `status` lists it: Belvo's API, the institutions with their incident's id, the rest.
  const opened = openSections(
    firing.filter((a) => a.announced && heardHere(filter, a)),
    now,
    silences,
  );
  const { open } = opened;
  const incidents = periodIncidents(
    changed.filter((a) => heardHere(filter, a)),
    since,
    now,
  );
  const sinceText = localTime(since, schedule.tz);

  const sections: ReportBody['sections'] = [
    ...(open.length
      ? opened.sections.map((section) => ({ ...section, heading: `Open now · ${section.heading}` }))
      : [{ heading: 'Open now', lines: ['Nothing open.'] }]),
    {
      heading: `Incidents since ${sinceText} (${incidents.length})`,
      lines: incidents.length
        ? capLines(
            incidents.map((a) => historyLine(a, now)),
            REPORT_LINES,
          )
        : ['None.'],
    },
  ];
  const failed = failedMost(incidents, since, now).slice(0, TOP_INSTITUTIONS);
  if (failed.length) {
    sections.push({
      heading: 'Institutions that failed most',
      lines: failed.map(
        (f) => `${institutionLabel(f.institution)}: ${plural(f.count, 'incident')}, down ${durationText(f.downMs)}`,
      ),
    });
  }
  if (belvo && belvo.environments.length > 0) {
    sections.push({ heading: 'Your links', lines: await linksSection(input, belvo) });
  }
  if (belvo) sections.push({ heading: 'Your calls', lines: [callsLine(input, belvo)] });
  const audit = await auditFindings(belvo, now);
  if (audit) {
    const problems = audit.sections.flatMap((s) =>
      s.findings.filter((f) => f.mark !== 'ok').map((f) => `${SYMBOL[f.mark]} ${s.heading}: ${f.text}`),
    );
    sections.push({
      heading: `Audit (${problems.length ? plural(problems.length, 'finding') : 'all good'})`,
      lines: problems.length ? capLines(problems, REPORT_LINES) : [`${SYMBOL.ok} every check of the checklist passes`],
    });
  }
  const worst = [...open].sort(worstFirst)[0];
  return {
    title: `Belvo report: ${open.length ? `${open.length} open (worst ${worst!.severity})` : 'nothing open'}, ${plural(incidents.length, 'incident')} since ${sinceText}`,
    sections,
    footer: `${describeReportSchedule(schedule)} · ${shortUtc(since)} to ${shortUtc(now)}`,
  };
}
