import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../../adapters/sqlite/sqlite-store.js';
import { auditReport } from '../../../src/commands/audit-handlers.js';
import type { BelvoAccountView } from '../../../src/commands/belvo-view.js';
import { parseCommand } from '../../../src/commands/grammar.js';
import { type CommandContext, handleCommand } from '../../../src/commands/handlers.js';
import { type Reply, toPlainText } from '../../../src/commands/reply.js';
import type { Alert, AlertEvent } from '../../../src/domain/alert.js';
import { dedupKeyFor } from '../../../src/domain/dedup-key.js';
import { INCIDENT_KIND } from '../../../src/domain/fingerprint.js';
import { routeEvents } from '../../../src/engine/route.js';
import { type Store, StoreConflictError } from '../../../src/ports/store.js';
import { makeAlert, T0 } from '../../contract/alert-factory.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const NOW = T0 + 2 * HOUR; // 2025-01-15 14:00 UTC

const EREBOR = { name: 'erebor_mx_retail', displayName: 'Banco Erebor MX - Retail', country: 'MX' };
const EREBOR_EMPRESAS = { name: 'erebor_mx_empresas', displayName: 'Banco Erebor MX - Empresas', country: 'MX' };
const BOGOTA = { name: 'banco_de_bogota_co', displayName: 'Banco de Bogotá CO', country: 'CO' };

/** A firing, announced alert with none of the factory's optional extras (no maintenance, not acknowledged). */
function open(over: Partial<Alert> & { id: string }): Alert {
  return makeAlert({
    state: 'firing',
    announced: true,
    version: 1,
    maintenance: undefined,
    acknowledged: undefined,
    resolvedAt: undefined,
    okSince: undefined,
    flapping: false,
    lastSeenAt: NOW,
    rev: 0,
    ...over,
  });
}

function resolved(over: Partial<Alert> & { id: string }): Alert {
  return open({ state: 'resolved', version: 2, ...over });
}

const apiOutage = open({
  id: 'A1',
  fingerprint: 'statuspage/belvo-api/component/api',
  kind: 'statuspage.component',
  source: 'belvo-api',
  severity: 'major',
  peakSeverity: 'major',
  title: 'API: partial outage',
  status: 'partial_outage',
  institution: undefined,
  startedAt: NOW - 23 * MIN,
  firedAt: NOW - 22 * MIN,
});
const ereborDown = open({
  id: 'A2',
  fingerprint: 'statuspage/institutions/component/erebor',
  kind: 'statuspage.component',
  source: 'institutions',
  severity: 'critical',
  peakSeverity: 'critical',
  title: 'Banco Erebor MX - Retail: major outage',
  status: 'major_outage',
  institution: EREBOR,
  startedAt: NOW - HOUR,
  firedAt: NOW - 58 * MIN,
});
const ereborIncident = open({
  id: 'A3',
  fingerprint: 'statuspage/institutions/incident/inc1',
  kind: 'statuspage.incident',
  source: 'institutions',
  severity: 'minor',
  peakSeverity: 'minor',
  title: 'Slow connections',
  status: 'investigating',
  institution: EREBOR,
  startedAt: NOW - 40 * MIN,
  firedAt: NOW - 40 * MIN,
});
const bogotaDegraded = open({
  id: 'A4',
  fingerprint: 'statuspage/institutions/component/bogota',
  kind: 'statuspage.component',
  source: 'institutions',
  severity: 'minor',
  peakSeverity: 'minor',
  title: 'Banco de Bogotá CO: degraded performance',
  status: 'degraded_performance',
  institution: BOGOTA,
  startedAt: NOW - 5 * MIN,
  firedAt: NOW - 4 * MIN,
});
const pageUnreadable = open({
  id: 'A5',
  fingerprint: 'bot/source/institutions/unreachable',
  kind: 'source.health',
  source: 'institutions',
  severity: 'minor',
  peakSeverity: 'minor',
  title: 'Belvo institutions page cannot be read',
  status: 'unreachable',
  institution: undefined,
  environment: undefined,
  startedAt: NOW - 3 * MIN,
  firedAt: NOW - 3 * MIN,
});
const empresasYesterday = resolved({
  id: 'A6',
  fingerprint: 'statuspage/institutions/component/erebor-empresas',
  kind: 'statuspage.component',
  source: 'institutions',
  severity: 'minor',
  peakSeverity: 'major',
  title: 'Banco Erebor MX - Empresas: operational',
  status: 'operational',
  institution: EREBOR_EMPRESAS,
  startedAt: NOW - 26 * HOUR,
  firedAt: NOW - 26 * HOUR,
  resolvedAt: NOW - 24 * HOUR - 55 * MIN,
  lastSeenAt: NOW - 24 * HOUR,
});
const pending = open({
  id: 'A7',
  fingerprint: 'statuspage/institutions/component/pending',
  state: 'pending',
  announced: false,
  version: 0,
  title: 'Banco Pendiente: partial outage',
  institution: { name: 'banco_pendiente', displayName: 'Banco Pendiente' },
});
const firstSightHistory = resolved({
  id: 'A8',
  fingerprint: 'statuspage/belvo-api/incident/old',
  kind: 'statuspage.incident',
  announced: false,
  title: 'An incident from last year',
  status: 'resolved',
  institution: undefined,
});

/** In the order the engine would have created them (the store lists by creation). */
const ALL = [
  firstSightHistory,
  empresasYesterday,
  ereborDown,
  ereborIncident,
  apiOutage,
  bogotaDegraded,
  pageUnreadable,
  pending,
];

let store: Store;

beforeEach(async () => {
  store = createSqliteStore({ path: ':memory:', clock: { now: () => NOW } });
  await store.init();
});

afterEach(async () => {
  await store.close();
});

