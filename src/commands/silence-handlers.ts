// `silence`, `unsilence`, `ack`: the commands that change how an alert is delivered.
import type { Alert } from '../domain/alert.js';
import {
  describeRecurrence,
  NO_END,
  nextSilenceWindow,
  type Silence,
  type SilenceMatcher,
  type SilenceRecurrence,
  silenceMatches,
} from '../domain/silence.js';
import { acknowledge } from '../engine/acknowledge.js';
import { silenceNotice } from '../engine/silence-notice.js';
import { StoreConflictError } from '../ports/store.js';
import { resolveAlertTarget, type TargetResolution } from './alert-target.js';
import { describeMatcher, isoUtc, orList, subjectOf, who } from './format.js';
import type { AlertTarget, SilenceTarget } from './grammar.js';
import type { CommandContext } from './handlers.js';
import { institutionLabel, loadInstitutionAlerts, resolveInstitution } from './institution-match.js';
import type { Reply, ReplyVisibility } from './reply.js';
import { COMMAND } from './usage.js';

/** Ids typed in chat (`unsilence S4`); config silences are `config:N`, so they never collide. */
export function silenceId(n: number): string {
  return `S${n}`;
}

const NO_REASON = 'no reason given';

function noAlert(id: string): Reply {
  return notFound({ found: 'none', title: `No alert ${id}`, hint: 'status lists the open alerts with their ids.' });
}

function notFound(r: Extract<TargetResolution, { found: 'none' }>): Reply {
  return { visibility: 'ephemeral', title: r.title, sections: [{ lines: [`${COMMAND} ${r.hint}`] }] };
}

/** The name matches several open alerts: which one? Each with the id that names it unambiguously. */
function whichOne(
  query: string,
  r: Extract<TargetResolution, { found: 'many' }>,
  nothing: string,
  usage: string,
): Reply {
  return {
    visibility: 'ephemeral',
    title: `"${query}" matches ${r.choices.length} open alerts: which one?`,
    sections: [
      {
        lines: r.choices
          .slice(0, 10)
          .map((c) => `[${c.alert.id}] ${c.label}: ${subjectOf(c.alert)}`)
          .concat(r.choices.length > 10 ? [`+${r.choices.length - 10} more`] : []),
      },
    ],
    footer: `Nothing was ${nothing}. ${usage}`,
  };
}

function targetText(target: AlertTarget): string {
  return target.type === 'alert' ? target.alertId : target.type === 'key' ? target.key : target.query;
}

export interface SilenceRequest {
  target: SilenceTarget;
  durationMs: number;
  duration: string;
  reason?: string;
}

/** What a silence will match, as the command named it, or the reply that asks which one was meant. */
type MatcherResolution = { matcher: SilenceMatcher; what: string; notes: string[] } | { reply: Reply };

async function resolveMatcher(ctx: CommandContext, target: SilenceTarget, usage: string): Promise<MatcherResolution> {
  if (target.type !== 'institution') {
    const r = await resolveAlertTarget(ctx.store, target);
    if (r.found === 'none') return { reply: notFound(r) };
    if (r.found === 'many') return { reply: whichOne(targetText(target), r, 'silenced', usage) };
    // By fingerprint, not id: if the same thing relapses as a new alert inside the window, it stays muted.
    return { matcher: { fingerprint: r.alert.fingerprint }, what: `[${r.alert.id}] ${subjectOf(r.alert)}`, notes: [] };
  }
  const query = target.query;
  const r = resolveInstitution(query, await loadInstitutionAlerts(ctx.store));
  if (r.found === 'many') {
    return {
      reply: {
        visibility: 'ephemeral',
        title: `"${query}" matches ${r.matches.length} institutions: which one?`,
        sections: [
          {
            lines: r.matches.slice(0, 10).map((m) => {
              const open = m.alerts.filter((a) => a.state === 'firing').map((a) => `[${a.id}]`);
              const now = open.length ? `open: ${open.slice(0, 5).join(' ')}` : 'nothing open';
              return `${institutionLabel(m.institution)} · ${m.institution.name} · ${now}`;
            }),
          },
        ],
        footer: `Nothing was silenced. ${usage}`,
      },
    };
  }
  if (r.found === 'one') {
    return {
      matcher: { institution: r.institution.name },
      what: `every alert about ${institutionLabel(r.institution)}`,
      notes: [],
    };
  }
  return {
    matcher: { institution: query },
    what: `every alert about an institution named "${query}"`,
    notes: [`No alert has named an institution like "${query}" yet: this matches one named exactly that.`],
  };
}

