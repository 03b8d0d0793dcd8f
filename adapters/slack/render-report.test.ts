import { describe, expect, it } from 'vitest';
import { reportEvent } from '../../src/domain/report.js';
import { SLACK_LIMITS } from './limits.js';
import { renderParent } from './render.js';

const SLOT = Date.UTC(2026, 11, 4, 15, 0);
const body = {
  title: 'Belvo report: 1 open (worst major), 2 incidents since Thu 3 Dec, 09:00',
  sections: [
    { heading: 'Open now (1)', lines: ['[A3] MAJOR Banco X: <!channel> down · for 2h 0m'] },
    { heading: 'Incidents since Thu 3 Dec, 09:00 (2)', lines: ['[A3] ...', '[A1] ...'] },
  ],
  footer: 'weekdays 09:00 (America/Mexico_City) · 2026-12-03 15:00 UTC to 2026-12-04 15:00 UTC',
};

describe('a scheduled report on Slack', () => {
  it('one message: title, a section per part, the schedule as context; no buttons, no colour bar', () => {
    const message = renderParent(reportEvent('config:0', SLOT, body, SLOT), { mention: true });
    expect(message.text).toBe(body.title);
    expect(message.attachments).toBeUndefined();
    expect(message.blocks).toEqual([
      { type: 'section', text: { type: 'mrkdwn', text: `*${body.title}*` } },
      {
        type: 'section',
        text: { type: 'mrkdwn', text: '*Open now (1)*\n[A3] MAJOR Banco X: &lt;!channel&gt; down · for 2h 0m' },
      },
      { type: 'section', text: { type: 'mrkdwn', text: '*Incidents since Thu 3 Dec, 09:00 (2)*\n[A3] ...\n[A1] ...' } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: body.footer }] },
    ]);
    // Crash recovery finds it by the report's own id.
    expect(message.metadata.event_payload).toMatchObject({ alert_id: 'report-config-0-20261204T1500', version: 1 });
  });

  it('a long report stays inside Slack limits', () => {
    const lines = Array.from({ length: 400 }, (_, i) => `[A${i}] MAJOR Banco ${'X'.repeat(60)} · lasted 1h`);
    const message = renderParent(reportEvent('config:0', SLOT, { title: 'Belvo report', sections: [{ lines }] }, SLOT));
    for (const block of message.blocks ?? []) {
      if (block.type === 'section') expect(block.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    }
  });
});
