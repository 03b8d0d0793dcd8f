import { describe, expect, it } from 'vitest';
import { TokenBucket } from './pace.js';

describe('TokenBucket', () => {
  it('lets a burst through, then spaces calls at the sustained rate', async () => {
    let now = 0;
    const bucket = new TokenBucket({ requests: 40, perMs: 30_000 }, () => now);
    for (let i = 0; i < 20; i++) await bucket.take(); // default burst: half of 40
    expect(bucket.waitMs()).toBe(750);
    now += 750;
    expect(bucket.waitMs()).toBe(0);
  });

  it('never allows more than burst + requests calls in one window (60 of Belvo 80 by default)', () => {
    let now = 0;
    const bucket = new TokenBucket({ requests: 40, perMs: 30_000 }, () => now);
    let sent = 0;
    for (now = 0; now < 30_000; now += 10) {
      while (bucket.waitMs() === 0) {
        void bucket.take();
        sent++;
      }
    }
    expect(sent).toBeLessThanOrEqual(60);
    expect(sent).toBeGreaterThanOrEqual(59);
  });

  it('after holdFor, nothing until the hold ends, then it refills from empty', async () => {
    let now = 0;
    const bucket = new TokenBucket({ requests: 10, perMs: 1000, burst: 10 }, () => now);
    bucket.holdFor(5000);
    expect(bucket.waitMs()).toBe(5000);
    now = 5000;
    expect(bucket.waitMs()).toBe(0);
    await bucket.take();
    expect(bucket.waitMs()).toBe(100);
  });

  it('a wait rejects with the abort reason', async () => {
    const bucket = new TokenBucket({ requests: 1, perMs: 60_000, burst: 1 });
    await bucket.take();
    const controller = new AbortController();
    const waiting = bucket.take(controller.signal);
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
  });
});
