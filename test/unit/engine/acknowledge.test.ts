import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../src/domain/alert.js';
import { acknowledge } from '../../../src/engine/acknowledge.js';
import { makeAlert, T0 } from '../../contract/alert-factory.js';

const NOW = T0 + 600_000;

/** A firing, announced alert nobody has acknowledged yet. */
function firing(over: Partial<Alert> = {}): Alert {
  return makeAlert({
    id: 'A12',
    state: 'firing',
    version: 3,
    announced: true,
    acknowledged: undefined,
    maintenance: undefined,
    resolvedAt: undefined,
    rev: 7,
    ...over,
  });
}

describe('acknowledge', () => {
  it('records who and when, bumps the version and emits an updated event that never pages', () => {
    const before = firing();
    const snapshot = structuredClone(before);
    const result = acknowledge(before, 'ana', NOW);
    if (!result.ok) throw new Error(result.reason);

    expect(result.alert.acknowledged).toEqual({ by: 'ana', at: NOW });
    expect(result.alert.version).toBe(4);
    // The store's revision is the one read: a concurrent engine write makes the commit fail instead of losing it.
    expect(result.alert.rev).toBe(7);
    expect(result.alert.timeline.at(-1)).toEqual({
      id: 'engine:4',
      at: NOW,
      status: 'acknowledged',
      text: 'acknowledged by ana',
      origin: 'engine',
    });
    expect(result.event).toMatchObject({
      type: 'updated',
      version: 4,
      at: NOW,
      reason: 'acknowledged by ana',
      quiet: false,
      noPage: true,
    });
    expect(result.event.alert).toEqual(result.alert);
    expect(result.event.alert).not.toBe(result.alert);
    // Pure: the alert passed in is untouched.
    expect(before).toEqual(snapshot);
  });

  it('keeps everything else as it was (state, severity, evidence, maintenance)', () => {
    const inWindow = firing({ maintenance: makeAlert({ id: 'x' }).maintenance });
    const result = acknowledge(inWindow, 'U042', NOW);
    if (!result.ok) throw new Error(result.reason);
    const { acknowledged: _a, version: _v, timeline: _t, ...rest } = result.alert;
    const { acknowledged: _b, version: _w, timeline: _u, ...was } = inWindow;
    expect(rest).toEqual(was);
  });

  it.each<[string, Alert | undefined, string, string]>([
    ['an unknown id', undefined, 'unknown', 'no such alert'],
    ['a resolved alert', firing({ state: 'resolved', resolvedAt: T0 }), 'resolved', 'A12 is already resolved'],
    ['a pending alert', firing({ state: 'pending', version: 0, announced: false }), 'pending', 'A12 has not fired yet'],
    [
      'an acknowledged alert',
      firing({ acknowledged: { by: 'bob', at: T0 } }),
      'already_acknowledged',
      'A12 was already acknowledged by bob at 2025-01-15T12:00:00Z',
    ],
  ])('refuses %s with a reason', (_name, alert, code, reason) => {
    expect(acknowledge(alert, 'ana', NOW)).toEqual({ ok: false, code, reason });
  });
});
