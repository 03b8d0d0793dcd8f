import { describe, expect, it } from 'vitest';
import { GroupCommitter } from '../../../src/webhooks/group-commit.js';

function recorder(fail?: (batch: number[]) => boolean) {
  const batches: number[][] = [];
  const errors: number[] = [];
  const committer = new GroupCommitter<number, string>({
    maxBatch: 4,
    maxDelayMs: 2,
    write: async (batch) => {
      batches.push(batch);
      if (fail?.(batch)) throw new Error('disk full');
      return batch.map((n) => `ok ${n}`);
    },
    onError: (_err, size) => errors.push(size),
  });
  return { committer, batches, errors };
}

describe('group commit', () => {
  it('commits what arrives together in one write, and answers each caller with its own result', async () => {
    const { committer, batches } = recorder();
    const results = await Promise.all([1, 2, 3].map((n) => committer.submit(n)));
    expect(results).toEqual(['ok 1', 'ok 2', 'ok 3']);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('writes at once when the batch is full, the rest right after', async () => {
    const { committer, batches } = recorder();
    const results = await Promise.all([1, 2, 3, 4, 5, 6].map((n) => committer.submit(n)));
    expect(results).toHaveLength(6);
    expect(batches).toEqual([
      [1, 2, 3, 4],
      [5, 6],
    ]);
  });

  it('rejects every caller of a failed batch, reports it once, and keeps going', async () => {
    const { committer, batches, errors } = recorder((b) => b.includes(2));
    const first = await Promise.allSettled([1, 2, 3].map((n) => committer.submit(n)));
    expect(first.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(errors).toEqual([3]);
    expect(await committer.submit(7)).toBe('ok 7');
    expect(batches).toHaveLength(2);
  });

  it('drain commits what waits before the delay runs out', async () => {
    const { committer, batches } = recorder();
    const pending = committer.submit(1);
    expect(committer.pending).toBe(1);
    await committer.drain();
    expect(batches).toEqual([[1]]);
    expect(await pending).toBe('ok 1');
  });
});

describe('group commit without an added wait (maxDelayMs 0)', () => {
  function slowDisk() {
    const batches: number[][] = [];
    let release: (() => void) | undefined;
    const committer = new GroupCommitter<number, number>({
      maxBatch: 256,
      maxDelayMs: 0,
      write: async (batch) => {
        batches.push(batch);
        // The first write waits to be released, as a slow fsync would keep the next batch waiting.
        if (batches.length === 1) await new Promise<void>((r) => (release = r));
        return batch;
      },
    });
    return { committer, batches, release: () => release?.() };
  }

  it('commits what arrived in one turn of the event loop together, and what came during a write next', async () => {
    const { committer, batches, release } = slowDisk();
    const first = [1, 2, 3].map((n) => committer.submit(n));
    await new Promise((r) => setImmediate(r));
    expect(batches).toEqual([[1, 2, 3]]);
    const second = [4, 5].map((n) => committer.submit(n));
    await new Promise((r) => setImmediate(r));
    expect(batches).toHaveLength(1); // 4 and 5 wait for the write in progress
    release();
    expect(await Promise.all([...first, ...second])).toEqual([1, 2, 3, 4, 5]);
    expect(batches).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
  });
});
