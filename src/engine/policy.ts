// The policy stage between the lifecycle and delivery: silences are recorded on the alerts they mute, the paging
// policy decides what each pager is told, and routing decides which channels hear of what. Pure, clock injected.
import type { Alert, AlertEvent } from '../domain/alert.js';
import { loudnessOf } from '../domain/mention.js';
import { atLeast } from '../domain/severity.js';
import { activeSilenceFor, silenceShown } from '../domain/silence.js';
import type { NewIntent } from '../ports/store.js';
import { pagingStep } from './paging.js';
import type { PolicyConfig } from './policy-config.js';
import { type RouteContext, type RouteResult, routeEvents } from './route.js';

/** How long a trigger waits for the chat message it links to; short next to how long a person takes to wake up. */
export const PAGE_LINK_GRACE_MS = 2000;

export interface PolicyContext extends RouteContext {
  policy: PolicyConfig;
}

export interface PolicyResult extends RouteResult {
  /** The alerts to store, with their silence and paging state brought up to date. */
  alerts: Alert[];
  events: AlertEvent[];
}

/** Keeps the message's silence note true: set while a silence matches, gone once none does. */
function recordSilence(alert: Alert, ctx: PolicyContext): boolean {
  const silence = activeSilenceFor(ctx.silences, alert, ctx.now);
  if (silence) {
    alert.silenced = silenceShown(silence, ctx.now);
  } else {
    delete alert.silenced;
  }
  return silence !== undefined;
}

/**
 * After routing: what the alert's messages have now shown (its severity, whether it paged), so the next event
 * mentions only when it goes past it; a resolution forgets it, so a relapse is an opening again.
 */
function rememberLoudness(event: AlertEvent, stored: Alert | undefined): void {
  if (event.type === 'resolved' || event.alert.state === 'resolved') {
    if (stored) delete stored.mentioned;
    return;
  }
  if (event.quiet || event.alert.state !== 'firing') return;
  const now = loudnessOf(event.alert);
  const before = event.alert.mentioned;
  const next = {
    severity: before && atLeast(before.severity, now.severity) ? before.severity : now.severity,
    paged: now.paged || (before?.paged ?? false),
  };
  if (stored) stored.mentioned = next;
}

export function applyPolicy(events: AlertEvent[], alerts: Alert[], ctx: PolicyContext): PolicyResult {
  const stored = new Map(alerts.map((a) => [a.id, a]));
  const pages: NewIntent[] = [];
  const out: AlertEvent[] = [];
  for (const original of events) {
    const event = { ...original, alert: structuredClone(original.alert) };
    const targets = [event.alert, stored.get(event.alert.id)].filter((a): a is Alert => a !== undefined);
    // A silence notice states the silence itself; any other event shows whatever silence matches now.
    const silenced = event.bypassSilence
      ? event.alert.silenced !== undefined
      : targets.map((a) => recordSilence(a, ctx)).some(Boolean);
    const step = pagingStep(event.alert, ctx.policy.paging, silenced, ctx.now);
    // An event that must not page (a maintenance, an acknowledgement) may still close or acknowledge a page.
    const orders = event.noPage ? step.orders.filter((o) => o.action !== 'trigger') : step.orders;
    const paging = orders.length === step.orders.length ? step.paging : event.alert.paging;
    for (const a of targets) {
      if (paging) a.paging = paging;
      else delete a.paging;
    }
    for (const order of orders) {
      pages.push({
        alertId: event.alert.id,
        version: event.version,
        destination: order.destination,
        event: { ...event, alert: structuredClone(event.alert), page: order.action },
        // A trigger waits a moment so the chat message usually exists and the page can link to it.
        notBefore: event.at + (order.action === 'trigger' ? PAGE_LINK_GRACE_MS : 0),
      });
    }
    out.push(event);
  }
  // Pagers are told by the paging policy alone, never because they heard of an alert.
  const pagers = new Set(ctx.policy.paging.rules.flatMap((r) => r.destinations));
  const heard = ctx.heard && new Map([...ctx.heard].map(([id, ds]) => [id, ds.filter((d) => !pagers.has(d))]));
  const routed = routeEvents(out, { ...ctx, ...(heard && { heard }) });
  for (const event of out) rememberLoudness(event, stored.get(event.alert.id));
  return { alerts, events: out, intents: [...pages, ...routed.intents], suppressed: routed.suppressed };
}
