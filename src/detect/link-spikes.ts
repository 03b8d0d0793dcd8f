// token_required (and invalid) spikes per institution: the count of link transitions in a short window against the
// same institution's own long-run rate. Fires only when the count is above a minimum AND far above what the baseline
// predicts for the window, so a handful of links never pages and a slow steady rise (the baseline rises with it)
// stays a trend for `/belvo-status status`. Pure: the caller reads the transitions from the store.
import type { InstitutionRef } from '../domain/institution.js';
import { atLeast, type Severity } from '../domain/severity.js';
import type { Signal } from '../domain/signal.js';

export type SpikeCode = 'token_required' | 'invalid';

export interface LinkTransition {
  at: number;
  linkId: string;
  externalId?: string | null;
  /** Institution name; transitions of links whose institution is unknown are left out of per-institution counts. */
  institution?: string;
}

export interface SpikeConfig {
  /** The recent window counted (default 1 h). */
  windowMs: number;
  /** The long run the baseline rate is measured over, ending where the window starts (default 7 days). */
  baselineMs: number;
  /** At least this many transitions in the window (default 10). */
  minCount: number;
  /** And at least this many times what the baseline predicts for the window (default 5). */
  factor: number;
}

export const DEFAULT_SPIKE_CONFIG: SpikeConfig = {
  windowMs: 60 * 60_000,
  baselineMs: 7 * 24 * 60 * 60_000,
  minCount: 10,
  factor: 5,
};

export interface SpikeInput {
  environment: string;
  /** The source id alerts carry (`belvo-production`). */
  source: string;
  code: SpikeCode;
  /** Transitions since `now - windowMs - baselineMs`, any order. */
  transitions: LinkTransition[];
  /** The team's links per institution (share of links affected; severity). */
  linksByInstitution: Map<string, number>;
  institutions: Map<string, InstitutionRef>;
  critical: (institution: string) => boolean;
  config: SpikeConfig;
  now: number;
}

export interface SpikeFinding {
  institution: string;
  count: number;
  /** What the baseline predicts for one window (a rate, so it can be fractional). */
  expected: number;
  bad: boolean;
  reason: string;
}

/** The baseline never predicts less than one transition per window: an institution with none yet is not "infinitely" spiking on its first few. */
const MIN_EXPECTED = 1;

export function spikeFindings(input: SpikeInput): SpikeFinding[] {
  const { config, now } = input;
  const windowStart = now - config.windowMs;
  const baselineStart = windowStart - config.baselineMs;
  const counts = new Map<string, { recent: number; before: number }>();
  for (const t of input.transitions) {
    if (!t.institution || t.at < baselineStart || t.at > now) continue;
    const c = counts.get(t.institution) ?? { recent: 0, before: 0 };
    if (t.at >= windowStart) c.recent++;
    else c.before++;
    counts.set(t.institution, c);
  }
  const findings: SpikeFinding[] = [];
  for (const [institution, c] of counts) {
    const expected = (c.before / config.baselineMs) * config.windowMs;
    const floor = Math.max(expected, MIN_EXPECTED);
    const bad = c.recent >= config.minCount && c.recent >= config.factor * floor;
    const reason = `${c.recent} ${input.code} in the last ${minutes(config.windowMs)} (usual ${expected.toFixed(1)}; fires at ${config.minCount}+ and ${config.factor}x usual)`;
    findings.push({ institution, count: c.recent, expected, bad, reason });
  }
  return findings;
}

function minutes(ms: number): string {
  return ms % 3_600_000 === 0 ? `${ms / 3_600_000}h` : `${Math.round(ms / 60_000)}m`;
}

export function spikeFingerprint(environment: string, institution: string, code: SpikeCode): string {
  return `${spikeScope(environment, code)}${institution}`;
}

/** Every spike alert of one code in one environment: a poll that counted every institution sees this scope whole. */
export function spikeScope(environment: string, code: SpikeCode): string {
  return `belvo/${environment}/${code}-spike/`;
}

/** A spike's severity: the share of the institution's links it touches, one step up for a critical institution. */
export function spikeSeverity(share: number | undefined, critical: boolean): Severity {
  const base: Severity = share !== undefined && share >= 0.2 ? 'major' : 'minor';
  if (!critical) return base;
  return atLeast(base, 'major') ? 'critical' : 'major';
}

const EXAMPLES = 5;

/** Signals for every institution with transitions; institutions no longer spiking are observed ok. */
export function spikeSignals(input: SpikeInput): Signal[] {
  const windowStart = input.now - input.config.windowMs;
  return spikeFindings(input).map((f) => {
    const links = input.linksByInstitution.get(f.institution);
    const share = links ? f.count / links : undefined;
    const recent = input.transitions
      .filter((t) => t.institution === f.institution && t.at >= windowStart)
      .sort((a, b) => b.at - a.at)
      .slice(0, EXAMPLES);
    const inst = input.institutions.get(f.institution) ?? { name: f.institution, displayName: f.institution };
    const what = input.code === 'token_required' ? 'token_required' : 'invalid credentials';
    return {
      fingerprint: spikeFingerprint(input.environment, f.institution, input.code),
      kind: `belvo.${input.code}-spike`,
      source: input.source,
      lifecycle: 'observed',
      observation: f.bad ? 'bad' : 'ok',
      severity: spikeSeverity(share, input.critical(f.institution)),
      title: `${inst.displayName}: spike of ${what} links`,
      status: f.bad ? `${f.count} in ${minutes(input.config.windowMs)}` : 'back to usual',
      environment: input.environment,
      institution: inst,
      evidence: {
        rule: f.reason,
        count: f.count,
        usual: Number(f.expected.toFixed(2)),
        ...(links !== undefined && { links, share: Number((share ?? 0).toFixed(3)) }),
        exampleLinks: recent.map((t) => t.linkId),
        exampleExternalIds: recent.map((t) => t.externalId).filter((x): x is string => !!x),
      },
      // A new order of magnitude is news; one more link is not.
      revision: `${Math.floor(Math.log2(Math.max(1, f.count)))}`,
    } satisfies Signal;
  });
}
