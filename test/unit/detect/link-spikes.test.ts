import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SPIKE_CONFIG,
  type LinkTransition,
  type SpikeInput,
  spikeFindings,
  spikeSeverity,
  spikeSignals,
} from '../../../src/detect/link-spikes.js';

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 10, 27, 12);

/** `perHour[i]` transitions in hour i before now (0 = the last hour), spread inside the hour. */
function history(institution: string, perHour: number[]): LinkTransition[] {
  const out: LinkTransition[] = [];
  perHour.forEach((n, hour) => {
    for (let k = 0; k < n; k++) {
      const at = NOW - hour * HOUR - ((k + 0.5) / n) * HOUR;
      out.push({ at, linkId: `${institution}-${hour}-${k}`, externalId: `cust-${hour}-${k}`, institution });
    }
  });
  return out;
}

/** The window's transitions one by one, the older ones as the baseline's counts (as the store hands them over). */
function input(transitions: LinkTransition[], over: Partial<SpikeInput> = {}): SpikeInput {
  const windowStart = NOW - DEFAULT_SPIKE_CONFIG.windowMs;
  const baselineStart = windowStart - DEFAULT_SPIKE_CONFIG.baselineMs;
  const baseline = new Map<string, number>();
  for (const t of transitions) {
    if (t.institution && t.at < windowStart && t.at >= baselineStart) {
      baseline.set(t.institution, (baseline.get(t.institution) ?? 0) + 1);
    }
  }
  return {
    environment: 'production',
    source: 'belvo-production',
    code: 'token_required',
    recent: transitions.filter((t) => t.at >= windowStart),
    baseline,
    linksByInstitution: new Map([['erebor_mx_retail', 200]]),
    institutions: new Map([
      ['erebor_mx_retail', { name: 'erebor_mx_retail', displayName: 'Banco Erebor MX', country: 'MX' }],
    ]),
    critical: () => false,
    config: DEFAULT_SPIKE_CONFIG,
    now: NOW,
    ...over,
  };
}

const week = (perHour: (hour: number) => number) => Array.from({ length: 7 * 24 + 1 }, (_, h) => perHour(h));

describe('token_required spikes', () => {
  it.each<[string, number[], boolean]>([
    ['a quiet institution: nothing', week(() => 0), false],
    ['a handful in the last hour, below the minimum count: nothing', [6, ...week(() => 0).slice(1)], false],
    ['a burst of 30 in an hour at an institution that usually has ~1/h: fires', [30, ...week(() => 1).slice(1)], true],
    ['a busy institution at its usual 12/h: nothing', week(() => 12), false],
    ['busy at 12/h, then 40 in an hour: under 5x the usual, nothing', [40, ...week(() => 12).slice(1)], false],
    ['busy at 12/h, then 80 in an hour: fires', [80, ...week(() => 12).slice(1)], true],
    // A steady rise from 1/h a week ago to 25/h now: the last hour is far above the week's mean but its own baseline
    // rose with it; under 5x the usual.
    ['a slow steady rise over the week does not page', week((h) => Math.round(25 - (24 * h) / (7 * 24))), false],
    ['the first spike of a new institution with no history fires at the minimum count', [10], true],
  ])('%s', (_, perHour, bad) => {
    const [finding] = spikeFindings(input(history('erebor_mx_retail', perHour)));
    expect(finding?.bad ?? false).toBe(bad);
  });

  it('the alert gives the count, the usual rate, the share of links and example links and external ids', () => {
    const [signal] = spikeSignals(input(history('erebor_mx_retail', [30, ...week(() => 1).slice(1)])));
    expect(signal).toMatchObject({
      fingerprint: 'belvo/production/token_required-spike/erebor_mx_retail',
      kind: 'belvo.token_required-spike',
      observation: 'bad',
      severity: 'minor',
      title: 'Banco Erebor MX: spike of token_required links',
      status: 'spiking',
      figure: { value: 30, text: '30 in 1h (usual 1.0)' },
      institution: { name: 'erebor_mx_retail', country: 'MX' },
    });
    expect(signal?.evidence).toMatchObject({ count: 30, usual: 1, links: 200, share: 0.15 });
    expect(signal?.evidence?.exampleLinks).toHaveLength(5);
    expect(signal?.evidence?.exampleExternalIds).toEqual(['cust-0-0', 'cust-0-1', 'cust-0-2', 'cust-0-3', 'cust-0-4']); // newest first
    expect(String(signal?.evidence?.rule)).toBe(
      '30 token_required in the last 1h (usual 1.0; fires at 10+ and 5x usual)',
    );
  });

  it('resolves as soon as the links recover, without waiting for the window to forget the burst', () => {
    const burst = history('erebor_mx_retail', [30, ...week(() => 1).slice(1)]);
    const recovered = burst.map((t) => (t.at >= NOW - HOUR ? { ...t, stillAffected: t.linkId.endsWith('-0') } : t));
    const [still] = spikeFindings(input(burst));
    const [after] = spikeFindings(input(recovered));
    expect(still?.bad).toBe(true);
    expect(after?.bad).toBe(false);
    expect(after?.count).toBe(30);
    expect(after?.reason).toBe(
      '30 token_required in the last 1h (usual 1.0; fires at 10+ and 5x usual); links recovered: 1 still token_required',
    );
  });

  it('resolves once the burst stops (nothing new in the short window), even with links still affected', () => {
    // 30 transitions 40 to 20 minutes ago, none since.
    const old = Array.from({ length: 30 }, (_, k) => ({
      at: NOW - 40 * 60_000 + k * 40_000,
      linkId: `l${k}`,
      institution: 'erebor_mx_retail',
    }));
    const [finding] = spikeFindings(input(old));
    expect(finding?.bad).toBe(false);
    expect(finding?.reason).toMatch(/; 0 in the last 10m, back to the usual pace$/);
    const [ongoing] = spikeFindings(
      input([...old, { at: NOW - 60_000, linkId: 'l99', institution: 'erebor_mx_retail' }]),
    );
    expect(ongoing?.bad).toBe(true);
  });

  it('the other institutions are observed ok, and one spiking does not make another spike', () => {
    const transitions = [...history('erebor_mx_retail', [30]), ...history('gondor_co', [2, 2, 2])];
    const signals = spikeSignals(input(transitions));
    expect(signals.map((s) => [s.institution?.name, s.observation])).toEqual([
      ['erebor_mx_retail', 'bad'],
      ['gondor_co', 'ok'],
    ]);
  });

  it.each<[number | undefined, boolean, string]>([
    [0.05, false, 'minor'],
    [0.25, false, 'major'],
    [0.05, true, 'major'],
    [0.25, true, 'critical'],
    [undefined, false, 'minor'],
  ])('severity for a share of %s (critical %s): %s', (share, critical, severity) => {
    expect(spikeSeverity(share, critical)).toBe(severity);
  });
});
