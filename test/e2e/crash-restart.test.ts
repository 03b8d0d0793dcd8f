// Killing the bot (SIGKILL, no chance to clean up) and starting it again neither repeats output nor loses any.
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedPage, type SimulatedStatusPageServer, startSimulatedStatusPage } from '../fakes/statuspage.js';
import { BotProcess, sleep, until } from './bot-process.js';

const POLL_MS = 100;

function config(url: string) {
  return (dir: string) => `
server: { host: 127.0.0.1, port: 0 }
storage: { path: ${dir}/state.db }
sources:
  - { id: inst, type: statuspage, name: Institutions, url: "${url}", role: institutions, interval: ${POLL_MS}ms, jitter: 0 }
engine:
  # Components flip on purpose here; crash safety, not flapping, is under test: every relapse is a new alert.
  flapping: { window: 50ms }
# Twelve institutions failing together would be one storm alert; each institution's own story is under test here.
policy: { storms: { count: 0 } }
destinations: [{ id: console, type: console }]
subscriptions: [{ destination: console }]
`;
}

const isEvent = (line: string) => /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [A-Z]+ /.test(line);

function eventKey(line: string): string {
  // "2026-11-27 10:00:00 OPENED   MAJOR    [A3] Title ..." -> "OPENED [A3]"
  const m = /^\S+ \S+ (\S+) +\S+ +(\[A\d+\])/.exec(line);
  return m ? `${m[1]} ${m[2]}` : line;
}

describe('crash safety', () => {
  let server: SimulatedStatusPageServer | undefined;
  let bot: BotProcess | undefined;

  afterEach(async () => {
    await bot?.dispose();
    await server?.close();
  });

  it('SIGKILL at random moments during a storm of changes: every event printed exactly once', async () => {
    const page = new SimulatedPage({ id: 'crash0000001', name: 'Institutions' });
    const ids = Array.from({ length: 12 }, (_, i) =>
      page.addComponent({ name: `Banco ${i} MX - Retail`, group: 'Mexico' }),
    );
    server = await startSimulatedStatusPage({ page });
    bot = new BotProcess(config(server.url));
    const runs = [bot.start()];
    await bot.waitForLog('belvo-status-bot started');
    await sleep(POLL_MS * 3);

    // Each round changes the page, lets the bot see part of it, and kills it at a random moment.
    let random = 42;
    const rand = () => {
      random = (random * 1103515245 + 12345) % 2 ** 31;
      return random / 2 ** 31;
    };
    for (let round = 0; round < 6; round++) {
      for (const id of ids) {
        if (rand() < 0.5) page.setComponentStatus(id, round % 2 === 0 ? 'major_outage' : 'operational');
      }
      // The bot reads the changed page at least once in this life (a loaded machine makes polls late, not fewer),
      // then dies at a random moment of what follows.
      const served = server.requests.length;
      await until(() => (server?.requests.length ?? 0) > served, 30_000, 'a poll of the changed page');
      await sleep(rand() * POLL_MS * 3);
      await bot.kill('SIGKILL');
      runs.push(bot.start());
      await bot.waitForLog('belvo-status-bot started');
    }
    // Settle: everything recovers, and the bot runs until it has delivered all it owes (or the deadline passes).
    for (const id of ids) page.setComponentStatus(id, 'operational');
    type Row = { alert_id: string; version: number; status: string; attempts: number; last_error: string | null };
    let intents: Row[] = [];
    let firing = { n: -1 };
    const deadline = Date.now() + 60_000; // a hang guard: the loop ends as soon as all is delivered
    do {
      await sleep(POLL_MS * 3);
      const db = new Database(bot.dbPath, { readonly: true });
      intents = db
        .prepare('SELECT alert_id, version, status, attempts, last_error FROM intents ORDER BY id')
        .all() as Row[];
      firing = db.prepare("SELECT count(*) AS n FROM alerts WHERE state != 'resolved'").get() as { n: number };
      db.close();
    } while ((firing.n > 0 || intents.some((i) => i.status !== 'delivered')) && Date.now() < deadline);
    await sleep(POLL_MS * 2); // let the last line reach our pipe

    // Nothing lost: every intent the engine committed was delivered, and everything resolved in the end.
    expect(intents.length).toBeGreaterThanOrEqual(6);
    expect(intents.filter((i) => i.status !== 'delivered')).toEqual([]);
    expect(firing.n).toBe(0);
    // Nothing repeated: one line per (alert, version) across all the runs, but for what a kill cannot tell.
    // The console cannot be asked what it printed: a kill between printing a line and recording it delivered prints
    // that line again in the next run. Only such a line, the last event a killed run printed, may appear twice.
    const keys = bot.events().map(eventKey);
    const lastOfKilledRuns = runs.slice(0, -1).flatMap((r) => r.stdout.filter(isEvent).slice(-1).map(eventKey));
    const repeated = keys.filter((k, i) => keys.indexOf(k) !== i);
    expect(repeated.filter((k) => !lastOfKilledRuns.includes(k))).toEqual([]);
    expect(keys.length - repeated.length).toBe(intents.length);
    // And the story of each alert is whole: it was opened first and its last word is that it resolved.
    const byAlert = new Map<string, string[]>();
    for (const k of keys) {
      const [type, alert] = k.split(' ');
      byAlert.set(alert ?? '', [...(byAlert.get(alert ?? '') ?? []), type ?? '']);
    }
    for (const story of byAlert.values()) {
      expect(story[0]).toBe('OPENED');
      expect(story[story.length - 1]).toBe('RESOLVED');
    }
  }, 180_000);
});
