import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../../adapters/sqlite/sqlite-store.js';
import { parseCommand } from '../../../src/commands/grammar.js';
import { handleCommand } from '../../../src/commands/handlers.js';
import { toPlainText } from '../../../src/commands/reply.js';
import type { Store } from '../../../src/ports/store.js';

const NOW = Date.UTC(2026, 11, 4, 15, 0);

describe('subscribing to a report in chat', () => {
  let store: Store;
  beforeEach(async () => {
    store = createSqliteStore({ path: ':memory:', clock: { now: () => NOW } });
    await store.init();
  });
  afterEach(async () => {
    await store.close();
  });

  const say = async (text: string) =>
    toPlainText(
      await handleCommand(parseCommand(text), {
        store,
        now: NOW,
        channel: { platform: 'slack', id: 'C0REPORTS', destination: 'slack:C0REPORTS' },
        user: { id: 'U0ANA', name: 'ana' },
        commitEvents: async () => undefined,
      }),
    );

  it('says when the report arrives and on which clock, stores it, and lists it', async () => {
    const reply = await say('subscribe min:major report:weekdays-09:00 tz:America/Mexico_City');
    expect(reply).toContain(
      'A report of what is open, the incidents since the last report, your links, calls and audit arrives here weekdays 09:00 (America/Mexico_City).',
    );
    expect((await store.listSubscriptions()).map((s) => s.filter.report)).toEqual([
      { cron: '0 9 * * 1-5', tz: 'America/Mexico_City', every: 'weekdays 09:00' },
    ]);
    expect(await say('subscriptions')).toMatch(
      /sub-1: major and worse alerts · times in America\/Mexico_City · report weekdays 09:00 \(America\/Mexico_City\) · by ana/,
    );
  });

  it('without a zone: UTC, and says how to use the channel clock', async () => {
    expect(await say('subscribe report:daily-09:00')).toContain(
      'arrives here daily 09:00 (UTC). Add tz:America/Mexico_City (for example) to read it on your clock.',
    );
  });
});
