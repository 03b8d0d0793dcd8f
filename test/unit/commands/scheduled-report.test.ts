// The report's text, built from what the store holds: what is open, the period's incidents with durations and lead
// times, the institutions that failed most, links and the token_required trend, the calls' error ratio, the audit.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../../adapters/sqlite/sqlite-store.js';
import type { BelvoAccountView } from '../../../src/commands/belvo-view.js';
import { toPlainText } from '../../../src/commands/reply.js';
import { scheduledReport } from '../../../src/commands/scheduled-report.js';
import type { Alert } from '../../../src/domain/alert.js';
import { INCIDENT_KIND } from '../../../src/domain/fingerprint.js';
import type { ReportSchedule } from '../../../src/domain/report.js';
import type { Store } from '../../../src/ports/store.js';
import { makeAlert } from '../../contract/alert-factory.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
/** Friday 4 December 2026, 09:00 in Mexico City. */
const NOW = Date.UTC(2026, 11, 4, 15, 0);
const SINCE = NOW - 24 * HOUR;
const SCHEDULE: ReportSchedule = { cron: '0 9 * * 1-5', tz: 'America/Mexico_City', every: 'weekdays 09:00' };

const EREBOR = { name: 'erebor_mx_retail', displayName: 'Banco Erebor MX - Retail', country: 'MX' };
const BOGOTA = { name: 'banco_de_bogota_co', displayName: 'Banco de Bogotá CO', country: 'CO' };

function alert(over: Partial<Alert> & { id: string }): Alert {
  return makeAlert({
    state: 'firing',
    announced: true,
    maintenance: undefined,
    acknowledged: undefined,
    resolvedAt: undefined,
    okSince: undefined,
    flapping: false,
    rev: 0,
    ...over,
  });
}

/** Open now: Erebor down for 2 hours, seen by the team's data 12 minutes before Belvo's page. */
const ereborIncident = alert({
  id: 'A9',
  fingerprint: 'institution/erebor_mx_retail',
  kind: INCIDENT_KIND,
  source: 'bot',
  severity: 'critical',
  peakSeverity: 'critical',
  title: 'Banco Erebor MX - Retail: major outage',
  status: 'major_outage',
  institution: EREBOR,
  startedAt: NOW - 2 * HOUR,
  firedAt: NOW - 2 * HOUR,
  correlation: {
    noticedAt: NOW - 2 * HOUR,
    noticedBy: 'token_required spike (production)',
    early: true,
    confirmedAt: NOW - 2 * HOUR + 12 * MIN,
  },
});
const ereborDown = alert({
  id: 'A10',
  fingerprint: 'belvo/production/institution/erebor_mx_retail/down',
  severity: 'critical',
  peakSeverity: 'critical',
  title: 'Banco Erebor MX - Retail is down',
  institution: EREBOR,
  incidentId: 'A9',
  startedAt: NOW - 2 * HOUR,
  firedAt: NOW - 2 * HOUR,
});
/** Erebor failed once before in the period, for 40 minutes, first on Belvo's page. */
const ereborEarlier = alert({
  ...ereborIncident,
  id: 'A5',
  fingerprint: 'institution/erebor_mx_retail#1',
  state: 'resolved',
  severity: 'minor',
  peakSeverity: 'major',
  startedAt: NOW - 10 * HOUR,
  firedAt: NOW - 10 * HOUR,
  resolvedAt: NOW - 10 * HOUR + 40 * MIN,
  correlation: { noticedAt: NOW - 10 * HOUR, noticedBy: "Belvo's status page", early: false },
});
/** Bogotá: one incident of 1h 30m, resolved in the period. */
const bogota = alert({
  id: 'A6',
  fingerprint: 'statuspage/institutions/component/bogota',
  kind: 'statuspage.component',
  source: 'institutions',
  state: 'resolved',
  severity: 'minor',
  peakSeverity: 'major',
  title: 'Banco de Bogotá CO: operational',
  status: 'operational',
  institution: BOGOTA,
  startedAt: NOW - 6 * HOUR,
  firedAt: NOW - 6 * HOUR,
  resolvedAt: NOW - 4 * HOUR - 30 * MIN,
});
/** A minor alert the channel (min:major) does not hear of. */
const minorNoise = alert({
  id: 'A7',
  fingerprint: 'bot/source/institutions/unreachable',
  kind: 'source.health',
  source: 'institutions',
  severity: 'minor',
  peakSeverity: 'minor',
  title: 'Belvo institutions page cannot be read',
  status: 'unreachable',
  institution: undefined,
  startedAt: NOW - 3 * HOUR,
  firedAt: NOW - 3 * HOUR,
});

