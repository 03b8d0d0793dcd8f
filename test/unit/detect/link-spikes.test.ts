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

function input(transitions: LinkTransition[], over: Partial<SpikeInput> = {}): SpikeInput {
  return {
    environment: 'production',
    source: 'belvo-production',
    code: 'token_required',
    transitions,
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
      status: '30 in 1h',
      institution: { name: 'erebor_mx_retail', country: 'MX' },
    });
    expect(signal?.evidence).toMatchObject({ count: 30, usual: 1, links: 200, share: 0.15 });
    expect(signal?.evidence?.exampleLinks).toHaveLength(5);
    expect(signal?.evidence?.exampleExternalIds).toEqual(['cust-0-0', 'cust-0-1', 'cust-0-2', 'cust-0-3', 'cust-0-4']); // newest first
    expect(String(signal?.evidence?.rule)).toBe(
      '30 token_required in the last 1h (usual 1.0; fires at 10+ and 5x usual)',
    );
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
