import { describe, expect, it } from 'vitest';
import type { Alert } from '../../src/domain/alert.js';
import { makeAlert, makeEvent, T0 } from '../../test/contract/alert-factory.js';
import { SLACK_LIMITS } from './limits.js';
import { ACTIONS, COLORS, renderParent, renderReply } from './render.js';

const MIN = 60_000;

function alert(over: Partial<Alert> = {}): Alert {
  return makeAlert({
    id: 'A7',
    title: 'Banco Erebor MX - Retail: partial outage',
    state: 'firing',
    severity: 'major',
    status: 'partial_outage',
    maintenance: undefined,
    acknowledged: undefined,
    flapping: false,
    startedAt: T0,
    timeline: [
      { id: 'u1', at: T0, status: 'investigating', text: 'Logins fail for <some> users & more', origin: 'source' },
    ],
    ...over,
  });
}

const blocksOf = (m: ReturnType<typeof renderParent>) => m.attachments?.[0]?.blocks ?? [];
const allText = (m: ReturnType<typeof renderParent>) => JSON.stringify(m);

describe('Slack parent message', () => {
  it('shows title, state, fields, latest update, the rule, and the three buttons, in a red attachment', () => {
    const m = renderParent(makeEvent(alert(), { type: 'opened', reason: 'the source says partial_outage' }));
    expect(m.text).toBe('[MAJOR] Banco Erebor MX - Retail: partial outage');
    expect(m.attachments?.[0]?.color).toBe(COLORS.major);
    const blocks = blocksOf(m);
    expect(blocks[0]?.text.text).toBe('*Banco Erebor MX - Retail: partial outage*\n:red_circle: MAJOR');
    const fieldText = blocks[1]?.fields.map((f: { text: string }) => f.text);
    expect(fieldText).toContain('*Institution*\nBanco Erebor MX - Retail (MX)');
    expect(fieldText).toContain('*Environment*\nproduction');
    expect(blocks[2]?.text.text).toContain('Logins fail for &lt;some&gt; users &amp; more');
    expect(blocks[3]).toEqual({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: 'Rule: the source says partial_outage' }],
    });
    expect(blocks[4]?.elements.map((e: { action_id: string }) => e.action_id)).toEqual([
      ACTIONS.ack,
      ACTIONS.silence,
      ACTIONS.open,
    ]);
    expect(m.metadata).toEqual({
      event_type: 'belvo_status_alert',
      event_payload: { alert_id: 'A7', fingerprint: alert().fingerprint, version: 1 },
    });
  });

  it.each([
    ['critical', { severity: 'critical' as const }, COLORS.critical],
    ['minor', { severity: 'minor' as const }, COLORS.minor],
    [
      'maintenance',
      {
        maintenance: {
          id: 'm',
          title: 'Upgrade',
          since: T0,
          before: { state: 'firing' as const, severity: 'major' as const, announced: true },
        },
      },
      COLORS.maintenance,
    ],
    ['resolved', { state: 'resolved' as const, resolvedAt: T0 + 12 * MIN }, COLORS.resolved],
  ])('colour for %s', (_name, over, color) => {
    expect(renderParent(makeEvent(alert(over))).attachments?.[0]?.color).toBe(color);
  });

  it('resolved: says so with the duration, and keeps only the status-page button', () => {
    const m = renderParent(makeEvent(alert({ state: 'resolved', resolvedAt: T0 + 12 * MIN }), { type: 'resolved' }));
    expect(m.text).toBe('[Resolved] Banco Erebor MX - Retail: partial outage');
    expect(blocksOf(m)[0]?.text.text).toContain(':white_check_mark: Resolved after 12m');
    const actions = blocksOf(m).find((b) => b.type === 'actions');
    expect(actions?.elements.map((e: { action_id: string }) => e.action_id)).toEqual([ACTIONS.open]);
  });

  it('acknowledged and flapping show on the state line; Acknowledge is gone once acknowledged', () => {
    const m = renderParent(makeEvent(alert({ flapping: true, acknowledged: { by: 'ana', at: T0 } })));
    expect(blocksOf(m)[0]?.text.text).toBe(
      '*Banco Erebor MX - Retail: partial outage*\n:red_circle: MAJOR  ·  :arrows_counterclockwise: flapping  ·  :eyes: acknowledged by ana',
    );
    expect(allText(m)).not.toContain(ACTIONS.ack);
  });

  it('stays inside the limits with a huge title and update, cutting with "+N more"', () => {
    const m = renderParent(
      makeEvent(
        alert({
          title: 'T'.repeat(5000),
          timeline: [{ id: 'u', at: T0, status: 'identified', text: 'x'.repeat(10_000), origin: 'source' }],
        }),
      ),
    );
    const blocks = blocksOf(m);
    expect(blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocksPerMessage);
    for (const b of blocks) if (b.text) expect(b.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    expect(blocks[2]?.text.text).toMatch(/… \(\+\d+ more\)$/);
    expect(m.text.length).toBeLessThanOrEqual(300);
  });
});

