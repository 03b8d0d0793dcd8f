import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stripVTControlCharacters as stripAnsi } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Alert, AlertEvent } from '../../src/domain/alert.js';
import type { TimelineEntry } from '../../src/domain/signal.js';
import type { DeliveryRequest } from '../../src/ports/notifier.js';
import { makeAlert, makeEvent, T0 } from '../../test/contract/alert-factory.js';
import { createConsoleNotifier, useColor } from './console-notifier.js';
import { renderConsole } from './render.js';

const MIN = 60_000;
const plain = { color: false, timeZone: 'UTC' };
const ESC = '\x1b[';
const hasAnsi = (s: string) => s.includes(ESC);

const update = (id: string, at: number, status: string, text: string): TimelineEntry => ({
  id,
  at,
  status,
  text,
  origin: 'source',
});

/** A Belvo API incident, firing at major, with one update from the page. */
function incident(over: Partial<Alert> = {}): Alert {
  return makeAlert({
    id: 'A12',
    fingerprint: 'statuspage/belvo-api/incident/n4njzfn1mqy0',
    kind: 'statuspage.incident',
    source: 'belvo-api',
    lifecycle: 'source',
    severity: 'major',
    peakSeverity: 'major',
    title: 'Elevated API errors',
    status: 'investigating',
    url: 'https://status.belvo.com/incidents/n4njzfn1mqy0',
    institution: undefined,
    maintenance: undefined,
    acknowledged: undefined,
    resolvedAt: undefined,
    startedAt: T0 - 5 * MIN,
    timeline: [
      update('u1', T0 - 5 * MIN, 'investigating', 'We are investigating elevated error rates.'),
      { id: 'engine:1', at: T0, status: 'opened', text: 'the source says investigating', origin: 'engine' },
    ],
    ...over,
  });
}

/** An institution component on the institutions page. */
function component(over: Partial<Alert> = {}): Alert {
  return makeAlert({
    id: 'A3',
    fingerprint: 'statuspage/institutions/component/cmp_erebor',
    kind: 'statuspage.component',
    source: 'institutions',
    severity: 'critical',
    peakSeverity: 'critical',
    title: 'Banco Erebor MX - Retail: major outage',
    status: 'major_outage',
    url: 'https://institutions.belvo.com',
    maintenance: undefined,
    acknowledged: undefined,
    resolvedAt: undefined,
    timeline: [],
    ...over,
  });
}

function health(over: Partial<Alert> = {}): Alert {
  return makeAlert({
    id: 'A5',
    fingerprint: 'bot/source/belvo-api/unreachable',
    kind: 'source.health',
    source: 'bot',
    severity: 'minor',
    peakSeverity: 'minor',
    title: 'Belvo API status page cannot be read',
    status: 'network',
    url: undefined,
    environment: undefined,
    institution: undefined,
    maintenance: undefined,
    acknowledged: undefined,
    resolvedAt: undefined,
    counters: { bad: 4, ok: 0 },
    startedAt: T0 - 4 * MIN,
    evidence: { source: 'belvo-api', lastError: 'connect ECONNREFUSED 10.0.0.7:443', errorCode: 'network' },
    timeline: [],
    ...over,
  });
}

