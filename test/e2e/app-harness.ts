// The whole bot (buildApp: SQLite, pollers, policy check, outbox, real notifiers) in this process, against local fake
// servers over HTTP, on a clock the test moves. Time-driven behaviour (escalation after 15 minutes, quiet hours in a
// time zone, a silence ending) is exercised in milliseconds and without flakiness; the spawned-process tests cover
// the same program started the way a user starts it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCommand } from '../../src/commands/grammar.js';
import { handleCommand } from '../../src/commands/handlers.js';
import type { Reply } from '../../src/commands/reply.js';
import { parseConfigText } from '../../src/config/load.js';
import type { BelvoCall } from '../../src/detect/error-ratios.js';
import { type App, buildApp } from '../../src/main.js';
import { BelvoCallsMonitor } from '../../src/poll/belvo-calls.js';
import type { CronScheduler } from '../../src/ports/cron.js';
import { type Logger, silentLogger } from '../../src/ports/logger.js';

export class ManualClock {
  constructor(public t: number) {}
  now = (): number => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
}

/** Driving a built app by hand on the test clock: nothing is delivered, polled or checked unless the test says. */
export interface AppDriver {
  /** Delivers until the outbox is empty, moving the clock past each destination's pacing and any short backoff. */
  deliverAll(): Promise<void>;
  /** Every source polled once, then what it queued delivered. */
  poll(): Promise<void>;
  /** Time passes: the policy check runs (reminders, escalation), then what it queued is delivered. */
  later(ms: number): Promise<void>;
}

export function driveApp(app: App, clock: ManualClock): AppDriver {
  async function deliverAll(): Promise<void> {
    for (let i = 0; i < 200; i++) {
      await app.dispatcher.drain();
      if ((await app.store.outboxDepth()) === 0) return;
      clock.advance(1100); // past Slack's one post per second, and any backoff under a second
    }
    throw new Error('the outbox did not drain');
  }
  return {
    deliverAll,
    async poll() {
      for (const target of app.pollTargets) await target.poll();
      await deliverAll();
    },
    async later(ms) {
      clock.advance(ms);
      await app.ticker.check();
      await deliverAll();
    },
  };
}

export interface AppHarness {
  app: App;
  clock: ManualClock;
  /** One round: every source polled, the policy checked, then everything due delivered. */
  cycle(advanceMs?: number): Promise<void>;
  /** Delivers until the outbox is empty, moving the clock past each destination's pacing. */
  deliverAll(): Promise<void>;
  /** `/belvo-status <text>` typed by ana in a Slack channel, answered now (or `atMs` on the test clock). */
  chat(text: string, channel: string, atMs?: number): Promise<Reply>;
  /** What the team's app would send to POST /ingest/belvo-calls (the HTTP side is tested on its own). */
  reportCalls(calls: BelvoCall[]): void;
  dispose(): Promise<void>;
}

export async function startApp(
  configYaml: (dir: string) => string,
  env: Record<string, string>,
  startAt: number,
  opts: { logger?: Logger; cron?: CronScheduler } = {},
): Promise<AppHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'belvo-status-app-'));
  const clock = new ManualClock(startAt);
  const loaded = parseConfigText(configYaml(dir), 'test.yaml', env);
  const app = await buildApp(loaded, {
    clock,
    logger: opts.logger ?? silentLogger,
    ...(opts.cron && { cron: opts.cron }),
  });

  const { deliverAll } = driveApp(app, clock);

  return {
    app,
    clock,
    deliverAll,
    chat: (text, channel, atMs) =>
      handleCommand(parseCommand(text), {
        store: app.store,
        now: atMs ?? clock.now(),
        channel: { platform: 'slack', id: channel, destination: `slack:${channel}` },
        user: { id: 'U0ANA', name: 'ana' },
        commitEvents: app.commitEvents,
      }),
    reportCalls(calls) {
      const monitor = app.pollTargets.find((t): t is BelvoCallsMonitor => t instanceof BelvoCallsMonitor);
      if (!monitor) throw new Error('no belvo.ingest in this config: nothing takes reported calls');
      monitor.accept(calls);
    },
    async cycle(advanceMs = 0) {
      clock.advance(advanceMs);
      for (const target of app.pollTargets) await target.poll();
      await app.ticker.check();
      await deliverAll();
    },
    async dispose() {
      await app.reports.stop();
      await app.store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
