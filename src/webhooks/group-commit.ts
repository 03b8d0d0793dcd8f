// Group commit: requests that arrive together share one durable transaction. Each caller waits for the commit that
// holds its item, so "answered" still means "on disk", while the disk flush (the costly part) is paid once per batch.
export interface GroupCommitOptions<T, R> {
  /** Writes a batch atomically and returns one result per item, in order; a throw fails the whole batch. */
  write: (batch: T[]) => Promise<R[]>;
  /** Flush as soon as this many items wait. */
  maxBatch: number;
  /**
   * Or once the first waiting item has waited this long. 0: at the end of the current turn of the event loop, so
   * everything that arrived in the same read from the network shares a commit without any added wait.
   */
  maxDelayMs: number;
  /** Called once per failed batch (every waiter of it is rejected with the error). */
  onError?: (err: unknown, batchSize: number) => void;
}

interface Waiting<T, R> {
  item: T;
  resolve: (r: R) => void;
  reject: (err: unknown) => void;
}

export class GroupCommitter<T, R> {
  private queue: Waiting<T, R>[] = [];
  private timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  private writing: Promise<void> | undefined;

  constructor(private readonly opts: GroupCommitOptions<T, R>) {}

  /** Resolves with the item's result once the batch holding it is committed; rejects if that commit failed. */
  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.writing) return; // picked up when the write in progress ends
      if (this.queue.length >= this.opts.maxBatch) this.flush();
      else if (this.timer === undefined) {
        this.timer =
          this.opts.maxDelayMs > 0
            ? setTimeout(() => this.flush(), this.opts.maxDelayMs)
            : setImmediate(() => this.flush());
      }
    });
  }

  /** Items waiting for a commit (not counting a batch being written). */
  get pending(): number {
    return this.queue.length;
  }

  /** Commits everything waiting now and resolves once nothing is queued or being written (for a clean stop). */
  async drain(): Promise<void> {
    while (this.writing || this.queue.length > 0) {
      if (!this.writing) this.flush();
      await this.writing;
    }
  }

  private flush(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer as NodeJS.Timeout);
      clearImmediate(this.timer as NodeJS.Immediate);
    }
    this.timer = undefined;
    if (this.writing || this.queue.length === 0) return;
    const batch = this.queue.splice(0, this.opts.maxBatch);
    this.writing = this.writeBatch(batch).finally(() => {
      this.writing = undefined;
      // What arrived during the write has already waited that long: commit it now rather than after another delay.
      if (this.queue.length > 0) this.flush();
    });
  }

  private async writeBatch(batch: Waiting<T, R>[]): Promise<void> {
    let results: R[];
    try {
      results = await this.opts.write(batch.map((w) => w.item));
      if (results.length !== batch.length)
        throw new Error(`write returned ${results.length} results for ${batch.length}`);
    } catch (err) {
      this.opts.onError?.(err, batch.length);
      for (const w of batch) w.reject(err);
      return;
    }
    batch.forEach((w, i) => {
      w.resolve(results[i]!);
    });
  }
}
