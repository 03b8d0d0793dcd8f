// The team's links in one Belvo environment: a slow reconciliation lists them all (webhooks can be missed, and some
// environments send none), and a frequent check turns the token_required and invalid_credentials transitions (from
// webhooks and reconciliation alike) into spike alerts per institution.

import type { OutcomeSource } from '../alerts/change.js';
import {
  DEFAULT_SPIKE_CONFIG,
  type SpikeCode,
  type SpikeConfig,
  spikeScope,
  spikeSignals,
} from '../detect/link-spikes.js';
import type { InstitutionRef } from '../domain/institution.js';
import type { PollOutcome, Signal } from '../domain/signal.js';
import type { BelvoApi } from '../ports/belvo.js';
import { BelvoApiError } from '../ports/belvo.js';
import type { BelvoLinkListing, LinkEventCode } from '../ports/belvo-links.js';
import type { LinkCounts } from './belvo-institutions.js';
import type { CommitReport, PollDeps } from './poll-deps.js';

const LISTING_CHUNK = 1000;
/** Belvo's link statuses, counted one `page_size=1` query each. */
const COUNTED_STATUSES = ['valid', 'invalid', 'token_required', 'unconfirmed'];
const CODES: [LinkEventCode, SpikeCode][] = [
  ['token_required', 'token_required'],
  ['invalid_credentials', 'invalid'],
];

export interface BelvoLinksOptions {
  environment: string;
  api: BelvoApi;
  reconcileEveryMs: number;
  spikes?: SpikeConfig;
  catalogue: () => Map<string, InstitutionRef>;
  critical: (institution: InstitutionRef) => boolean;
}

/** The team's links per institution (all statuses), from what webhooks and reconciliation stored. */
export async function storedLinkCounts(
  deps: Pick<PollDeps, 'store'>,
  environment: string,
): Promise<LinkCounts | undefined> {
  const rows = await deps.store.linkStatusCounts(environment);
  if (rows.length === 0) return undefined;
  const byInstitution = new Map<string, number>();
  let total = 0;
  for (const r of rows) {
    total += r.count;
    if (r.institution) byInstitution.set(r.institution, (byInstitution.get(r.institution) ?? 0) + r.count);
  }
  return { byInstitution, total };
}

/** Lists every link of one environment into the store (the full sync); returns how many links Belvo listed. */
export async function syncLinks(
  store: Pick<PollDeps['store'], 'upsertLinks'>,
  api: BelvoApi,
  environment: string,
  now: number,
  signal?: AbortSignal,
): Promise<number> {
  let chunk: BelvoLinkListing[] = [];
  let seen = 0;
  const flush = async () => {
    if (chunk.length === 0) return;
    await store.upsertLinks(environment, chunk, now);
    chunk = [];
  };
  for await (const link of api.listLinks({}, signal)) {
    chunk.push({
      id: link.id,
      status: link.status,
      institution: link.institution,
      ...(link.externalId && { externalId: link.externalId }),
      ...(link.institutionUserId && { institutionUserId: link.institutionUserId }),
    });
    seen++;
    if (chunk.length >= LISTING_CHUNK) await flush();
  }
  await flush();
  return seen;
}

export class BelvoLinksMonitor {
  readonly id: string;
  private readonly source: OutcomeSource;
  private reconciledAt?: number;
  private reconciling = false;

  constructor(
    private readonly deps: PollDeps,
    private readonly opts: BelvoLinksOptions,
  ) {
    this.id = `belvo-${opts.environment}-links`;
    this.source = { id: this.id, name: `Belvo links (${opts.environment})`, failuresBeforeAlert: 3 };
  }

  /** Lists every link and stores what changed; a link newly in token_required or invalid is a transition. */
  async reconcile(signal?: AbortSignal): Promise<number> {
    const now = this.deps.clock.now();
    const seen = await syncLinks(this.deps.store, this.opts.api, this.opts.environment, now, signal);
    this.reconciledAt = now;
    return seen;
  }