function openNowLine(open: Alert[]): string {
  const more = open.length > 10 ? ` (+${open.length - 10} more)` : '';
  return `Open now: ${orList(open.slice(0, 10).map((a) => `[${a.id}]`))}${more}.`;
}

export async function silenceReply(
  ctx: CommandContext,
  req: SilenceRequest,
  visibility: ReplyVisibility,
): Promise<Reply> {
  const resolved = await resolveMatcher(ctx, req.target, `${COMMAND} silence <Belvo name> ${req.duration}`);
  if ('reply' in resolved) return resolved.reply;
  const { matcher, what, notes } = resolved;

  const silence: Silence = {
    id: silenceId(await ctx.store.nextSequence('silence')),
    matcher,
    startsAt: ctx.now,
    endsAt: ctx.now + req.durationMs,
    createdBy: who(ctx.user),
    reason: req.reason ?? NO_REASON,
  };
  await ctx.store.addSilence(silence);

  const open = (await ctx.store.listAlerts({ states: ['firing'] })).filter((a) => silenceMatches(silence, a));
  await showOnMessages(ctx, open, silence);
  const lines = [
    `Silence ${silence.id} for ${req.duration} by ${silence.createdBy}: ${silence.reason}.`,
    'Messages and paging are muted; the alert state is still tracked.',
    ...notes,
  ];
  if (req.target.type === 'institution' && open.length) lines.push(openNowLine(open));
  return {
    visibility,
    title: `Silenced ${what} until ${isoUtc(silence.endsAt)}`,
    sections: [{ lines }],
    footer: `End it early: ${COMMAND} unsilence ${silence.id}`,
  };
}

export interface RecurringSilenceRequest {
  target: SilenceTarget;
  recurrence: SilenceRecurrence;
  reason?: string;
}

/** A silence that mutes in a weekly window on a local clock, until it is removed. */
export async function recurringSilenceReply(
  ctx: CommandContext,
  req: RecurringSilenceRequest,
  visibility: ReplyVisibility,
): Promise<Reply> {
  const every = describeRecurrence(req.recurrence);
  const resolved = await resolveMatcher(ctx, req.target, `${COMMAND} silence institution:<Belvo name> ${every}`);
  if ('reply' in resolved) return resolved.reply;
  const { matcher, what, notes } = resolved;

  const silence: Silence = {
    id: silenceId(await ctx.store.nextSequence('silence')),
    matcher,
    startsAt: ctx.now,
    endsAt: NO_END,
    createdBy: who(ctx.user),
    reason: req.reason ?? NO_REASON,
    recurrence: req.recurrence,
  };
  await ctx.store.addSilence(silence);

  const lines = [
    `Silence ${silence.id} by ${silence.createdBy}: ${silence.reason}.`,
    'Inside each window messages and paging are muted; the alert state is still tracked.',
    ...notes,
  ];
  const window = nextSilenceWindow(silence, ctx.now);
  if (window && window.start <= ctx.now) {
    const open = (await ctx.store.listAlerts({ states: ['firing'] })).filter((a) => silenceMatches(silence, a));
    await showOnMessages(ctx, open, silence);
    lines.push(`A window is open now, until ${isoUtc(window.end)}.`);
    if (open.length) lines.push(openNowLine(open));
  } else if (window) {
    lines.push(`Next window: ${isoUtc(window.start)} to ${isoUtc(window.end)}.`);
  }
  return {
    visibility,
    title: `Silenced ${what} ${every}`,
    sections: [{ lines }],
    footer: `Remove it: ${COMMAND} unsilence ${silence.id}`,
  };
}

/**
 * The open alerts' messages say they are silenced (or no longer). Best effort: the silence itself is stored
 * already, and an alert that changed meanwhile shows it at its next version instead.
 */
async function showOnMessages(ctx: CommandContext, alerts: Alert[], silence: Silence | undefined): Promise<void> {
  const notices = alerts.flatMap((a) => {
    const n = silenceNotice(a, silence, ctx.now);
    return n ? [n] : [];
  });
  if (notices.length === 0) return;
  try {
    await ctx.commitEvents(
      notices.map((n) => n.event),
      notices.map((n) => n.alert),
    );
  } catch (err) {
    if (!(err instanceof StoreConflictError)) throw err;
  }
}