describe('renderConsole (golden lines, no colour, UTC)', () => {
  it('opened', () => {
    const e = makeEvent(incident(), { type: 'opened', reason: 'the source says investigating' });
    expect(renderConsole(e, plain)).toEqual([
      '2025-01-15 12:00:00 OPENED   MAJOR    [A12] Elevated API errors',
      '    [A12] investigating: We are investigating elevated error rates. · the source says investigating  https://status.belvo.com/incidents/n4njzfn1mqy0',
    ]);
  });

  it('opened, about an institution: its country shown', () => {
    const e = makeEvent(component(), { type: 'opened', reason: 'the source says major_outage' });
    expect(renderConsole(e, plain)).toEqual([
      '2025-01-15 12:00:00 OPENED   CRITICAL [A3] Banco Erebor MX - Retail: major outage (MX)',
      '    [A3 Banco Erebor MX - Retail (MX)] the source says major_outage  https://institutions.belvo.com',
    ]);
  });

  it('updated: the newest update from the page, newlines flattened', () => {
    const a = incident({
      status: 'identified',
      version: 2,
      timeline: [
        update('u2', T0 + 3 * MIN, 'identified', 'The cause was found.\n\n  A fix is being   deployed.'),
        update('u1', T0 - 5 * MIN, 'investigating', 'We are investigating elevated error rates.'),
      ].sort((x, y) => x.at - y.at),
    });
    const e = makeEvent(a, { type: 'updated', at: T0 + 3 * MIN, reason: 'new update from the source' });
    expect(renderConsole(e, plain)).toEqual([
      '2025-01-15 12:03:00 UPDATE   MAJOR    [A12] Elevated API errors',
      '    [A12] identified: The cause was found. A fix is being deployed. · new update from the source  https://status.belvo.com/incidents/n4njzfn1mqy0',
    ]);
  });

  it('updated under a maintenance is tagged', () => {
    const a = component({
      severity: 'major',
      title: 'Banco Erebor MX - Retail: partial outage',
      maintenance: {
        id: 'mnt_1',
        title: 'Erebor core migration',
        since: T0,
        before: { state: 'firing', severity: 'major', announced: true },
      },
    });
    const e = makeEvent(a, { type: 'updated', reason: 'under maintenance: Erebor core migration', noPage: true });
    expect(renderConsole(e, plain)).toEqual([
      '2025-01-15 12:00:00 UPDATE   MAJOR    [A3] Banco Erebor MX - Retail: partial outage (MX) maintenance',
      '    [A3 Banco Erebor MX - Retail (MX)] under maintenance: Erebor core migration  https://institutions.belvo.com',
    ]);
  });

  it('resolved, with how long it lasted', () => {
    const a = incident({
      state: 'resolved',
      status: 'resolved',
      version: 3,
      startedAt: T0 - 5 * MIN,
      resolvedAt: T0 + 42 * MIN + 30_000,
      timeline: [
        update('u1', T0 - 5 * MIN, 'investigating', 'We are investigating elevated error rates.'),
        update('u3', T0 + 42 * MIN, 'resolved', 'This incident has been resolved.'),
      ],
    });
    const e = makeEvent(a, { type: 'resolved', at: T0 + 42 * MIN + 30_000, reason: 'the source says resolved' });
    expect(renderConsole(e, plain)).toEqual([
      '2025-01-15 12:42:30 RESOLVED MAJOR    [A12] Elevated API errors after 47m 30s',
      '    [A12] resolved: This incident has been resolved. · the source says resolved  https://status.belvo.com/incidents/n4njzfn1mqy0',
    ]);
  });

  it('resolved after hours', () => {
    const a = component({ state: 'resolved', startedAt: T0 - 3 * 60 * MIN, resolvedAt: T0 + 7 * MIN });
    const e = makeEvent(a, { type: 'resolved', reason: '2 consecutive good observations (threshold 2)' });
    expect(renderConsole(e, plain)[0]).toBe(
      '2025-01-15 12:00:00 RESOLVED CRITICAL [A3] Banco Erebor MX - Retail: major outage (MX) after 3h 7m',
    );
  });

  it('flapping: no update text, just why', () => {
    const a = component({ flapping: true, timeline: [update('u1', T0, 'major_outage', 'ignored')] });
    const e = makeEvent(a, { type: 'flapping', reason: '4 state changes in 30m: flapping' });
    expect(renderConsole(e, plain)).toEqual([
      '2025-01-15 12:00:00 FLAPPING CRITICAL [A3] Banco Erebor MX - Retail: major outage (MX)',
      '    [A3 Banco Erebor MX - Retail (MX)] 4 state changes in 30m: flapping  https://institutions.belvo.com',
    ]);
  });

  it('an update of a flapping alert is tagged flapping', () => {
    const a = component({ flapping: true });
    const e = makeEvent(a, { type: 'updated', reason: 'severity major -> critical' });
    expect(renderConsole(e, plain)[0]).toBe(
      '2025-01-15 12:00:00 UPDATE   CRITICAL [A3] Banco Erebor MX - Retail: major outage (MX) flapping',
    );
  });

  it('reopened', () => {
    const e = makeEvent(incident({ version: 5 }), { type: 'reopened', reason: 'the source says investigating' });
    expect(renderConsole(e, plain)).toEqual([
      '2025-01-15 12:00:00 REOPENED MAJOR    [A12] Elevated API errors',
      '    [A12] investigating: We are investigating elevated error rates. · the source says investigating  https://status.belvo.com/incidents/n4njzfn1mqy0',
    ]);
  });

  it('a source-health alert says how many polls failed and the last error', () => {
    const e = makeEvent(health(), { type: 'opened', reason: '4 failed polls in a row (threshold 4)' });
    expect(renderConsole(e, plain)).toEqual([
      '2025-01-15 12:00:00 OPENED   MINOR    [A5] Belvo API status page cannot be read',
      '    [A5] last error: connect ECONNREFUSED 10.0.0.7:443 · 4 failed polls in a row (threshold 4)',
    ]);
  });

  it('its resolution does not repeat the error', () => {
    const a = health({ state: 'resolved', status: 'reachable', counters: { bad: 0, ok: 1 }, resolvedAt: T0 });
    const e = makeEvent(a, { type: 'resolved', reason: '1 consecutive good observations (threshold 1)' });
    expect(renderConsole(e, plain)).toEqual([
      '2025-01-15 12:00:00 RESOLVED MINOR    [A5] Belvo API status page cannot be read after 4m',
      '    [A5] 1 consecutive good observations (threshold 1)',
    ]);
  });

  it('a long error is cut at 160 characters', () => {
    const e = makeEvent(health({ evidence: { lastError: `E${'r'.repeat(400)}` } }), { reason: 'r' });
    const detail = renderConsole(e, plain)[1]!;
    expect(detail).toBe(`    [A5] last error: E${'r'.repeat(158)}… · r`);
  });

  it('every line names the alert and its institution: grep Erebor finds them all', () => {
    const spike = makeAlert({
      id: 'A9',
      fingerprint: 'institution/erebor_mx_retail',
      kind: 'institution.incident',
      source: 'bot',
      severity: 'critical',
      title: 'erebor_mx_retail: token_required spike (production)',
      status: 'firing',
      url: undefined,
      maintenance: undefined,
      acknowledged: undefined,
      resolvedAt: undefined,
      institution: { name: 'erebor_mx_retail', displayName: 'Banco Erebor', country: 'MX' },
      evidence: { exampleLinks: ['16f68516-bcbc-4cf7-b815-c500d4204e28'] },
      timeline: [],
    });
    const lines = renderConsole(makeEvent(spike, { reason: '14 token_required in the last 1h' }), plain);
    expect(lines).toEqual([
      '2025-01-15 12:00:00 OPENED   CRITICAL [A9] erebor_mx_retail: token_required spike (production) · Banco Erebor',
      '    [A9 Banco Erebor (MX)] 14 token_required in the last 1h · Example links: 16f68516-bcbc-4cf7-b815-c500d4204e28',
    ]);
    expect(lines.filter((l) => l.includes('Erebor'))).toHaveLength(lines.length);

    // A storm: no institution of its own; each member line names the storm and its member.
    const member = (id: string, displayName: string) => ({
      id,
      kind: 'institution.incident',
      source: 'bot',
      title: `${displayName}: down`,
      institution: { name: id, displayName, country: 'MX' },
      severity: 'major' as const,
      state: 'firing' as const,
      since: T0,
    });
    const storm = makeAlert({
      id: 'A20',
      kind: 'bot.storm',
      source: 'bot',
      title: '2 institutions down at once',
      institution: undefined,
      url: undefined,
      maintenance: undefined,
      acknowledged: undefined,
      resolvedAt: undefined,
      evidence: {},
      timeline: [],
      members: [member('A3', 'Banco Erebor'), member('A4', 'Banco Gondor')],
    });
    const stormLines = renderConsole(makeEvent(storm, { reason: '2 institutions within 2m' }), plain);
    expect(stormLines.slice(1)).toEqual([
      '    [A20] 2 institutions within 2m',
      '      [A20] down Banco Erebor (MX) · major · A3',
      '      [A20] down Banco Gondor (MX) · major · A4',
    ]);
    expect(stormLines.filter((l) => l.includes('Erebor'))).toEqual([stormLines[2]]);
  });

  it('a Belvo error: the message, and its request_id apart so a long message never cuts it off', () => {
    const id = '0f3a9c1e5b7d4a2e8c6b1d3f5a7e9c2b';
    const lastError = `Belvo sandbox: GET /api/institutions/?status=down -> HTTP 401 authentication_failed: ${'Invalid Secret Keys '.repeat(10)}(request_id ${id})`;
    const e = makeEvent(health({ evidence: { lastError, errorCode: 'auth' } }), { reason: '3 failed polls' });
    const detail = renderConsole(e, plain)[1] ?? '';
    expect(detail).toMatch(
      /^ {4}\[A5\] last error: Belvo sandbox: GET \/api\/institutions\/\?status=down -> HTTP 401 /,
    );
    expect(detail).toContain(` · request_id: ${id} · 3 failed polls`);
    expect(detail.split(id)).toHaveLength(2); // once
  });

  it('a quiet (edit-only) event prints nothing', () => {
    const e = makeEvent(component(), { type: 'updated', quiet: true, reason: 'maintenance ended, unchanged' });
    expect(renderConsole(e, plain)).toEqual([]);
  });

  it('a long update is cut to 240 characters with "…"', () => {
    const long = `${'word '.repeat(100)}END`;
    const a = incident({ timeline: [update('u1', T0, 'investigating', long)] });
    const detail = renderConsole(makeEvent(a, { reason: 'why' }), plain)[1]!;
    const text = detail.slice('    [A12] investigating: '.length, detail.indexOf(' · why'));
    expect(text).toHaveLength(240);
    expect(text).toBe(`${'word '.repeat(100).slice(0, 239)}…`);
    expect(detail).not.toContain('END');
  });

  it('an update exactly 240 characters long is kept whole', () => {
    const text = 'x'.repeat(240);
    const a = incident({ timeline: [update('u1', T0, 'investigating', text)] });
    expect(renderConsole(makeEvent(a, { reason: 'why' }), plain)[1]).toBe(
      `    [A12] investigating: ${text} · why  https://status.belvo.com/incidents/n4njzfn1mqy0`,
    );
  });

  it('prints the time in the time zone asked for', () => {
    const e = makeEvent(incident(), { reason: 'r' });
    expect(renderConsole(e, { color: false, timeZone: 'America/Mexico_City' })[0]).toMatch(/^2025-01-15 06:00:00 /);
  });

  it('midnight is 00, not 24', () => {
    const e = makeEvent(incident(), { at: Date.UTC(2025, 0, 15, 0, 0, 5), reason: 'r' });
    expect(renderConsole(e, plain)[0]).toMatch(/^2025-01-15 00:00:05 OPENED /);
  });

  it('colour on paints with ANSI codes, and the same text remains once they are stripped', () => {
    for (const e of [
      makeEvent(incident(), { reason: 'the source says investigating' }),
      makeEvent(component({ state: 'resolved', resolvedAt: T0 + MIN }), { type: 'resolved', reason: 'ok' }),
      makeEvent(health(), { reason: '4 consecutive bad observations (threshold 4)' }),
    ]) {
      const colored = renderConsole(e, { color: true, timeZone: 'UTC' });
      expect(colored.every(hasAnsi)).toBe(true);
      expect(colored.map(stripAnsi)).toEqual(renderConsole(e, plain));
    }
  });

  it('colour off prints no escape code at all', () => {
    const lines = renderConsole(makeEvent(component({ flapping: true }), { type: 'updated', reason: 'r' }), plain);
    expect(lines.join('\n')).not.toContain('\x1b');
  });
});

