// What of a moving figure is news. A count of token_required links or an error ratio moves on every evaluation while
// its alert fires; a thread reply (and a page) for each move would drown the channel. The rule, written once:
// - entering a higher step than any announced while open is news (a reply): the next order of magnitude by default
//   (1, 10, 100...), or a threshold the detector names (a quarter, half of the calls failing);
// - anything else is a quiet edit of the message, at most one per `editEveryMs`, so it shows the current figure;
// - a figure falling back is never news by itself: recovery is the alert resolving. Pure.
import type { FigureState } from '../domain/alert.js';
import type { Figure } from '../domain/signal.js';

/** How many step boundaries the value has reached (decades when the figure names none). */
export function figureStep(f: Pick<Figure, 'value' | 'steps'>): number {
  if (f.steps) return f.steps.filter((b) => f.value >= b).length;
  return f.value >= 1 ? Math.floor(Math.log10(f.value)) + 1 : 0;
}

export type FigureNews =
  | { type: 'step'; reason: string }
  | { type: 'edit'; reason: string }
  | { type: 'none'; reason: string };

/** What the move from what the message shows (`shown`) to `next` is worth, at `now`. */
export function figureNews(
  shown: FigureState | undefined,
  next: Figure | undefined,
  now: number,
  editEveryMs: number,
): FigureNews {
  if (!next || !shown) return { type: 'none', reason: 'no figure' };
  const step = figureStep(next);
  if (step > shown.announcedStep) return { type: 'step', reason: `${next.text} (was ${shown.text})` };
  if (next.value === shown.shownValue) return { type: 'none', reason: 'figure unchanged' };
  if (now - shown.shownAt < editEveryMs) return { type: 'none', reason: 'figure moved; the next edit shows it' };
  return { type: 'edit', reason: `now ${next.text}` };
}

/** The figure state after an event went out: `announced` for a thread reply (or the opening), else a quiet edit. */
export function figureShown(
  previous: FigureState | undefined,
  next: Figure,
  now: number,
  announced: boolean,
): FigureState {
  const step = figureStep(next);
  return {
    ...next,
    announcedStep: announced ? Math.max(step, previous?.announcedStep ?? 0) : (previous?.announcedStep ?? step),
    shownValue: next.value,
    shownAt: now,
  };
}