export async function unsilenceReply(ctx: CommandContext, id: string, visibility: ReplyVisibility): Promise<Reply> {
  const silence = (await ctx.store.listSilences()).find((s) => s.id === id);
  if (!silence || !(await ctx.store.removeSilence(id))) {
    const fromConfig = id.startsWith('config:');
    return {
      visibility: 'ephemeral',
      title: fromConfig ? `Silence ${id} comes from the config file` : `No silence ${id}`,
      sections: [
        {
          lines: [
            fromConfig
              ? 'Remove it from the config file and restart the bot.'
              : 'Silence ids look like S4; they are given when a silence is set.',
          ],
        },
      ],
    };
  }
  const ended = silence.endsAt <= ctx.now;
  const every = silence.recurrence ? ` ${describeRecurrence(silence.recurrence)}` : '';
  const shown = (await ctx.store.listAlerts({ states: ['firing'] })).filter((a) => a.silenced?.id === id);
  await showOnMessages(ctx, shown, undefined);
  return {
    visibility,
    title: ended ? `Silence ${id} removed (it had already ended)` : `Silence ${id} ended`,
    sections: [
      {
        lines: [
          `It matched ${describeMatcher(silence.matcher)}${every}, set by ${silence.createdBy}: ${silence.reason}.`,
          ...(silence.recurrence
            ? []
            : [
                ended
                  ? `It ended at ${isoUtc(silence.endsAt)}.`
                  : `It would have lasted until ${isoUtc(silence.endsAt)}.`,
              ]),
        ],
      },
    ],
  };
}

/** A commit can lose a race with the engine writing the same alert; re-reading and trying again is safe. */
const ACK_ATTEMPTS = 3;

/** `ack` of whatever on-call has at hand: an alert id, a fingerprint, a PagerDuty dedup key, an institution. */
export async function ackTargetReply(
  ctx: CommandContext,
  target: AlertTarget,
  visibility: ReplyVisibility,
): Promise<Reply> {
  if (target.type === 'alert') return ackReply(ctx, target.alertId, visibility);
  const r = await resolveAlertTarget(ctx.store, target);
  if (r.found === 'none') return notFound(r);
  if (r.found === 'many') return whichOne(targetText(target), r, 'acknowledged', `${COMMAND} ack <alert id>`);
  return ackReply(ctx, r.alert.id, visibility);
}

export async function ackReply(ctx: CommandContext, alertId: string, visibility: ReplyVisibility): Promise<Reply> {
  const by = who(ctx.user);
  for (let attempt = 1; attempt <= ACK_ATTEMPTS; attempt++) {
    let stored = await ctx.store.getAlert(alertId);
    // Evidence of an institution incident: the incident is what pages and what its message shows, so it is acked.
    if (stored?.incidentId) stored = (await ctx.store.getAlert(stored.incidentId)) ?? stored;
    const result = acknowledge(stored, by, ctx.now);
    if (!result.ok) {
      if (result.code === 'unknown') return noAlert(alertId);
      return { visibility: 'ephemeral', title: `Not acknowledged: ${result.reason}`, sections: [] };
    }
    try {
      await ctx.commitEvents([result.event], [result.alert]);
    } catch (err) {
      if (err instanceof StoreConflictError && attempt < ACK_ATTEMPTS) continue;
      if (err instanceof StoreConflictError) {
        return {
          visibility: 'ephemeral',
          title: `Not acknowledged: ${alertId} kept changing while it was being acknowledged`,
          sections: [{ lines: ['Try again in a moment.'] }],
        };
      }
      throw err;
    }
    return acknowledged(result.alert, by, visibility);
  }
  // Unreachable: every iteration returns or continues, and the last one cannot continue.
  throw new Error('ack: no attempt left');
}

function acknowledged(alert: Alert, by: string, visibility: ReplyVisibility): Reply {
  return {
    visibility,
    title: `Acknowledged [${alert.id}] ${subjectOf(alert)}`,
    sections: [{ lines: [`Its messages will show it was acknowledged by ${by}.`] }],
  };
}