describe('useColor', () => {
  it.each<[string, 'auto' | 'always' | 'never', boolean, Record<string, string | undefined>, boolean]>([
    ['always, even off a terminal and with NO_COLOR', 'always', false, { NO_COLOR: '1' }, true],
    ['never, even on a terminal and with FORCE_COLOR', 'never', true, { FORCE_COLOR: '1' }, false],
    ['auto on a terminal', 'auto', true, {}, true],
    ['auto off a terminal', 'auto', false, {}, false],
    ['auto, NO_COLOR set, on a terminal', 'auto', true, { NO_COLOR: '1' }, false],
    ['auto, NO_COLOR empty counts as unset', 'auto', true, { NO_COLOR: '' }, true],
    ['auto, FORCE_COLOR off a terminal', 'auto', false, { FORCE_COLOR: '1' }, true],
    ['auto, FORCE_COLOR empty off a terminal', 'auto', false, { FORCE_COLOR: '' }, true],
    ['auto, FORCE_COLOR=0 off a terminal', 'auto', false, { FORCE_COLOR: '0' }, false],
    ['auto, NO_COLOR wins over FORCE_COLOR', 'auto', true, { NO_COLOR: '1', FORCE_COLOR: '1' }, false],
  ])('%s', (_n, mode, isTTY, env, expected) => {
    expect(useColor(mode, isTTY, env)).toBe(expected);
  });

  it('auto, FORCE_COLOR=0 on a terminal turns colour off', () => {
    expect(useColor('auto', true, { FORCE_COLOR: '0' })).toBe(false);
  });
});

