// Rows as PostgreSQL returns them, turned into the core's types: optional fields come back absent, as they went in.
import type { Alert } from '../../src/domain/alert.js';
import type { Silence } from '../../src/domain/silence.js';
import type { Subscription } from '../../src/domain/subscription.js';
import type { MessageRef } from '../../src/ports/notifier.js';
import type { FeedCursor } from '../../src/ports/source.js';
import type { Intent, IntentStatus, SourceState } from '../../src/ports/store.js';

export interface AlertRow {
  rev: number;
  body: string;
}

export interface IntentRow {
  id: number;
  alert_id: string;
  version: number;
  destination: string;
  event: string;
  not_before: number;
  status: IntentStatus;
  attempts: number;
  next_attempt_at: number;
  lease_until: number | null;
  last_error: string | null;
  created_at: number;
  delivered_at: number | null;
}

export interface CursorRow {
  key: string;
  etag: string | null;
  last_modified: string | null;
  body: string | null;
  fetched_at: number;
}

export interface SourceStateRow {
  source: string;
  first_success_at: number | null;
  last_success_at: number | null;
  last_failure_at: number | null;
  consecutive_failures: number;
  last_error: string | null;
}

export interface SubscriptionRow {
  id: string;
  destination: string;
  filter: string;
  created_by: string | null;
  created_at: number;
}

export interface SilenceRow {
  id: string;
  matcher: string;
  starts_at: number;
  ends_at: number;
  created_by: string;
  reason: string;
}

export interface MessageRefRow {
  alert_id: string;
  destination: string;
  message_id: string;
  extra: string | null;
}

/** Drops null and undefined fields. */
export function clean<T extends object>(obj: T): T {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== null && v !== undefined)) as T;
}

export function toAlert(row: AlertRow): Alert {
  return { ...(JSON.parse(row.body) as Alert), rev: row.rev };
}

export function toIntent(row: IntentRow): Intent {
  return clean<Intent>({
    id: row.id,
    alertId: row.alert_id,
    version: row.version,
    destination: row.destination,
    event: JSON.parse(row.event) as Intent['event'],
    notBefore: row.not_before,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    leaseUntil: row.lease_until ?? undefined,
    lastError: row.last_error ?? undefined,
    createdAt: row.created_at,
    deliveredAt: row.delivered_at ?? undefined,
  });
}

export function toCursor(row: CursorRow): FeedCursor {
  return clean<FeedCursor>({
    key: row.key,
    etag: row.etag ?? undefined,
    lastModified: row.last_modified ?? undefined,
    body: row.body ?? undefined,
    fetchedAt: row.fetched_at,
  });
}

export function toSourceState(row: SourceStateRow): SourceState {
  return clean<SourceState>({
    source: row.source,
    firstSuccessAt: row.first_success_at ?? undefined,
    lastSuccessAt: row.last_success_at ?? undefined,
    lastFailureAt: row.last_failure_at ?? undefined,
    consecutiveFailures: row.consecutive_failures,
    lastError: row.last_error ?? undefined,
  });
}

export function toSubscription(row: SubscriptionRow): Subscription {
  return clean<Subscription>({
    id: row.id,
    destination: row.destination,
    filter: JSON.parse(row.filter) as Subscription['filter'],
    createdBy: row.created_by ?? undefined,
    createdAt: row.created_at,
  });
}

export function toSilence(row: SilenceRow): Silence {
  return {
    id: row.id,
    matcher: JSON.parse(row.matcher) as Silence['matcher'],
    startsAt: row.starts_at,
    endsAt: row.ends_at,
    createdBy: row.created_by,
    reason: row.reason,
  };
}

export function toMessageRef(row: MessageRefRow): MessageRef {
  const ref: MessageRef = { alertId: row.alert_id, destination: row.destination, messageId: row.message_id };
  if (row.extra !== null) ref.extra = JSON.parse(row.extra) as Record<string, string>;
  return ref;
}
