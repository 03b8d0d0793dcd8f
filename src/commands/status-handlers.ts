// Read-only answers: `status`, `institution <q>`, `history [n]`.

import { type Alert, durationText } from '../domain/alert.js';
import { INCIDENT_KIND } from '../domain/fingerprint.js';
import { impactText } from '../domain/incident-text.js';
import { windowText } from '../domain/maintenance-window.js';
import { activeSilenceFor, type Silence } from '../domain/silence.js';
import { accountSection } from './account-section.js';
import { capLines, flags, historyLine, openAlertLine, plural, shortUtc, titleWithStatus } from './format.js';
import type { CommandContext } from './handlers.js';
import { historyIncidents } from './incident-history.js';
import {
  type InstitutionMatch,
  institutionLabel,
  loadInstitutionAlerts,
  matchInstitutions,
} from './institution-match.js';
import { openSituation, worstFirst } from './open-alerts.js';
import type { Reply, ReplySection, ReplyVisibility } from './reply.js';
import { COMMAND } from './usage.js';

/** An institution's alert without the institution's name in front ("Banco X: major outage" -> "major outage"). */
function withinInstitution(a: Alert, now: number, silences: Silence[]): string {
  const name = a.institution?.displayName ?? '';
  let text = titleWithStatus(a);
  if (name && text.startsWith(`${name}: `)) text = text.slice(name.length + 2);
  const extra = flags(a, activeSilenceFor(silences, a, now), now);
  return [`[${a.id}] ${text}`, `for ${durationText(now - a.startedAt)}`, ...extra].join(' · ');
}

/** Lines per section of `status`; the worst come first, so what is cut is the least urgent. */
export const STATUS_LINES = 20;

/** " [A9] · acked by ana": the incident's id (the one in chat) and what was done to it, for an institution's line. */
function incidentNote(incident: Alert | undefined, now: number, silences: Silence[]): string {
  if (!incident) return '';
  const extra = flags(incident, activeSilenceFor(silences, incident, now), now);
  return ` [${incident.id}]${extra.length ? ` (${extra.join(', ')})` : ''}`;
}

export async function statusReply(ctx: CommandContext, visibility: ReplyVisibility): Promise<Reply> {
  const [all, silences] = await Promise.all([
    ctx.store.listAlerts({ states: ['firing'] }),
    ctx.store.listSilences(ctx.now),
  ]);
  const { open, sections } = openSections(all, ctx.now, silences);
  const { upcoming } = openSituation(all);
  const footer = `As of ${shortUtc(ctx.now)} · ${COMMAND} institution <name> for one institution`;
  const account = await accountSection(ctx);
  // Planned work is not broken: listed apart, after what is.
  const planned: ReplySection[] = upcoming.length
    ? [
        {
          heading: `Upcoming maintenance (${upcoming.length})`,
          lines: capLines(
            upcoming.map((a) => {
              const where = a.institution ? ` (${institutionLabel(a.institution)})` : '';
              const window = a.maintenanceWindow ? ` · ${windowText(a.maintenanceWindow)}` : '';
              return `[${a.id}] ${a.title}${where}${window}`;
            }),
            STATUS_LINES,
          ),
        },
      ]
    : [];
  if (open.length === 0) {
    const clear: ReplySection[] = [{ lines: ['No open alerts.'] }, ...planned, ...(account ? [account] : [])];
    return { visibility, title: 'Belvo status: all clear', sections: clear, footer };
  }
  sections.push(...planned);
  if (account) sections.push(account);
  const worst = [...open].sort(worstFirst)[0]!;
  return {
    visibility,
    title: `Belvo status: ${plural(open.length, 'open alert')}, worst ${worst.severity}`,
    sections,
    footer,
  };
}

/**
 * What is open, as `status` lists it (and the scheduled report): Belvo's API, then the institutions down or degraded
 * with their incident's id, then the rest; `open` is every open alert but incidents (listed through their evidence).
 */
export function openSections(
  firing: Alert[],
  now: number,
  silences: Silence[],
): { open: Alert[]; sections: ReplySection[] } {
  // Incidents are listed through their evidence, under their institution or under the Belvo API.
  const { api, apiIncident, institutions, other, open } = openSituation(firing);
  if (open.length === 0) return { open, sections: [] };
  const silenceOf = (a: Alert) => activeSilenceFor(silences, a, now);

  const sections: ReplySection[] = [
    {
      heading: `Belvo API${incidentNote(apiIncident, now, silences)}`,
      lines: api.length
        ? capLines(
            api.map((a) => openAlertLine(a, now, silenceOf(a))),
            STATUS_LINES,
          )
        : ['No open alert.'],
    },
  ];
  if (institutions.length) {
    sections.push({
      heading: `Institutions down or degraded (${institutions.length})`,
      lines: capLines(
        institutions.map(({ institution, alerts, incident }) => {
          const first = alerts[0]!;
          const what = alerts.map((a) => withinInstitution(a, now, silences)).join('; ');
          return `${first.severity.toUpperCase()} ${institutionLabel(institution)}${incidentNote(incident, now, silences)}: ${what}`;
        }),
        STATUS_LINES,
        ` (${COMMAND} institution <name>)`,
      ),
    });
  }
  if (other.length) {
    sections.push({
      heading: 'Other open alerts',
      lines: capLines(
        other.map((a) => openAlertLine(a, now, silenceOf(a))),
        STATUS_LINES,
      ),
    });
  }
  return { open, sections };
}