describe('createConsoleNotifier', () => {
  let dir: string;
  let file: string;
  let fd: number;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'console-notifier-'));
    file = join(dir, 'out.txt');
    fd = openSync(file, 'w');
  });
  afterEach(() => {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  });

  const request = (event: AlertEvent, intentId = 1): DeliveryRequest => ({
    intentId,
    destination: 'console',
    event,
    attempt: 1,
    maybeDelivered: false,
  });

  it('writes exactly the rendered lines, one event after another, and returns delivered', async () => {
    const notifier = createConsoleNotifier(
      { id: 'console', color: 'auto' },
      { fd, isTTY: false, env: {}, timeZone: 'UTC' },
    );
    expect(notifier.destination).toBe('console');
    expect(notifier.minIntervalMs).toBe(0);
    const opened = makeEvent(incident(), { reason: 'the source says investigating' });
    const resolved = makeEvent(component({ state: 'resolved', resolvedAt: T0 + MIN }), {
      type: 'resolved',
      at: T0 + MIN,
      reason: '2 consecutive good observations (threshold 2)',
    });
    expect(await notifier.deliver(request(opened))).toEqual({ outcome: 'delivered' });
    expect(await notifier.deliver(request(resolved, 2))).toEqual({ outcome: 'delivered' });
    expect(readFileSync(file, 'utf8')).toBe(
      [
        '2025-01-15 12:00:00 OPENED   MAJOR    [A12] Elevated API errors',
        '    [A12] investigating: We are investigating elevated error rates. · the source says investigating  https://status.belvo.com/incidents/n4njzfn1mqy0',
        '2025-01-15 12:01:00 RESOLVED CRITICAL [A3] Banco Erebor MX - Retail: major outage (MX) after 6m',
        '    [A3 Banco Erebor MX - Retail (MX)] 2 consecutive good observations (threshold 2)  https://institutions.belvo.com',
        '',
      ].join('\n'),
    );
  });

  it('a quiet event writes nothing and is still delivered', async () => {
    const notifier = createConsoleNotifier({ id: 'console', color: 'never' }, { fd, timeZone: 'UTC' });
    const quiet = makeEvent(component(), { type: 'updated', quiet: true, reason: 'maintenance ended, unchanged' });
    expect(await notifier.deliver(request(quiet))).toEqual({ outcome: 'delivered' });
    expect(readFileSync(file, 'utf8')).toBe('');
  });

  it('colours on a terminal in auto mode, and the text under the colours is the same', async () => {
    const notifier = createConsoleNotifier(
      { id: 'console', color: 'auto' },
      { fd, isTTY: true, env: {}, timeZone: 'UTC' },
    );
    const e = makeEvent(incident(), { reason: 'the source says investigating' });
    await notifier.deliver(request(e));
    const written = readFileSync(file, 'utf8');
    expect(hasAnsi(written)).toBe(true);
    expect(stripAnsi(written)).toBe(`${renderConsole(e, plain).join('\n')}\n`);
  });
});

