export interface Thresholds {
  /** Consecutive bad observations before an alert fires. */
  fail: number;
  /** Consecutive good observations before it resolves... */
  ok: number;
  /** ...or this long without a bad observation (0 = off), whichever comes first. */
  holdDownMs: number;
}

export interface EngineConfig {
  thresholds: {
    /** For `observed` signals without a kind-specific entry. `source` signals follow the source's word. */
    default: Thresholds;
    byKind: Record<string, Partial<Thresholds>>;
  };
  flapping: {
    /** Flips (opened, resolved, reopened) counted within this window... */
    windowMs: number;
    /** ...from this many on, the alert is flapping: it stays open and settles after a quiet window. */
    flips: number;
  };
  /** Timeline entries kept per alert (newest kept). */
  timelineLimit: number;
  /** A moving figure (a count, a ratio) is shown by a quiet edit at most this often (engine/figures.ts). */
  figureEditMs: number;
}

// Defaults in the spirit of Gatus (2-3 failures to alert, 2 successes to resolve).
export const DEFAULT_ENGINE_CONFIG: EngineConfig = {
  thresholds: {
    default: { fail: 2, ok: 2, holdDownMs: 0 },
    byKind: {
      // A component's status is the page's own word: fire at once; resolve after two good polls so a page
      // flipping back and forth does not close and reopen the message.
      'statuspage.component': { fail: 1, ok: 2 },
      'source.health': { fail: 3, ok: 1 },
      // Spikes and error ratios state their own rule (a minimum count, both windows): one evaluation decides, so a
      // pushed webhook fires at once and recovery shows within one evaluation.
      'belvo.token_required-spike': { fail: 1, ok: 1 },
      'belvo.invalid-spike': { fail: 1, ok: 1 },
      'belvo.error-ratio.institution': { fail: 1, ok: 1 },
      'belvo.error-ratio.link': { fail: 1, ok: 1 },
      'belvo.error-ratio.belvo': { fail: 1, ok: 1 },
      'belvo.error-ratio.request': { fail: 1, ok: 1 },
      'belvo.error-ratio.timeout': { fail: 1, ok: 1 },
    },
  },
  flapping: { windowMs: 30 * 60_000, flips: 4 },
  timelineLimit: 50,
  figureEditMs: 2 * 60_000,
};

export function thresholdsFor(config: EngineConfig, kind: string): Thresholds {
  return { ...config.thresholds.default, ...config.thresholds.byKind[kind] };
}
