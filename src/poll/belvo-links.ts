// The team's links in one Belvo environment: a slow reconciliation lists them all (webhooks can be missed, and some
// environments send none), and a check turns the token_required and invalid_credentials transitions (from webhooks
// and reconciliation alike) into spike alerts per institution: on a schedule, and at once when a webhook batch that
// changed a link's status is committed (`wake`).

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
import { OneAtATime, Wakeable } from './wake.js';

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

export interface LinkSync {
  /** Links Belvo listed. */
  listed: number;
  /** Links the store held that the listing no longer named, now marked gone. */
  gone: number;
}

/**
 * Lists every link of one environment into the store (the full sync). Once the listing has been read to its end,
 * links it did not name are marked gone (out of the counts); a listing that fails part-way marks nothing.
 */
export async function syncLinks(
  store: Pick<PollDeps['store'], 'upsertLinks' | 'markLinksGone'>,
  api: BelvoApi,
  environment: string,
  now: number,
  signal?: AbortSignal,
): Promise<LinkSync> {
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
  // Reached only when every page was read: a failure above threw, and a partial listing says nothing about absence.
  const { gone } = await store.markLinksGone(environment, now);
  return { listed: seen, gone };
}

export class BelvoLinksMonitor {
  readonly id: string;
  private readonly source: OutcomeSource;
  private reconciledAt?: number;
  private reconciling = false;
  /** The scheduled check and the woken one take turns: one evaluation of this environment at a time. */
  private readonly turns = new OneAtATime();
  private readonly woken: Wakeable;

  constructor(
    private readonly deps: PollDeps,
    private readonly opts: BelvoLinksOptions,
  ) {
    this.id = `belvo-${opts.environment}-links`;
    this.source = { id: this.id, name: `Belvo links (${opts.environment})`, failuresBeforeAlert: 3 };
    this.woken = new Wakeable(
      () => this.checkWoken(),
      (err) => this.deps.logger.error({ source: this.id, err }, 'spike check after a webhook failed'),
    );
  }

  /**
   * A committed webhook batch moved links into token_required or invalid: judge the spikes now rather than at the
   * next scheduled check. Wakes during a check cause exactly one more check after it.
   */
  wake(): void {
    this.woken.wake();
  }

  /** Resolves once no woken check runs or waits (a clean stop; a test awaiting what a webhook caused). */
  idle(): Promise<void> {
    return this.woken.idle();
  }

  /** Lists every link and stores what changed; a link newly in token_required or invalid is a transition. */
  async reconcile(signal?: AbortSignal): Promise<LinkSync> {
    const now = this.deps.clock.now();
    const sync = await syncLinks(this.deps.store, this.opts.api, this.opts.environment, now, signal);
    this.reconciledAt = now;
    if (sync.gone > 0) {
      this.deps.logger.info(
        { source: this.id, gone: sync.gone, listed: sync.listed },
        'links Belvo no longer lists are left out of the counts',
      );
    }
    return sync;
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
    const outcome = await this.read();
    return this.turns.run(async () => {
      // The read may have taken a while: the spikes are judged on what is stored when this turn comes.
      if (!outcome.ok) return this.deps.alerts.commit({ type: 'poll', source: this.source, outcome });
      const now = this.deps.clock.now();
      const counts = await storedLinkCounts(this.deps, this.opts.environment);
      const judged = { ...outcome, at: now, signals: await this.spikes(now, counts) };
      return this.deps.alerts.commit({
        type: 'poll',
        source: this.source,
        outcome: judged,
        linkCounts: { environment: this.opts.environment, counts },
      });
    });
  }

  /**
   * The check a webhook woke: spikes from what the store holds, Belvo not asked. Belvo's reachability is the
   * scheduled read's to judge, so this leaves the source's health as that read left it; and before the first read
   * (first sight: what is already there is history) it waits for the schedule.
   */
  private async checkWoken(): Promise<CommitReport | undefined> {
    return this.turns.run(async () => {
      const state = await this.deps.store.getSourceState(this.id);
      if (state?.firstSuccessAt === undefined) return undefined;
      const now = this.deps.clock.now();
      const counts = await storedLinkCounts(this.deps, this.opts.environment);
      const signals = await this.spikes(now, counts);
      return this.deps.alerts.commit({
        type: 'poll',
        source: this.source,
        outcome: { ok: true, source: this.id, at: now, signals, completeScopes: this.scopes() },
        keepSourceHealth: true,
        linkCounts: { environment: this.opts.environment, counts },
      });
    });
  }

  /** Reconciles when due; the outcome's signals are filled in at commit time. */
  private async read(): Promise<PollOutcome> {
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
      outcome = { ok: true, source: this.id, at: now, signals: [], completeScopes: this.scopes() };
    } catch (err) {
      const e = err instanceof BelvoApiError ? err : undefined;
      const message = err instanceof Error ? err.message : String(err);
      outcome = { ok: false, source: this.id, at: now, error: { code: e?.kind ?? 'unexpected', message } };
      this.deps.logger.warn(
        { source: this.id, kind: e?.kind, requestId: e?.requestId },
        'Belvo link reconciliation failed',
      );
    }
    return outcome;
  }

  private scopes(): string[] {
    return CODES.map(([, code]) => spikeScope(this.opts.environment, code));
  }

  /** Spike signals from the stored transitions, weighed against `counts` (read once per check, the commit's too). */
  private async spikes(now: number, counts: LinkCounts | undefined): Promise<Signal[]> {
    const config = this.opts.spikes ?? DEFAULT_SPIKE_CONFIG;
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
