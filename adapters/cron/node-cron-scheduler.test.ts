import { describe, expect, it } from 'vitest';
import { createNodeCronScheduler, cronProblem } from './node-cron-scheduler.js';

const HOUR = 3_600_000;

describe('node-cron schedules', () => {
  const cron = createNodeCronScheduler();

  it('reads the cron on the clock of its time zone, DST included', () => {
    // Friday 4 December 2026, 09:00 in Mexico City (UTC-6) is 15:00 UTC.
    const nineInMexico = Date.UTC(2026, 11, 4, 15, 0);
    expect(cron.lastSlot('0 9 * * 1-5', 'America/Mexico_City', nineInMexico + 30 * 60_000, HOUR)).toBe(nineInMexico);
    expect(cron.lastSlot('0 9 * * 1-5', 'UTC', nineInMexico + 30 * 60_000, HOUR)).toBeUndefined();
    // Saturday: not a weekday.
    expect(cron.lastSlot('0 9 * * 1-5', 'America/Mexico_City', nineInMexico + 24 * HOUR + 60_000, HOUR)).toBe(
      undefined,
    );
    // New York in July is UTC-4: 09:00 there is 13:00 UTC.
    expect(cron.lastSlot('0 9 * * *', 'America/New_York', Date.UTC(2026, 6, 1, 13, 59), HOUR)).toBe(
      Date.UTC(2026, 6, 1, 13, 0),
    );
  });

  it('looks back no further than it is told', () => {
    const slot = Date.UTC(2026, 11, 4, 9, 0);
    expect(cron.lastSlot('0 9 * * *', 'UTC', slot + HOUR - 60_000, HOUR - 1)).toBe(slot);
    expect(cron.lastSlot('0 9 * * *', 'UTC', slot + HOUR, HOUR - 1)).toBeUndefined();
    expect(cron.lastSlot('0 9 * * *', 'UTC', slot, 0)).toBe(slot);
  });

  it('a cron expression it would not run is refused, naming what is wrong', () => {
    expect(cronProblem('0 9 * * 1-5')).toBeUndefined();
    expect(cronProblem('0 25 * * *')).toMatch(/hour/);
    expect(cronProblem('0 9 * *')).toMatch(/4 fields: a report's cron has five/);
    expect(cronProblem('0 0 9 * * 1-5')).toMatch(/6 fields/);
    expect(cronProblem('every day')).toMatch(/2 fields/);
  });
});

describe('node-cron tasks', () => {
  it('run at their time, in their zone, with the minute they fire for', async () => {
    const cron = createNodeCronScheduler();
    const slots: number[] = [];
    // Six fields (seconds) only here, to see a real timer fire within a second or two.
    const task = cron.schedule('* * * * * *', 'America/Mexico_City', (slot) => slots.push(slot));
    const deadline = Date.now() + 10_000;
    while (slots.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    task.stop();
    expect(slots.length).toBeGreaterThan(0);
    expect(slots[0]! % 60_000).toBe(0);
    expect(Math.abs(slots[0]! - Date.now())).toBeLessThan(2 * 60_000);
  });
});
