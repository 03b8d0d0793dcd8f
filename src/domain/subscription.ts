import type { Alert } from './alert.js';
import type { SubscriptionMention } from './mention.js';
import type { QuietHours } from './quiet-hours.js';
import type { ReportSchedule } from './report.js';
import { atLeast, type Severity } from './severity.js';

export type { QuietHours } from './quiet-hours.js';

export interface SubscriptionFilter {
  /** Alert kinds (`statuspage.incident`) or kind prefixes (`statuspage`). Empty = all. */
  kinds?: string[];
  sources?: string[];
  environments?: string[];
  institutions?: string[];
  countries?: string[];
  minSeverity?: Severity;
  /**
   * Only an institution incident touching at least this share of the team's links (0.1 = 10%): a page for the bank
   * that carries a tenth of the account, not for one with a handful of users.
   */
  minLinkShare?: number;
  /** Outside urgent severities, messages wait during these hours and arrive as one digest when they end. */
  quietHours?: QuietHours;
  /**
   * IANA time zone the channel reads times in (a scheduled maintenance's window); its quiet hours' zone when absent,
   * else UTC. Delivery only, never part of what matches.
   */
  tz?: string;
  /** Who the channel's messages wake up, from which level: delivery only, never part of what matches. */
  mention?: SubscriptionMention;
  /** A report of what happened, sent to the destination on this schedule: delivery only, never part of matching. */
  report?: ReportSchedule;
}

export interface Subscription {
  id: string;
  /** Destination id from config, or a chat channel registered by `/belvo-status subscribe`. */
  destination: string;
  filter: SubscriptionFilter;
  createdBy?: string;
  createdAt: number;
}

function listMatches(list: string[] | undefined, value: string | undefined, prefix = false): boolean {
  if (!list || list.length === 0) return true;
  if (value === undefined) return false;
  const v = value.toLowerCase();
  return list.some((item) => {
    const i = item.toLowerCase();
    return i === v || (prefix && v.startsWith(`${i}.`));
  });
}

/**
 * Does this alert belong in this subscription? Pure; used by routing and by `/belvo-status subscriptions`. A grouped
 * alert (a storm) belongs where any of its members would: a channel for Mexican banks hears of a storm with one.
 */
export function subscriptionMatches(filter: SubscriptionFilter, alert: Alert): boolean {
  if (alert.members?.length) {
    if (singleMatches(filter, alert)) return true;
    return alert.members.some((m) =>
      singleMatches(filter, {
        ...alert,
        kind: m.kind,
        source: m.source,
        severity: m.severity,
        peakSeverity: m.severity,
        ...(m.institution ? { institution: m.institution } : {}),
        members: [],
      }),
    );
  }
  return singleMatches(filter, alert);
}

function singleMatches(filter: SubscriptionFilter, alert: Alert): boolean {
  if (filter.minSeverity && !atLeast(alert.peakSeverity ?? alert.severity, filter.minSeverity)) return false;
  if (!listMatches(filter.kinds, alert.kind, true)) return false;
  if (!listMatches(filter.sources, alert.source)) return false;
  if (filter.environments?.length && alert.environment !== undefined) {
    if (!listMatches(filter.environments, alert.environment)) return false;
  }
  if (!listMatches(filter.institutions, alert.institution?.name)) {
    if (!listMatches(filter.institutions, alert.institution?.displayName)) return false;
  }
  if (!listMatches(filter.countries, alert.institution?.country)) return false;
  if (filter.minLinkShare !== undefined) {
    const share = alert.evidence.linkShare;
    if (typeof share !== 'number' || share < filter.minLinkShare) return false;
  }
  return true;
}

/** The time zone a subscription's messages show times in: its own, its quiet hours', else UTC. */
export function subscriptionTimeZone(filter: SubscriptionFilter): string | undefined {
  return filter.tz ?? filter.quietHours?.tz;
}
