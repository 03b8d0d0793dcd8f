// What a pager's own app tells the bot about a page (PagerDuty's webhooks): someone acknowledged, resolved,
// reassigned or annotated the incident there. The adapter verifies and parses its platform's request into one of
// these; the core finds the alert and changes it through the alert-commit service.

interface PagerUpdateBase {
  /** The pager's id of this event: the same event delivered twice is applied once. */
  eventId: string;
  /** The pager's incident this is about (a note names only this). */
  incident: { id: string; url?: string };
  /** The dedup key the bot sent with the page, when the event carries it. */
  dedupKey?: string;
  /** Who did it, as people know them ("Ana"); undefined when the pager did it by itself. */
  by?: string;
  /** When it happened at the pager (epoch ms). */
  at: number;
}

export type PagerUpdate = PagerUpdateBase &
  (
    | { type: 'triggered' }
    | { type: 'acknowledged' }
    | { type: 'resolved' }
    | { type: 'reassigned'; assignees: string[] }
    | { type: 'annotated'; noteId: string; note: string }
  );

export type PagerUpdateOutcome =
  /** The alert changed (its messages show it). */
  | { outcome: 'applied'; alertId: string }
  /** The alert was found, and the event changes nothing (already applied, already resolved, ...). */
  | { outcome: 'unchanged'; alertId: string; reason: string }
  /** No alert of the bot's: an incident of another service the subscription also covers. */
  | { outcome: 'unknown'; reason: string };

export interface PagerUpdates {
  apply(update: PagerUpdate): Promise<PagerUpdateOutcome>;
}
