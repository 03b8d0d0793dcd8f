// The bot as a user runs it (`node dist/src/cli.js run --config ...`) in a child process, with its standard output
// read line by line and each line stamped on arrival, on this process's clock (the simulator's clock too).
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { cleanEnv } from './fixtures.js';
import { sleep, waitFor } from './stats.js';

export interface StampedLine {
  text: string;
  /** Date.now() when the chunk holding the line's end arrived. */
  at: number;
}

/** dist-bench/test/bench/child-bot.js -> dist-bench/src/cli.js */
const CLI = fileURLToPath(new URL('../../src/cli.js', import.meta.url));

const MAX_LOG_LINES = 50_000;

/** The node flags `npm start` and the Docker image run the bot with (README, "Memory"). */
export const START_NODE_FLAGS = ['--max-semi-space-size=4'];

/** Splits a stream into lines stamped on arrival. */
function lineReader(into: StampedLine[], limit: number): (chunk: string) => void {
  let partial = '';
  return (chunk: string) => {
    const at = Date.now();
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    for (const text of parts) if (into.length < limit) into.push({ text, at });
  };
}

export class ChildBot {
  /** Standard output: the console destination. */
  readonly lines: StampedLine[] = [];
  /** Standard error: pino JSON logs. */
  readonly logLines: StampedLine[] = [];
  private readonly child: ChildProcess;
  private exited = false;
  private readonly onExit = () => this.child.kill('SIGKILL');

  /** `env`: the secrets the config names (`secretEnv`); `nodeArgs`: for node itself (a profiler's flags). */
  constructor(configFile: string, env: Record<string, string> = {}, nodeArgs: string[] = []) {
    this.child = spawn(process.execPath, [...nodeArgs, CLI, 'run', '--config', configFile], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...cleanEnv(), NO_COLOR: '1', ...env },
    });
    // Should the bench die before stop(), the child must not outlive it.
    process.once('exit', this.onExit);
    this.child.once('exit', () => {
      this.exited = true;
    });
    this.child.stdout?.setEncoding('utf8');
    this.child.stdout?.on('data', lineReader(this.lines, Number.POSITIVE_INFINITY));
    this.child.stderr?.setEncoding('utf8');
    this.child.stderr?.on('data', lineReader(this.logLines, MAX_LOG_LINES));
  }

  /** The first log records (for an error message when the bot does not start). */
  logHead(n = 20): string {
    return this.logLines
      .slice(0, n)
      .map((l) => l.text)
      .join('\n');
  }

  /** The log records (JSON objects) from index `from` on that satisfy `match`. */
  logRecords(from: number, match: (record: Record<string, unknown>) => boolean): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = [];
    for (const l of this.logLines.slice(from)) {
      try {
        const record = JSON.parse(l.text) as Record<string, unknown>;
        if (match(record)) out.push(record);
      } catch {
        // not a log record (a stack trace printed by node itself): skip
      }
    }
    return out;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return !this.exited;
  }

  /** The first line from index `from` on that satisfies `match`, waiting at most `timeoutMs`. */
  async waitLine(from: number, match: (text: string) => boolean, timeoutMs: number): Promise<StampedLine | undefined> {
    let found: StampedLine | undefined;
    await waitFor(
      () => {
        found = this.lines.slice(from).find((l) => match(l.text));
        return found !== undefined || this.exited;
      },
      timeoutMs,
      5,
    );
    return found;
  }

  /** Resident set and its peak from /proc (Linux); undefined elsewhere. */
  memory(): { rss: number; peak: number } | undefined {
    try {
      const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
      const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
      return { rss: kb('VmRSS') * 1024, peak: kb('VmHWM') * 1024 };
    } catch {
      return undefined;
    }
  }

  /** SIGKILL, as a crash or an OOM kill: nothing runs after it. Resolves once the process is gone. */
  async kill(): Promise<void> {
    process.off('exit', this.onExit);
    if (this.exited) return;
    this.child.kill('SIGKILL');
    await waitFor(() => this.exited, 5000, 5);
  }

  /** SIGTERM (the bot's own clean stop), SIGKILL after 5 s. */
  async stop(): Promise<void> {
    process.off('exit', this.onExit);
    if (this.exited) return;
    this.child.kill('SIGTERM');
    if (!(await waitFor(() => this.exited, 5000, 10))) {
      this.child.kill('SIGKILL');
      await waitFor(() => this.exited, 2000, 10);
    }
    await sleep(0);
  }
}
