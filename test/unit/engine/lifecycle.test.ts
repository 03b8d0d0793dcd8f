import { describe, expect, it } from 'vitest';
import type { Observation } from '../../../src/domain/signal.js';
import { DEFAULT_ENGINE_CONFIG, type EngineConfig } from '../../../src/engine/engine-config.js';
import { componentSignal, drive, every, incidentSignal, MIN, summary } from './drive.js';

const obs = (list: string) => list.split(' ').map((c) => (c === 'B' ? 'bad' : 'ok') as Observation);

/** Thresholds fail 2 / ok 2 for a generic observed kind. */
const generic = (o: Observation) =>
  componentSignal({ kind: 'belvo.institution', fingerprint: 'belvo/production/institution/x/down', observation: o });

describe('thresholds (observed signals)', () => {
  it.each([
    ['one bad poll is not an alert', 'B O O', ''],
    ['two bad polls fire', 'B B', 'opened@1'],
    ['fires once, however long it stays bad', 'B B B B B B', 'opened@1'],
    ['one good poll does not resolve', 'B B O B', 'opened@1'],
    ['two good polls resolve', 'B B O O', 'opened@1 resolved@2'],
    ['good polls after resolution say nothing', 'B B O O O O', 'opened@1 resolved@2'],
    ['bad, good, bad is not two bad in a row', 'B O B O', ''],
  ])('%s', (_name, seq, expected) => {
    const run = drive(
      every(
        obs(seq).map((_, i) => i),
        (i) => generic(obs(seq)[i] ?? 'ok'),
      ),
    );
    expect(summary(run)).toBe(expected);
  });

  it('a pending alert that recovers is never announced and leaves no open alert', () => {
    const run = drive(every([0, 1], (i) => generic(i === 0 ? 'bad' : 'ok')));
    expect(run.events).toEqual([]);
    expect(run.alert?.state).toBe('resolved');
    expect(run.alert?.announced).toBe(false);
  });

  it('hold-down resolves after a quiet time even with fewer good polls than the threshold', () => {
    const config: EngineConfig = {
      ...DEFAULT_ENGINE_CONFIG,
      thresholds: { ...DEFAULT_ENGINE_CONFIG.thresholds, default: { fail: 2, ok: 5, holdDownMs: 3 * MIN } },
    };
    const run = drive(
      every([0, 1, 2, 6], (i) => generic(i < 2 ? 'bad' : 'ok')),
      config,
    );
    expect(summary(run)).toBe('opened@1 resolved@2');
    expect(run.events[1]?.reason).toMatch(/hold-down/);
  });

  it('a signal can carry its own fail threshold (a source configured with N failures)', () => {
    const s = (o: Observation) => ({ ...generic(o), thresholds: { fail: 3 } });
    expect(summary(drive(every([0, 1], () => s('bad'))))).toBe('');
    expect(summary(drive(every([0, 1, 2], () => s('bad'))))).toBe('opened@1');
  });

  it('says which rule fired, with its numbers', () => {
    const run = drive(every([0, 1], () => generic('bad')));
    expect(run.events[0]?.reason).toBe('2 consecutive bad observations (threshold 2)');
  });
});

