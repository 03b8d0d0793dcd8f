import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PollScheduler } from '../../../src/poll/scheduler.js';
import { silentLogger } from '../../../src/ports/logger.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function target(id: string, durationMs = 0) {
  const t = {
    id,
    starts: [] as number[],
    running: 0,
    maxConcurrent: 0,
    async poll() {
      t.starts.push(Date.now());
      t.running++;
      t.maxConcurrent = Math.max(t.maxConcurrent, t.running);
      await sleep(durationMs);
      t.running--;
    },
  };
  return t;
}

// The test's own clock: on a loaded machine real timers run late and would blur what is measured.
const advance = (ms: number) => vi.advanceTimersByTimeAsync(ms);

describe('poll scheduler', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('polls each source on its interval, never two polls of one source at once', async () => {
    const fast = target('fast', 5);
    const slow = target('slow', 120);
    const s = new PollScheduler(
      [
        { target: fast, intervalMs: 40, jitter: 0 },
        { target: slow, intervalMs: 40, jitter: 0 },
      ],
      silentLogger,
      () => 0,
    );
    s.start();
    expect(s.scheduled).toBe(2);
    await advance(420);
    const stopped = s.stop(); // waits for the slow poll running, on the test's clock
    await advance(200);
    await stopped;
    expect(s.scheduled).toBe(0);
    // ~10 at 40 ms.
    expect(fast.starts.length).toBeGreaterThanOrEqual(4);
    expect(fast.starts.length).toBeLessThanOrEqual(12);
    expect(slow.maxConcurrent).toBe(1);
    expect(slow.starts.length).toBeLessThanOrEqual(4);
    const after = fast.starts.length;
    await advance(100);
    expect(fast.starts.length).toBe(after); // stopped means stopped
  });

  it('jitter spreads the interval by the configured fraction either way', async () => {
    const t = target('t');
    let i = 0;
    const randoms = [0, 0, 1, 0, 1]; // first poll at once, then -50%, +50%, -50%, +50%
    const s = new PollScheduler([{ target: t, intervalMs: 100, jitter: 0.5 }], silentLogger, () => randoms[i++] ?? 0.5);
    s.start();
    await advance(420);
    await s.stop();
    const gaps = t.starts.slice(1).map((at, k) => at - (t.starts[k] ?? 0));
    expect(gaps.slice(0, 4)).toEqual([50, 150, 50, 150]);
  });

  it('pollNow runs a poll at once, or right after the one running, and only once', async () => {
    const t = target('t', 60);
    const s = new PollScheduler([{ target: t, intervalMs: 60_000, jitter: 0 }], silentLogger, () => 0);
    s.start();
    await advance(10); // first poll running
    expect(s.pollNow('t')).toBe(true);
    expect(s.pollNow('t')).toBe(true);
    await advance(200);
    expect(t.starts).toHaveLength(2);
    expect(s.pollNow('unknown')).toBe(false);
    await s.stop();
  });

  it('a poll that throws is logged and the source keeps being polled', async () => {
    let calls = 0;
    const errors: unknown[] = [];
    const logger = { ...silentLogger, error: (obj: object) => errors.push(obj), child: () => logger };
    const s = new PollScheduler(
      [
        {
          target: {
            id: 'x',
            poll: async () => {
              calls++;
              throw new Error('store is gone');
            },
          },
          intervalMs: 30,
          jitter: 0,
        },
      ],
      logger,
      () => 0,
    );
    s.start();
    await advance(150);
    await s.stop();
    expect(calls).toBeGreaterThanOrEqual(3);
    expect(errors.length).toBe(calls);
  });

  it('a source that asked to be left alone (Retry-After) is not polled sooner, not even by a push', async () => {
    const starts: number[] = [];
    const s = new PollScheduler(
      [
        {
          target: {
            id: 'limited',
            poll: async () => {
              starts.push(Date.now());
              return { notBeforeMs: 250 };
            },
          },
          intervalMs: 20,
          jitter: 0,
        },
      ],
      silentLogger,
      () => 0,
    );
    s.start();
    await advance(30);
    s.pollNow('limited');
    await advance(200); // 230 ms after the first poll, which asked for 250
    expect(starts).toHaveLength(1);
    await advance(30);
    expect(starts).toHaveLength(2);
    await s.stop();
  });
});
