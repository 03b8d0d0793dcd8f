// PagerDuty Events API v2: the endpoint and its documented limits, with where they are written down.
// https://developer.pagerduty.com/docs/events-api-v2-overview (endpoint, fields, 202/400/429 answers)
// https://developer.pagerduty.com/docs/send-alert-event (summary 1024, dedup_key 255, severity values)
// https://developer.pagerduty.com/docs/events-api-v2-overview#api-rate-limits (about 120 events/min per routing key)

/** Production endpoint; tests and proxies point `eventsUrl` elsewhere. */
export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';

export const PAGERDUTY_LIMITS = {
  summary: 1024,
  dedupKey: 255,
  routingKey: 32,
  /** The whole event; we stay far below it by bounding evidence and members. */
  eventBytes: 512 * 1024,
} as const;

/** 120 events per minute per routing key: one every 500 ms keeps a burst from being throttled. */
export const PAGERDUTY_SEND_INTERVAL_MS = 500;

/** Shown in PagerDuty as the tool that sent the event. */
export const PAGERDUTY_CLIENT = 'belvo-status-bot';