describe('dedup and versions', () => {
  it('a known fingerprint updates the one alert; re-observing the same facts bumps nothing', () => {
    const run = drive(every([0, 1, 2, 3], () => componentSignal()));
    expect(run.alerts).toHaveLength(1);
    expect(summary(run)).toBe('opened@1');
    expect(run.alert?.version).toBe(1);
  });

  it('a steady firing alert is not rewritten on every poll, but a good observation is', async () => {
    const { applySignal } = await import('../../../src/engine/lifecycle.js');
    const ctx = { now: 0, config: DEFAULT_ENGINE_CONFIG, firstSight: false, newId: () => 'A1' };
    const opened = applySignal(undefined, componentSignal(), ctx).alert;
    const again = applySignal(opened, componentSignal(), { ...ctx, now: MIN });
    expect(again.alert).toBeUndefined();
    expect(again.event).toBeUndefined();
    const good = applySignal(opened, componentSignal({ observation: 'ok' }), { ...ctx, now: 2 * MIN });
    expect(good.alert?.counters).toEqual({ bad: 0, ok: 1 });
  });

  it('a severity change is meaningful, a title or evidence change without revision is not', () => {
    const run = drive([
      { at: 0, signal: componentSignal() },
      { at: MIN, signal: componentSignal({ title: 'Banco X (renamed)', evidence: { n: 3 } }) },
      { at: 2 * MIN, signal: componentSignal({ severity: 'critical', status: 'major_outage' }) },
    ]);
    expect(summary(run)).toBe('opened@1 updated@2');
    expect(run.events[1]?.reason).toBe('severity major -> critical');
  });

  it('a changed revision (a crossed threshold) is meaningful', () => {
    const run = drive([
      { at: 0, signal: componentSignal({ revision: 'r1' }) },
      { at: MIN, signal: componentSignal({ revision: 'r1' }) },
      { at: 2 * MIN, signal: componentSignal({ revision: 'r2' }) },
    ]);
    expect(summary(run)).toBe('opened@1 updated@2');
  });

  it('a resolved alert that comes back long after is a new alert, not the old one', () => {
    const steps = [
      ...every([0, 1, 2], (i) => componentSignal({ observation: i === 0 ? 'bad' : 'ok' })),
      { at: 120 * MIN, signal: componentSignal() },
    ];
    const run = drive(steps);
    expect(summary(run)).toBe('opened@1 resolved@2 opened@1');
    expect(run.alerts.map((a) => a.id)).toEqual(['A1', 'A2']);
  });
});

describe('status-page incidents (the source owns the lifecycle)', () => {
  const update = (id: string, status: string, at: number) => ({
    id,
    at,
    status,
    text: status,
    origin: 'source' as const,
  });

  it('an incident life: opened, one event per real update, resolved', () => {
    const u1 = update('u1', 'investigating', 0);
    const u2 = update('u2', 'identified', MIN);
    const u3 = update('u3', 'monitoring', 2 * MIN);
    const u4 = update('u4', 'resolved', 3 * MIN);
    const run = drive([
      { at: 0, signal: incidentSignal({ updates: [u1] }) },
      { at: 30_000, signal: incidentSignal({ updates: [u1] }) },
      { at: MIN, signal: incidentSignal({ status: 'identified', updates: [u2, u1] }) },
      { at: 2 * MIN, signal: incidentSignal({ status: 'monitoring', updates: [u3, u2, u1] }) },
      { at: 2.5 * MIN, signal: incidentSignal({ status: 'monitoring', updates: [u1, u2, u3] }) },
      { at: 3 * MIN, signal: incidentSignal({ observation: 'ok', status: 'resolved', updates: [u4, u3, u2, u1] }) },
      { at: 4 * MIN, signal: incidentSignal({ observation: 'ok', status: 'resolved', updates: [u4, u3, u2, u1] }) },
    ]);
    expect(summary(run)).toBe('opened@1 updated@2 updated@3 resolved@4');
    expect(run.alert?.timeline.filter((e) => e.origin === 'source').map((e) => e.id)).toEqual(['u1', 'u2', 'u3', 'u4']);
  });

  it('first sight records resolved history without posting it, and posts what is open now', () => {
    const resolved = drive([
      { at: 0, firstSight: true, signal: incidentSignal({ observation: 'ok', status: 'resolved' }) },
    ]);
    expect(resolved.events).toEqual([]);
    expect(resolved.alert?.state).toBe('resolved');
    const open = drive([{ at: 0, firstSight: true, signal: incidentSignal() }]);
    expect(summary(open)).toBe('opened@1');
  });

  it('after first sight, an incident first seen already resolved is reported once', () => {
    const run = drive([
      { at: 0, signal: incidentSignal({ observation: 'ok', status: 'resolved' }) },
      { at: MIN, signal: incidentSignal({ observation: 'ok', status: 'resolved' }) },
    ]);
    expect(summary(run)).toBe('resolved@1');
    expect(run.events[0]?.reason).toBe('resolved before the bot saw it');
  });

  it('a postmortem after resolution updates the same alert', () => {
    const u1 = update('u1', 'investigating', 0);
    const u2 = update('u2', 'resolved', MIN);
    const u3 = update('u3', 'postmortem', 60 * MIN);
    const run = drive([
      { at: 0, signal: incidentSignal({ updates: [u1] }) },
      { at: MIN, signal: incidentSignal({ observation: 'ok', status: 'resolved', updates: [u2, u1] }) },
      { at: 90 * MIN, signal: incidentSignal({ observation: 'ok', status: 'postmortem', updates: [u3, u2, u1] }) },
    ]);
    expect(summary(run)).toBe('opened@1 resolved@2 updated@3');
    expect(run.alerts).toHaveLength(1);
  });

  it('an incident reopened on the page reopens the same alert', () => {
    const run = drive([
      { at: 0, signal: incidentSignal() },
      { at: MIN, signal: incidentSignal({ observation: 'ok', status: 'resolved' }) },
      { at: 2 * MIN, signal: incidentSignal({ status: 'investigating' }) },
    ]);
    expect(summary(run)).toBe('opened@1 resolved@2 reopened@3');
    expect(run.alerts).toHaveLength(1);
  });
});

