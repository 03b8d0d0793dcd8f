import { describe, expect, it } from 'vitest';
import { reportEvent } from '../../src/domain/report.js';
import { embedLength } from './fit.js';
import { DISCORD_LIMITS } from './limits.js';
import { parentFooter, renderParent } from './render.js';

const SLOT = Date.UTC(2026, 11, 4, 15, 0);

describe('a scheduled report on Discord', () => {
  it('one embed with every section, pinging nobody, without buttons', () => {
    const body = {
      title: 'Belvo report: nothing open, 1 incident since Thu 3 Dec, 09:00',
      sections: [
        { heading: 'Open now (0)', lines: ['Nothing open.'] },
        { heading: 'Incidents since Thu 3 Dec, 09:00 (1)', lines: ['[A1] MAJOR Banco X @everyone · lasted 30m'] },
      ],
      footer: 'weekdays 09:00 (UTC)',
    };
    const message = renderParent(reportEvent('sub-3', SLOT, body, SLOT), { buttons: true, mention: true });
    expect(message.allowed_mentions).toEqual({ parse: [] });
    expect(message.components).toEqual([]);
    expect(message.content).toBeUndefined();
    const [embed] = message.embeds;
    expect(embed?.title).toBe(body.title);
    expect(embed?.description).toContain('**Open now (0)**\nNothing open.');
    expect(embed?.description).toContain(
      '**Incidents since Thu 3 Dec, 09:00 (1)**\n\\[A1\\] MAJOR Banco X @everyone · lasted 30m',
    );
    // Crash recovery reads the channel back and knows the report by its footer.
    expect(embed?.footer?.text).toBe('weekdays 09:00 (UTC) · belvo-status');
    expect(embed?.footer?.text).toBe(parentFooter(reportEvent('sub-3', SLOT, body, SLOT).alert));
  });

  it('a long report stays inside Discord limits', () => {
    const lines = Array.from({ length: 400 }, (_, i) => `[A${i}] MAJOR Banco ${'X'.repeat(60)} · lasted 1h`);
    const message = renderParent(reportEvent('sub-3', SLOT, { title: 'Belvo report', sections: [{ lines }] }, SLOT));
    expect(embedLength(message.embeds[0]!)).toBeLessThanOrEqual(DISCORD_LIMITS.embedTotal);
    expect(message.embeds[0]!.description!.length).toBeLessThanOrEqual(DISCORD_LIMITS.description);
  });
});
