// The durable outbox: one intent per (alert, version, destination), written in the same transaction as the change
// that caused it, then claimed, delivered and completed by the dispatcher; and where each alert's message lives.
import type { AlertEvent } from '../domain/alert.js';
import type { MessageRef } from './notifier.js';

/** A delivery to be made: one (alert, version, destination), unique. */
export interface NewIntent {
  alertId: string;
  version: number;
  destination: string;
  event: AlertEvent;
  notBefore: number;
}

export type IntentStatus = 'pending' | 'in_flight' | 'delivered' | 'failed' | 'suppressed';

export interface Intent extends NewIntent {
  id: number;
  status: IntentStatus;
  attempts: number;
  nextAttemptAt: number;
  /** Set while a dispatcher holds it; an expired lease means the holder died mid-delivery. */
  leaseUntil?: number;
  lastError?: string;
  createdAt: number;
  deliveredAt?: number;
}

export interface ClaimOptions {
  now: number;
  limit: number;
  leaseMs: number;
  /**
   * Destinations the caller is still delivering to: their intents are left for later, so one slow or hung
   * destination neither holds a claim for the others nor gets a second delivery running beside its first.
   */
  skipDestinations?: readonly string[];
}

export type IntentCompletion =
  | { status: 'delivered'; at: number; parent?: MessageRef }
  | { status: 'retry'; nextAttemptAt: number; error: string }
  /** Not attempted after all (the destination must wait: pacing, Retry-After): back in line. */
  | { status: 'defer'; nextAttemptAt: number }
  | { status: 'failed'; error: string };

export interface Outbox {
  /**
   * Leases due intents: pending ones whose time has come, and in-flight ones whose lease expired (a crash).
   * Per (alert, destination) only the oldest undelivered intent is eligible, so versions go out in order.
   * Claiming counts no attempt: a crash with fifty intents claimed must not bring fifty deliveries nearer to
   * giving up.
   */
  claimIntents(opts: ClaimOptions): Promise<Intent[]>;
  /**
   * Counts an attempt, durably, just before its request is sent; returns the attempt's number (1 for the first).
   * An attempt counted before a crash is how the next one knows the platform may already have it.
   */
  countAttempt(id: number): Promise<number>;
  completeIntent(id: number, completion: IntentCompletion): Promise<void>;
  /**
   * Makes in-flight intents left by a holder that is gone due now, keeping their attempt count (so the next attempt
   * is flagged as maybe delivered). Called when a dispatcher starts. With one process (SQLite) every in-flight intent
   * is such; with several replicas (PostgreSQL) those this store's own replica left, and those whose lease expired
   * (another replica's claims are still being worked on). Returns how many.
   */
  recoverInFlight(now: number): Promise<number>;
  /**
   * When each destination last took a delivery, for those that took one at or after `since`: a process starting
   * right after another died keeps to the pace the dead one had set (one post per second per Slack channel).
   */
  lastDeliveries(since: number): Promise<Map<string, number>>;
  getMessageRef(alertId: string, destination: string): Promise<MessageRef | undefined>;
  /** Every destination's message for an alert (a page links to the chat messages). */
  listMessageRefs(alertId: string): Promise<MessageRef[]>;
  /** Undelivered intents (pending or in flight). */
  outboxDepth(): Promise<number>;
  listIntents(query?: { alertId?: string; status?: IntentStatus }): Promise<Intent[]>;
}
