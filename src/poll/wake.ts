// Detection pushed by the data: a committed webhook batch or a batch of reported calls wakes its detector at once,
// instead of leaving the news to the next scheduled check. Two small tools keep that cheap and orderly.

/**
 * Runs one task at a time, in call order: a woken evaluation and a scheduled one of the same source never overlap
 * (both read the source's alerts and commit them; overlapping, one would lose to the other's write).
 */
export class OneAtATime {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/**
 * Runs a task when woken, never two at once: a wake while it runs asks for exactly one more run after it, however
 * many wakes came meanwhile. A burst of pushes therefore costs at most two runs, and the last push is always seen.
 */
export class Wakeable {
  private running: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly task: () => Promise<unknown>,
    private readonly onError: (err: unknown) => void,
  ) {}

  wake(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop();
  }

  /** Resolves once nothing runs or waits to run (a clean stop, a test that awaits what a push caused). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async loop(): Promise<void> {
    try {
      do {
        this.again = false;
        try {
          await this.task();
        } catch (err) {
          this.onError(err);
        }
      } while (this.again);
    } finally {
      this.running = undefined;
    }
  }
}
