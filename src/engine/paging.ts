// Which alerts page, and what the pager must be told as an alert moves. Pure, clock injected.
// The pager's state is kept on the alert (`paging`), so every decision follows from the alert as stored: a restart,
// a retry or two processes looking at the same alert reach the same answer and never page twice.
import { type Alert, acknowledgedText, type PageAction, type PagingState, speakerOf } from '../domain/alert.js';
import { DESTINATION_HEALTH_KIND } from '../domain/fingerprint.js';
import { severityRank } from '../domain/severity.js';
import { subscriptionMatches } from '../domain/subscription.js';
import type { PagingRule, PolicyConfig } from './policy-config.js';

export interface PageOrder {
  destination: string;
  action: PageAction;
}

function isCritical(alert: Alert, critical: string[]): boolean {
  const names = critical.map((c) => c.toLowerCase());
  const hit = (i?: { name: string; displayName: string }) =>
    !!i && (names.includes(i.name.toLowerCase()) || names.includes(i.displayName.toLowerCase()));
  return hit(alert.institution) || (alert.members ?? []).some((m) => hit(m.institution));
}

/** The rule that pages this alert soonest (config order breaks ties), or none. Info never pages. */
export function pagingRuleFor(alert: Alert, policy: PolicyConfig['paging']): PagingRule | undefined {
  if ((alert.peakSeverity ?? alert.severity) === 'info') return undefined;
  let best: PagingRule | undefined;
  for (const rule of policy.rules) {
    const { critical, ...filter } = rule.match;
    if (critical && !isCritical(alert, policy.criticalInstitutions)) continue;
    if (!subscriptionMatches(filter, alert)) continue;
    if (!best || rule.afterMs < best.afterMs) best = rule;
  }
  return best;
}

/** Why an open alert must not page now, or undefined when nothing holds it back. */
export function pageBlocker(alert: Alert, silenced: boolean): string | undefined {
  if (alert.maintenance) return 'under an announced maintenance';
  if (alert.acknowledged) return acknowledgedText(alert.acknowledged);
  const closed = alert.paging?.closedInPager;
  if (closed) return `resolved in PagerDuty by ${closed.by}`;
  if (silenced) return 'silenced';
  const speaker = speakerOf(alert);
  if (speaker) return `part of ${speaker}, which pages for it`;
  return undefined;
}

export interface PagingStep {
  paging?: PagingState;
  orders: PageOrder[];
}

/**
 * The pager's next step for `alert` as it is now. `silenced`: an active silence matches it. Returns the new paging
 * state (undefined: the alert is not paged by any rule) and what to tell each pager destination.
 */
export function pagingStep(alert: Alert, policy: PolicyConfig['paging'], silenced: boolean, now: number): PagingStep {
  const current = alert.paging;
  const tell = (state: PagingState, action: PageAction): PagingStep => ({
    paging: state,
    orders: state.destinations.map((destination) => ({ destination, action })),
  });

  if (current?.pager === 'triggered' || current?.pager === 'acknowledged') {
    // The pager has an open incident: follow the alert to its end.
    if (alert.state === 'resolved' && !alert.maintenance) return tell({ ...current, pager: 'resolved' }, 'resolve');
    if (alert.acknowledged && current.pager === 'triggered') {
      return tell({ ...current, pager: 'acknowledged' }, 'acknowledge');
    }
    if (current.severity && severityRank(alert.severity) > severityRank(current.severity)) {
      return tell({ ...current, severity: alert.severity }, 'trigger');
    }
    return { paging: current, orders: [] };
  }

  if (current?.pager === 'resolved' && current.closedInPager) return afterClosedInPager(alert, current, silenced, now);

  if (alert.state !== 'firing' || !alert.announced) {
    // Nothing open for the pager; a resolved alert's story is kept for `history`, a pending one has not fired.
    return current ? { paging: current, orders: [] } : { orders: [] };
  }
  const rule = pagingRuleFor(alert, policy);
  // A pager that refuses the bot's messages is not told so through itself.
  const destinations = rule?.destinations.filter(
    (d) => !(alert.kind === DESTINATION_HEALTH_KIND && alert.evidence.destination === d),
  );
  if (!rule || !destinations?.length) return { orders: [] };
  const firedAt = alert.firedAt ?? now;
  // A relapse after a resolved page is a new page (PagerDuty opens a new incident for it).
  const state: PagingState = {
    rule: rule.name,
    destinations,
    dueAt: firedAt + rule.afterMs,
  };
  if (state.dueAt > now || pageBlocker(alert, silenced)) return { paging: state, orders: [] };
  return tell({ ...state, pagedAt: now, pager: 'triggered', severity: alert.severity }, 'trigger');
}

/**
 * The page was resolved in the pager while the alert still fails. Paging it again at once for the same problem
 * would undo what on-call just did; it pages again only when it gets worse. Once the alert resolves, the mark goes:
 * a relapse is a new problem and pages anew.
 */
function afterClosedInPager(alert: Alert, current: PagingState, silenced: boolean, now: number): PagingStep {
  const { closedInPager: _closed, ...open } = current;
  if (alert.state === 'resolved') return { paging: open, orders: [] };
  const worse = current.severity !== undefined && severityRank(alert.severity) > severityRank(current.severity);
  if (alert.state !== 'firing' || !worse || pageBlocker({ ...alert, paging: open }, silenced)) {
    return { paging: current, orders: [] };
  }
  const state: PagingState = { ...open, pagedAt: now, pager: 'triggered', severity: alert.severity };
  return { paging: state, orders: state.destinations.map((destination) => ({ destination, action: 'trigger' })) };
}
