// Runs what changes with time alone (escalations, reminders, silences ending, quiet-hours digests) every few
// seconds, through the alert-commit service like everything else; a check that loses a race with a poll (an alert
// written meanwhile) is decided again.
import type { AlertCommitter } from '../alerts/commit-service.js';
import type { Logger } from '../ports/logger.js';

export interface PolicyTickerDeps {
  alerts: AlertCommitter;
  logger: Logger;
  intervalMs: number;
}

export class PolicyTicker {
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private stopped = true;

  constructor(private readonly deps: PolicyTickerDeps) {}

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.check()
        .catch((err: unknown) => this.deps.logger.error({ err }, 'policy check failed'))
        .finally(() => this.schedule());
    }, this.deps.intervalMs);
  }

  /** One check. Returns how many intents it queued (tests drive it directly). */
  async check(): Promise<number> {
    return (await this.deps.alerts.commit({ type: 'tick' })).intents;
  }
}