describe('flapping', () => {
  const flip = (i: number) => componentSignal({ observation: i % 3 === 0 ? 'bad' : 'ok' });

  it('a component flipping back and forth becomes one flapping alert, not a stream of messages', () => {
    // bad ok ok bad ok ok bad ok ok ... every minute for 20 minutes
    const run = drive(every([...Array(21).keys()], flip));
    expect(run.alerts).toHaveLength(1);
    expect(summary(run)).toBe('opened@1 resolved@2 reopened@3 flapping@4');
    expect(run.alert?.flapping).toBe(true);
    expect(run.alert?.state).toBe('firing');
  });

  it('a flapping alert resolves once it has been quiet for the window', () => {
    const steps = every([...Array(12).keys()], flip);
    const quiet = every([13, 20, 30, 43, 44], () => componentSignal({ observation: 'ok' }));
    const run = drive([...steps, ...quiet]);
    expect(summary(run)).toBe('opened@1 resolved@2 reopened@3 flapping@4 resolved@5');
    expect(run.alert?.flapping).toBe(false);
    expect(run.events[4]?.reason).toMatch(/stable for \d+m after flapping/);
  });

  it('a flapping alert that settles bad says it stopped flapping and stays open', () => {
    const steps = every([...Array(12).keys()], flip);
    const bad = every([12, 20, 30, 42, 43], () => componentSignal({ observation: 'bad' }));
    const run = drive([...steps, ...bad]);
    expect(summary(run)).toBe('opened@1 resolved@2 reopened@3 flapping@4 updated@5');
    expect(run.events[4]?.reason).toMatch(/stopped flapping, still failing/);
    expect(run.alert?.state).toBe('firing');
  });
});

