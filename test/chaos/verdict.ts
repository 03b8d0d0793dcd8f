// What each destination shows at the end of a run, judged against what the bot committed to deliver (its outbox):
// deliveries expected, lost, duplicated, out of order, and the busiest second per channel.
import Database from 'better-sqlite3';
import { dedupKeyFor } from '../../src/domain/dedup-key.js';
import type { FakeDiscord } from '../fakes/discord-api.js';
import type { FakePagerDuty } from '../fakes/pagerduty-api.js';
import type { FakeSlack } from '../fakes/slack-api.js';
import { DISCORD_CHANNEL, SLACK_CHANNEL } from './world.js';

export interface Verdict {
  destination: string;
  expected: number;
  lost: number;
  duplicated: number;
  outOfOrder: number;
  maxPostsPerSecond: number;
  notes: string[];
}

interface IntentRow {
  alert_id: string;
  version: number;
  destination: string;
  status: string;
  event: string;
}

export interface Outbox {
  intents: IntentRow[];
  /** Each alert's fingerprint (a PagerDuty dedup_key is made from it). */
  fingerprints: Map<string, string>;
  /** Alerts not resolved at the end. */
  open: number;
  /** How many alerts of each kind the run made (the spike's institution incident among them). */
  kinds: Map<string, number>;
}

export function readOutbox(dbPath: string): Outbox {
  const db = new Database(dbPath, { readonly: true });
  try {
    const intents = db
      .prepare('SELECT alert_id, version, destination, status, event FROM intents ORDER BY id')
      .all() as IntentRow[];
    const rows = db.prepare('SELECT id, fingerprint FROM alerts').all() as { id: string; fingerprint: string }[];
    const open = db.prepare("SELECT count(*) AS n FROM alerts WHERE state <> 'resolved'").get() as { n: number };
    const kinds = db.prepare('SELECT kind, count(*) AS n FROM alerts GROUP BY kind ORDER BY kind').all() as {
      kind: string;
      n: number;
    }[];
    return {
      intents,
      fingerprints: new Map(rows.map((r) => [r.id, r.fingerprint])),
      open: open.n,
      kinds: new Map(kinds.map((k) => [k.kind, k.n])),
    };
  } finally {
    db.close();
  }
}

/** Most arrivals within any one second. */
function busiestSecond(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let from = 0;
  for (let to = 0; to < sorted.length; to++) {
    while ((sorted[to] as number) - (sorted[from] as number) >= 1000) from++;
    best = Math.max(best, to - from + 1);
  }
  return best;
}

/** Count of items beyond the first, per key. */
function extras(keys: string[]): number {
  return repeated(keys).length;
}

/** The keys seen more than once (once per extra). */
function repeated(keys: string[]): string[] {
  return keys.filter((k, i) => keys.indexOf(k) !== i);
}

/** The busiest second of any one channel. */
function busiestChannel(calls: { channel: string; at: number }[]): number {
  const byChannel = new Map<string, number[]>();
  for (const c of calls) byChannel.set(c.channel, [...(byChannel.get(c.channel) ?? []), c.at]);
  return Math.max(0, ...[...byChannel.values()].map(busiestSecond));
}

/** Threads whose replies' versions do not rise. */
function disordered(threads: number[][]): number {
  return threads.filter((versions) => versions.some((v, i) => i > 0 && v < (versions[i - 1] as number))).length;
}

function notes(missing: string[], twice: string[]): string[] {
  return [
    ...(missing.length ? [`alerts with no message: ${missing.join(', ')}`] : []),
    ...(twice.length ? [`more than once: ${twice.join(', ')}`] : []),
  ];
}

/**
 * Each key posted more than once, with when its copies were posted: a gap longer than the platform's replay window
 * (Discord's nonce, "a few minutes") tells a late retry from a read-back that failed.
 */
function copies(kind: string, posts: { key: string; at: string }[]): string[] {
  const byKey = new Map<string, string[]>();
  for (const p of posts) byKey.set(p.key, [...(byKey.get(p.key) ?? []), p.at]);
  return [...byKey]
    .filter(([, at]) => at.length > 1)
    .map(([key, at]) => {
      const gap = (Date.parse(at[at.length - 1] as string) - Date.parse(at[0] as string)) / 1000;
      return `${kind} ${key}: ${at.length} copies, posted ${at.map((t) => t.slice(11, 23)).join(' and ')} (${gap.toFixed(1)} s apart)`;
    });
}

function undelivered(intents: IntentRow[], destination: string): IntentRow[] {
  return intents.filter((i) => i.destination === destination && i.status !== 'delivered');
}

