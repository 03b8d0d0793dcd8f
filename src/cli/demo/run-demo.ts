// `belvo-status demo`: the real bot (buildApp: engine, store, outbox, the Slack, Discord and PagerDuty notifiers)
// against simulators on 127.0.0.1, through a scripted morning: Belvo's API has an incident; one bank degrades first in
// the team's own data (token_required webhooks, then the error ratio of its calls), then on Belvo's status page; a
// storm; a silence and an ack; recovery. The story runs on its own clock (minutes pass in a step), and the script
// steps the bot the way its scheduler would: every source polled, the policy checked, the outbox delivered.
//
// What the demo prints under each step is read back from what Slack, Discord and PagerDuty received, never written
// here: the narration says what happens in the world, the bot's answer is what it sent.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { belvoWebhooks } from '../../../simulators/belvo-webhook-sender.js';
import { ManualClock } from '../../../simulators/statuspage/index.js';
import { parseCommand } from '../../commands/grammar.js';
import { handleCommand } from '../../commands/handlers.js';
import { toPlainText } from '../../commands/reply.js';
import { parseConfigText } from '../../config/load.js';
import { INCIDENT_KIND } from '../../domain/fingerprint.js';
import { STORM_KIND } from '../../engine/policy-config.js';
import { createLogger } from '../../log.js';
import { type App, buildApp } from '../../main.js';
import { silentLogger } from '../../ports/logger.js';
import { createBelvoCallReporter } from '../../reporter/index.js';
import { DeliveryLog, wrap } from './deliveries.js';
import { writePreview } from './preview.js';
import { type DemoWorld, INGEST_TOKEN, SLACK_CHANNEL, startWorld, WEBHOOK_AUTHORIZATION } from './world.js';

export interface DemoOptions {
  /** The same story without the pauses between steps (for tests). */
  fast?: boolean;
  /** Also write what Slack, Discord and PagerDuty received to this folder, with Block Kit Builder links. */
  slackPreview?: string;
  /** Show the bot's own log lines (on standard error). */
  verbose?: boolean;
  out?: (text: string) => void;
}

const MIN = 60_000;

/** The story starts at 09:00 UTC today. */
function storyStart(): number {
  const d = new Date();
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), 9, 0, 0);
}

const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);

