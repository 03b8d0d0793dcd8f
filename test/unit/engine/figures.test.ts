// The one rule for moving figures: a reply at a new step, a rate-limited quiet edit otherwise, nothing for a fall.
import { describe, expect, it } from 'vitest';
import type { FigureState } from '../../../src/domain/alert.js';
import type { Signal } from '../../../src/domain/signal.js';
import { DEFAULT_ENGINE_CONFIG } from '../../../src/engine/engine-config.js';
import { figureNews, figureStep } from '../../../src/engine/figures.js';
import { drive, MIN, summary } from './drive.js';

const shown = (value: number, announcedStep: number, shownAt = 0): FigureState => ({
  value,
  text: `${value}`,
  announcedStep,
  shownValue: value,
  shownAt,
});

describe('figure steps', () => {
  it.each<[number, number[] | undefined, number]>([
    [0, undefined, 0],
    [0.5, undefined, 0],
    [1, undefined, 1],
    [9, undefined, 1],
    [10, undefined, 2],
    [99, undefined, 2],
    [100, undefined, 3],
    [0.04, [0.05, 0.25, 0.5, 0.75], 0],
    [0.34, [0.05, 0.25, 0.5, 0.75], 2],
    [0.5, [0.05, 0.25, 0.5, 0.75], 3],
  ])('%s with steps %j is step %s', (value, steps, step) => {
    expect(figureStep({ value, ...(steps && { steps }) })).toBe(step);
  });
});

describe('what a moving figure is worth', () => {
  const EDIT = 2 * MIN;
  it.each<[string, FigureState, number, number, string]>([
    ['57 -> 60: a quiet edit', shown(57, 2), 60, 5 * MIN, 'edit'],
    ['57 -> 60 a minute after the last edit: not yet', shown(57, 2, 4 * MIN), 60, 5 * MIN, 'none'],
    ['57 -> 57: nothing', shown(57, 2), 57, 5 * MIN, 'none'],
    ['57 -> 120: the next order of magnitude is a reply', shown(57, 2, 4 * MIN), 120, 5 * MIN, 'step'],
    ['120 -> 80: falling is never news by itself', shown(120, 3), 80, 5 * MIN, 'edit'],
    ['80 -> 130 after a fall from 120: that step was announced already', shown(80, 3), 130, 5 * MIN, 'edit'],
  ])('%s', (_name, before, value, now, type) => {
    expect(figureNews(before, { value, text: `${value}` }, now, EDIT).type).toBe(type);
  });
});

/** A token_required count at an institution, as the spike detector reports it. */
const spike = (count: number, over: Partial<Signal> = {}): Signal => ({
  fingerprint: 'belvo/production/token_required-spike/erebor_mx_retail',
  kind: 'belvo.token_required-spike',
  source: 'belvo-production-links',
  lifecycle: 'observed',
  observation: 'bad',
  severity: 'major',
  title: 'Banco Erebor: spike of token_required links',
  status: 'spiking',
  figure: { value: count, text: `${count} in 1h` },
  ...over,
});

describe('a spike rising 10 -> 60 over 10 minutes, judged every 30 s', () => {
  const counts = Array.from({ length: 21 }, (_, i) => 10 + Math.round((50 * i) / 20));
  const run = drive(counts.map((n, i) => ({ at: i * 30_000, signal: spike(n) })));

  it('opens once, then only quiet edits, at most one per 2 minutes', () => {
    expect(run.events[0]?.type).toBe('opened');
    const later = run.events.slice(1);
    expect(later.every((e) => e.type === 'updated' && e.quiet)).toBe(true);
    expect(later.map((e) => e.at / 30_000)).toEqual([4, 8, 12, 16, 20]);
    expect(run.alert?.figure?.text).toBe('60 in 1h');
  });

  it('crossing into the next order of magnitude (9 -> 12) is a thread reply that says so', () => {
    const rising = drive([
      { at: 0, signal: spike(6) },
      { at: 30_000, signal: spike(9) },
      { at: 60_000, signal: spike(12) },
      { at: 90_000, signal: spike(14) },
    ]);
    expect(summary(rising)).toBe('opened@1 updated@2');
    expect(rising.events[1]?.reason).toBe('12 in 1h (was 9 in 1h)');
  });

  it('a spike that falls back and rises to the same step again is not announced twice', () => {
    const wobble = drive([
      { at: 0, signal: spike(40) },
      { at: MIN, signal: spike(120) },
      { at: 2 * MIN, signal: spike(90) },
      { at: 3 * MIN, signal: spike(150) },
    ]);
    // 120 is the reply; 150 two minutes later is only the next quiet edit.
    expect(summary(wobble)).toBe('opened@1 updated@2 updated(quiet)@3');
  });

  it('a new story after resolution starts its steps afresh', () => {
    const config = {
      ...DEFAULT_ENGINE_CONFIG,
      thresholds: { ...DEFAULT_ENGINE_CONFIG.thresholds, default: { fail: 1, ok: 1, holdDownMs: 0 } },
    };
    const relapse = drive(
      [
        { at: 0, signal: spike(150) },
        { at: MIN, signal: spike(3, { observation: 'ok', status: 'back to usual' }) },
        { at: 10 * MIN, signal: spike(12) },
        { at: 11 * MIN, signal: spike(150) },
      ],
      config,
    );
    expect(summary(relapse)).toBe('opened@1 resolved@2 reopened@3 updated@4');
  });
});