async function seed(alerts: Alert[]): Promise<void> {
  // Creation order is the order given: the store lists newest first by it.
  for (const a of alerts) await store.commitAlerts({ alerts: [structuredClone(a)], intents: [], cursors: [] });
}

/** Routing as the alert-commit service sees it: the stored subscriptions and silences at `now`. */
async function loadRoutingContext(from: Store, now: number) {
  return { subscriptions: await from.listSubscriptions(), silences: await from.listSilences(now), now };
}

/** What the composition root supplies: route with the stored subscriptions and silences, commit atomically. */
async function commitEvents(events: AlertEvent[], alerts: Alert[]): Promise<void> {
  const routing = await loadRoutingContext(store, NOW);
  const { intents } = routeEvents(events, routing);
  await store.commitAlerts({ alerts, intents, cursors: [] });
}

function context(over: Partial<CommandContext> = {}): CommandContext {
  return {
    store,
    now: NOW,
    channel: { platform: 'slack', id: 'C123', destination: 'slack:C123' },
    user: { id: 'U042', name: 'ana' },
    commitEvents,

    ...over,
  };
}

async function run(text: string, over: Partial<CommandContext> = {}): Promise<Reply> {
  return handleCommand(parseCommand(text), context(over));
}

async function say(text: string, over: Partial<CommandContext> = {}): Promise<string> {
  return toPlainText(await run(text, over));
}

describe('status', () => {
  it('says all clear when nothing is open (pending and history do not count)', async () => {
    await seed([empresasYesterday, pending, firstSightHistory]);
    expect(await say('')).toBe(
      [
        'Belvo status: all clear',
        'No open alerts.',
        'As of 2025-01-15 14:00 UTC · /belvo-status institution <name> for one institution',
      ].join('\n\n'),
    );
  });

  it("shows Belvo's API, institutions worst first with their country, then the other open alerts", async () => {
    await seed(ALL);
    const reply = await run('status');
    expect(reply.visibility).toBe('ephemeral');
    expect(toPlainText(reply)).toBe(
      [
        'Belvo status: 5 open alerts, worst critical',
        ['Belvo API:', '  [A1] MAJOR API: partial outage · for 23m'].join('\n'),
        [
          'Institutions down or degraded (2):',
          '  CRITICAL Banco Erebor MX - Retail (MX): [A2] major outage · for 1h 0m; [A3] Slow connections (investigating) · for 40m',
          '  MINOR Banco de Bogotá CO (CO): [A4] degraded performance · for 5m',
        ].join('\n'),
        ['Other open alerts:', '  [A5] MINOR Belvo institutions page cannot be read (unreachable) · for 3m'].join('\n'),
        'As of 2025-01-15 14:00 UTC · /belvo-status institution <name> for one institution',
      ].join('\n\n'),
    );
  });

  it('answers in the channel when asked, and marks acknowledged, silenced and maintenance alerts', async () => {
    await seed([
      { ...apiOutage, acknowledged: { by: 'bob', at: NOW - MIN } },
      {
        ...bogotaDegraded,
        maintenance: {
          id: 'm1',
          title: 'Core upgrade',
          since: NOW - MIN,
          before: { state: 'firing', severity: 'minor', announced: true },
        },
      },
    ]);
    await store.addSilence({
      id: 'S1',
      matcher: { institution: BOGOTA.name },
      startsAt: NOW - MIN,
      endsAt: NOW + HOUR,
      createdBy: 'bob',
      reason: 'known',
    });
    const reply = await run('status public');
    expect(reply.visibility).toBe('in_channel');
    const text = toPlainText(reply);
    expect(text).toContain('[A1] MAJOR API: partial outage · for 23m · acked by bob');
    expect(text).toContain(
      '[A4] degraded performance · for 5m · under maintenance: Core upgrade · silenced until 2025-01-15T15:00:00Z',
    );
    expect(text).not.toMatch(/link|error ratio|token_required/i);
  });

  it('keeps a storm readable: the worst institutions, then how many more', async () => {
    await seed(
      Array.from({ length: 25 }, (_, i) =>
        open({
          id: `A${100 + i}`,
          fingerprint: `statuspage/institutions/component/c${i}`,
          severity: i === 24 ? 'critical' : 'minor',
          title: `Banco ${i}: degraded performance`,
          status: 'degraded_performance',
          institution: { name: `banco_${i}`, displayName: `Banco ${i}`, country: 'BR' },
          startedAt: NOW - MIN,
        }),
      ),
    );
    const [, institutions] = (await run('status')).sections;
    expect(institutions?.heading).toBe('Institutions down or degraded (25)');
    expect(institutions?.lines).toHaveLength(20);
    expect(institutions?.lines[0]).toMatch(/^CRITICAL Banco 24 \(BR\): \[A124\]/);
    expect(institutions?.lines[19]).toBe('+6 more (/belvo-status institution <name>)');
  });

  it('says the API has no open alert when only institutions are affected', async () => {
    await seed([bogotaDegraded]);
    expect(await say('status')).toContain('Belvo API:\n  No open alert.');
  });
});