describe('a "cannot be read" alert', () => {
  const REQUEST_ID = '0f3a9c1e5b7d4a2e8c6b1d3f5a7e9c2b';
  const health = (lastError: string) =>
    alert({
      id: 'A5',
      fingerprint: 'bot/source/belvo-sandbox/unreachable',
      kind: 'source.health',
      source: 'belvo-sandbox',
      title: 'Belvo API (sandbox) cannot be read',
      severity: 'minor',
      status: 'unreachable',
      institution: undefined,
      url: undefined,
      timeline: [],
      evidence: { source: 'belvo-sandbox', lastError, errorCode: 'auth' },
    });

  it('shows the last error and its request_id, each once', () => {
    const lastError = `Belvo sandbox: GET /api/institutions/?status=down -> HTTP 401 authentication_failed: Invalid Secret Keys (request_id ${REQUEST_ID})`;
    const m = renderParent(makeEvent(health(lastError), { reason: '3 failed polls in a row (threshold 3)' }));
    const failure = blocksOf(m).find((b) => String(b.text?.text).startsWith('*Last error*'));
    expect(failure?.text.text).toBe(
      '*Last error*: Belvo sandbox: GET /api/institutions/?status=down -&gt; HTTP 401 authentication_failed: ' +
        `Invalid Secret Keys\n*request_id*: \`${REQUEST_ID}\``,
    );
    expect(allText(m).split(REQUEST_ID)).toHaveLength(2);
  });

  it('a huge error is cut inside the section limit, the request_id kept whole', () => {
    const m = renderParent(makeEvent(health(`${'x'.repeat(5000)} (request_id ${REQUEST_ID})`), { reason: 'r' }));
    const failure = blocksOf(m).find((b) => String(b.text?.text).startsWith('*Last error*'));
    expect(failure?.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    expect(failure?.text.text).toMatch(/… \(\+\d+ more\)\n\*request_id\*: `0f3a9c1e5b7d4a2e8c6b1d3f5a7e9c2b`$/);
  });

  it('without a request_id (a status page that times out) the error alone', () => {
    const m = renderParent(
      makeEvent(health('GET https://status.belvo.com/api/v2/summary.json timed out'), { reason: 'r' }),
    );
    const failure = blocksOf(m).find((b) => String(b.text?.text).startsWith('*Last error*'));
    expect(failure?.text.text).toBe('*Last error*: GET https://status.belvo.com/api/v2/summary.json timed out');
  });

  it('other alerts carry no such section', () => {
    const m = renderParent(makeEvent(alert(), { reason: 'r' }));
    expect(allText(m)).not.toContain('Last error');
  });
});

describe('Slack thread reply', () => {
  it('says what changed and quotes the update', () => {
    const a = alert({ timeline: [{ id: 'u2', at: T0, status: 'identified', text: 'Cause found', origin: 'source' }] });
    const r = renderReply(makeEvent(a, { type: 'updated', reason: 'new update from the source', at: T0 }));
    expect(r.text).toBe(':arrows_counterclockwise: Update: new update from the source\n> *identified*: Cause found');
  });

  it('every update the page made between two polls is quoted, in order, in the one reply', () => {
    const monitoring = {
      id: 'u2',
      at: T0 + MIN,
      status: 'monitoring',
      text: 'Fix deployed',
      origin: 'source' as const,
    };
    const resolved = { id: 'u3', at: T0 + 2 * MIN, status: 'resolved', text: 'All good', origin: 'source' as const };
    const a = alert({ state: 'resolved', resolvedAt: T0 + 2 * MIN, timeline: [monitoring, resolved] });
    const r = renderReply(
      makeEvent(a, { type: 'resolved', reason: 'the source says resolved', updates: [monitoring, resolved] }),
    );
    expect(r.text.split('\n').slice(1)).toEqual(['> *monitoring*: Fix deployed', '> *resolved*: All good']);
  });

  it('a resolution says how long it lasted', () => {
    const a = alert({ state: 'resolved', resolvedAt: T0 + 90 * MIN, timeline: [] });
    const r = renderReply(makeEvent(a, { type: 'resolved', reason: '2 consecutive good observations (threshold 2)' }));
    expect(r.text).toBe(':white_check_mark: Resolved: 2 consecutive good observations (threshold 2) (after 1h 30m)');
  });
});

describe('command replies', () => {
  it('render title, sections and footer as mrkdwn, escaping what came from elsewhere', async () => {
    const { renderCommandReply } = await import('./render-reply.js');
    const r = renderCommandReply({
      visibility: 'in_channel',
      title: 'Belvo status: 1 open alert',
      sections: [{ heading: 'Belvo API', lines: ['[A1] MAJOR Link creation failing <for 5m> & more'] }],
      footer: 'As of now',
    });
    expect(r.response_type).toBe('in_channel');
    expect(r.blocks[1]?.text.text).toBe('*Belvo API*\n[A1] MAJOR Link creation failing &lt;for 5m&gt; &amp; more');
    expect(r.blocks[2]).toEqual({ type: 'context', elements: [{ type: 'mrkdwn', text: 'As of now' }] });
  });
});

describe('nothing from a status page or a user can ping a channel or disguise a link', () => {
  it('escapes the fallback text, the blocks and the thread reply', () => {
    const title = 'Outage <!channel> see <https://evil.example|status.belvo.com>';
    const a = alert({
      title,
      timeline: [{ id: 'u', at: T0, status: 'identified', text: '<!here> & <@U123>', origin: 'source' }],
    });
    const parent = renderParent(makeEvent(a));
    const reply = renderReply(makeEvent(a, { type: 'updated', at: T0 }));
    for (const payload of [parent, reply]) {
      const all = JSON.stringify(payload);
      expect(all).not.toContain('<!channel>');
      expect(all).not.toContain('<!here>');
      expect(all).not.toContain('<https://evil.example');
    }
    expect(parent.text).toBe('[MAJOR] Outage &lt;!channel&gt; see &lt;https://evil.example|status.belvo.com&gt;');
  });
});

describe('Slack grouped messages', () => {
  const members = Array.from({ length: 200 }, (_, i) => ({
    id: `A${i + 1}`,
    kind: 'statuspage.component',
    source: 'institutions',
    title: `Bank ${i + 1}`,
    institution: { name: `bank_${i + 1}`, displayName: `Banco Número ${i + 1} <Retail>`, country: 'MX' },
    severity: 'major' as const,
    state: i < 3 ? ('resolved' as const) : ('firing' as const),
    since: T0,
    ...(i < 3 && { resolvedAt: T0 + 12 * MIN }),
  }));

  it('a storm lists its members, down first, escaped, cut with "+N more" inside the section limit', () => {
    const storm = alert({ id: 'A900', kind: 'bot.storm', title: '197 institutions down at once', members });
    const section = blocksOf(renderParent(makeEvent(storm))).find((b) =>
      b.text?.text?.startsWith(':red_circle: Banco'),
    );
    const text: string = section?.text.text;
    expect(text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    expect(text.split('\n')[0]).toBe(':red_circle: Banco Número 4 &lt;Retail&gt; (MX) · major · A4');
    expect(text).toMatch(/\n\+\d+ more$/);
    const shown = text.split('\n').length - 1;
    expect(Number(/\+(\d+) more$/.exec(text)?.[1])).toBe(200 - shown);
  });

  it('a page is shown on the message: paged, or when it will page unless acknowledged', () => {
    const paged = alert({
      paging: { rule: 'critical', destinations: ['pd'], dueAt: T0, pagedAt: T0, pager: 'triggered' },
    });
    expect(blocksOf(renderParent(makeEvent(paged)))[0]?.text.text).toContain(
      ':rotating_light: paged on-call (rule critical)',
    );
    const due = alert({ paging: { rule: 'lingering', destinations: ['pd'], dueAt: T0 + 15 * MIN } });
    expect(blocksOf(renderParent(makeEvent(due, { at: T0 })))[0]?.text.text).toContain(
      'pages on-call in 15m unless acknowledged (rule lingering)',
    );
  });

  it('a quiet-hours digest has no Acknowledge or Silence buttons', () => {
    const digest = alert({ kind: 'bot.digest', members: members.slice(0, 2), url: undefined });
    expect(blocksOf(renderParent(makeEvent(digest))).some((b) => b.type === 'actions')).toBe(false);
  });
});

describe('an institution incident', () => {
  it('lists each source as evidence, says it is not yet on the status page, and names itself in the footer', () => {
    const incident = alert({
      id: 'A9',
      kind: 'institution.incident',
      source: 'bot',
      title: "Banco Erebor (MX): token_required spike (production), 41.0% institution errors in the team's calls",
      status: "not yet on Belvo's status page (noticed 12:00 UTC)",
      severity: 'major',
      members: [
        {
          id: 'A7',
          kind: 'belvo.token_required-spike',
          source: 'belvo-production',
          title: 'token_required spike (production)',
          detail: '14 in 1h',
          severity: 'minor',
          state: 'firing',
          since: T0,
        },
        {
          id: 'A8',
          kind: 'belvo.error-ratio.institution',
          source: 'belvo-calls',
          title: "41.0% institution errors in the team's calls",
          severity: 'major',
          state: 'firing',
          since: T0 + MIN,
        },
      ],
    });
    const m = renderParent(makeEvent(incident));
    const text = allText(m);
    expect(text).toContain(':red_circle: token_required spike (production) (14 in 1h) · minor · A7');
    expect(text).toContain(":red_circle: 41.0% institution errors in the team's calls · major · A8");
    expect(text).toContain("*Status*\\nnot yet on Belvo's status page (noticed 12:00 UTC)");
    expect(text).toContain('*Alert*\\nA9 · institution incident');
  });
});

describe('Slack parent message with the web page', () => {
  it('links to the incident page after the rule when web.publicUrl is set, and only then', () => {
    const event = makeEvent(alert(), { type: 'opened', reason: 'the source says partial_outage' });
    const url = (id: string) => `https://status.example.com/belvo/incidents/${encodeURIComponent(id)}`;
    const blocks = blocksOf(renderParent(event, { incidentUrl: url }));
    expect(blocks.find((b) => b.type === 'context')).toEqual({
      type: 'context',
      elements: [
        { type: 'mrkdwn', text: 'Rule: the source says partial_outage' },
        { type: 'mrkdwn', text: '<https://status.example.com/belvo/incidents/A7|Incident page>' },
      ],
    });
    expect(allText(renderParent(event))).not.toContain('Incident page');
  });

  it('a URL cannot break out of its link', () => {
    const m = renderParent(makeEvent(alert()), { incidentUrl: () => 'https://x.example/a|b<c>' });
    expect(allText(m)).toContain('<https://x.example/a%7Cb%3Cc%3E|Incident page>');
  });
});

describe('a status page maintenance', () => {
  const maintenance = (over: Partial<Alert> = {}) =>
    alert({
      kind: 'statuspage.maintenance',
      title: 'Maintenance: Database upgrade',
      severity: 'info',
      peakSeverity: 'info',
      status: 'in_progress',
      ...over,
    });

  it("in blue, its stage in the state line, the window in the channel's zone, nothing to acknowledge", () => {
    const window = { from: Date.parse('2026-12-06T05:00:00Z'), until: Date.parse('2026-12-06T07:00:00Z') };
    const m = renderParent({
      ...makeEvent(maintenance({ maintenanceWindow: window }), { type: 'updated', reason: 'maintenance in progress' }),
      timeZone: 'America/Mexico_City',
    });
    expect(m.attachments?.[0]?.color).toBe(COLORS.maintenance);
    const blocks = blocksOf(m);
    expect(blocks[0]?.text.text).toBe('*Maintenance: Database upgrade*\n:large_blue_circle: In progress maintenance');
    const fieldText = blocks[1]?.fields.map((f: { text: string }) => f.text);
    expect(fieldText).toContain('*Window*\nSat 5 Dec 2026 23:00 - Sun 6 Dec 2026 01:00 America/Mexico_City (2h)');
    expect(fieldText.some((f: string) => f.startsWith('*Started*'))).toBe(false);
    expect(blocks.at(-1)?.elements.map((e: { action_id: string }) => e.action_id)).toEqual([
      ACTIONS.silence,
      ACTIONS.open,
    ]);
  });

  it('one the page gave no window for is still shown as maintenance, without a window field', () => {
    const m = renderParent(makeEvent(maintenance(), { type: 'opened', reason: 'the source says in_progress' }));
    expect(m.attachments?.[0]?.color).toBe(COLORS.maintenance);
    expect(allText(m)).not.toContain('*Window*');
  });
});
