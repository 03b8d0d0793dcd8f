// Events to delivery intents: which destinations hear about which change. Pure.
// Paging and grouping happen before (engine/policy.ts); quiet hours hold what is not urgent for the digest.
import { type AlertEvent, speakerOf } from '../domain/alert.js';
import { DEFAULT_TIME_ZONE, type MaintenanceWindow, reasonInZone } from '../domain/maintenance-window.js';
import { DEFAULT_MENTION_LEVEL, describeMention, type MentionTarget, mentionDue } from '../domain/mention.js';
import { heldByQuietHours } from '../domain/quiet-hours.js';
import { activeSilenceFor, type Silence, silenceReason } from '../domain/silence.js';
import { type Subscription, subscriptionMatches, subscriptionTimeZone } from '../domain/subscription.js';
import type { NewIntent } from '../ports/store.js';

export interface RouteContext {
  subscriptions: Subscription[];
  silences: Silence[];
  now: number;
  /**
   * Chat destinations that already have (or are about to post) a message for an alert. Its resolution reaches them
   * even when no subscription matches any more (the channel unsubscribed meanwhile): a message must not stay red.
   */
  heard?: Map<string, string[]>;
}

export interface Suppression {
  alertId: string;
  version: number;
  reason: string;
}

export interface RouteResult {
  intents: NewIntent[];
  suppressed: Suppression[];
}

/** The event as a channel reading times in `tz` sees it: the window in its reason in that zone. */
function inZone(event: AlertEvent, window: MaintenanceWindow, tz: string): AlertEvent {
  return { ...event, timeZone: tz, reason: reasonInZone(event.reason, window, tz) };
}

export function routeEvents(events: AlertEvent[], ctx: RouteContext): RouteResult {
  const result: RouteResult = { intents: [], suppressed: [] };
  for (const original of events) {
    let event = original;
    const speaker = speakerOf(event.alert);
    if (speaker) {
      // Part of a storm or an institution incident: its message tells this alert's story.
      result.suppressed.push({
        alertId: event.alert.id,
        version: event.version,
        reason: `part of ${speaker}, whose message lists it`,
      });
      continue;
    }
    const silence = event.bypassSilence ? undefined : activeSilenceFor(ctx.silences, event.alert, ctx.now);
    if (silence) {
      // Muted, not frozen: nothing is announced or paged, but a message already posted is still edited in place
      // (quiet), so it does not stay red after the thing resolved, or miss who acknowledged it.
      result.suppressed.push({
        alertId: event.alert.id,
        version: event.version,
        reason: silenceReason(silence, ctx.now),
      });
      event = { ...event, quiet: true, noPage: true };
    }
    // A destination hears of it when one of its subscriptions matches and does not hold it for quiet hours.
    const matched = new Map<string, boolean>();
    const mentions = new Map<string, MentionTarget[]>();
    const zones = new Map<string, string>();
    // A scheduled maintenance is planned work: it tells the channel, and wakes nobody.
    const window = event.alert.maintenanceWindow;
    for (const sub of ctx.subscriptions) {
      if (!subscriptionMatches(sub.filter, event.alert)) continue;
      const zone = subscriptionTimeZone(sub.filter);
      if (zone && !zones.has(sub.destination)) zones.set(sub.destination, zone);
      const held = !event.quiet && heldByQuietHours(sub.filter.quietHours, event.alert.severity, ctx.now);
      matched.set(sub.destination, (matched.get(sub.destination) ?? true) && held);
      const mention = sub.filter.mention;
      if (mention && !window && mentionDue(event, mention.from ?? DEFAULT_MENTION_LEVEL)) {
        const known = mentions.get(sub.destination) ?? [];
        const seen = new Set(known.map(describeMention));
        mentions.set(sub.destination, [...known, ...mention.to.filter((t) => !seen.has(describeMention(t)))]);
      }
    }
    if (matched.size === 0 && !(event.type === 'resolved' && ctx.heard?.get(event.alert.id)?.length)) {
      result.suppressed.push({ alertId: event.alert.id, version: event.version, reason: 'no subscription matches' });
    }
    const destinations = [...matched].filter(([, held]) => !held).map(([d]) => d);
    if (event.type === 'resolved') {
      for (const d of ctx.heard?.get(event.alert.id) ?? []) if (!matched.has(d)) destinations.push(d);
    }
    for (const [destination, held] of matched) {
      if (!held) continue;
      result.suppressed.push({
        alertId: event.alert.id,
        version: event.version,
        reason: `quiet hours at ${destination}: waits for the digest`,
      });
    }
    for (const destination of destinations) {
      const mention = mentions.get(destination);
      const local = window ? inZone(event, window, zones.get(destination) ?? DEFAULT_TIME_ZONE) : event;
      result.intents.push({
        alertId: event.alert.id,
        version: event.version,
        destination,
        event: mention?.length ? { ...local, mention } : local,
        notBefore: event.at,
      });
    }
  }
  return result;
}