describe('institution', () => {
  beforeEach(() => seed(ALL));

  it('finds one institution by part of its name, accents and case ignored, open alerts then recent incidents', async () => {
    expect(await say('institution BOGOTA')).toBe(
      [
        'Banco de Bogotá CO (CO): 1 open alert',
        'Open:\n  [A4] degraded performance · for 5m',
        'Belvo name banco_de_bogota_co · as of 2025-01-15 14:00 UTC',
      ].join('\n\n'),
    );
  });

  it('lists the institutions to choose from when several match, open ones first', async () => {
    expect(await say('institution erebor')).toBe(
      [
        '2 institutions match "erebor": which one?',
        [
          'Banco Erebor MX - Retail (MX) · erebor_mx_retail · 2 open alerts',
          'Banco Erebor MX - Empresas (MX) · erebor_mx_empresas',
        ].join('\n'),
        '/belvo-status institution <more of the name, or the Belvo name>',
      ].join('\n\n'),
    );
  });

  it('narrows with more words or the Belvo name, and shows recent resolved incidents with durations', async () => {
    expect(await say('institution erebor retail')).toContain(
      'Open:\n  [A2] major outage · for 1h 0m\n  [A3] Slow connections (investigating) · for 40m',
    );
    expect(await say('institution erebor_mx_empresas')).toBe(
      [
        'Banco Erebor MX - Empresas (MX): no open alert',
        'Open:\n  No open alert.',
        'Recent incidents:\n  [A6] MAJOR Banco Erebor MX - Empresas (MX) · started 2025-01-14 12:00 UTC · lasted 1h 5m',
        'Belvo name erebor_mx_empresas · as of 2025-01-15 14:00 UTC',
      ].join('\n\n'),
    );
  });

  it('prefers an exact name over longer names that contain it', async () => {
    await seed([
      open({
        id: 'A9',
        fingerprint: 'x/bancox',
        title: 'Banco X: partial outage',
        institution: { name: 'banco_x', displayName: 'Banco X' },
      }),
      open({
        id: 'A10',
        fingerprint: 'x/bancox-empresas',
        title: 'Banco X Empresas: partial outage',
        institution: { name: 'banco_x_empresas', displayName: 'Banco X Empresas' },
      }),
    ]);
    expect(await say('institution banco x')).toMatch(/^Banco X: 1 open alert/);
  });

  it('says so when nothing matches', async () => {
    expect(await say('institution nubank')).toMatch(/^No institution matching "nubank"\n\nNo open or recent alert/);
  });
});

describe('subscribe, subscriptions, unsubscribe', () => {
  it('stores a subscription for this channel and says in words what it will receive', async () => {
    await seed(ALL);
    const reply = await run('subscribe statuspage country:MX min:major quiet:22:00-07:00 tz:America/Mexico_City');
    expect(toPlainText(reply)).toBe(
      [
        'Subscribed: this channel will receive major and worse statuspage alerts in MX',
        [
          'Subscription sub-1.',
          'Quiet hours 22:00-07:00 (America/Mexico_City): only critical alerts arrive during them; the rest comes as one digest at 07:00. Pages are not affected.',
          'Open now and matching: [A2]; this channel hears of them at their next update.',
        ].join('\n'),
        'Undo: /belvo-status unsubscribe sub-1',
      ].join('\n\n'),
    );
    expect(await store.listSubscriptions()).toEqual([
      {
        id: 'sub-1',
        destination: 'slack:C123',
        filter: {
          kinds: ['statuspage'],
          countries: ['MX'],
          minSeverity: 'major',
          quietHours: { from: '22:00', to: '07:00', tz: 'America/Mexico_City' },
        },
        createdBy: 'ana',
        createdAt: NOW,
      },
    ]);
  });

  it('an empty subscribe means every alert', async () => {
    expect((await run('subscribe')).title).toBe('Subscribed: this channel will receive all alerts');
    expect((await store.listSubscriptions())[0]?.filter).toEqual({});
  });

  it('stores the institution name a partial name points to, and refuses an ambiguous one', async () => {
    await seed(ALL);
    const ambiguous = await run('subscribe institution:erebor');
    expect(toPlainText(ambiguous)).toMatch(/^institution:erebor matches 2 institutions: which one\?/);
    expect(ambiguous.footer).toMatch(/^Nothing was subscribed/);
    expect(await store.listSubscriptions()).toEqual([]);

    const text = await say('subscribe institution:bogota,nubank');
    expect(text).toMatch(/^Subscribed: this channel will receive all alerts about banco_de_bogota_co or nubank\n/);
    expect(text).toContain('institution:bogota is Banco de Bogotá CO (CO), Belvo name banco_de_bogota_co.');
    expect(text).toContain(
      'No alert has named an institution like "nubank" yet: this matches an institution named exactly that.',
    );
    expect((await store.listSubscriptions())[0]?.filter).toEqual({ institutions: ['banco_de_bogota_co', 'nubank'] });
  });

  it('a channel names the clock it reads times on, and its subscriptions say so', async () => {
    await run('subscribe tz:america/sao_paulo');
    expect((await store.listSubscriptions())[0]?.filter).toEqual({ tz: 'America/Sao_Paulo' });
    expect(await say('subscriptions')).toContain('sub-1: all alerts · times in America/Sao_Paulo · by ana');
  });

  it('does not store the same filter twice for one channel', async () => {
    await run('subscribe country:MX,CO min:major');
    const again = await run('subscribe min:MAJOR country:co,mx');
    expect(again.title).toBe('This channel already receives major and worse alerts in CO or MX');
    expect(toPlainText(again)).toContain('Subscription sub-1, nothing changed.');
    expect(await store.listSubscriptions()).toHaveLength(1);
  });

  it("lists and removes only this channel's subscriptions", async () => {
    const other = { channel: { platform: 'discord' as const, id: '99', destination: 'discord:99' } };
    await run('subscribe min:critical', other);
    await run('subscribe statuspage.incident');
    await run('subscribe source.health env:production');

    expect(await say('subscriptions')).toBe(
      [
        "This channel's subscriptions (2)",
        [
          'sub-2: all statuspage.incident alerts · by ana on 2025-01-15',
          'sub-3: all source.health alerts in the production environment · by ana on 2025-01-15',
        ].join('\n'),
        'Subscriptions from the config file are not listed here.',
      ].join('\n\n'),
    );
    expect(await say('unsubscribe sub-1')).toMatch(/^No subscription sub-1 in this channel/);
    expect(await say('unsubscribe SUB-2')).toBe(
      'Unsubscribed sub-2: all statuspage.incident alerts\n\nThis channel still has 1 subscription.',
    );
    expect(await say('unsubscribe')).toMatch(/^Unsubscribed: removed 1 subscription of this channel\n\n/);
    expect(await say('unsubscribe')).toMatch(/^This channel has no subscription made in chat\n\nNothing to remove/);
    expect((await store.listSubscriptions()).map((s) => s.destination)).toEqual(['discord:99']);
    expect(await say('subscriptions')).toMatch(/^This channel has no subscription made in chat/);
  });

  it('a subscribed channel gets the alerts that match from then on (routing reads the stored subscription)', async () => {
    await run('subscribe country:MX');
    await run('subscribe min:critical', { channel: { platform: 'discord', id: '7', destination: 'discord:7' } });
    const routing = await loadRoutingContext(store, NOW);
    const event = (a: Alert): AlertEvent => ({
      type: 'opened',
      alert: a,
      version: 1,
      at: NOW,
      reason: 'test',
      quiet: false,
      noPage: false,
    });
    const { intents } = routeEvents([event(ereborDown), event(bogotaDegraded)], routing);
    expect(intents.map((i) => `${i.alertId}->${i.destination}`).sort()).toEqual(['A2->discord:7', 'A2->slack:C123']);
  });
});