describe('the scheduled report', () => {
  let store: Store;
  let written: number;

  beforeEach(async () => {
    written = NOW;
    store = createSqliteStore({ path: ':memory:', clock: { now: () => written } });
    await store.init();
    // Resolved two days ago: before the period, in no list.
    written = NOW - 48 * HOUR;
    await store.commitAlerts({
      alerts: [{ ...bogota, id: 'A1', fingerprint: 'old', startedAt: NOW - 50 * HOUR, resolvedAt: NOW - 48 * HOUR }],
      intents: [],
      cursors: [],
    });
    written = NOW - HOUR;
    await store.commitAlerts({
      alerts: [ereborIncident, ereborDown, ereborEarlier, bogota, minorNoise],
      intents: [],
      cursors: [],
    });
    // Links entering token_required: 2 in the period at Erebor, 1 the day before.
    const link = (id: string, status: string) => ({ id, status, institution: 'erebor_mx_retail' });
    await store.upsertLinks(
      'production',
      [link('l1', 'valid'), link('l2', 'valid'), link('l3', 'valid')],
      NOW - 72 * HOUR,
    );
    await store.upsertLinks('production', [link('l3', 'token_required')], NOW - 30 * HOUR);
    await store.upsertLinks('production', [link('l1', 'token_required'), link('l2', 'token_required')], NOW - 3 * HOUR);
  });

  afterEach(async () => {
    await store.close();
  });

  const belvo: BelvoAccountView = {
    environments: [{ id: 'production', url: 'https://api.belvo.com', webhooksConfigured: true }],
    linkCounts: async () => [
      { institution: 'erebor_mx_retail', status: 'valid', count: 1200 },
      { institution: 'erebor_mx_retail', status: 'token_required', count: 57 },
    ],
    duplicateLinks: async () => [],
    lastWebhookAt: async () => NOW - 30 * HOUR,
    calls: {
      summary: (_now, ms) => (ms === HOUR ? { calls: 2400, failures: 84 } : { calls: 0, failures: 0 }),
      failures: 84,
      failuresWithoutRequestId: 0,
      lastReportAt: NOW - MIN,
      keptMs: HOUR,
    },
  };

  it('says what is open, what happened since the last report, and how the account is doing', async () => {
    const body = await scheduledReport({
      store,
      belvo,
      filter: { minSeverity: 'major', report: SCHEDULE },
      schedule: SCHEDULE,
      since: SINCE,
      now: NOW,
    });
    expect(toPlainText({ visibility: 'in_channel', ...body })).toBe(
      [
        'Belvo report: 1 open (worst critical), 3 incidents since Thu 3 Dec, 09:00',
        'Open now · Belvo API:\n  No open alert.',
        'Open now · Institutions down or degraded (1):\n  CRITICAL Banco Erebor MX - Retail (MX) [A9]: [A10] Banco Erebor MX - Retail is down · for 2h 0m',
        [
          'Incidents since Thu 3 Dec, 09:00 (3):',
          "  [A9] CRITICAL Banco Erebor MX - Retail: major outage · started 2026-12-04 13:00 UTC · open for 2h 0m · 12m before Belvo's status page (noticed from token_required spike (production))",
          '  [A6] MAJOR Banco de Bogotá CO (CO) · started 2026-12-04 09:00 UTC · lasted 1h 30m',
          "  [A5] MAJOR Banco Erebor MX - Retail · started 2026-12-04 05:00 UTC · lasted 40m · first seen on Belvo's status page",
        ].join('\n'),
        [
          'Institutions that failed most:',
          '  Banco Erebor MX - Retail (MX): 2 incidents, down 2h 40m',
          '  Banco de Bogotá CO (CO): 1 incident, down 1h 30m',
        ].join('\n'),
        [
          'Your links:',
          '  production: 1257 links · 57 token_required',
          '  production token_required: 2 links entered it this period, most at erebor_mx_retail (2); 1 the period before (rising)',
        ].join('\n'),
        'Your calls:\n  Your calls, last 1h 0m: 2,400, 3.5% failed (84)',
        [
          'Audit (2 findings):',
          '  ! Environment production: webhooks: last received 1d 6h ago',
          '  ! Environment production: 57 of 1257 links are token_required: prompt those users to update their credentials',
        ].join('\n'),
        'weekdays 09:00 (America/Mexico_City) · 2026-12-03 15:00 UTC to 2026-12-04 15:00 UTC',
      ].join('\n\n'),
    );
  });

  it('without a Belvo account: what is open and what happened, and nothing made up', async () => {
    const body = await scheduledReport({
      store,
      filter: {},
      schedule: SCHEDULE,
      since: NOW - 5 * HOUR,
      now: NOW,
    });
    expect(body.sections.map((s) => s.heading)).toEqual([
      'Open now · Belvo API',
      'Open now · Institutions down or degraded (1)',
      'Open now · Other open alerts',
      'Incidents since Fri 4 Dec, 04:00 (3)',
      'Institutions that failed most',
    ]);
    // Erebor's earlier incident ended before this period began.
    expect(body.sections[3]!.lines.map((l) => l.slice(0, 4))).toEqual(['[A9]', '[A7]', '[A6]']);
  });

  it('an open alert says who acknowledged it and until when it is silenced, as status does', async () => {
    await store.addSilence({
      id: 'S1',
      matcher: { institution: 'erebor_mx_retail' },
      startsAt: NOW - HOUR,
      endsAt: NOW + HOUR,
      createdBy: 'ana',
      reason: 'known',
    });
    const body = await scheduledReport({ store, filter: {}, schedule: SCHEDULE, since: SINCE, now: NOW });
    expect(body.sections[1]!.lines).toEqual([
      'CRITICAL Banco Erebor MX - Retail (MX) [A9] (silenced until 2026-12-04T16:00:00Z): [A10] Banco Erebor MX - Retail is down · for 2h 0m · silenced until 2026-12-04T16:00:00Z',
    ]);
  });

  it('a quiet period says so', async () => {
    const body = await scheduledReport({
      store,
      filter: { institutions: ['nobody'] },
      schedule: SCHEDULE,
      since: SINCE,
      now: NOW,
    });
    expect(body.title).toBe('Belvo report: nothing open, 0 incidents since Thu 3 Dec, 09:00');
    expect(body.sections).toEqual([
      { heading: 'Open now', lines: ['Nothing open.'] },
      { heading: 'Incidents since Thu 3 Dec, 09:00 (0)', lines: ['None.'] },
    ]);
  });
});
