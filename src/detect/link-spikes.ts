// token_required (and invalid) spikes per institution: the count of link transitions in a short window against the
// same institution's own long-run rate. Fires only when the count is above a minimum AND far above what the baseline
// predicts for the window, so a handful of links never pages and a slow steady rise (the baseline rises with it)
// stays a trend for `/belvo-status status`. Pure: the caller reads the transitions from the store.
import { fingerprint } from '../domain/fingerprint.js';
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
  /** False once the link left that status again (re-connected, deleted): it no longer counts as affected. */
  stillAffected?: boolean;
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
  /**
   * A spike is over once this short window is back under `factor` times the usual rate (default 10 min): it does
   * not wait for the whole window to forget the burst.
   */
  shortWindowMs: number;
}

export const DEFAULT_SPIKE_CONFIG: SpikeConfig = {
  windowMs: 60 * 60_000,
  baselineMs: 7 * 24 * 60 * 60_000,
  minCount: 10,
  factor: 5,
  shortWindowMs: 10 * 60_000,
};

export interface SpikeInput {
  environment: string;
  /** The source id alerts carry (`belvo-production`). */
  source: string;
  code: SpikeCode;
  /** Transitions in the window (`now - windowMs` to now), any order. */
  recent: LinkTransition[];
  /** Transitions per institution in the baseline (the `baselineMs` before the window): the usual rate. */
  baseline: Map<string, number>;
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
  /** In the short window: still arriving faster than usual? */
  recentCount: number;
  /** Links of the window still in that status. */
  affected: number;
  bad: boolean;
  reason: string;
}

/** The baseline never predicts less than one transition per window: an institution with none yet is not "infinitely" spiking on its first few. */
const MIN_EXPECTED = 1;

/**
 * Fires when the window holds at least `minCount` transitions and `factor` times the usual; stays firing only while
 * they still arrive faster than usual (the short window) and at least `minCount` of those links are still affected.
 * So a spike resolves within one evaluation of the links recovering or the burst stopping.
 */
export function spikeFindings(input: SpikeInput): SpikeFinding[] {
  const { config, now } = input;
  const windowStart = now - config.windowMs;
  const shortMs = Math.min(config.shortWindowMs, config.windowMs);
  const shortStart = now - shortMs;
  const counts = new Map<string, { recent: number; short: number; affected: Set<string> }>();
  for (const t of input.recent) {
    if (!t.institution || t.at < windowStart || t.at > now) continue;
    const c = counts.get(t.institution) ?? { recent: 0, short: 0, affected: new Set<string>() };
    c.recent++;
    if (t.at >= shortStart) c.short++;
    if (t.stillAffected !== false) c.affected.add(t.linkId);
    counts.set(t.institution, c);
  }
  const findings: SpikeFinding[] = [];
  const code = input.code;
  for (const [institution, c] of counts) {
    const expected = ((input.baseline.get(institution) ?? 0) / config.baselineMs) * config.windowMs;
    const floor = Math.max(expected, MIN_EXPECTED);
    const spiking = c.recent >= config.minCount && c.recent >= config.factor * floor;
    const stillArriving = c.short >= Math.max(1, (config.factor * floor * shortMs) / config.windowMs);
    const stillAffected = c.affected.size >= config.minCount;
    const bad = spiking && stillArriving && stillAffected;
    let reason = `${c.recent} ${code} in the last ${minutes(config.windowMs)} (usual ${expected.toFixed(1)}; fires at ${config.minCount}+ and ${config.factor}x usual)`;
    if (spiking && !stillAffected) reason += `; links recovered: ${c.affected.size} still ${code}`;
    else if (spiking && !stillArriving)
      reason += `; ${c.short} in the last ${minutes(shortMs)}, back to the usual pace`;
    findings.push({
      institution,
      count: c.recent,
      expected,
      recentCount: c.short,
      affected: c.affected.size,
      bad,
      reason,
    });
  }
  return findings;
}

function minutes(ms: number): string {
  return ms % 3_600_000 === 0 ? `${ms / 3_600_000}h` : `${Math.round(ms / 60_000)}m`;
}

export function spikeFingerprint(environment: string, institution: string, code: SpikeCode): string {
  return fingerprint.linkSpike(environment, code, institution);
}

/** Every spike alert of one code in one environment: a poll that counted every institution sees this scope whole. */
export function spikeScope(environment: string, code: SpikeCode): string {
  return fingerprint.linkSpikeScope(environment, code);
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
    const recent = input.recent
      .filter((t) => t.institution === f.institution && t.at >= windowStart)
      .sort((a, b) => b.at - a.at)
      .slice(0, EXAMPLES);
    const inst = input.institutions.get(f.institution) ?? { name: f.institution, displayName: f.institution };
    const what = input.code === 'token_required' ? 'token_required' : 'invalid credentials';
    const window = minutes(input.config.windowMs);
    return {
      fingerprint: spikeFingerprint(input.environment, f.institution, input.code),
      kind: `belvo.${input.code}-spike`,
      source: input.source,
      lifecycle: 'observed',
      observation: f.bad ? 'bad' : 'ok',
      severity: spikeSeverity(share, input.critical(f.institution)),
      title: `${inst.displayName}: spike of ${what} links`,
      status: f.bad ? 'spiking' : 'back to usual',
      // The count moves on every evaluation: shown in place; a reply only at the next order of magnitude.
      figure: { value: f.count, text: `${f.count} in ${window} (usual ${f.expected.toFixed(1)})` },
      environment: input.environment,
      institution: inst,
      evidence: {
        rule: f.reason,
        count: f.count,
        usual: Number(f.expected.toFixed(2)),
        stillAffected: f.affected,
        ...(links !== undefined && { links, share: Number((share ?? 0).toFixed(3)) }),
        exampleLinks: recent.map((t) => t.linkId),
        exampleExternalIds: recent.map((t) => t.externalId).filter((x): x is string => !!x),
      },
    } satisfies Signal;
  });
}
