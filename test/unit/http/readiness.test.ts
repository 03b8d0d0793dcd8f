import { describe, expect, it } from 'vitest';
import { createReadiness, type ReadinessDeps } from '../../../src/http/readiness.js';

function deps(over: Partial<ReadinessDeps> = {}): ReadinessDeps {
  return {
    polls: { scheduled: () => 5, expected: () => 5 },
    storeOpen: () => true,
    probeWrite: async () => {},
    storagePath: ':memory:',
    minFreeBytes: 0,
    ...over,
  };
}

describe('readiness', () => {
  it('ready when every poll is scheduled and the store writes', async () => {
    expect(await createReadiness(deps())()).toEqual({
      ready: true,
      checks: { store: true, sources: true, storageWritable: true, storageSpace: true },
      problems: [],
    });
  });

  it("shows the chat connections' state without judging readiness on it", async () => {
    const report = await createReadiness(deps({ connections: () => ({ 'discord-gateway': 'reconnecting' }) }))();
    expect(report).toMatchObject({ ready: true, problems: [], connections: { 'discord-gateway': 'reconnecting' } });
    expect(await createReadiness(deps({ connections: () => ({}) }))()).not.toHaveProperty('connections');
  });

  it('not ready while the polls are not all scheduled (stopping, or not yet started)', async () => {
    const report = await createReadiness(deps({ polls: { scheduled: () => 0, expected: () => 5 } }))();
    expect(report).toMatchObject({ ready: false, checks: { sources: false }, problems: ['0 of 5 polls scheduled'] });
  });

  it('not ready when the store cannot write (a full disk), and ready again once it can', async () => {
    let full = true;
    let now = 0;
    const ready = createReadiness(
      deps({
        now: () => now,
        probeWrite: async () => {
          if (full) throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
        },
      }),
    );
    expect(await ready()).toMatchObject({
      ready: false,
      checks: { storageWritable: false },
      problems: ['the store cannot write (SQLITE_FULL)'],
    });
    full = false;
    now += 1000;
    expect((await ready()).ready).toBe(false); // the probe's answer holds for a few seconds
    now += 5000;
    expect((await ready()).ready).toBe(true);
  });
});
