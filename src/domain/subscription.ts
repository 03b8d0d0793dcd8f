import type { Alert } from './alert.js';
import { atLeast, type Severity } from './severity.js';

export interface SubscriptionFilter {
  /** Alert kinds (`statuspage.incident`) or kind prefixes (`statuspage`). Empty = all. */
  kinds?: string[];
  sources?: string[];
  environments?: string[];
  institutions?: string[];
  countries?: string[];
  minSeverity?: Severity;
  /** Stored now, applied later: the quiet-hours policy is its own stage (routing ignores this field for now). */
  quietHours?: QuietHours;
}

/** A daily window in a time zone, `from` to `to` as `HH:MM`; `from > to` spans midnight (22:00-07:00). */
export interface QuietHours {
  from: string;
  to: string;
  /** IANA time zone (`America/Mexico_City`). */
  tz: string;
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

/** Does this alert belong in this subscription? Pure; used by routing and by `/belvo-status subscriptions`. */
export function subscriptionMatches(filter: SubscriptionFilter, alert: Alert): boolean {
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
  return true;
}
