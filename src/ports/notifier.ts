import type { AlertEvent } from '../domain/alert.js';

/** Where a destination's previous message for an alert lives (Slack channel+ts, Discord channel+message id). */
export interface MessageRef {
  alertId: string;
  destination: string;
  /** Platform message id (opaque to the core). */
  messageId: string;
  /** Platform-specific extras: thread id, channel id; `link`: a URL a person can open (a pager links to it). */
  extra?: Record<string, string>;
}

export interface DeliveryRequest {
  intentId: number;
  destination: string;
  event: AlertEvent;
  /** The parent message posted earlier for this alert at this destination, if any. */
  parent?: MessageRef;
  /** This alert's messages at other destinations (a page links to the chat message). */
  related?: MessageRef[];
  attempt: number;
  /** True when a previous attempt may have reached the platform (crash or timeout): check before re-posting. */
  maybeDelivered: boolean;
}

export type DeliveryResult =
  | { outcome: 'delivered'; parent?: MessageRef }
  | {
      outcome: 'retry';
      error: string;
      /** The platform asked the whole destination to wait this long (Retry-After). */
      retryAfterMs?: number;
      /**
       * The request may still be applied by the platform (it timed out, or answered 5xx after taking it): this
       * message is tried again, and read back, no sooner than this. Other messages to the destination go on.
       */
      settleMs?: number;
    }
  | { outcome: 'failed'; error: string };

export interface Notifier {
  /** Destination id from config. */
  readonly destination: string;
  /** Minimum gap between two sends to this destination (platform pacing); 0 for none. */
  readonly minIntervalMs: number;
  /**
   * How long a request this platform may apply after the client gave up takes to land at worst: what a previous
   * run left in flight is retried (and read back) no sooner than this after a restart. Absent: at once.
   */
  readonly settleMs?: number;
  deliver(req: DeliveryRequest): Promise<DeliveryResult>;
}

/** Told of each destination as deliveries go: refused for good (a person must fix it), or accepting again. */
export interface DeliveryHealth {
  failed(destination: string, error: string): Promise<void>;
  delivered(destination: string): Promise<void>;
}
