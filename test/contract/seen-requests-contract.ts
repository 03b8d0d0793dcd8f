// Contract of SeenRequests: every implementation (the store's, the in-memory one) passes it.
import { describe, expect, it } from 'vitest';
import type { SeenRequests } from '../../src/ports/seen-requests.js';

const T0 = 1_750_000_000_000;
const WINDOW = 600_000;

export function describeSeenRequestsContract(seen: () => SeenRequests): void {
  describe('seen requests', () => {
    it('a key is new once, and refused while it is remembered', async () => {
      const s = seen();
      expect(await s.firstSeen('slack:v0=abc', T0 + WINDOW, T0)).toBe(true);
      expect(await s.firstSeen('slack:v0=abc', T0 + WINDOW, T0 + 1)).toBe(false);
      expect(await s.firstSeen('slack:v0=abc', T0 + WINDOW, T0 + WINDOW - 1)).toBe(false);
    });

    it('keys are apart from one another', async () => {
      const s = seen();
      expect(await s.firstSeen('slack:a', T0 + WINDOW, T0)).toBe(true);
      expect(await s.firstSeen('discord:a', T0 + WINDOW, T0)).toBe(true);
      expect(await s.firstSeen('slack:b', T0 + WINDOW, T0)).toBe(true);
      expect(await s.firstSeen('discord:a', T0 + WINDOW, T0)).toBe(false);
    });

    it('a key whose time has passed is new again, and remembered again from then', async () => {
      const s = seen();
      expect(await s.firstSeen('k', T0 + WINDOW, T0)).toBe(true);
      expect(await s.firstSeen('k', T0 + 2 * WINDOW, T0 + WINDOW)).toBe(true);
      expect(await s.firstSeen('k', T0 + 2 * WINDOW, T0 + WINDOW + 1)).toBe(false);
    });

    it('offered many times at once, a key is new for exactly one caller', async () => {
      const s = seen();
      const answers = await Promise.all(Array.from({ length: 10 }, () => s.firstSeen('same', T0 + WINDOW, T0)));
      expect(answers.filter(Boolean)).toHaveLength(1);
    });
  });
}