export async function runDemo(opts: DemoOptions = {}): Promise<number> {
  const out = opts.out ?? ((text: string) => process.stdout.write(text));
  const clock = new ManualClock(storyStart());
  const world = await startWorld(clock.now);
  const dataDir = mkdtempSync(join(tmpdir(), 'belvo-status-demo-'));
  const { yaml, env } = world.config(dataDir);
  const app = await buildApp(parseConfigText(yaml, 'demo', env), {
    clock,
    logger: opts.verbose ? createLogger({ level: 'info' }) : silentLogger,
  });
  try {
    // The HTTP side runs for real (webhooks, reported calls); the timers are the script's, on the story's clock.
    const { port } = await app.start();
    await app.scheduler.stop();
    await app.ticker.stop();
    await app.dispatcher.stop();
    const story = new Story(app, world, clock, `http://127.0.0.1:${port}`, opts.fast === true, out);
    await story.tell();
    if (opts.slackPreview !== undefined) {
      const written = await writePreview(opts.slackPreview, world, SLACK_CHANNEL.id);
      out(`\nPreview: ${written.files} files in ${written.dir}; open ${written.index} for Block Kit Builder links.\n`);
    }
    return 0;
  } finally {
    await app.stop();
    await world.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

class Story {
  private readonly log: DeliveryLog;
  private readonly appLog: string[] = [];
  private readonly reporter;

  constructor(
    private readonly app: App,
    private readonly world: DemoWorld,
    private readonly clock: ManualClock,
    private readonly base: string,
    private readonly fast: boolean,
    private readonly out: (text: string) => void,
  ) {
    this.log = new DeliveryLog(world.slack, world.discord, world.pagerduty, `#${SLACK_CHANNEL.name}`);
    // The team's app: its Belvo calls go through the reporter, which logs failures' request_ids and ships the calls.
    this.reporter = createBelvoCallReporter({
      url: base,
      token: INGEST_TOKEN,
      now: clock.now,
      batchSize: 1000,
      flushMs: 3_600_000,
      log: (line) => this.appLog.push(line),
    });
  }

  private print(line = ''): void {
    this.out(`${line}\n`);
  }

  private act(title: string): void {
    this.print();
    this.print(title);
  }

  /** A line of the story at the story's time; what the bot sent follows it. */
  private say(text: string): void {
    for (const line of wrap(`${hhmm(this.clock.now())} ${text}`, '      ')) this.print(line);
  }

  private async pause(seconds: number): Promise<void> {
    if (!this.fast) await new Promise((r) => setTimeout(r, seconds * 1000));
  }

  /** Moves the story's clock, then does what the bot's timers would: poll everything, check the policy, deliver. */
  private async tick(ms = 0): Promise<void> {
    this.clock.advance(ms);
    for (const target of this.app.pollTargets) await target.poll();
    await this.app.ticker.check();
    await this.deliver();
  }

  private async deliver(): Promise<void> {
    for (let i = 0; i < 200; i++) {
      await this.app.dispatcher.drain();
      if ((await this.app.store.outboxDepth()) === 0) return;
      this.clock.advance(1100); // Slack's pace: one post per second per channel
    }
  }

  /** Prints what reached Slack, Discord and PagerDuty since the last look; returns the alert ids new in Slack. */
  private shown(quietIfNone = false): string[] {
    const before = this.log.shownIds.length;
    const lines = this.log.since();
    for (const line of lines) this.print(line);
    if (lines.length === 0 && !quietIfNone) this.print('   (nothing sent)');
    return this.log.shownIds.slice(before);
  }

  /** Minutes of the same trouble at one institution (the app's calls keep failing); what the bot sends is shown. */
  private async failingQuietly(institution: string, minutes: number, show = true): Promise<void> {
    for (let m = 0; m < minutes; m++) {
      await this.appCalls(institution, 40, 4);
      await this.tick(MIN);
    }
    if (show) this.shown(true);
  }

  private async kindOf(id: string): Promise<string | undefined> {
    return (await this.app.store.getAlert(id))?.kind;
  }

  private async webhooks(institution: string, from: number, count: number): Promise<number> {
    const ids = (this.world.links.get(institution) ?? []).slice(from, from + count);
    this.world.belvo.setLinkStatus(ids, 'token_required');
    let accepted = 0;
    for (const linkId of ids) {
      const res = await fetch(`${this.base}/webhooks/belvo/production`, {
        method: 'POST',
        headers: { authorization: WEBHOOK_AUTHORIZATION, 'content-type': 'application/json' },
        body: JSON.stringify(belvoWebhooks.tokenRequired({ link_id: linkId })),
      });
      if (res.ok) accepted++;
      await res.arrayBuffer();
    }
    return accepted;
  }

  /** The team's app checks `count` links at one institution; `failing` of each 10 fail at the institution. */
  private async appCalls(
    institution: string,
    count: number,
    failing: number,
  ): Promise<{ calls: number; failed: number }> {
    const ids = this.world.links.get(institution) ?? [];
    const auth = `Basic ${Buffer.from(`${this.world.belvo.secretKeyId}:${this.world.belvo.secretKeyPassword}`).toString('base64')}`;
    let failed = 0;
    for (let i = 0; i < count; i++) {
      const linkId = ids[(i * 7) % ids.length] as string;
      if (i % 10 < failing) {
        this.world.belvo.fail({ path: `/api/links/${linkId}/`, status: 400, code: 'institution_unavailable' });
      }
      const res = await this.reporter.fetch(
        `${this.world.belvo.url}/api/links/${linkId}/`,
        { headers: { authorization: auth } },
        { institution, linkId },
      );
      if (!res.ok) failed++;
      await res.arrayBuffer();
    }
    await this.reporter.flush();
    return { calls: count, failed };
  }

  private async chat(text: string): Promise<void> {
    const reply = await handleCommand(parseCommand(text), {
      store: this.app.store,
      now: this.clock.now(),
      channel: { platform: 'slack', id: SLACK_CHANNEL.id, destination: `slack:${SLACK_CHANNEL.id}` },
      user: { id: 'U0ANA', name: 'ana' },
      commitEvents: this.app.commitEvents,
    });
    this.say(`ana types /belvo-status ${text} in #${SLACK_CHANNEL.name}`);
    for (const line of wrap(`      the bot answers her: ${toPlainText(reply).split('\n')[0]}`)) this.print(line);
    await this.deliver();
  }

  async tell(): Promise<void> {
    const w = this.world;
    const erebor = w.institutions[0];
    const storm = w.institutions.slice(3, 11);
    if (!erebor) return;

    this.print("belvo-status demo: the real bot against simulated Belvo status pages, Belvo's API, Slack, Discord and");
    this.print(
      'PagerDuty, all on 127.0.0.1 (nothing leaves this machine). A morning in story time; under each step, what',
    );
    this.print(`the bot sent: Slack #${SLACK_CHANNEL.name}, Discord #alerts (a channel webhook), PagerDuty.`);

    this.act('The bot starts');
    await this.tick();
    const known = (await this.app.store.linkStatusCounts('production')).reduce((n, c) => n + c.count, 0);
    this.say(
      `It reads both status pages and the production account: ${w.institutions.length} institutions, ${known.toLocaleString('en')} of your links.`,
    );
    this.print("      Last week's resolved incident on Belvo's page is history: the first look records it.");
    this.shown();
    await this.pause(3);

    this.act("1. Belvo's API has an incident");
    await this.tick(2 * MIN);
    const incident = w.apiPage.openIncident({
      name: 'Elevated error rates on link creation',
      impact: 'major',
      body: 'We are investigating elevated 500 errors on POST /api/links/.',
      components: [{ id: w.apiComponent, status: 'partial_outage' }],
    });
    this.say('Belvo\'s status page opens "Elevated error rates on link creation" (major): API in partial outage.');
    await this.tick();
    this.shown();
    await this.pause(4);
    await this.tick(4 * MIN);
    w.apiPage.updateIncident(incident, { status: 'identified', body: 'A database failover is in progress.' });
    this.say('Belvo posts an update: identified, a database failover is in progress.');
    await this.tick();
    this.shown();
    await this.pause(4);

    this.act(
      `2. ${erebor.displayName} (${erebor.country}) degrades in your own data before Belvo's status page says so`,
    );
    await this.tick(4 * MIN);
    const first = await this.webhooks(erebor.name, 0, 14);
    this.say(`Belvo sends ${first} LINK webhooks: token_required, all at ${erebor.displayName} links (usually none).`);
    await this.tick(MIN);
    const ereborIds = this.shown();
    let incidentId: string | undefined;
    for (const id of ereborIds) if ((await this.kindOf(id)) === INCIDENT_KIND) incidentId = id;
    incidentId ??= ereborIds[0];
    await this.pause(4);
    // Erebor keeps failing, minute after minute: more of its links need their token again, the app's calls fail.
    let calls = { calls: 0, failed: 0 };
    let webhooks = 0;
    const failingMinute = async (minute: number) => {
      webhooks += await this.webhooks(erebor.name, 14 + 3 * minute, 3);
      const c = await this.appCalls(erebor.name, 40, 4);
      calls = { calls: calls.calls + c.calls, failed: calls.failed + c.failed };
      await this.tick(MIN);
    };
    for (let minute = 0; minute < 3; minute++) await failingMinute(minute);
    this.say(
      `Your app's calls at ${erebor.displayName} fail too: ${calls.failed} of ${calls.calls} in 3 minutes, ` +
        `and ${webhooks} more token_required webhooks came. The reporter logs each request_id:`,
    );
    const [firstLog] = this.appLog;
    if (firstLog) for (const line of wrap(`      app log: ${firstLog}`)) this.print(line);
    this.shown();
    await this.pause(4);
    for (let minute = 3; minute < 7; minute++) await failingMinute(minute);
    w.institutionsPage.setComponentStatus(erebor.component, 'partial_outage');
    w.belvo.setInstitutionStatus(erebor.name, 'down');
    this.say(
      `Still failing. Now Belvo's status page shows ${erebor.displayName} in partial outage, and Belvo's API lists it as down.`,
    );
    await this.tick();
    await this.tick(MIN / 2);
    this.shown();
    if (incidentId) for (const line of this.log.current(incidentId)) this.print(line);
    await this.pause(5);

    this.act('3. On-call acknowledges');
    await this.failingQuietly(erebor.name, 2);
    if (incidentId) {
      await this.chat(`ack ${incidentId}`);
      this.shown();
    }
    await this.pause(4);

    this.act(`4. A storm: ${storm.length} institutions go down at once on Belvo's status page`);
    await this.failingQuietly(erebor.name, 3);
    for (const i of storm) w.institutionsPage.setComponentStatus(i.component, 'major_outage');
    this.say(`Down: ${storm.map((i) => `${i.displayName} ${i.country}`).join(', ')}.`);
    await this.tick();
    const stormIds = this.shown();
    let stormId: string | undefined;
    for (const id of stormIds) if ((await this.kindOf(id)) === STORM_KIND) stormId = id;
    await this.pause(4);

    if (stormId) {
      this.act('5. A silence');
      await this.failingQuietly(erebor.name, 2);
      await this.chat(`silence ${stormId} 15m Belvo is on it`);
      this.shown();
      await this.failingQuietly(erebor.name, 3);
      const back = storm.slice(0, 5);
      for (const i of back) w.institutionsPage.setComponentStatus(i.component, 'operational');
      this.say(`${back.length} of the ${storm.length} come back while the storm is silenced.`);
      await this.tick();
      this.shown();
      await this.failingQuietly(erebor.name, 12, false);
      this.say(`The silence has ended; ${storm.length - back.length} of the storm's institutions are still down.`);
      this.shown();
      await this.pause(4);
    }

    this.act('6. Recovery');
    await this.failingQuietly(erebor.name, 2);
    w.apiPage.resolveIncident(incident, 'This incident has been resolved.');
    for (const i of storm) w.institutionsPage.setComponentStatus(i.component, 'operational');
    w.institutionsPage.setComponentStatus(erebor.component, 'operational');
    w.belvo.setInstitutionStatus(erebor.name, 'healthy');
    w.belvo.setLinkStatus(w.links.get(erebor.name) ?? [], 'valid');
    this.say(
      `Belvo resolves its incident; every institution is operational again; ${erebor.displayName}'s links are valid again.`,
    );
    await this.tick();
    await this.tick(MIN);
    this.shown();
    await this.pause(3);
    for (let minute = 0; minute < 12; minute++) {
      await this.appCalls(erebor.name, 20, 0);
      await this.tick(MIN);
    }
    this.say(`Your app's calls at ${erebor.displayName} have been succeeding for 12 minutes.`);
    this.shown();

    const t = this.log.totals();
    const open = (await this.app.store.listAlerts({ states: ['firing'] })).length;
    this.print();
    const pages = Object.entries(t.pages).map(([action, n]) => `${n} ${action}`);
    this.print(
      `In all: Slack got ${t.slackMessages} messages, edited in place ${t.slackEdits} times, and ${t.slackReplies} thread replies;`,
    );
    this.print(
      `Discord ${t.discordMessages} messages and ${t.discordEdits} edits; PagerDuty ${pages.join(', ') || 'nothing'}. Alerts still open: ${open}.`,
    );
  }
}
