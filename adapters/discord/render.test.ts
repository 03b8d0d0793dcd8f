import { describe, expect, it } from 'vitest';
import type { Alert } from '../../src/domain/alert.js';
import { makeAlert, makeEvent, T0 } from '../../test/contract/alert-factory.js';
import { embedLength } from './fit.js';
import { DISCORD_LIMITS } from './limits.js';
import { COLORS, customIdFor, parseCustomId, renderParent, renderReply, threadName } from './render.js';

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
    evidence: { affectedLinks: 1240 },
    timeline: [{ id: 'u1', at: T0, status: 'investigating', text: 'Logins fail for *some* users', origin: 'source' }],
    ...over,
  });
}

const fieldsOf = (m: ReturnType<typeof renderParent>) =>
  Object.fromEntries((m.embeds[0]?.fields ?? []).map((f) => [f.name, f.value]));

/** Every limit Discord enforces on a message (the fake API checks the same ones). */
function expectInsideLimits(m: ReturnType<typeof renderParent>) {
  expect(m.embeds.length).toBeLessThanOrEqual(DISCORD_LIMITS.embedsPerMessage);
  let total = 0;
  for (const e of m.embeds) {
    expect(e.title?.length ?? 0).toBeLessThanOrEqual(DISCORD_LIMITS.title);
    expect(e.description?.length ?? 0).toBeLessThanOrEqual(DISCORD_LIMITS.description);
    expect(e.fields?.length ?? 0).toBeLessThanOrEqual(DISCORD_LIMITS.fields);
    for (const f of e.fields ?? []) {
      expect(f.name.length).toBeLessThanOrEqual(DISCORD_LIMITS.fieldName);
      expect(f.value.length).toBeLessThanOrEqual(DISCORD_LIMITS.fieldValue);
      expect(f.value.length).toBeGreaterThan(0);
    }
    total += embedLength(e);
  }
  expect(total).toBeLessThanOrEqual(DISCORD_LIMITS.embedTotal);
}

