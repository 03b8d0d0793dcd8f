// The team's own Belvo calls, as its app reports them: counted in minute windows as they arrive, judged on a
// schedule like any source and at once when a batch arrives (`wake`); the error-ratio alerts follow the same
// lifecycle, policy and delivery as the rest.

import type { OutcomeSource } from '../alerts/change.js';
import {
  type BelvoCall,
  CallWindows,
  classifyCall,
  type ErrorRatioConfig,
  errorRatioScope,
  errorRatioSignals,
} from '../detect/error-ratios.js';
import type { InstitutionRef } from '../domain/institution.js';
import type { CommitReport, PollDeps } from './poll-deps.js';
import { OneAtATime, Wakeable } from './wake.js';

export const CALLS_SOURCE = 'belvo-calls';

export interface CallsReportState {
  calls: number;
  failures: number;
  /** Failures reported without a request_id: the checklist asks the team to log them. */
  failuresWithoutRequestId: number;
  lastReportAt?: number;
}

export class BelvoCallsMonitor {
  readonly id = CALLS_SOURCE;
  readonly windows: CallWindows;
  readonly reported: CallsReportState = { calls: 0, failures: 0, failuresWithoutRequestId: 0 };
  private readonly source: OutcomeSource = { id: CALLS_SOURCE, name: 'Belvo calls', failuresBeforeAlert: 1 };
  /** The scheduled evaluation and the woken one take turns: never two at once. */
  private readonly turns = new OneAtATime();
  private readonly woken: Wakeable;

  constructor(
    private readonly deps: PollDeps,
    private readonly config: ErrorRatioConfig,
    private readonly institutions: () => Map<string, InstitutionRef>,
  ) {
    this.windows = new CallWindows(config.longMs + 2 * 60_000);
    this.woken = new Wakeable(
      () => this.poll(),
      (err) => this.deps.logger.error({ source: CALLS_SOURCE, err }, 'evaluation after reported calls failed'),
    );
  }

  /** A batch of calls arrived: judge the ratios now. Wakes during an evaluation cause exactly one more after it. */
  wake(): void {
    this.woken.wake();
  }

  /** Resolves once no woken evaluation runs or waits. */
  idle(): Promise<void> {
    return this.woken.idle();
  }

  accept(calls: BelvoCall[]): void {
    for (const call of calls) {
      this.windows.add(call);
      this.reported.calls++;
      if (classifyCall(call)) {
        this.reported.failures++;
        if (!call.requestId && !call.timeout) this.reported.failuresWithoutRequestId++;
      }
    }
    this.reported.lastReportAt = this.deps.clock.now();
  }

  /** Calls and failures in the last `ms`, for one institution or all of them. */
  summary(now: number, ms: number, institution?: string): { calls: number; failures: number } {
    let calls = 0;
    let failures = 0;
    for (const name of institution ? [institution] : this.windows.institutions()) {
      const w = this.windows.window(name, now, ms);
      calls += w.total;
      for (const k of w.kinds.values()) failures += k.count;
    }
    return { calls, failures };
  }

  poll(): Promise<CommitReport> {
    return this.turns.run(() => this.evaluate());
  }

  private async evaluate(): Promise<CommitReport> {
    const now = this.deps.clock.now();
    this.windows.prune(now);
    const signals = errorRatioSignals({
      windows: this.windows,
      source: CALLS_SOURCE,
      config: this.config,
      institutions: this.institutions(),
      now,
    });
    return this.deps.alerts.commit({
      type: 'poll',
      source: this.source,
      outcome: { ok: true, source: CALLS_SOURCE, at: now, signals, completeScopes: [errorRatioScope()] },
    });
  }
}