const RECENT_PER_INSTITUTION = 5;
const CHOICES_SHOWN = 10;

export async function institutionReply(
  ctx: CommandContext,
  query: string,
  visibility: ReplyVisibility,
): Promise<Reply> {
  const matches = matchInstitutions(query, await loadInstitutionAlerts(ctx.store));
  if (matches.length === 0) {
    return {
      visibility,
      title: `No institution matching "${query}"`,
      sections: [
        {
          lines: [
            'No open or recent alert names an institution like that.',
            `Try part of its name (${COMMAND} institution erebor) or its Belvo name (erebor_mx_retail).`,
          ],
        },
      ],
    };
  }
  if (matches.length > 1) return choices(query, matches, visibility);
  const [match] = matches as [InstitutionMatch];
  const silences = await ctx.store.listSilences(ctx.now);
  const incident = match.alerts.find((a) => a.kind === INCIDENT_KIND && a.state === 'firing');
  const open = match.alerts.filter((a) => a.state === 'firing' && a.kind !== INCIDENT_KIND).sort(worstFirst);
  // History by incident: its members' own stories are on it (and the lead time over Belvo's status page).
  const recent = match.alerts
    .filter((a) => a.state === 'resolved' && a.announced && a.incidentId === undefined)
    .slice(0, RECENT_PER_INSTITUTION);
  const inst = match.institution;
  const impact = incident && impactText(incident);
  const incidentLine = incident
    ? [
        `Incident${incidentNote(incident, ctx.now, silences)}: ${incident.status}${impact ? ` · affects ${impact}` : ''}`,
      ]
    : [];
  const sections: ReplySection[] = [
    {
      heading: 'Open',
      lines: open.length
        ? [...incidentLine, ...open.map((a) => withinInstitution(a, ctx.now, silences))]
        : ['No open alert.'],
    },
  ];
  if (recent.length) {
    sections.push({ heading: 'Recent incidents', lines: recent.map((a) => historyLine(a, ctx.now)) });
  }
  const account = await accountSection(ctx, inst.name);
  if (account) sections.push(account);
  return {
    visibility,
    title: `${institutionLabel(inst)}: ${open.length ? plural(open.length, 'open alert') : 'no open alert'}`,
    sections,
    footer: `Belvo name ${inst.name} · as of ${shortUtc(ctx.now)}`,
  };
}

function choices(query: string, matches: InstitutionMatch[], visibility: ReplyVisibility): Reply {
  const shown = matches.slice(0, CHOICES_SHOWN);
  const lines = shown.map((m) => {
    const open = m.alerts.filter((a) => a.state === 'firing').length;
    return `${institutionLabel(m.institution)} · ${m.institution.name}${open ? ` · ${plural(open, 'open alert')}` : ''}`;
  });
  if (matches.length > shown.length) lines.push(`+${matches.length - shown.length} more`);
  return {
    visibility,
    title: `${matches.length} institutions match "${query}": which one?`,
    sections: [{ lines }],
    footer: `${COMMAND} institution <more of the name, or the Belvo name>`,
  };
}

/** Members are hidden from history; read this many times more so `limit` incidents are still shown. */
const HISTORY_OVERFETCH = 5;

export async function historyReply(ctx: CommandContext, limit: number, visibility: ReplyVisibility): Promise<Reply> {
  // An institution incident stands for its members (the spike, the status page's word): they are listed on it.
  const listed = await ctx.store.listAlerts({ announcedOnly: true, limit: limit * HISTORY_OVERFETCH });
  // The store lists by creation; people read history by when things started.
  const alerts = historyIncidents(listed.filter((a) => a.incidentId === undefined).slice(0, limit));
  if (alerts.length === 0) {
    return { visibility, title: 'No incidents yet', sections: [{ lines: ['No alert has been announced so far.'] }] };
  }
  return {
    visibility,
    title: alerts.length === 1 ? 'The last incident' : `The last ${alerts.length} incidents`,
    sections: [{ lines: alerts.map((a) => historyLine(a, ctx.now)) }],
    footer: `Newest first · as of ${shortUtc(ctx.now)}`,
  };
}