describe('maintenance', () => {
  const maint = { id: 'm1', title: 'Banco X maintenance', until: 60 * MIN };

  it('an open alert entering a maintenance says so once, and is marked no-page', () => {
    const run = drive([
      { at: 0, signal: componentSignal() },
      { at: MIN, signal: componentSignal({ maintenance: maint }) },
      { at: 2 * MIN, signal: componentSignal({ maintenance: maint, severity: 'critical' }) },
    ]);
    expect(summary(run)).toBe('opened@1 updated@2');
    expect(run.events[1]?.noPage).toBe(true);
    expect(run.events[1]?.reason).toMatch(/under maintenance/);
  });

  it('a problem that starts and ends inside the window is never announced', () => {
    const run = drive([
      { at: 0, signal: componentSignal({ maintenance: maint }) },
      { at: MIN, signal: componentSignal({ maintenance: maint, observation: 'ok', status: 'operational' }) },
      { at: 2 * MIN, signal: componentSignal({ maintenance: maint, observation: 'ok', status: 'operational' }) },
      { at: 70 * MIN, signal: componentSignal({ observation: 'ok', status: 'operational' }) },
    ]);
    expect(run.events).toEqual([]);
  });

  it('a problem still there when the window ends is announced then', () => {
    const run = drive([
      { at: 0, signal: componentSignal({ maintenance: maint }) },
      { at: 30 * MIN, signal: componentSignal({ maintenance: maint }) },
      { at: 61 * MIN, signal: componentSignal() },
    ]);
    expect(summary(run)).toBe('opened@1');
    expect(run.events[0]?.reason).toBe('still failing after Banco X maintenance');
    expect(run.events[0]?.noPage).toBe(false);
  });

  it('an alert open before and unchanged after the window gets only a quiet edit', () => {
    const run = drive([
      { at: 0, signal: componentSignal() },
      { at: MIN, signal: componentSignal({ maintenance: maint }) },
      { at: 61 * MIN, signal: componentSignal() },
    ]);
    expect(summary(run)).toBe('opened@1 updated@2 updated(quiet)@3');
  });

  it('an alert open before the window and fixed during it is reported resolved when it ends', () => {
    const run = drive([
      { at: 0, signal: componentSignal() },
      { at: MIN, signal: componentSignal({ maintenance: maint }) },
      { at: 2 * MIN, signal: componentSignal({ maintenance: maint, observation: 'ok' }) },
      { at: 3 * MIN, signal: componentSignal({ maintenance: maint, observation: 'ok' }) },
      { at: 61 * MIN, signal: componentSignal({ observation: 'ok' }) },
    ]);
    expect(summary(run)).toBe('opened@1 updated@2 resolved@3');
  });
});

