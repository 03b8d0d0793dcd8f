// `subscribe`, `unsubscribe`, `subscriptions`: the subscriptions of the channel the command was typed in.
import { describeReportSchedule } from '../domain/report.js';
import { type Subscription, type SubscriptionFilter, subscriptionMatches } from '../domain/subscription.js';
import {
  capLines,
  describeFilter,
  mentionNote,
  mentionText,
  orList,
  plural,
  quietHoursNote,
  shortUtc,
  who,
} from './format.js';
import type { CommandContext } from './handlers.js';
import { institutionLabel, loadInstitutionAlerts, resolveInstitution } from './institution-match.js';
import type { Reply, ReplyVisibility } from './reply.js';
import { liveSilences, silenceLine } from './silences-list.js';
import { COMMAND } from './usage.js';

/** Ids typed in chat (`unsubscribe sub-3`); config subscriptions are `config:N`, so they never collide. */
export function subscriptionId(n: number): string {
  return `sub-${n}`;
}

async function channelSubscriptions(ctx: CommandContext): Promise<Subscription[]> {
  return (await ctx.store.listSubscriptions()).filter((s) => s.destination === ctx.channel.destination);
}

/** Same filter, whatever the order of its lists: subscribing twice to the same thing is one subscription. */
function sameFilter(a: SubscriptionFilter, b: SubscriptionFilter): boolean {
  const canon = (f: SubscriptionFilter) =>
    JSON.stringify(
      Object.entries(f)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, Array.isArray(v) ? [...v].map((x) => String(x).toLowerCase()).sort() : v])
        .sort(([x], [y]) => String(x).localeCompare(String(y))),
    );
  return canon(a) === canon(b);
}

function subscriptionLine(s: Subscription): string {
  const q = s.filter.quietHours;
  const quiet = q ? ` · quiet ${q.from}-${q.to} ${q.tz}` : '';
  const zone = s.filter.tz ? ` · times in ${s.filter.tz}` : '';
  const mention = mentionText(s.filter);
  const mentions = mention ? ` · mentions ${mention}` : '';
  const report = s.filter.report ? ` · report ${describeReportSchedule(s.filter.report)}` : '';
  const by = s.createdBy ? ` · by ${s.createdBy}` : '';
  return `${s.id}: ${describeFilter(s.filter)}${quiet}${zone}${mentions}${report}${by} on ${shortUtc(s.createdAt).slice(0, 10)}`;
}

export async function subscribeReply(
  ctx: CommandContext,
  requested: SubscriptionFilter,
  visibility: ReplyVisibility,
): Promise<Reply> {
  if (ctx.channel.cannotPost) {
    // A subscription nobody can deliver would look like a quiet channel: say so instead of storing it.
    return {
      visibility: 'ephemeral',
      title: 'Not subscribed: alerts cannot be posted in this channel',
      sections: [{ lines: [`${ctx.channel.cannotPost[0]?.toUpperCase()}${ctx.channel.cannotPost.slice(1)}.`] }],
    };
  }
  const alerts = await loadInstitutionAlerts(ctx.store);
  const filter: SubscriptionFilter = { ...requested };
  const notes: string[] = [];
  if (requested.institutions) {
    const names: string[] = [];
    for (const query of requested.institutions) {
      const r = resolveInstitution(query, alerts);
      if (r.found === 'many') {
        return {
          visibility: 'ephemeral',
          title: `institution:${query} matches ${r.matches.length} institutions: which one?`,
          sections: [
            { lines: r.matches.slice(0, 10).map((m) => `${institutionLabel(m.institution)} · ${m.institution.name}`) },
          ],
          footer: 'Nothing was subscribed. Use the Belvo name, e.g. institution:erebor_mx_retail',
        };
      }
      if (r.found === 'one') {
        names.push(r.institution.name);
        if (r.institution.name !== query)
          notes.push(`institution:${query} is ${institutionLabel(r.institution)}, Belvo name ${r.institution.name}.`);
      } else {
        names.push(query);
        notes.push(
          `No alert has named an institution like "${query}" yet: this matches an institution named exactly that.`,
        );
      }
    }
    filter.institutions = [...new Set(names)];
  }

  const existing = await channelSubscriptions(ctx);
  const same = existing.find((s) => sameFilter(s.filter, filter));
  if (same) {
    return {
      visibility,
      title: `This channel already receives ${describeFilter(filter)}`,
      sections: [{ lines: [`Subscription ${same.id}, nothing changed.`] }],
    };
  }

  const sub: Subscription = {
    id: subscriptionId(await ctx.store.nextSequence('subscription')),
    destination: ctx.channel.destination,
    filter,
    createdBy: who(ctx.user),
    createdAt: ctx.now,
  };
  await ctx.store.addSubscription(sub);

  const lines = [`Subscription ${sub.id}.`, ...notes];
  const quiet = quietHoursNote(filter);
  if (quiet) lines.push(quiet);
  const mention = mentionNote(filter);
  if (mention) lines.push(mention);
  if (filter.report) {
    const zone =
      filter.report.tz === 'UTC' ? ' Add tz:America/Mexico_City (for example) to read it on your clock.' : '';
    lines.push(
      `A report of what is open, the incidents since the last report, your links, calls and audit arrives here ${describeReportSchedule(filter.report)}.${zone}`,
    );
  }
  const matching = alerts.filter((a) => a.state === 'firing' && subscriptionMatches(filter, a));
  if (matching.length) {
    // Routing happens on change: an alert already open reaches this channel with its next update, not now.
    lines.push(
      `Open now and matching: ${orList(matching.slice(0, 10).map((a) => `[${a.id}]`))}${matching.length > 10 ? ` (+${matching.length - 10} more)` : ''}; this channel hears of them at their next update.`,
    );
  }
  if (existing.length)
    lines.push(`This channel has ${plural(existing.length, 'other subscription')}: ${COMMAND} subscriptions`);
  return {
    visibility,
    title: `Subscribed: this channel will receive ${describeFilter(filter)}`,
    sections: [{ lines }],
    footer: `Undo: ${COMMAND} unsubscribe ${sub.id}`,
  };
}

