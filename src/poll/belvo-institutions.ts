// Polls Belvo's institution health for one environment and keeps a catalogue of institution names (Belvo's API
// names the institution of a link or a call by `name` only; alerts want the display name and country).

import type { OutcomeSource } from '../alerts/change.js';
import { institutionDownScope, institutionHealthSignals, institutionRefOf } from '../detect/institution-health.js';
import type { InstitutionCatalogue } from '../domain/catalogue.js';
import type { InstitutionRef } from '../domain/institution.js';
import type { PollOutcome } from '../domain/signal.js';
import { type BelvoApi, BelvoApiError } from '../ports/belvo.js';
import type { CommitReport, PollDeps } from './poll-deps.js';

/** The full institution list changes rarely (new integrations): refreshed this often. */
const CATALOGUE_REFRESH_MS = 6 * 3_600_000;

export interface LinkCounts {
  byInstitution: Map<string, number>;
  total: number;
}

export interface BelvoInstitutionsOptions {
  environment: string;
  api: BelvoApi;
  /** The team's links per institution in this environment, when known (webhooks and reconciliation keep them). */
  linkCounts: () => Promise<LinkCounts | undefined>;
  critical: (institution: InstitutionRef) => boolean;
  timeoutMs: number;
  /** Learns every institution the API lists, so status-page names join Belvo's. */
  catalogue?: InstitutionCatalogue;
}

export function belvoSourceId(environment: string): string {
  return `belvo-${environment}`;
}

export class BelvoInstitutionsPoller {
  readonly id: string;
  private readonly source: OutcomeSource;
  private readonly names = new Map<string, InstitutionRef>();
  private catalogueAt?: number;

  constructor(
    private readonly deps: PollDeps,
    private readonly opts: BelvoInstitutionsOptions,
  ) {
    this.id = belvoSourceId(opts.environment);
    this.source = { id: this.id, name: `Belvo API (${opts.environment})`, failuresBeforeAlert: 3 };
  }

  /** Institution names seen so far (`erebor_mx_retail` -> display name, country). */
  catalogue(): Map<string, InstitutionRef> {
    return this.names;
  }

  async poll(): Promise<CommitReport> {
    const signal = AbortSignal.timeout(this.opts.timeoutMs * 4);
    const at = this.deps.clock.now();
    let outcome: PollOutcome;
    let counts: LinkCounts | undefined;
    try {
      if (this.catalogueAt === undefined || at - this.catalogueAt > CATALOGUE_REFRESH_MS) {
        const all = await this.opts.api.listInstitutions({}, signal);
        for (const i of all) this.names.set(i.name, institutionRefOf(i));
        this.opts.catalogue?.addApiInstitutions(all);
        this.catalogueAt = at;
      }
      const down = await this.opts.api.listInstitutions({ status: 'down' }, signal);
      for (const i of down) this.names.set(i.name, institutionRefOf(i));
      counts = await this.opts.linkCounts();
      outcome = {
        ok: true,
        source: this.id,
        at,
        signals: institutionHealthSignals({
          environment: this.opts.environment,
          source: this.id,
          down,
          ...(counts && { linksByInstitution: counts.byInstitution, totalLinks: counts.total }),
          critical: this.opts.critical,
        }),
        completeScopes: [institutionDownScope(this.opts.environment)],
      };
    } catch (err) {
      const e = err instanceof BelvoApiError ? err : undefined;
      const message = err instanceof Error ? err.message : String(err);
      // The Belvo client's messages carry the request_id already; say it once.
      const requestId = e?.requestId && !message.includes(e.requestId) ? ` (request_id ${e.requestId})` : '';
      outcome = {
        ok: false,
        source: this.id,
        at,
        error: { code: e?.kind ?? 'unexpected', message: `${message}${requestId}` },
      };
      this.deps.logger.warn(
        { source: this.id, kind: e?.kind, code: e?.code, requestId: e?.requestId },
        'Belvo poll failed',
      );
    }
    return this.deps.alerts.commit({
      type: 'poll',
      source: this.source,
      outcome,
      ...(outcome.ok && { linkCounts: { environment: this.opts.environment, counts } }),
    });
  }
}
