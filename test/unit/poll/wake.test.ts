import { describe, expect, it } from 'vitest';
import { OneAtATime, Wakeable } from '../../../src/poll/wake.js';

/** A promise the test settles by hand: runs end when the test says, not after some time. */
function deferred(): { promise: Promise<void>; resolve: () => void; reject: (err: unknown) => void } {
  let resolve!: () => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every pending promise callback run (a macrotask comes after all microtasks). */
const settled = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('Wakeable', () => {
  it('runs at once when woken, never two at a time, and a burst of wakes during a run is exactly one more run', async () => {
    const runs: ReturnType<typeof deferred>[] = [];
    let concurrent = 0;
    let most = 0;
    const w = new Wakeable(
      async () => {
        concurrent++;
        most = Math.max(most, concurrent);
        const d = deferred();
        runs.push(d);
        await d.promise;
        concurrent--;
      },
      () => {},
    );

    w.wake();
    expect(runs).toHaveLength(1); // started without waiting for a timer
    for (let i = 0; i < 5; i++) w.wake();
    expect(runs).toHaveLength(1);
    runs[0]?.resolve();
    await settled();
    expect(runs).toHaveLength(2); // the five wakes: one more run
    runs[1]?.resolve();
    await w.idle();
    expect(runs).toHaveLength(2);
    expect(most).toBe(1);

    w.wake(); // idle again: a new wake runs again
    expect(runs).toHaveLength(3);
    runs[2]?.resolve();
    await w.idle();
  });

  it('a failing run is reported and does not stop the next wake', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const w = new Wakeable(
      async () => {
        calls++;
        if (calls === 1) throw new Error('store busy');
      },
      (err) => errors.push(err),
    );
    w.wake();
    await w.idle();
    w.wake();
    await w.idle();
    expect(calls).toBe(2);
    expect(errors.map((e) => (e as Error).message)).toEqual(['store busy']);
  });
});

describe('OneAtATime', () => {
  it('runs tasks one after the other in call order, a failure not blocking the next', async () => {
    const turns = new OneAtATime();
    const log: string[] = [];
    const first = deferred();
    const a = turns.run(async () => {
      log.push('a start');
      await first.promise;
      log.push('a end');
      throw new Error('a failed');
    });
    const b = turns.run(async () => {
      log.push('b');
      return 2;
    });
    await settled();
    expect(log).toEqual(['a start']);
    first.resolve();
    await expect(a).rejects.toThrow('a failed');
    expect(await b).toBe(2);
    expect(log).toEqual(['a start', 'a end', 'b']);
  });
});
