// Builders for Store contract tests: every optional field filled by default, so a round-trip that drops one shows.
import type { Alert, AlertEvent } from '../../src/domain/alert.js';
import type { NewIntent } from '../../src/ports/store.js';

export const T0 = Date.UTC(2025, 0, 15, 12, 0, 0);

export function makeAlert(overrides: Partial<Alert> & { id: string }): Alert {
  return {
    fingerprint: `belvo/production/institution/${overrides.id}/down`,
    kind: 'belvo.institution',
    source: 'belvo-production',
    lifecycle: 'observed',
    state: 'firing',
    version: 1,
    severity: 'major',
    peakSeverity: 'critical',
    title: 'Banco Erebor MX - Retail is down',
    status: 'down',
    url: 'https://status.belvo.com/incidents/abc123',
    environment: 'production',
    institution: { name: 'erebor_mx_retail', displayName: 'Banco Erebor MX - Retail', country: 'MX' },
    evidence: {
      affectedLinks: 1240,
      share: 0.08,
      confirmedByStatusPage: false,
      affectedComponents: ['cmp_1', 'cmp_2'],
      rule: 'institution down 2 polls',
    },
    revision: 'rev-digest-1',
    flapping: false,
    maintenance: {
      id: 'mnt_1',
      title: 'Scheduled database upgrade',
      until: T0 + 3_600_000,
      since: T0 - 60_000,
      before: { state: 'pending', severity: 'minor', announced: false },
    },
    acknowledged: { by: 'U123', at: T0 + 1000 },
    announced: true,
    counters: { bad: 3, ok: 0 },
    flips: [T0 - 120_000, T0 - 60_000],
    startedAt: T0 - 300_000,
    firstSeenAt: T0 - 240_000,
    lastSeenAt: T0,
    firedAt: T0 - 180_000,
    resolvedAt: T0 + 10_000,
    okSince: T0 + 5000,
    lastBadAt: T0 - 1000,
    timeline: [
      { id: 'upd_1', at: T0 - 240_000, status: 'investigating', text: 'We are investigating — ñ, é', origin: 'source' },
      { id: 'fired', at: T0 - 180_000, status: 'fired', text: '2 consecutive bad polls', origin: 'engine' },
    ],
    rev: 0,
    ...overrides,
  };
}

export function makeEvent(alert: Alert, overrides: Partial<AlertEvent> = {}): AlertEvent {
  return {
    type: 'opened',
    alert: structuredClone(alert),
    version: alert.version,
    at: T0,
    reason: '2 consecutive bad polls (threshold 2)',
    quiet: false,
    noPage: false,
    ...overrides,
  };
}

export function makeIntent(
  alert: Alert,
  destination: string,
  overrides: Partial<Omit<NewIntent, 'alertId' | 'destination'>> = {},
): NewIntent {
  const version = overrides.version ?? alert.version;
  return {
    alertId: alert.id,
    version,
    destination,
    event: makeEvent(alert, { version }),
    notBefore: T0,
    ...overrides,
  };
}
