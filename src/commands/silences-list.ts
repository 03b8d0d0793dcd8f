// `silences`: what is muted, until when, and when the weekly ones mute next. Also a section of `subscriptions`, so
// the channel's picture of what it hears includes what it will not hear.
import { describeRecurrence, nextSilenceWindow, type Silence } from '../domain/silence.js';
import { capLines, describeMatcher, shortUtc } from './format.js';
import type { CommandContext } from './handlers.js';
import type { Reply, ReplyVisibility } from './reply.js';
import { COMMAND } from './usage.js';

const MAX_LINES = 20;

/** `S4: institution erebor_mx_retail · every Sun 02:00-04:00 America/Sao_Paulo · next 2026-03-01 05:00 UTC · by ana: …` */
export function silenceLine(s: Silence, now: number): string {
  const window = nextSilenceWindow(s, now);
  const when = !window
    ? 'over'
    : window.start <= now
      ? `muting now, until ${shortUtc(window.end)}`
      : `next ${shortUtc(window.start)} to ${shortUtc(window.end)}`;
  const parts = [`${s.id}: ${describeMatcher(s.matcher)}`];
  if (s.recurrence) parts.push(describeRecurrence(s.recurrence));
  parts.push(when, `by ${s.createdBy}: ${s.reason}`);
  return parts.join(' · ');
}

/** Live silences, the ones muting now first, then by their next window. */
export async function liveSilences(ctx: CommandContext): Promise<Silence[]> {
  const next = (s: Silence) => nextSilenceWindow(s, ctx.now)?.start ?? Number.MAX_SAFE_INTEGER;
  return (await ctx.store.listSilences(ctx.now)).sort((a, b) => next(a) - next(b) || a.id.localeCompare(b.id));
}

export async function silencesReply(ctx: CommandContext, visibility: ReplyVisibility): Promise<Reply> {
  const silences = await liveSilences(ctx);
  const footer = 'Silences from the config file are not listed here.';
  if (silences.length === 0) {
    return {
      visibility,
      title: 'No silence set in chat',
      sections: [{ lines: [`Mute an alert or an institution with ${COMMAND} silence (${COMMAND} help).`] }],
      footer,
    };
  }
  return {
    visibility,
    title: `Silences (${silences.length})`,
    sections: [
      {
        lines: capLines(
          silences.map((s) => silenceLine(s, ctx.now)),
          MAX_LINES,
        ),
      },
    ],
    footer: `${footer} End one: ${COMMAND} unsilence <id>`,
  };
}