describe('Discord parent message', () => {
  it('one embed with title, link, state, the fields on-call needs, the rule, and the buttons', () => {
    const m = renderParent(makeEvent(alert(), { reason: 'the source says partial_outage' }));
    const e = m.embeds[0];
    expect(e?.title).toBe('Banco Erebor MX - Retail: partial outage');
    expect(e?.url).toBe('https://status.belvo.com/incidents/abc123');
    expect(e?.color).toBe(COLORS.major);
    expect(e?.description).toBe('🔴 **MAJOR**\nRule: the source says partial\\_outage');
    expect(fieldsOf(m)).toMatchObject({
      Severity: 'major',
      Status: 'partial outage',
      Institution: 'Banco Erebor MX - Retail',
      Country: 'MX',
      Environment: 'production',
      Started: `<t:${T0 / 1000}:f> (<t:${T0 / 1000}:R>)`,
      'Latest update': `**investigating** · <t:${T0 / 1000}:R>\nLogins fail for \\*some\\* users`,
      Link: '[Open the status page](https://status.belvo.com/incidents/abc123)',
      affectedLinks: '1,240',
    });
    expect(e?.footer?.text).toBe('Alert A7 · belvo-production · belvo-status');
    expect(
      m.components?.[0]?.components.map((b) => ('custom_id' in b ? b.custom_id : 'url' in b ? b.url : '')),
    ).toEqual(['belvo_status_ack:A7', 'belvo_status_silence_1h:A7', 'https://status.belvo.com/incidents/abc123']);
    expect(m.allowed_mentions).toEqual({ parse: [] });
  });

  it.each([
    ['critical', { severity: 'critical' as const }, COLORS.critical],
    ['minor', { severity: 'minor' as const }, COLORS.minor],
    ['resolved', { state: 'resolved' as const, resolvedAt: T0 + 12 * MIN }, COLORS.resolved],
  ])('colour for %s', (_name, over, color) => {
    expect(renderParent(makeEvent(alert(over))).embeds[0]?.color).toBe(color);
  });

  it('resolved: says so with the duration, and keeps only the status-page button', () => {
    const m = renderParent(makeEvent(alert({ state: 'resolved', resolvedAt: T0 + 12 * MIN }), { type: 'resolved' }));
    expect(m.embeds[0]?.description).toMatch(/^✅ \*\*Resolved\*\* after 12m\n/);
    expect(fieldsOf(m).Duration).toBe('12m');
    expect(m.components?.[0]?.components).toEqual([
      { type: 2, style: 5, label: 'Open status page', url: 'https://status.belvo.com/incidents/abc123' },
    ]);
  });

  it('without buttons for a webhook (a channel webhook cannot carry interactive components)', () => {
    expect(renderParent(makeEvent(alert()), { buttons: false }).components).toBeUndefined();
  });

  it('acknowledged: says by whom, and Acknowledge is gone', () => {
    const m = renderParent(makeEvent(alert({ acknowledged: { by: 'ana', at: T0 }, flapping: true })));
    expect(m.embeds[0]?.description).toMatch(/^🔴 \*\*MAJOR\*\* {2}· {2}🔁 flapping {2}· {2}👀 acknowledged by ana\n/);
    expect(JSON.stringify(m.components)).not.toContain('belvo_status_ack');
  });

  it('a storm-sized alert (huge title, update, 60 evidence keys) stays inside every limit, saying "+N more"', () => {
    const evidence = Object.fromEntries(
      Array.from({ length: 60 }, (_, i) => [`institution_${i}_with_a_long_name`, `down since 09:${i} `.repeat(40)]),
    );
    const m = renderParent(
      makeEvent(
        alert({
          title: 'T'.repeat(5000),
          status: 's'.repeat(3000),
          evidence,
          timeline: [{ id: 'u', at: T0, status: 'identified', text: 'x'.repeat(10_000), origin: 'source' }],
        }),
        { reason: 'r'.repeat(5000) },
      ),
    );
    expectInsideLimits(m);
    const fields = m.embeds[0]?.fields ?? [];
    const more = fields.at(-1);
    expect(more?.name).toMatch(/^\+\d+ more$/);
    const shown = fields.filter((f) => f.name.startsWith('institution_')).length;
    expect(Number(/\d+/.exec(more?.name ?? '')?.[0])).toBe(60 - shown);
    expect(m.embeds[0]?.title).toMatch(/… \(\+\d+ more\)$/);
    expect(fieldsOf(m)['Latest update']).toMatch(/… \(\+\d+ more\)$/);
  });

  it('a link that is not http(s) is left out rather than refused by Discord', () => {
    const m = renderParent(makeEvent(alert({ url: 'javascript:alert(1)' })));
    expect(m.embeds[0]?.url).toBeUndefined();
    expect(fieldsOf(m).Link).toBeUndefined();
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

  it('shows the last error and its request_id in fields of their own, each once', () => {
    const lastError = `Belvo sandbox: GET /api/institutions/ -> HTTP 401 authentication_failed: Invalid Secret Keys (request_id ${REQUEST_ID})`;
    const m = renderParent(makeEvent(health(lastError), { reason: '3 failed polls in a row (threshold 3)' }));
    const fields = fieldsOf(m);
    expect(fields['Last error']).toBe(
      'Belvo sandbox: GET /api/institutions/ -> HTTP 401 authentication\\_failed: Invalid Secret Keys',
    );
    expect(fields.request_id).toBe(`\`${REQUEST_ID}\``);
    expect(fields).not.toHaveProperty('lastError');
    expect(JSON.stringify(m).split(REQUEST_ID)).toHaveLength(2);
    expectInsideLimits(m);
  });

  it('a huge error is cut to the field limit, the request_id kept whole', () => {
    const m = renderParent(makeEvent(health(`${'x'.repeat(5000)} (request_id ${REQUEST_ID})`), { reason: 'r' }));
    expect(fieldsOf(m)['Last error']?.length).toBe(DISCORD_LIMITS.fieldValue);
    expect(fieldsOf(m).request_id).toBe(`\`${REQUEST_ID}\``);
    expectInsideLimits(m);
  });
});

describe('Discord thread reply', () => {
  it('says what changed, quotes the update, and names the alert and version', () => {
    const a = alert({ timeline: [{ id: 'u2', at: T0, status: 'identified', text: 'Cause found', origin: 'source' }] });
    const r = renderReply(makeEvent(a, { type: 'updated', version: 3, reason: 'new update from the source' }));
    expect(r.embeds[0]?.description).toBe('**🔁 Update**: new update from the source\n> **identified**: Cause found');
    expect(r.embeds[0]?.footer?.text).toBe('Alert A7 · version 3 · belvo-status');
  });

  it('every update the page made between two polls is quoted, in order', () => {
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
    expect(r.embeds[0]?.description?.split('\n').slice(1)).toEqual([
      '> **monitoring**: Fix deployed',
      '> **resolved**: All good',
    ]);
  });

  it('a resolution says how long it lasted, in green', () => {
    const a = alert({ state: 'resolved', resolvedAt: T0 + 90 * MIN, timeline: [] });
    const r = renderReply(makeEvent(a, { type: 'resolved', reason: '2 good observations' }));
    expect(r.embeds[0]?.description).toBe('**✅ Resolved**: 2 good observations (after 1h 30m)');
    expect(r.embeds[0]?.color).toBe(COLORS.resolved);
  });
});

describe('custom ids and thread names', () => {
  it('round-trip the action and alert id; anything else is not ours', () => {
    expect(parseCustomId(customIdFor('silence', 'A12'))).toEqual({ action: 'silence', alertId: 'A12' });
    expect(parseCustomId('something_else:A1')).toBeUndefined();
    expect(parseCustomId('belvo_status_ack')).toBeUndefined();
  });

  it('a thread name fits 100 characters', () => {
    expect(threadName(alert({ title: 'z'.repeat(300) })).length).toBeLessThanOrEqual(100);
  });
});

describe('Discord grouped messages', () => {
  const members = Array.from({ length: 300 }, (_, i) => ({
    id: `A${i + 1}`,
    kind: 'statuspage.component',
    source: 'institutions',
    title: `Bank ${i + 1}`,
    institution: { name: `bank_${i + 1}`, displayName: `Banco Número ${i + 1} *Retail*`, country: 'MX' },
    severity: 'critical' as const,
    state: 'firing' as const,
    since: T0,
  }));

  it('a storm of 300 institutions lists them down first, escaped, cut with "+N more", inside every limit', () => {
    const storm = alert({ id: 'A900', kind: 'bot.storm', title: '300 institutions down at once', members });
    const m = renderParent(makeEvent(storm, { reason: 'x'.repeat(3000) }));
    expectInsideLimits(m);
    const description = m.embeds[0]?.description ?? '';
    expect(description).toContain('🔴 Banco Número 1 \\*Retail\\* (MX) · critical · A1');
    const more = Number(/\+(\d+) more$/.exec(description)?.[1]);
    expect(more).toBeGreaterThan(0);
    expect(description.split('\n').filter((l) => l.startsWith('🔴 Banco')).length + more).toBe(300);
  });

  it('shows that the alert paged on-call, and a digest has no buttons', () => {
    const paged = alert({
      paging: { rule: 'critical', destinations: ['pd'], dueAt: T0, pagedAt: T0, pager: 'triggered' },
    });
    expect(renderParent(makeEvent(paged)).embeds[0]?.description).toContain('🚨 paged on-call (rule critical)');
    const digest = alert({ kind: 'bot.digest', members: members.slice(0, 2), url: undefined });
    expect(renderParent(makeEvent(digest)).components).toEqual([]);
  });
});

describe('Discord parent message with the web page', () => {
  const url = (id: string) => `https://status.example.com/incidents/${encodeURIComponent(id)}`;

  it('links to the incident page beside the status page when web.publicUrl is set, and only then', () => {
    const m = renderParent(makeEvent(alert()), { buttons: true, incidentUrl: url });
    expect(fieldsOf(m).Link).toBe(
      '[Open the status page](https://status.belvo.com/incidents/abc123) · [Incident page](https://status.example.com/incidents/A7)',
    );
    expectInsideLimits(m);
    expect(fieldsOf(renderParent(makeEvent(alert()))).Link).toBe(
      '[Open the status page](https://status.belvo.com/incidents/abc123)',
    );
  });

  it('an alert with no status page still links to its incident page, in a webhook message too', () => {
    const m = renderParent(makeEvent(alert({ url: undefined })), { buttons: false, history: true, incidentUrl: url });
    expect(fieldsOf(m).Link).toBe('[Incident page](https://status.example.com/incidents/A7)');
  });

  it('parentheses in the URL cannot end the link early', () => {
    const m = renderParent(makeEvent(alert({ url: undefined })), {
      buttons: true,
      incidentUrl: () => 'https://x.example/a(b)/A7',
    });
    expect(fieldsOf(m).Link).toBe('[Incident page](https://x.example/a%28b%29/A7)');
  });
});

describe('mentions', () => {
  const loud = alert({ title: 'Banco Erebor @everyone <@&111111111111111111>', severity: 'critical' });
  const event = {
    ...makeEvent(loud),
    mention: [
      { kind: 'group' as const, id: '222222222222222222' },
      { kind: 'user' as const, id: '333333333333333333' },
      { kind: 'here' as const },
    ],
  };

  it('a parent that takes the mention names exactly its role and user, and allows only those to ping', () => {
    const m = renderParent(event, { buttons: true, mention: true });
    expect(m.content).toBe('<@&222222222222222222> <@333333333333333333>');
    // No parsing: @everyone or a role written by the status page (in the embed) stays text.
    expect(m.allowed_mentions).toEqual({ parse: [], roles: ['222222222222222222'], users: ['333333333333333333'] });
  });

  it('an edit, or a message not taking the mention, pings nobody', () => {
    expect(renderParent(event, { buttons: true })).toMatchObject({ allowed_mentions: { parse: [] } });
    expect(renderParent(event, { buttons: true }).content).toBeUndefined();
    expect(renderReply(makeEvent(loud), { mention: true }).allowed_mentions).toEqual({ parse: [] });
    expect(renderReply(event, { mention: true }).allowed_mentions.roles).toEqual(['222222222222222222']);
  });
});

describe('a scheduled maintenance', () => {
  const window = { from: Date.parse('2026-12-06T05:00:00Z'), until: Date.parse('2026-12-06T07:00:00Z') };
  const maintenance = (over: Partial<Alert> = {}) =>
    alert({
      kind: 'statuspage.maintenance',
      title: 'Maintenance: Erebor core banking upgrade',
      severity: 'info',
      peakSeverity: 'info',
      status: 'scheduled',
      startedAt: window.from,
      maintenanceWindow: window,
      ...over,
    });

  it("shows its window on the channel's clock with when it starts, in blue, with nothing to acknowledge", () => {
    const m = renderParent({
      ...makeEvent(maintenance(), { type: 'opened', reason: 'maintenance scheduled' }),
      timeZone: 'America/Sao_Paulo',
    });
    expect(m.embeds[0]?.color).toBe(COLORS.maintenance);
    expect(m.embeds[0]?.description).toMatch(/^🔵 \*\*Scheduled maintenance\*\*/);
    expect(fieldsOf(m).Window).toBe(
      `Sun 6 Dec 2026 02:00-04:00 America/Sao_Paulo (2h) (starts <t:${window.from / 1000}:R>)`,
    );
    expect(fieldsOf(m).Started).toBeUndefined();
    expect(m.components?.[0]?.components.map((c) => ('label' in c ? c.label : ''))).toEqual([
      'Silence 1h',
      'Open status page',
    ]);
    expectInsideLimits(m);
  });

  it('completed: green, "Completed" with its duration', () => {
    const done = maintenance({ state: 'resolved', status: 'completed', resolvedAt: window.from + 2 * 60 * MIN });
    const m = renderParent(makeEvent(done, { type: 'resolved', reason: 'maintenance completed' }));
    expect(m.embeds[0]?.color).toBe(COLORS.resolved);
    expect(m.embeds[0]?.description).toMatch(/^✅ \*\*Completed\*\* after 2h 0m/);
    expect(fieldsOf(m).Window).toBe('Sun 6 Dec 2026 05:00-07:00 UTC (2h)');
  });
});