describe('subscribe where the bot cannot post', () => {
  it('refuses, says why and what to do, and stores nothing', async () => {
    const reply = await run('subscribe min:major', {
      channel: {
        platform: 'discord',
        id: '1111',
        destination: 'discord:1111',
        cannotPost: 'this bot has no Discord bot token (discord.botToken), so it can answer here but not post alerts',
      },
    });
    expect(toPlainText(reply)).toBe(
      'Not subscribed: alerts cannot be posted in this channel\n\nThis bot has no Discord bot token (discord.botToken), so it can answer here but not post alerts.',
    );
    expect(await store.listSubscriptions()).toEqual([]);
  });
});

describe('silence and unsilence', () => {
  beforeEach(() => seed(ALL));

  it('silences one alert by its fingerprint until now + duration, with the reason and who', async () => {
    const reply = await run('silence A2 2h bank announced a migration');
    expect(toPlainText(reply)).toBe(
      [
        'Silenced [A2] Banco Erebor MX - Retail: major outage until 2025-01-15T16:00:00Z',
        [
          'Silence S1 for 2h by ana: bank announced a migration.',
          'Messages and paging are muted; the alert state is still tracked.',
        ].join('\n'),
        'End it early: /belvo-status unsilence S1',
      ].join('\n\n'),
    );
    expect(await store.listSilences(NOW)).toEqual([
      {
        id: 'S1',
        matcher: { fingerprint: ereborDown.fingerprint },
        startsAt: NOW,
        endsAt: NOW + 2 * HOUR,
        createdBy: 'ana',
        reason: 'bank announced a migration',
      },
    ]);
  });

  it('silences an institution by the name its alerts carry, and names the open alerts it mutes', async () => {
    const text = await say('silence Banco de Bogota 30m', { user: { id: 'U777' } });
    expect(text).toBe(
      [
        'Silenced every alert about Banco de Bogotá CO (CO) until 2025-01-15T14:30:00Z',
        [
          'Silence S1 for 30m by U777: no reason given.',
          'Messages and paging are muted; the alert state is still tracked.',
          'Open now: [A4].',
        ].join('\n'),
        'End it early: /belvo-status unsilence S1',
      ].join('\n\n'),
    );
    const [silence] = await store.listSilences(NOW);
    expect(silence?.matcher).toEqual({ institution: 'banco_de_bogota_co' });
    expect(silence?.createdBy).toBe('U777');
  });

  it('a silenced alert is only edited in place when it next changes, never announced', async () => {
    await run('subscribe');
    await run('silence A2 1h');
    await run('ack A2');
    await run('ack A4');
    const delivered = (await store.listIntents()).map((i) => [
      i.alertId,
      i.event.quiet,
      i.event.reason.split(' until')[0],
    ]);
    // The silence shows on A2's message (a quiet edit); its acknowledgement afterwards is only a quiet edit too.
    expect(delivered).toEqual([
      ['A2', true, 'silenced by ana'],
      ['A2', true, 'acknowledged by ana'],
      ['A4', false, 'acknowledged by ana'],
    ]);
    expect((await store.getAlert('A2'))?.silenced).toMatchObject({ id: 'S1', by: 'ana' });
  });

  it('lifting a silence clears it from the message and announces what still fires', async () => {
    await run('subscribe');
    await run('silence A2 1h');
    await run('unsilence S1');
    const intents = await store.listIntents({ alertId: 'A2' });
    expect(intents.map((i) => i.event.reason.split(':')[0])).toEqual([
      expect.stringMatching(/^silenced by ana until/),
      'silence lifted; still firing',
    ]);
    // Setting it edits the message quietly; lifting it is news in the thread.
    expect(intents.map((i) => i.event.quiet)).toEqual([true, false]);
    expect((await store.getAlert('A2'))?.silenced).toBeUndefined();
  });

  it('silences by fingerprint or PagerDuty dedup key too', async () => {
    const reply = await run(`silence ${dedupKeyFor(bogotaDegraded.fingerprint)} 1h known`);
    expect(reply.title).toBe('Silenced [A4] Banco de Bogotá CO: degraded performance until 2025-01-15T15:00:00Z');
    await run(`silence ${apiOutage.fingerprint} 30m`);
    expect((await store.listSilences(NOW)).map((x) => x.matcher)).toEqual([
      { fingerprint: bogotaDegraded.fingerprint },
      { fingerprint: apiOutage.fingerprint },
    ]);
  });

  it('refuses an unknown alert and an ambiguous institution, storing nothing', async () => {
    expect(await say('silence A99 1h')).toMatch(/^No alert A99\n\n\/belvo-status status lists the open alerts/);
    const ambiguous = await say('silence erebor 1h');
    expect(ambiguous).toMatch(/^"erebor" matches 2 institutions: which one\?/);
    // Each with what is open there, by id.
    expect(ambiguous).toContain('Banco Erebor MX - Retail (MX) · erebor_mx_retail · open: [A3] [A2]');
    expect(ambiguous).toContain('Banco Erebor MX - Empresas (MX) · erebor_mx_empresas · nothing open');
    expect(ambiguous).toContain('Nothing was silenced. /belvo-status silence <Belvo name> 1h');
    expect(await store.listSilences()).toEqual([]);
  });

  it('ends a silence early, and says when there is no such silence', async () => {
    await run('silence A2 2h');
    expect(await say('unsilence s1')).toBe(
      [
        'Silence S1 ended',
        [
          `It matched alert ${ereborDown.fingerprint}, set by ana: no reason given.`,
          'It would have lasted until 2025-01-15T16:00:00Z.',
        ].join('\n'),
      ].join('\n\n'),
    );
    expect(await store.listSilences()).toEqual([]);
    expect(await say('unsilence S1')).toMatch(/^No silence S1\n/);
    expect(await say('unsilence config:0')).toMatch(/^Silence config:0 comes from the config file/);
  });
});

