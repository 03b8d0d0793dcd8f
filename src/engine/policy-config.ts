// What the alert policy is told by the configuration: which alerts page and when, storms, reminders.
import type { SubscriptionFilter } from '../domain/subscription.js';

export interface PagingRule {
  name: string;
  /** Same fields as a subscription's filter; `critical: true` also requires an institution in the critical list. */
  match: Omit<SubscriptionFilter, 'quietHours'> & { critical?: boolean };
  /** 0: page as soon as it fires. Otherwise page only when still firing and unacknowledged after this long. */
  afterMs: number;
  /** Pager destinations (canonical ids). */
  destinations: string[];
}

export interface PolicyConfig {
  paging: {
    rules: PagingRule[];
    /** Institutions the team depends on (Belvo name or display name, case-insensitive). */
    criticalInstitutions: string[];
  };
  /** Institution alerts firing together become one grouped alert; undefined = never group. */
  storms?: { count: number; windowMs: number };
  /** Repeat a firing, unacknowledged alert in its thread this often; 0 = off. */
  reminderEveryMs: number;
  /** Remind a scheduled maintenance in its thread this long before it starts; 0 = off; default 1 h. */
  maintenanceRemindBeforeMs?: number;
  /** Close a maintenance the page never closed this long after its window's end; 0 = never; default 1 h. */
  maintenanceCloseAfterMs?: number;
}

export const NO_POLICY: PolicyConfig = {
  paging: { rules: [], criticalInstitutions: [] },
  reminderEveryMs: 0,
};

export { DIGEST_KIND, STORM_KIND } from '../domain/fingerprint.js';
