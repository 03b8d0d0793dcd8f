import { describe, expect, it } from 'vitest';
import { WEBHOOK_DEDUP_HORIZON_MS, WebhookIdWindow } from './webhook-id-window.js';

const T0 = Date.UTC(2026, 11, 4, 12);
const hex = (n: number) => n.toString(16).padStart(32, '0'); // no leading zero in toString: padding keeps ids apart

describe('webhook id window', () => {
  it('finds an id it holds, with the second it was received, and nothing for an id it does not', () => {
    const window = new WebhookIdWindow();
    window.add('production', hex(1), T0 + 1234);
    expect(window.candidates('production', hex(1))).toEqual([T0 + 1000]);
    expect(window.candidates('production', hex(2))).toEqual([]);
    expect(window.candidates('sandbox', hex(1))).toEqual([]);
  });

  it('holds every id added within the horizon however many, growing its tables', () => {
    const window = new WebhookIdWindow(WEBHOOK_DEDUP_HORIZON_MS, 16);
    const before = window.bytes;
    for (let i = 0; i < 50_000; i++) window.add('production', hex(i), T0 + i);
    expect(window.size).toBe(50_000);
    expect(window.bytes).toBeGreaterThan(before);
    // 12 bytes a slot, at most four slots for three ids after growing: bounded per id.
    expect(window.bytes).toBeLessThanOrEqual(50_000 * 12 * 3);
    for (let i = 0; i < 50_000; i += 997) expect(window.candidates('production', hex(i))).toHaveLength(1);
    expect(window.candidates('production', hex(50_001))).toEqual([]);
  });

  it('drops ids older than the horizon when it needs room, and keeps the recent ones', () => {
    const horizon = 3600_000;
    const window = new WebhookIdWindow(horizon, 16);
    for (let i = 0; i < 1000; i++) window.add('production', hex(i), T0);
    // Two horizons later the old ids are dropped as room is made, and the table stops growing.
    const later = T0 + 2 * horizon;
    for (let i = 1000; i < 4000; i++) window.add('production', hex(i), later);
    expect(window.candidates('production', hex(5))).toEqual([]);
    expect(window.candidates('production', hex(3999))).toEqual([later]);
    expect(window.size).toBeLessThan(4000);
  });
});