describe('recurring silences', () => {
  beforeEach(() => seed(ALL));

  it('a weekly window on a local clock: stored until removed, the reply says when it next mutes', async () => {
    const text = await say('silence institution:bogota every sun 02:00-04:00 tz:America/Bogota core banking window');
    expect(text).toBe(
      [
        'Silenced every alert about Banco de Bogotá CO (CO) every Sun 02:00-04:00 America/Bogota',
        [
          'Silence S1 by ana: core banking window.',
          'Inside each window messages and paging are muted; the alert state is still tracked.',
          // Wednesday 15 January: the next Sunday 02:00 in Bogotá (UTC-5) is 07:00Z on the 19th.
          'Next window: 2025-01-19T07:00:00Z to 2025-01-19T09:00:00Z.',
        ].join('\n'),
        'Remove it: /belvo-status unsilence S1',
      ].join('\n\n'),
    );
    const [stored] = await store.listSilences(NOW);
    expect(stored).toMatchObject({
      id: 'S1',
      matcher: { institution: 'banco_de_bogota_co' },
      startsAt: NOW,
      recurrence: { days: [0], from: '02:00', to: '04:00', tz: 'America/Bogota' },
    });
    // Nothing open is touched outside the window.
    expect(await store.listIntents()).toEqual([]);
  });

  it('silences and subscriptions list it with its schedule and next window, beside the one-off silences', async () => {
    await run('silence A2 2h bank migration');
    await run('silence institution:bogota every sat,sun 02:00-04:00 tz:America/Bogota weekly window');
    const lines = [
      'S1: alert statuspage/institutions/component/erebor · muting now, until 2025-01-15 16:00 UTC · by ana: bank migration',
      'S2: institution banco_de_bogota_co · every Sun,Sat 02:00-04:00 America/Bogota · next 2025-01-18 07:00 UTC to 2025-01-18 09:00 UTC · by ana: weekly window',
    ];
    expect(await say('silences')).toBe(
      [
        'Silences (2)',
        lines.join('\n'),
        'Silences from the config file are not listed here. End one: /belvo-status unsilence <id>',
      ].join('\n\n'),
    );
    expect(await say('subscriptions')).toContain(['Silences:', ...lines.map((l) => `  ${l}`)].join('\n'));
    expect(await say('unsilence S2')).toContain(
      'It matched institution banco_de_bogota_co every Sun,Sat 02:00-04:00 America/Bogota, set by ana: weekly window.',
    );
    expect((await store.listSilences()).map((x) => x.id)).toEqual(['S1']);
  });

  it('set while its window is open: the open alerts show it at once, until the window ends', async () => {
    await run('subscribe');
    // Wednesday 14:00 UTC is inside every Wednesday 13:00-15:00 UTC.
    const text = await say('silence A2 every wed 13:00-15:00 tz:UTC deploy window');
    expect(text).toContain('A window is open now, until 2025-01-15T15:00:00Z.');
    expect((await store.getAlert('A2'))?.silenced).toEqual({
      id: 'S1',
      by: 'ana',
      until: NOW + HOUR,
      reason: 'deploy window',
      every: 'every Wed 13:00-15:00 UTC',
    });
    const [intent] = await store.listIntents({ alertId: 'A2' });
    expect(intent?.event).toMatchObject({
      quiet: true,
      reason: expect.stringMatching(/^silenced by ana until .* \(every Wed 13:00-15:00 UTC\): deploy window$/),
    });
  });

  it('says so when nothing is silenced', async () => {
    expect(await say('silences')).toMatch(/^No silence set in chat\n/);
  });
});