  /**
   * Whether the stored links still agree with Belvo's own counts by status (four `page_size=1` queries): a full
   * listing is only needed when they drift (a missed webhook, links created or deleted).
   */
  async drifted(signal?: AbortSignal): Promise<boolean> {
    const stored = new Map<string, number>();
    for (const c of await this.deps.store.linkStatusCounts(this.opts.environment)) {
      stored.set(c.status, (stored.get(c.status) ?? 0) + c.count);
    }
    for (const status of COUNTED_STATUSES) {
      const count = await this.opts.api.countLinks({ status }, signal);
      if (count !== (stored.get(status) ?? 0)) return true;
    }
    return false;
  }

  async poll(): Promise<CommitReport> {
    const now = this.deps.clock.now();
    let outcome: PollOutcome;
    try {
      const due = this.reconciledAt === undefined || now - this.reconciledAt >= this.opts.reconcileEveryMs;
      // Counting is cheap (four requests); listing every link is not: list only what the counts say changed.
      if (due && !this.reconciling && (this.reconciledAt === undefined || (await this.drifted()))) {
        this.reconciling = true;
        try {
          await this.reconcile();
        } finally {
          this.reconciling = false;
        }
      } else if (due) {
        this.reconciledAt = now;
      }
      outcome = { ok: true, source: this.id, at: now, signals: await this.spikes(now), completeScopes: this.scopes() };
    } catch (err) {
      const e = err instanceof BelvoApiError ? err : undefined;
      const message = err instanceof Error ? err.message : String(err);
      outcome = { ok: false, source: this.id, at: now, error: { code: e?.kind ?? 'unexpected', message } };
      this.deps.logger.warn(
        { source: this.id, kind: e?.kind, requestId: e?.requestId },
        'Belvo link reconciliation failed',
      );
    }
    return this.deps.alerts.commit({ type: 'poll', source: this.source, outcome });
  }

  private scopes(): string[] {
    return CODES.map(([, code]) => spikeScope(this.opts.environment, code));
  }

  private async spikes(now: number): Promise<Signal[]> {
    const config = this.opts.spikes ?? DEFAULT_SPIKE_CONFIG;
    const counts = await storedLinkCounts(this.deps, this.opts.environment);
    const catalogue = this.opts.catalogue();
    const signals: Signal[] = [];
    for (const [eventCode, code] of CODES) {
      const windowStart = now - config.windowMs;
      const environment = this.opts.environment;
      // The window's transitions one by one (examples, links still affected); the baseline only as counts.
      const [events, usual] = await Promise.all([
        this.deps.store.linkEvents({ environment, code: eventCode, since: windowStart }),
        this.deps.store.linkEventCounts({
          environment,
          code: eventCode,
          since: windowStart - config.baselineMs,
          until: windowStart,
        }),
      ]);
      const baseline = new Map<string, number>();
      for (const c of usual) if (c.institution) baseline.set(c.institution, c.count);
      const names = new Set(events.map((e) => e.institution).filter((x): x is string => !!x));
      const institutions = new Map<string, InstitutionRef>();
      for (const name of names) institutions.set(name, catalogue.get(name) ?? { name, displayName: name });
      signals.push(
        ...spikeSignals({
          environment: this.opts.environment,
          source: this.id,
          code,
          recent: events.map((e) => ({
            at: e.at,
            linkId: e.linkId,
            ...(e.externalId && { externalId: e.externalId }),
            ...(e.institution && { institution: e.institution }),
            ...(e.stillInStatus !== undefined && { stillAffected: e.stillInStatus }),
          })),
          baseline,
          linksByInstitution: counts?.byInstitution ?? new Map(),
          institutions,
          critical: (name) => this.opts.critical(institutions.get(name) ?? { name, displayName: name }),
          config,
          now,
        }),
      );
    }
    return signals;
  }
}
