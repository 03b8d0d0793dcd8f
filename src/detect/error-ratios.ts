// Error ratios of the team's own Belvo calls, per institution and per kind of error, alerted the way the SRE
// workbook alerts on burn rates: only when BOTH a long window and a short window are above the threshold, each with
// a minimum number of calls. A burst fires within minutes, a blip in the short window alone does not, and the
// alert resolves soon after recovery (the short window clears first). Counting lives in 10-second buckets in memory
// (a restart forgets at most one long window; a window's edge is off by 10 s at most); the decision is pure.

import { INSTITUTION_ERROR_CODES, LINK_ERROR_CODES } from '../domain/belvo-error-codes.js';
import { fingerprint } from '../domain/fingerprint.js';
import type { InstitutionRef } from '../domain/institution.js';
import type { Signal } from '../domain/signal.js';

/** One Belvo call as the team's app reports it to `POST /ingest/belvo-calls`. */
export interface BelvoCall {
  ts: number;
  method: string;
  path: string;
  status: number;
  code?: string;
  requestId?: string;
  institution?: string;
  linkId?: string;
  durationMs: number;
  timeout?: boolean;
}

export type ErrorKind = 'institution' | 'link' | 'belvo' | 'request' | 'timeout';
export const ERROR_KINDS: ErrorKind[] = ['institution', 'link', 'belvo', 'request', 'timeout'];

/** Which side failed, from Belvo's own error classes (see the error table in Belvo's docs); undefined: it worked. */
export function classifyCall(call: Pick<BelvoCall, 'status' | 'code' | 'timeout'>): ErrorKind | undefined {
  if (call.timeout) return 'timeout';
  if (call.status < 400) return undefined;
  if (call.code && INSTITUTION_ERROR_CODES.has(call.code)) return 'institution';
  if ((call.code && LINK_ERROR_CODES.has(call.code)) || call.status === 428) return 'link';
  if (call.status >= 500 || call.status === 408 || call.code === 'request_timeout') return 'belvo';
  return 'request';
}

interface KindCount {
  count: number;
  codes: Map<string, number>;
  /** Newest last, bounded. */
  requestIds: string[];
}

interface Bucket {
  total: number;
  kinds: Map<ErrorKind, KindCount>;
}

const MINUTE = 60_000;
/** Bucket width: fine enough that the short window clears within one evaluation of the errors stopping. */
const BUCKET_MS = 10_000;
const REQUEST_IDS_PER_BUCKET = 10;
/** Calls that name no institution are counted together. */
export const NO_INSTITUTION = '(no institution)';

/** Time buckets per institution. Old buckets are dropped as time passes. */
export class CallWindows {
  private readonly buckets = new Map<string, Map<number, Bucket>>();

  constructor(private readonly keepMs: number) {}

  add(call: BelvoCall): void {
    const institution = call.institution || NO_INSTITUTION;
    const slot = Math.floor(call.ts / BUCKET_MS);
    let bySlot = this.buckets.get(institution);
    if (!bySlot) {
      bySlot = new Map();
      this.buckets.set(institution, bySlot);
    }
    let bucket = bySlot.get(slot);
    if (!bucket) {
      bucket = { total: 0, kinds: new Map() };
      bySlot.set(slot, bucket);
    }
    bucket.total++;
    const kind = classifyCall(call);
    if (!kind) return;
    let k = bucket.kinds.get(kind);
    if (!k) {
      k = { count: 0, codes: new Map(), requestIds: [] };
      bucket.kinds.set(kind, k);
    }
    k.count++;
    const code = call.code ?? (call.timeout ? 'timeout' : `http_${call.status}`);
    k.codes.set(code, (k.codes.get(code) ?? 0) + 1);
    if (call.requestId) {
      k.requestIds.push(call.requestId);
      if (k.requestIds.length > REQUEST_IDS_PER_BUCKET) k.requestIds.shift();
    }
  }

  prune(now: number): void {
    const oldest = Math.floor((now - this.keepMs) / BUCKET_MS);
    for (const [institution, bySlot] of this.buckets) {
      for (const slot of bySlot.keys()) if (slot < oldest) bySlot.delete(slot);
      if (bySlot.size === 0) this.buckets.delete(institution);
    }
  }

  institutions(): string[] {
    return [...this.buckets.keys()];
  }

  /** Totals over `[now - ms, now]` for one institution. */
  window(institution: string, now: number, ms: number): WindowCounts {
    // Buckets that start inside the window: calls older than `now - ms` never count.
    const from = Math.ceil((now - ms) / BUCKET_MS);
    const to = Math.floor(now / BUCKET_MS);
    const out: WindowCounts = { total: 0, kinds: new Map() };
    for (const [slot, b] of this.buckets.get(institution) ?? []) {
      if (slot < from || slot > to) continue;
      out.total += b.total;
      for (const [kind, k] of b.kinds) {
        const acc: WindowKind = out.kinds.get(kind) ?? { count: 0, codes: new Map(), requestIds: [] };
        acc.count += k.count;
        for (const [code, n] of k.codes) acc.codes.set(code, (acc.codes.get(code) ?? 0) + n);
        // Newest first within a bucket, so a stable sort by bucket keeps the newest overall first.
        acc.requestIds.push(...[...k.requestIds].reverse().map((id) => ({ id, slot })));
        out.kinds.set(kind, acc);
      }
    }
    return out;
  }
}