describe('edge cases found in review', () => {
  const maint = { id: 'm1', title: 'Core upgrade', until: 90 * MIN };
  const update = (i: number) => ({
    id: `u${i}`,
    at: i * 1000,
    status: 'identified',
    text: `update ${i}`,
    origin: 'source' as const,
  });

  it('an alert resolved just before a maintenance is not resolved a second time when the window ends', () => {
    const run = drive([
      { at: 0, signal: componentSignal() },
      { at: MIN, signal: componentSignal({ observation: 'ok', status: 'operational' }) },
      { at: 2 * MIN, signal: componentSignal({ observation: 'ok', status: 'operational' }) },
      { at: 5 * MIN, signal: componentSignal({ observation: 'ok', status: 'under_maintenance', maintenance: maint }) },
      { at: 60 * MIN, signal: componentSignal({ observation: 'ok', status: 'under_maintenance', maintenance: maint }) },
      { at: 95 * MIN, signal: componentSignal({ observation: 'ok', status: 'operational' }) },
    ]);
    expect(summary(run)).toBe('opened@1 resolved@2');
  });

  it('relapsing inside a window after being resolved is announced as a relapse when the window ends', () => {
    const run = drive([
      { at: 0, signal: componentSignal() },
      { at: MIN, signal: componentSignal({ observation: 'ok' }) },
      { at: 2 * MIN, signal: componentSignal({ observation: 'ok' }) },
      { at: 5 * MIN, signal: componentSignal({ maintenance: maint }) },
      { at: 95 * MIN, signal: componentSignal() },
    ]);
    expect(summary(run)).toBe('opened@1 resolved@2 reopened@3');
    expect(run.events[2]?.reason).toBe('failing again after Core upgrade');
  });

  it('a flapping alert that gets worse says so at once', () => {
    const flip = (i: number) =>
      componentSignal({ observation: i % 3 === 0 ? 'bad' : 'ok', severity: 'minor', status: 'degraded_performance' });
    const steps = every([...Array(8).keys()], flip);
    const worse = every([8, 9, 10], () => componentSignal({ severity: 'critical', status: 'major_outage' }));
    const run = drive([...steps, ...worse]);
    expect(summary(run)).toBe('opened@1 resolved@2 reopened@3 flapping@4 updated@5');
    expect(run.events[4]?.reason).toBe('worse while flapping: minor -> critical');
  });

  it("an incident reopened and resolved many times follows the page's word, never flapping", () => {
    const steps = [...Array(8).keys()].map((i) => ({
      at: i * MIN,
      signal: incidentSignal(i % 2 === 0 ? {} : { observation: 'ok', status: 'resolved' }),
    }));
    const run = drive(steps);
    expect(summary(run)).toBe('opened@1 resolved@2 reopened@3 resolved@4 reopened@5 resolved@6 reopened@7 resolved@8');
    expect(run.alert?.flapping).toBe(false);
  });

  it('a long incident announces every one of its updates exactly once, past the timeline limit', () => {
    const steps = [...Array(70).keys()].map((i) => ({
      at: i * MIN,
      signal: incidentSignal({ status: 'identified', updates: [...Array(i + 1).keys()].map(update) }),
    }));
    // And a few polls with nothing new.
    const all = [...Array(70).keys()].map(update);
    steps.push({ at: 71 * MIN, signal: incidentSignal({ status: 'identified', updates: all }) });
    steps.push({ at: 72 * MIN, signal: incidentSignal({ status: 'identified', updates: all }) });
    const run = drive(steps);
    expect(run.events).toHaveLength(70);
    expect(run.events.slice(1).every((e) => e.type === 'updated' && e.reason === 'new update from the source')).toBe(
      true,
    );
    const kept = run.alert?.timeline.filter((e) => e.origin === 'source') ?? [];
    expect(kept).toHaveLength(DEFAULT_ENGINE_CONFIG.timelineLimit);
    expect(kept.at(-1)?.id).toBe('u69');
  });

  it('a clock stepping back does not make an alert flap', () => {
    const run = drive([
      { at: 60 * MIN, signal: componentSignal() },
      { at: 0, signal: componentSignal({ observation: 'ok' }) },
      { at: MIN, signal: componentSignal({ observation: 'ok' }) },
      { at: 2 * MIN, signal: componentSignal() },
      { at: 3 * MIN, signal: componentSignal({ observation: 'ok' }) },
      { at: 4 * MIN, signal: componentSignal({ observation: 'ok' }) },
    ]);
    expect(summary(run)).toBe('opened@1 resolved@2 reopened@3 resolved@4');
  });
});

describe("the bot's own 'cannot be read'", () => {
  const health = (o: Observation) =>
    componentSignal({
      fingerprint: 'bot/source/api/unreachable',
      kind: 'source.health',
      title: 'Belvo API cannot be read',
      status: o === 'bad' ? 'unreachable' : 'reachable',
      severity: 'minor',
      observation: o,
      thresholds: { fail: 3, ok: 1 },
    });

  it('resolves as soon as the page reads again, however many short outages came before: never held as flapping', () => {
    // Three outages of three failed polls each, a success between them, all within the flapping window.
    const seq = 'B B B O B B B O B B B O'.split(' ');
    const run = drive(seq.map((c, i) => ({ at: i * 10_000, signal: health(c === 'B' ? 'bad' : 'ok') })));
    expect(summary(run)).toBe('opened@1 resolved@2 reopened@3 resolved@4 reopened@5 resolved@6');
    expect(run.alert?.state).toBe('resolved');
    expect(run.alert?.flapping).toBe(false);
  });
});