describe('ack', () => {
  beforeEach(() => seed(ALL));

  it('acknowledges through commitEvents: the alert is stored acknowledged and subscribed channels get the edit', async () => {
    await run('subscribe');
    const reply = await run('ack a2 public', { user: { id: 'U042', name: 'ana' } });
    expect(reply.visibility).toBe('in_channel');
    expect(toPlainText(reply)).toBe(
      'Acknowledged [A2] Banco Erebor MX - Retail: major outage\n\nIts messages will show it was acknowledged by ana.',
    );
    const stored = await store.getAlert('A2');
    expect(stored?.acknowledged).toEqual({ by: 'ana', at: NOW });
    expect(stored?.version).toBe(2);
    const [intent, ...rest] = await store.listIntents({ alertId: 'A2' });
    expect(rest).toEqual([]);
    expect(intent).toMatchObject({ destination: 'slack:C123', version: 2 });
    expect(intent?.event).toMatchObject({ type: 'updated', reason: 'acknowledged by ana', quiet: false, noPage: true });
  });

  it('says why it cannot acknowledge: unknown, already acknowledged, resolved, not fired yet', async () => {
    await run('ack A2');
    expect(await say('ack A404')).toMatch(/^No alert A404/);
    expect(await say('ack A2')).toBe('Not acknowledged: A2 was already acknowledged by ana at 2025-01-15T14:00:00Z');
    expect(await say('ack A6')).toBe('Not acknowledged: A6 is already resolved');
    expect(await say('ack A7')).toBe('Not acknowledged: A7 has not fired yet');
  });

  it('re-reads and retries when the engine wrote the alert in between', async () => {
    let calls = 0;
    const racing = async (events: AlertEvent[], alerts: Alert[]) => {
      calls++;
      if (calls === 1) {
        // The engine commits a new version of A2 first: the ack's copy is now stale.
        const current = await store.getAlert('A2');
        await store.commitAlerts({ alerts: [{ ...current!, status: 'partial_outage' }], intents: [], cursors: [] });
      }
      await commitEvents(events, alerts);
    };
    expect((await run('ack A2', { commitEvents: racing })).title).toMatch(/^Acknowledged \[A2\]/);
    expect(calls).toBe(2);
    expect(await store.getAlert('A2')).toMatchObject({ status: 'partial_outage', acknowledged: { by: 'ana' } });
  });

  it('takes the fingerprint or the PagerDuty dedup key instead of the id', async () => {
    expect((await run(`ack ${bogotaDegraded.fingerprint}`)).title).toBe(
      'Acknowledged [A4] Banco de Bogotá CO: degraded performance',
    );
    expect((await run(`ack ${dedupKeyFor(ereborDown.fingerprint)}`)).title).toBe(
      'Acknowledged [A2] Banco Erebor MX - Retail: major outage',
    );
    expect((await store.getAlert('A4'))?.acknowledged).toEqual({ by: 'ana', at: NOW });
    expect(await say('ack belvo-status/statuspage/institutions/component/nope')).toBe(
      'No alert with the fingerprint or dedup key belvo-status/statuspage/institutions/component/nope\n\n' +
        '/belvo-status status lists the open alerts with their ids.',
    );
  });

  it('finds the alert behind a hashed dedup key (a fingerprint past 255 characters)', async () => {
    const long = open({
      id: 'A30',
      fingerprint: `statuspage/institutions/incident/${'x'.repeat(300)}`,
      kind: 'statuspage.incident',
      title: 'An incident with a very long id',
      institution: undefined,
    });
    await seed([long]);
    const key = dedupKeyFor(long.fingerprint);
    expect(key).toHaveLength(255);
    expect((await run(`ack ${key}`)).title).toBe('Acknowledged [A30] An incident with a very long id');
  });

  it('an institution name means its open alert; names with nothing open are not in the way', async () => {
    // "bogota" names one institution, with one open alert.
    expect((await run('ack bogota')).title).toBe('Acknowledged [A4] Banco de Bogotá CO: degraded performance');
    // "empresas" names an institution whose only alert is resolved: nothing to acknowledge, said so.
    expect(await say('ack empresas')).toBe(
      'Nothing is open at Banco Erebor MX - Empresas (MX)\n\n/belvo-status history lists the incidents that ended.',
    );
    expect(await say('ack gringotts')).toMatch(/^No alert names an institution like "gringotts"/);
  });

  it('a name that matches several open alerts lists them with their ids and acknowledges nothing', async () => {
    // Erebor Retail has two open alerts (no incident groups them in this store); Erebor Empresas none.
    const reply = await run('ack erebor');
    expect(toPlainText(reply)).toBe(
      [
        '"erebor" matches 2 open alerts: which one?',
        [
          '[A3] Banco Erebor MX - Retail (MX) · erebor_mx_retail: Slow connections',
          '[A2] Banco Erebor MX - Retail (MX) · erebor_mx_retail: Banco Erebor MX - Retail: major outage',
        ].join('\n'),
        'Nothing was acknowledged. /belvo-status ack <alert id>',
      ].join('\n\n'),
    );
    expect(reply.visibility).toBe('ephemeral');
    expect((await store.getAlert('A2'))?.acknowledged).toBeUndefined();
    expect((await store.getAlert('A3'))?.acknowledged).toBeUndefined();
  });

  it('gives up politely when the alert keeps changing', async () => {
    const alwaysStale = async () => {
      throw new StoreConflictError('stale');
    };
    expect((await run('ack A2', { commitEvents: alwaysStale })).title).toBe(
      'Not acknowledged: A2 kept changing while it was being acknowledged',
    );
  });
});

describe('history', () => {
  it('lists announced incidents newest first with durations, open ones included', async () => {
    await seed(ALL);
    expect(await say('history')).toBe(
      [
        'The last 6 incidents',
        [
          '[A5] MINOR Belvo institutions page cannot be read · started 2025-01-15 13:57 UTC · open for 3m',
          '[A4] MINOR Banco de Bogotá CO: degraded performance (CO) · started 2025-01-15 13:55 UTC · open for 5m',
          '[A1] MAJOR API: partial outage · started 2025-01-15 13:37 UTC · open for 23m',
          '[A3] MINOR Slow connections (MX) · started 2025-01-15 13:20 UTC · open for 40m',
          '[A2] CRITICAL Banco Erebor MX - Retail: major outage (MX) · started 2025-01-15 13:00 UTC · open for 1h 0m',
          '[A6] MAJOR Banco Erebor MX - Empresas (MX) · started 2025-01-14 12:00 UTC · lasted 1h 5m',
        ].join('\n'),
        'Newest first · as of 2025-01-15 14:00 UTC',
      ].join('\n\n'),
    );
  });

  it('takes n, and says so when nothing was ever announced', async () => {
    expect(await say('history')).toBe('No incidents yet\n\nNo alert has been announced so far.');
    await seed(ALL);
    expect(await say('history 1')).toMatch(/^The last incident\n\n\[A5\]/);
  });
});