interface WindowKind {
  count: number;
  codes: Map<string, number>;
  requestIds: { id: string; slot: number }[];
}

export interface WindowCounts {
  total: number;
  kinds: Map<ErrorKind, WindowKind>;
}

export interface ErrorRatioConfig {
  longMs: number;
  shortMs: number;
  /** Minimum calls in the long window, and in the short one. */
  minCalls: number;
  minShortCalls: number;
  /** Ratio above which a kind fires (both windows). */
  thresholds: Record<ErrorKind, number>;
}

export const DEFAULT_ERROR_RATIO_CONFIG: ErrorRatioConfig = {
  longMs: 60 * MINUTE,
  shortMs: 5 * MINUTE,
  minCalls: 50,
  minShortCalls: 10,
  // People mistype passwords: link/user errors are common; Belvo's own failures and timeouts are not.
  thresholds: { institution: 0.1, link: 0.3, belvo: 0.05, request: 0.1, timeout: 0.05 },
};

export function errorRatioScope(): string {
  return fingerprint.errorRatioScope();
}

export function errorRatioFingerprint(kind: ErrorKind, institution: string): string {
  return fingerprint.errorRatio(kind, institution);
}

const pct = (r: number) => `${(r * 100).toFixed(1)}%`;

export interface ErrorRatioInput {
  windows: CallWindows;
  source: string;
  config: ErrorRatioConfig;
  institutions: Map<string, InstitutionRef>;
  now: number;
}

/** The steps of an error ratio worth a thread reply: the threshold, then a quarter, half, three quarters of calls. */
function ratioSteps(threshold: number): number[] {
  return [...new Set([threshold, 0.25, 0.5, 0.75].filter((s) => s >= threshold))].sort((a, b) => a - b);
}

/** A signal per (institution, kind) seen in the long window; kinds under the threshold are observed ok. */
export function errorRatioSignals(input: ErrorRatioInput): Signal[] {
  const { config, now } = input;
  const signals: Signal[] = [];
  for (const institution of input.windows.institutions()) {
    const long = input.windows.window(institution, now, config.longMs);
    const short = input.windows.window(institution, now, config.shortMs);
    for (const kind of ERROR_KINDS) {
      const l = long.kinds.get(kind);
      if (!l) continue;
      const s = short.kinds.get(kind);
      const longRatio = long.total ? l.count / long.total : 0;
      const shortRatio = short.total ? (s?.count ?? 0) / short.total : 0;
      const threshold = config.thresholds[kind];
      const bad =
        long.total >= config.minCalls &&
        short.total >= config.minShortCalls &&
        longRatio >= threshold &&
        shortRatio >= threshold;
      const topCodes = [...l.codes].sort((a, b) => b[1] - a[1]).slice(0, 3);
      const requestIds = l.requestIds
        .sort((a, b) => b.slot - a.slot)
        .slice(0, 10)
        .map((r) => r.id);
      const inst =
        institution === NO_INSTITUTION
          ? undefined
          : (input.institutions.get(institution) ?? { name: institution, displayName: institution });
      const rule = `${kind} errors ${pct(longRatio)} of ${long.total} calls in ${config.longMs / MINUTE}m and ${pct(shortRatio)} of ${short.total} in ${config.shortMs / MINUTE}m (fires at ${pct(threshold)} in both, ${config.minCalls}+ and ${config.minShortCalls}+ calls)`;
      signals.push({
        fingerprint: errorRatioFingerprint(kind, institution),
        kind: `belvo.error-ratio.${kind}`,
        source: input.source,
        lifecycle: 'observed',
        observation: bad ? 'bad' : 'ok',
        severity: kind === 'belvo' || kind === 'institution' || kind === 'timeout' ? 'major' : 'minor',
        title: `${inst?.displayName ?? 'Belvo calls'}: ${pct(longRatio)} ${kind} errors`,
        status: bad ? 'above the threshold' : 'back under the threshold',
        // The ratio moves on every evaluation: shown in place; a reply when it reaches the threshold's next step
        // (a quarter, half, three quarters of the calls failing).
        figure: {
          value: longRatio,
          steps: ratioSteps(threshold),
          text: `${pct(longRatio)} of ${long.total} calls in ${config.longMs / MINUTE}m`,
        },
        ...(inst && { institution: inst }),
        evidence: {
          rule,
          calls: long.total,
          errors: l.count,
          ratio: Number(longRatio.toFixed(4)),
          topCodes: topCodes.map(([code, n]) => `${code} x${n}`),
          requestIds,
        },
      });
    }
  }
  return signals;
}