export async function unsubscribeReply(
  ctx: CommandContext,
  id: string | undefined,
  visibility: ReplyVisibility,
): Promise<Reply> {
  const mine = await channelSubscriptions(ctx);
  if (id !== undefined) {
    const sub = mine.find((s) => s.id === id);
    // Another channel's subscription is not this channel's to remove: answer as if it did not exist.
    if (!sub) {
      return {
        visibility: 'ephemeral',
        title: `No subscription ${id} in this channel`,
        sections: [{ lines: [`${COMMAND} subscriptions lists this channel's subscriptions.`] }],
      };
    }
    await ctx.store.removeSubscription(sub.id);
    const left = mine.length - 1;
    return {
      visibility,
      title: `Unsubscribed ${sub.id}: ${describeFilter(sub.filter)}`,
      sections: [
        {
          lines: [
            left
              ? `This channel still has ${plural(left, 'subscription')}.`
              : 'This channel has no subscription made in chat any more.',
          ],
        },
      ],
    };
  }
  if (mine.length === 0) {
    return {
      visibility: 'ephemeral',
      title: 'This channel has no subscription made in chat',
      sections: [{ lines: ['Nothing to remove. Subscriptions from the config file are changed there.'] }],
    };
  }
  for (const s of mine) await ctx.store.removeSubscription(s.id);
  return {
    visibility,
    title: `Unsubscribed: removed ${plural(mine.length, 'subscription')} of this channel`,
    sections: [{ lines: mine.map(subscriptionLine) }],
  };
}

export async function subscriptionsReply(ctx: CommandContext, visibility: ReplyVisibility): Promise<Reply> {
  const [mine, silences] = await Promise.all([channelSubscriptions(ctx), liveSilences(ctx)]);
  const footer = 'Subscriptions from the config file are not listed here.';
  // What the channel will not hear is part of what it hears: silences mute every destination.
  const silenced = silences.length
    ? [
        {
          heading: 'Silences',
          lines: capLines(
            silences.map((s) => silenceLine(s, ctx.now)),
            10,
          ),
        },
      ]
    : [];
  if (mine.length === 0) {
    return {
      visibility,
      title: 'This channel has no subscription made in chat',
      sections: [{ lines: [`Start with ${COMMAND} subscribe min:major (or ${COMMAND} help).`] }, ...silenced],
      footer,
    };
  }
  return {
    visibility,
    title: `This channel's subscriptions (${mine.length})`,
    sections: [{ lines: mine.map(subscriptionLine) }, ...silenced],
    footer,
  };
}