describe('audit, help and mistakes', () => {
  it('audit needs Belvo credentials', async () => {
    expect((await run('audit')).title).toBe('audit needs Belvo credentials configured');
  });

  const account = (over: Partial<BelvoAccountView> = {}): BelvoAccountView => ({
    environments: [
      { id: 'production', url: 'https://api.belvo.com', webhooksConfigured: true },
      { id: 'sandbox', url: 'https://sandbox.belvo.com', webhooksConfigured: false },
    ],
    linkCounts: async (env) =>
      env === 'production'
        ? [
            { institution: 'erebor_mx_retail', status: 'valid', count: 90 },
            { institution: 'erebor_mx_retail', status: 'token_required', count: 8 },
            { institution: 'gondor_co_retail', status: 'invalid', count: 2 },
          ]
        : [],
    duplicateLinks: async (env) =>
      env === 'production' ? [{ institution: 'erebor_mx_retail', institutionUserId: 'u'.repeat(44), count: 3 }] : [],
    lastWebhookAt: async (env) => (env === 'production' ? NOW - 2 * 60_000 : undefined),
    calls: { summary: () => ({ calls: 0, failures: 0 }), failures: 10, failuresWithoutRequestId: 4, lastReportAt: NOW },
    ...over,
  });

  it('audit checks the integration checklist against the account, with the numbers behind each item', async () => {
    expect(await say('audit', { belvo: account() })).toBe(
      [
        'Belvo integration audit: 6 to look at',
        'Production:\n  ✓ production calls https://api.belvo.com',
        [
          'Environment production:',
          '  ✓ webhooks: last received 2m ago',
          '  ! 2 of 100 links are invalid: prompt those users to update their credentials',
          '  ! 8 of 100 links are token_required: prompt those users to update their credentials',
          '  ✗ 1 users linked more than once at one institution, e.g. erebor_mx_retail x3: store institution_user_id at link creation and reuse the link',
        ].join('\n'),
        [
          'Environment sandbox:',
          '  ✗ webhooks: no webhook receiver configured for sandbox',
          '  ! links: none known yet (the first reconciliation has not run)',
          '  ✓ no duplicate links (one link per institution_user_id and institution)',
        ].join('\n'),
        'request_ids of failed calls:\n  ✗ 6 of 10 failed calls carried their request_id',
        '✓ ok · ! worth a look · ✗ missing',
      ].join('\n\n'),
    );
  });

  it('status and institution include the team’s links by status, webhook freshness and its own calls', async () => {
    const belvo = account({
      calls: {
        summary: (_now, _ms, institution) => (institution ? { calls: 40, failures: 10 } : { calls: 200, failures: 12 }),
        failures: 12,
        failuresWithoutRequestId: 0,
        lastReportAt: NOW,
      },
    });
    const status = await say('status', { belvo });
    expect(status).toContain(
      [
        'Your Belvo account:',
        '  production: 100 links · 8 token_required · 2 invalid · last webhook 2m ago',
        '  sandbox: no links known · no webhook yet',
        '  Your calls, last 15 min: 200, 6.0% failed',
      ].join('\n'),
    );
  });

  it('audit flags a production environment pointed elsewhere and an app that does not report its calls', async () => {
    const text = await say('audit', {
      belvo: account({
        environments: [{ id: 'production', url: 'https://sandbox.belvo.com', webhooksConfigured: true }],
        calls: undefined,
      }),
    });
    expect(text).toContain('✗ production calls https://sandbox.belvo.com (expected https://api.belvo.com)');
    expect(text).toContain('✗ your app does not report its Belvo calls (belvo.ingest and the reporter module)');
  });

  it('audit tallies what is missing apart from what is worth a look, for the command line to fail on', async () => {
    // From the account above: a duplicate user, sandbox without webhooks and 6 failures without request_id are
    // missing; invalid, token_required and sandbox's unknown links are worth a look.
    const report = await auditReport(context({ belvo: account() }), 'ephemeral');
    expect({ failed: report.failed, warnings: report.warnings }).toEqual({ failed: 3, warnings: 3 });
    const clean = account({
      environments: [{ id: 'production', url: 'https://api.belvo.com', webhooksConfigured: true }],
      duplicateLinks: async () => [],
      calls: {
        summary: () => ({ calls: 0, failures: 0 }),
        failures: 3,
        failuresWithoutRequestId: 0,
        lastReportAt: NOW,
      },
    });
    expect(await auditReport(context({ belvo: clean }), 'ephemeral')).toMatchObject({ failed: 0, warnings: 2 });
  });

  it('audit beside the bot says the reported calls are the running bot’s to check, not that the app sends none', async () => {
    const text = toPlainText(
      (await auditReport(context({ belvo: account({ calls: undefined, callsHeldElsewhere: true }) }), 'ephemeral'))
        .reply,
    );
    expect(text).toContain(
      'request_ids of failed calls:\n  ! your app reports its calls to the running bot, which alone holds them: /belvo-status audit in chat checks their request_ids',
    );
    expect(text).not.toContain('does not report');
  });

  it('help lists every subcommand with an example', async () => {
    const text = await say('help');
    for (const sub of [
      'status',
      'institution',
      'subscribe',
      'unsubscribe',
      'subscriptions',
      'silence',
      'unsilence',
      'ack',
      'history',
      'audit',
      'help',
    ]) {
      expect(text).toContain(`/belvo-status ${sub}`);
    }
    expect(text).toContain('e.g. /belvo-status silence A12 2h bank announced a migration');
    expect(text).toContain('public');
  });

  it('answers a mistake with the message and the usage, only to the person who typed it', async () => {
    const reply = await run('silence A2 forever public');
    expect(reply.visibility).toBe('ephemeral');
    expect(toPlainText(reply)).toBe(
      [
        'silence needs a duration with a unit: 30m, 2h or 1d',
        'Usage:\n  /belvo-status silence <alert id | fingerprint | dedup key | institution:name> <duration | every <days> HH:MM-HH:MM tz:Zone> [reason...]  (e.g. /belvo-status silence A12 2h bank announced a migration)',
      ].join('\n\n'),
    );
  });
});