describe('text from the page is made safe for a terminal', () => {
  it('control characters and newlines in a title or update cannot forge lines or escape sequences', () => {
    const a = makeAlert({
      id: 'A9',
      title: 'Fake\n2026-01-01 00:00:00 RESOLVED \u001b[32mall good\u001b[0m',
      timeline: [{ id: 'u1', at: 0, status: 'investigating', text: 'line one\r\nline two\u0007', origin: 'source' }],
    });
    const lines = renderConsole(makeEvent(a, { type: 'opened' }), { color: false, timeZone: 'UTC' });
    expect(lines).toHaveLength(2);
    const controls = [...lines.join('')].filter((ch) => (ch.codePointAt(0) ?? 32) < 32);
    expect(controls).toEqual([]);
    expect(lines[0]).toContain('Fake 2026-01-01 00:00:00 RESOLVED [32mall good [0m');
    expect(lines[1]).toContain('investigating: line one line two');
  });
});

describe('a scheduled maintenance on the console', () => {
  const window = { from: Date.parse('2026-12-06T05:00:00Z'), until: Date.parse('2026-12-06T07:00:00Z') };
  const scheduled = incident({
    kind: 'statuspage.maintenance',
    severity: 'info',
    peakSeverity: 'info',
    title: 'Maintenance: Database upgrade',
    status: 'scheduled',
    maintenanceWindow: window,
    timeline: [update('u1', T0, 'scheduled', 'Planned.')],
  });

  it("an update names the window in the subscription's zone; a reason that says it already is not repeated", () => {
    const event = (reason: string): AlertEvent => ({
      ...makeEvent(scheduled, { type: 'updated', reason }),
      timeZone: 'America/Sao_Paulo',
    });
    const detail = (reason: string) => stripAnsi(renderConsole(event(reason), plain)[1] ?? '');
    expect(detail('maintenance verifying')).toContain(
      'maintenance verifying · window Sun 6 Dec 2026 02:00-04:00 America/Sao_Paulo (2h)',
    );
    const moved = 'window moved to Sun 6 Dec 2026 02:00-04:00 America/Sao_Paulo (2h)';
    expect(detail(moved).split('02:00-04:00')).toHaveLength(2);
  });
});
