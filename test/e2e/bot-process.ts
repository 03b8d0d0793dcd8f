// Runs the real program (`belvo-status run`, compiled) as a child process, the way a user starts it, with a
// network guard that refuses any non-loopback connection. Collects what it prints, line by line.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';

// The repository, whether this runs from its source (the tests) or compiled into dist/ (the chaos run).
const ROOT = resolve(
  import.meta.dirname,
  basename(resolve(import.meta.dirname, '../..')) === 'dist' ? '../../..' : '../..',
);
export const CLI = join(ROOT, 'dist/src/cli.js');
const GUARD = join(ROOT, 'dist/test/setup/loopback-guard.js');

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes are control characters by definition
const ANSI = /\x1b\[[0-9;]*m/g;

export interface BotRun {
  proc: ChildProcess;
  stdout: string[];
  stderr: string[];
  /** This run's JSON log records. */
  logs: Record<string, unknown>[];
  exited: Promise<number | null>;
}

export class BotProcess {
  readonly dir = mkdtempSync(join(tmpdir(), 'belvo-status-e2e-'));
  readonly configFile = join(this.dir, 'config.yaml');
  /** Every stdout line of every run, in order (a restart appends). */
  readonly output: string[] = [];
  readonly logs: Record<string, unknown>[] = [];
  private current?: BotRun;

  constructor(configYaml: (dir: string) => string) {
    writeFileSync(this.configFile, configYaml(this.dir));
  }

  /** The last lines the running bot wrote to stderr (its logs), for a failure to show. */
  stderrTail(n = 20): string[] {
    return this.current?.stderr.slice(-n) ?? [];
  }

  get dbPath(): string {
    return join(this.dir, 'state.db');
  }

  start(env: Record<string, string> = {}): BotRun {
    const proc = spawn(process.execPath, ['--import', GUARD, CLI, 'run', '--config', this.configFile], {
      cwd: this.dir,
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const run: BotRun = {
      proc,
      stdout: [],
      stderr: [],
      logs: [],
      exited: new Promise((res) => proc.once('exit', (code) => res(code))),
    };
    const lines = (stream: NodeJS.ReadableStream, sink: (line: string) => void) => {
      let buf = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        buf += chunk;
        const parts = buf.split('\n');
        buf = parts.pop() ?? '';
        for (const p of parts) sink(p.replace(ANSI, ''));
      });
    };
    lines(proc.stdout!, (l) => {
      run.stdout.push(l);
      this.output.push(l);
    });
    lines(proc.stderr!, (l) => {
      run.stderr.push(l);
      try {
        const record = JSON.parse(l) as Record<string, unknown>;
        this.logs.push(record);
        run.logs.push(record);
      } catch {
        // not a log line (a crash trace): keep it in run.stderr
      }
    });
    this.current = run;
    return run;
  }

  /** Event header lines printed so far ("OPENED", "UPDATE", ...), without their detail lines. */
  events(): string[] {
    return this.output.filter((l) => /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [A-Z]+ /.test(l));
  }

  count(pattern: RegExp): number {
    return this.events().filter((l) => pattern.test(l)).length;
  }

  async waitFor(pattern: RegExp, timeoutMs = 30_000, times = 1): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events().filter((l) => pattern.test(l));
      if (found.length >= times) return found[times - 1] as string;
      if (this.current && this.current.proc.exitCode !== null) {
        throw new Error(
          `bot exited (${this.current.proc.exitCode}) while waiting for ${pattern}:\n${this.current.stderr.slice(-20).join('\n')}`,
        );
      }
      if (Date.now() > deadline) {
        throw new Error(`timed out waiting for ${pattern} x${times}; output so far:\n${this.output.join('\n')}`);
      }
      await sleep(25);
    }
  }

  /** Waits for a log record of the current run (a restarted bot's earlier records do not count). */
  async waitForLog(msg: string, timeoutMs = 60_000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.current?.logs.find((l) => l.msg === msg);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`timed out waiting for log "${msg}"`);
      await sleep(25);
    }
  }

  get running(): BotRun | undefined {
    return this.current;
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<number | null> {
    const run = this.current;
    if (!run || run.proc.exitCode !== null || run.proc.signalCode !== null) return run?.proc.exitCode ?? null;
    run.proc.kill(signal);
    return run.exited;
  }

  /**
   * Freezes the running bot (SIGSTOP), as a long pause of the machine or the runtime would: its timers, sockets and
   * database connections stay as they are until `resume()`. A test uses it to decide which replica acts next.
   */
  pause(): void {
    this.current?.proc.kill('SIGSTOP');
  }

  resume(): void {
    this.current?.proc.kill('SIGCONT');
  }

  async dispose(): Promise<void> {
    await this.kill('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls a condition (what a fake server recorded, a row in the database) until it holds, or fails naming it. */
export async function until(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 15_000,
  what = 'condition',
  /** What to show when it times out (the bot's output, say), so a failure explains itself. */
  context?: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${context ? `:\n${context()}` : ''}`);
    await sleep(50);
  }
}

/**
 * Reads the bot's /metrics until `pattern` matches, and returns the text: a test waits on what the bot says it did,
 * not on a sleep that a loaded machine outlasts. The deadline is only a hang guard.
 */
export async function waitForMetrics(base: string, pattern: RegExp, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let text = '';
  for (;;) {
    text = await (await fetch(`${base}/metrics`)).text();
    if (pattern.test(text)) return text;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern} in /metrics:\n${text.slice(0, 4000)}`);
    await sleep(50);
  }
}

/** Runs the CLI to completion (check-config, status) and returns what it printed. */
export function runCli(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((res) => {
    const proc = spawn(process.execPath, ['--import', GUARD, CLI, ...args], {
      cwd: opts.cwd ?? ROOT,
      env: { ...process.env, NO_COLOR: '1', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    proc.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    proc.on('exit', (code) => res({ code, stdout, stderr }));
  });
}