describe('institution incidents in chat', () => {
  // Erebor's incident (A9) with two members: its status page component (A2) and a token_required spike (A10).
  const spike = open({
    id: 'A10',
    fingerprint: 'belvo/production/token_required-spike/erebor_mx_retail',
    kind: 'belvo.token_required-spike',
    source: 'belvo-production',
    severity: 'major',
    peakSeverity: 'major',
    title: 'Banco Erebor MX - Retail: spike of token_required links',
    status: '14 in 1h',
    institution: EREBOR,
    startedAt: NOW - 70 * MIN,
    firedAt: NOW - 70 * MIN,
    incidentId: 'A9',
  });
  const incident = open({
    id: 'A9',
    fingerprint: 'institution/erebor_mx_retail',
    kind: INCIDENT_KIND,
    source: 'bot',
    severity: 'critical',
    peakSeverity: 'critical',
    title: "Banco Erebor MX - Retail: token_required spike (production), major outage on Belvo's status page",
    status: "on Belvo's status page since 13:02 UTC, 12m after the bot noticed",
    institution: EREBOR,
    environment: undefined,
    url: undefined,
    startedAt: NOW - 70 * MIN,
    firedAt: NOW - 70 * MIN,
    correlation: {
      noticedAt: NOW - 70 * MIN,
      noticedBy: 'token_required spike (production)',
      early: true,
      confirmedAt: NOW - 58 * MIN,
    },
  });

  beforeEach(() => seed([{ ...ereborDown, incidentId: 'A9' }, incident, spike, apiOutage]));

  it('status lists the evidence under the institution, with the incident id that chat messages show', async () => {
    const text = await say('status');
    expect(text).toContain('Belvo status: 3 open alerts, worst critical');
    expect(text).toContain(
      'CRITICAL Banco Erebor MX - Retail (MX) [A9]: [A2] major outage · for 1h 0m; [A10] spike of token_required links (14 in 1h) · for 1h 10m',
    );
    expect(text).not.toContain('[A9] CRITICAL');
  });

  it('ack by institution name, incident fingerprint, dedup key or a member fingerprint: the incident', async () => {
    for (const typed of [
      'Banco Erebor',
      'erebor',
      'institution/erebor_mx_retail',
      'belvo-status/institution/erebor_mx_retail',
      spike.fingerprint,
    ]) {
      const reply = await run(`ack ${typed}`);
      expect(reply.title, typed).toMatch(/^(Acknowledged \[A9\]|Not acknowledged: A9 was already acknowledged)/);
    }
    expect((await store.getAlert('A9'))?.acknowledged).toEqual({ by: 'ana', at: NOW });
  });

  it('a name that matches several institutions with open incidents: their incidents, by id', async () => {
    await seed([
      open({
        id: 'A11',
        fingerprint: 'institution/erebor_mx_empresas',
        kind: INCIDENT_KIND,
        source: 'bot',
        title: "Banco Erebor MX - Empresas: down on Belvo's API (production)",
        institution: EREBOR_EMPRESAS,
      }),
    ]);
    expect(await say('ack erebor')).toBe(
      [
        '"erebor" matches 2 open alerts: which one?',
        [
          "[A11] Banco Erebor MX - Empresas (MX) · erebor_mx_empresas: Banco Erebor MX - Empresas: down on Belvo's API (production)",
          "[A9] Banco Erebor MX - Retail (MX) · erebor_mx_retail: Banco Erebor MX - Retail: token_required spike (production), major outage on Belvo's status page",
        ].join('\n'),
        'Nothing was acknowledged. /belvo-status ack <alert id>',
      ].join('\n\n'),
    );
    expect((await store.getAlert('A9'))?.acknowledged).toBeUndefined();
  });

  it('ack of a member acknowledges its incident, which is what pages and what the message shows', async () => {
    const reply = await run('ack A10');
    expect(reply.title).toMatch(/^Acknowledged \[A9\] Banco Erebor MX - Retail: token_required spike/);
    expect((await store.getAlert('A9'))?.acknowledged).toEqual({ by: 'ana', at: NOW });
    expect((await store.getAlert('A10'))?.acknowledged).toBeUndefined();
    expect(await say('institution erebor_mx_retail')).toContain('Incident [A9] (acked by ana): on Belvo');
  });

  it('history shows the incident and how far ahead of the status page it was, not its members', async () => {
    const text = await say('history');
    expect(text).toContain(
      "[A9] CRITICAL Banco Erebor MX - Retail: token_required spike (production), major outage on Belvo's status page · started 2025-01-15 12:50 UTC · open for 1h 10m · 12m before Belvo's status page (noticed from token_required spike (production))",
    );
    expect(text).not.toMatch(/\[A2\]|\[A10\]/);
    expect(text).toContain('[A1] MAJOR API: partial outage');
  });
});