export function judgeSlack(slack: FakeSlack, intents: IntentRow[], destination: string): Verdict {
  const mine = intents.filter((i) => i.destination === destination);
  const alerts = new Set(mine.map((i) => i.alert_id));
  const meta = (m: { metadata?: { event_payload?: Record<string, unknown> } }) => m.metadata?.event_payload;
  const parents = slack
    .history(SLACK_CHANNEL)
    .filter((m) => (!m.thread_ts || m.thread_ts === m.ts) && meta(m)?.alert_id !== undefined);
  const parentKeys = parents.map((m) => String(meta(m)?.alert_id));
  const threads = parents.map((p) => slack.replies(SLACK_CHANNEL, p.ts).map((r) => Number(meta(r)?.version)));
  const replyKeys = parents.flatMap((p) =>
    slack.replies(SLACK_CHANNEL, p.ts).map((r) => `${String(meta(p)?.alert_id)} v${String(meta(r)?.version)}`),
  );
  const missingParents = [...alerts].filter((a) => !parentKeys.includes(a));
  const posts = slack.calls.filter((c) => c.method === 'chat.postMessage');
  const arrivals = posts.map((c) => ({ channel: c.channel ?? '', at: c.at }));
  // The posts of the busiest second, when more than one: what each was and how Slack answered it.
  const busiest = busiestSecondOf(posts).map(
    (c) =>
      `${new Date(c.at).toISOString().slice(11, 23)} ${c.threadTs ? 'reply' : 'parent'} ${c.fault ?? c.error ?? 'ok'}${c.status === undefined ? ' (unanswered)' : ''}`,
  );
  return {
    destination,
    expected: mine.length,
    lost: undelivered(intents, destination).length + missingParents.length,
    duplicated: extras(parentKeys) + extras(replyKeys),
    outOfOrder: disordered(threads),
    maxPostsPerSecond: busiestChannel(arrivals),
    notes: [
      ...notes(missingParents, [...repeated(parentKeys), ...repeated(replyKeys)]),
      ...(busiest.length > 1 ? [`busiest second: ${busiest.join('; ')}`] : []),
    ],
  };
}

/** The calls of the busiest one-second window (one channel in the chaos run). */
function busiestSecondOf<T extends { at: number }>(calls: T[]): T[] {
  const sorted = [...calls].sort((a, b) => a.at - b.at);
  let best: T[] = [];
  let from = 0;
  for (let to = 0; to < sorted.length; to++) {
    while ((sorted[to] as T).at - (sorted[from] as T).at >= 1000) from++;
    if (to - from + 1 > best.length) best = sorted.slice(from, to + 1);
  }
  return best;
}

export function judgeDiscord(discord: FakeDiscord, intents: IntentRow[], destination: string): Verdict {
  const mine = intents.filter((i) => i.destination === destination);
  const alerts = new Set(mine.map((i) => i.alert_id));
  const footer = (m: { embeds: { footer?: { text: string } }[] }) => m.embeds[0]?.footer?.text ?? '';
  const alertOf = (m: { embeds: { footer?: { text: string } }[] }) => /^Alert (\S+) ·/.exec(footer(m))?.[1];
  const versionOf = (m: { embeds: { footer?: { text: string } }[] }) =>
    Number(/· version (\d+) ·/.exec(footer(m))?.[1] ?? Number.NaN);
  const parents = discord.messages(DISCORD_CHANNEL).filter((m) => alertOf(m) !== undefined);
  const parentKeys = parents.map((m) => alertOf(m) as string);
  const threads = discord.threadsOf(DISCORD_CHANNEL).map((t) => discord.messages(t).map(versionOf));
  const replyKeys = discord
    .threadsOf(DISCORD_CHANNEL)
    .flatMap((t) => discord.messages(t).map((m) => `${alertOf(m)} v${versionOf(m)}`));
  const missingParents = [...alerts].filter((a) => !parentKeys.includes(a));
  const arrivals = discord.calls
    .filter((c) => c.method === 'POST' && c.route === 'POST /channels/:channel/messages')
    .map((c) => ({ channel: c.bucket, at: c.at }));
  return {
    destination,
    expected: mine.length,
    lost: undelivered(intents, destination).length + missingParents.length,
    duplicated: extras(parentKeys) + extras(replyKeys),
    outOfOrder: disordered(threads),
    maxPostsPerSecond: busiestChannel(arrivals),
    notes: [
      ...notes(missingParents, []),
      ...copies(
        'parent of',
        parents.map((m) => ({ key: alertOf(m) as string, at: m.timestamp })),
      ),
      ...copies(
        'reply',
        discord
          .threadsOf(DISCORD_CHANNEL)
          .flatMap((t) => discord.messages(t).map((m) => ({ key: `${alertOf(m)} v${versionOf(m)}`, at: m.timestamp }))),
      ),
    ],
  };
}

export function judgePagerDuty(pd: FakePagerDuty, outbox: Outbox, destination: string): Verdict {
  const intents = outbox.intents;
  const mine = intents.filter((i) => i.destination === destination);
  const alerts = pd.alerts();
  // Each paged alert opens one PagerDuty alert under its fingerprint's key (a relapse is a new alert with the same
  // key): more openings than that is a duplicate; one left open after the bot resolved it is a lost resolve.
  const pagedPerKey = new Map<string, Set<string>>();
  for (const i of mine) {
    const key = dedupKeyFor(outbox.fingerprints.get(i.alert_id) ?? i.alert_id);
    pagedPerKey.set(key, (pagedPerKey.get(key) ?? new Set()).add(i.alert_id));
  }
  const reopened = alerts.reduce((n, a) => n + Math.max(0, a.incidents - (pagedPerKey.get(a.dedupKey)?.size ?? 0)), 0);
  const stillOpen = alerts.filter((a) => a.status !== 'resolved');
  return {
    destination,
    expected: mine.length,
    lost: undelivered(intents, destination).length + stillOpen.length,
    duplicated: reopened,
    outOfOrder: 0,
    maxPostsPerSecond: busiestSecond(pd.events.map((e) => e.at)),
    notes: stillOpen.length ? [`pages left open: ${stillOpen.map((a) => a.dedupKey).join(', ')}`] : [],
  };
}
