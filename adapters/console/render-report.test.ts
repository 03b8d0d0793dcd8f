import { describe, expect, it } from 'vitest';
import { reportEvent } from '../../src/domain/report.js';
import { renderConsole } from './render.js';

const SLOT = Date.UTC(2026, 11, 4, 15, 0);

describe('a scheduled report on the console', () => {
  it('a head line, then each section indented under its heading', () => {
    const body = {
      title: 'Belvo report: nothing open, 1 incident since Thu 3 Dec, 09:00',
      sections: [
        { heading: 'Open now (0)', lines: ['Nothing open.'] },
        { heading: 'Incidents since Thu 3 Dec, 09:00 (1)', lines: ['[A1] MAJOR Banco X\n· lasted 30m'] },
      ],
      footer: 'weekdays 09:00 (UTC)',
    };
    expect(renderConsole(reportEvent('config:0', SLOT, body, SLOT), { color: false, timeZone: 'UTC' })).toEqual([
      '2026-12-04 15:00:00 REPORT   Belvo report: nothing open, 1 incident since Thu 3 Dec, 09:00',
      '    Open now (0)',
      '      Nothing open.',
      '    Incidents since Thu 3 Dec, 09:00 (1)',
      '      [A1] MAJOR Banco X · lasted 30m',
      '    weekdays 09:00 (UTC)',
    ]);
  });
});
