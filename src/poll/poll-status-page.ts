// One poll of one status page: read -> detect -> evaluate -> route -> commit, the state change and the delivery
// intents it causes in one transaction.

import { detectStatusPage, type StatusPageSourceInfo } from '../detect/status-page.js';
import type { PollOutcome, Signal } from '../domain/signal.js';
import type { StatusPageSnapshot } from '../domain/status-page.js';
import type { FeedCursor, StatusPageReader } from '../ports/source.js';
import type { PollDeps } from './poll-deps.js';

export type { PollDeps } from './poll-deps.js';

export interface PollReport {
  outcome: 'ok' | 'unchanged' | 'failed';
  events: number;
  intents: number;
  /** The source asked for a pause (Retry-After): the scheduler waits at least this long. */
  notBeforeMs?: number;
}

/** Keeps the signals of the last snapshot: an unchanged feed costs neither a parse nor a detection. */
export class StatusPagePoller {
  private lastSnapshot?: StatusPageSnapshot;
  private lastDetection?: { signals: Signal[]; completeScopes: string[] };
  /**
   * A snapshot whose last evaluation changed nothing: evaluating it again would change nothing either (a steady
   * firing alert is not rewritten, and every rule that moves with time moves a counter that is written), so an
   * unchanged poll of it skips the store altogether.
   */
  private settled?: StatusPageSnapshot;
  private running = false;
  /** The catalogue version the cached detection used: institution names change when Belvo's list arrives. */
  private detectedWith = 0;

  constructor(
    readonly info: StatusPageSourceInfo & { failuresBeforeAlert: number; timeoutMs: number },
    private readonly reader: StatusPageReader,
    private readonly deps: PollDeps,
  ) {}

  get id(): string {
    return this.info.id;
  }

  get busy(): boolean {
    return this.running;
  }

  async poll(): Promise<PollReport> {
    if (this.running) return { outcome: 'unchanged', events: 0, intents: 0 };
    this.running = true;
    const started = performance.now();
    try {
      return await this.pollOnce(started);
    } finally {
      this.running = false;
    }
  }

  private detect(snapshot: StatusPageSnapshot) {
    const version = this.info.catalogue?.version ?? 0;
    if (snapshot !== this.lastSnapshot || !this.lastDetection || version !== this.detectedWith) {
      this.lastDetection = detectStatusPage(this.info, snapshot);
      this.lastSnapshot = snapshot;
      this.detectedWith = version;
    }
    return this.lastDetection;
  }

  private async pollOnce(started: number): Promise<PollReport> {
    const { clock, logger, metrics } = this.deps;
    const source = this.info.id;
    // The reader has its own timeout; this one also bounds a reader that misbehaves.
    const read = await this.reader.read(AbortSignal.timeout(this.info.timeoutMs * 4));
    const at = clock.now();
    let outcome: PollOutcome;
    let cursors: FeedCursor[] = [];
    let unchanged = false;
    const catalogueChanged = (this.info.catalogue?.version ?? 0) !== this.detectedWith;
    if (read.ok && read.unchanged && read.snapshot === this.settled && !catalogueChanged) {
      metrics.pollFinished(source, 'unchanged', (performance.now() - started) / 1000);
      return { outcome: 'unchanged', events: 0, intents: 0 };
    }
    if (read.ok) {
      const detection = this.detect(read.snapshot);
      outcome = { ok: true, source, at, ...detection };
      cursors = read.cursors;
      unchanged = read.unchanged;
    } else {
      outcome = { ok: false, source, at, error: { code: read.error.code, message: read.error.message } };
      logger.warn({ source, error: read.error }, 'status page poll failed');
    }

    const report = await this.deps.alerts.commit({ type: 'poll', source: this.info, outcome, cursors });
    this.settled = read.ok && report.stored === 0 && report.events === 0 ? read.snapshot : undefined;
    const kind = !outcome.ok ? 'failed' : unchanged ? 'unchanged' : 'ok';
    metrics.pollFinished(
      source,
      kind,
      (performance.now() - started) / 1000,
      outcome.ok ? undefined : outcome.error.code,
    );
    const retryAfterMs = read.ok ? undefined : read.error.retryAfterMs;
    return {
      events: report.events,
      intents: report.intents,
      outcome: kind,
      ...(retryAfterMs !== undefined && { notBeforeMs: retryAfterMs }),
    };
  }
}
