// `npm run chaos`: the real bot (the compiled program, as a user runs it) against the local fakes, killed with
// SIGKILL at random moments (some of them between Slack applying a post and its answer) while the status page's
// story unfolds, Belvo's webhooks keep coming (and are retried while the bot is down) and the chat APIs answer 429,
// 5xx and late. Then the storm calms and the bot catches up; each destination is judged against the bot's own outbox,
// and the Belvo webhooks it answered against its store. Exits 1 on any loss or duplicate. Not part of `npm test`.
//   CHAOS_KILLS (default 50), CHAOS_SEED (default 1)
import { BotProcess, sleep, until } from '../e2e/bot-process.js';
import { BelvoSide } from './belvo-side.js';
import { Story, seeded } from './story.js';
import { judgeDiscord, judgePagerDuty, judgeSlack, readOutbox, type Verdict } from './verdict.js';
import { CHAT_TIMEOUT_MS, POLL_MS, startWorld } from './world.js';

const KILLS = Number(process.env.CHAOS_KILLS ?? 50);
const SEED = Number(process.env.CHAOS_SEED ?? 1);
/** How long the bot has, once all is calm, to deliver what it owes: a hang guard, not a measure. */
const CATCH_UP_MS = 180_000;

function table(verdicts: Verdict[]): string {
  const head = ['destination', 'expected', 'lost', 'duplicated', 'out of order', 'max posts/s'];
  const rows = verdicts.map((v) => [
    v.destination,
    String(v.expected),
    String(v.lost),
    String(v.duplicated),
    String(v.outOfOrder),
    String(v.maxPostsPerSecond),
  ]);
  const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(width[i] as number)).join('  ');
  return [line(head), ...rows.map(line)].join('\n');
}

async function main(): Promise<number> {
  const began = Date.now();
  const random = seeded(SEED);
  const world = await startWorld(SEED);
  const bot = new BotProcess(world.config);
  const belvo = new BelvoSide(world.belvo, random);
  const start = async () => {
    bot.start(world.env);
    const started = await bot.waitForLog('belvo-status-bot started', 60_000).catch((err: unknown) => {
      throw new Error(`${String(err)}\n${bot.stderrTail().join('\n')}`);
    });
    belvo.target(`http://127.0.0.1:${started.port as number}`);
  };
  try {
    await start();
    await sleep(POLL_MS * 4); // first sight: what is on the page now is recorded, not posted
    world.storm();
    const story = new Story(world.page, world.components, random);
    let betweenApplyAndAnswer = 0;
    for (let k = 0; k < KILLS; k++) {
      // A few changes per life of the bot, however long a start takes on this machine: the story is as long on a
      // loaded machine as on an idle one.
      for (let step = Math.floor(random() * 3); step >= 0; step--) {
        story.step();
        await sleep(50 + random() * 200);
      }
      if (k % 5 === 4) {
        // Slack takes the next post and never answers: the kill lands after it was applied, before the answer.
        const hang = world.slack.faults.hang('chat.postMessage', { times: 1, process: true });
        await until(() => hang.hits > 0, 5_000).catch(() => undefined);
        if (hang.hits > 0) betweenApplyAndAnswer++;
        hang.remove();
      } else {
        await sleep(200 + random() * 1500);
      }
      // Belvo's side, just before the kill so that some of its deliveries meet a dead bot: a burst of links into
      // token_required now and then (a spike), and their recovery.
      const b = random();
      if (b < 0.4) belvo.burst(5 + Math.floor(random() * 10));
      else if (b < 0.55) belvo.recover();
      await bot.kill('SIGKILL');
      await start();
      process.stdout.write(`\rkills: ${k + 1}/${KILLS}`);
    }
    story.end();
    belvo.recover();
    world.calm();
    process.stdout.write('\ncalm: the bot catches up\n');
    // Belvo's retries reach the bot first; the listing then settles the links they name.
    await belvo.drain(60_000);

    // Caught up: every alert resolved, every intent settled, and still so after the chat APIs' late posts landed.
    const deadline = Date.now() + CATCH_UP_MS;
    let quietSince = 0;
    let last = '';
    for (;;) {
      const outbox = readOutbox(bot.dbPath);
      const pending = outbox.intents.filter((i) => i.status === 'pending' || i.status === 'in_flight').length;
      const now = `${outbox.intents.length}/${pending}/${outbox.open}`;
      if (pending === 0 && outbox.open === 0) {
        if (now !== last) quietSince = Date.now();
        if (Date.now() - quietSince > 4 * CHAT_TIMEOUT_MS) break;
      }
      last = now;
      if (Date.now() > deadline) {
        process.stdout.write(`not caught up after ${CATCH_UP_MS / 1000}s: ${pending} pending, ${outbox.open} open\n`);
        break;
      }
      await sleep(250);
    }
    await bot.kill('SIGTERM');
    await belvo.stop();

    const outbox = readOutbox(bot.dbPath);
    const webhooks = belvo.judge(bot.dbPath);
    const verdicts = [
      judgeSlack(world.slack, outbox.intents, 'slack:C0CHAOS01'),
      judgeDiscord(world.discord, outbox.intents, 'discord:410000000000000001'),
      judgePagerDuty(world.pagerduty, outbox, 'pagerduty'),
    ];
    const faults = world.slack.calls.filter((c) => c.fault).length;
    const discordFaults = world.discord.calls.filter((c) => c.fault).length;
    process.stdout.write(
      [
        `seed ${SEED}: ${KILLS} kills with SIGKILL (${betweenApplyAndAnswer} between Slack applying a post and its answer),`,
        `${story.steps} changes on the status page (${story.incidents} incidents), ${outbox.intents.length} deliveries owed;`,
        `Slack answered ${faults} of ${world.slack.calls.length} calls with a fault (429, 5xx, late, unanswered),`,
        `Discord ${discordFaults} of ${world.discord.calls.length}; ${Math.round((Date.now() - began) / 1000)} s in all.`,
        `Alerts: ${[...outbox.kinds].map(([kind, n]) => `${n} ${kind}`).join(', ')}.`,
        '',
        table(verdicts),
        ...verdicts.flatMap((v) => v.notes.map((n) => `${v.destination}: ${n}`)),
        `Belvo webhooks: ${webhooks.expected} to deliver in ${webhooks.deliveries} deliveries (${webhooks.retried} refused or`,
        `unanswered and retried, ${webhooks.resent} resent after a 2xx); lost ${webhooks.lost}, stored twice ${webhooks.duplicated},`,
        `never answered ${webhooks.undelivered}.`,
        '',
      ].join('\n'),
    );
    const bad =
      verdicts.some((v) => v.lost > 0 || v.duplicated > 0) ||
      webhooks.lost > 0 ||
      webhooks.duplicated > 0 ||
      webhooks.undelivered > 0;
    process.stdout.write(bad ? 'FAILED: lost or duplicated deliveries\n' : 'ok: nothing lost, nothing duplicated\n');
    return bad ? 1 : 0;
  } finally {
    await belvo.stop();
    await bot.dispose();
    await world.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`chaos run failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(2);
  },
);
