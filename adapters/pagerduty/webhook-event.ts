// PagerDuty's v3 webhook payload as the bot reads it: one event per request, `event.event_type` saying what happened
// and `event.data` the incident (or, for a note, the note with a reference to its incident). Parsed tolerantly:
// unknown fields and event types are ignored; only what cannot be understood is refused.
// https://developer.pagerduty.com/docs/webhooks/v3-overview
import type { PagerUpdate } from '../../src/ports/pager-updates.js';

export type ParsedWebhook =
  | { kind: 'update'; update: PagerUpdate }
  /** Understood, and nothing the bot acts on (another event type, a ping): answered 2xx so PagerDuty stops. */
  | { kind: 'ignored'; eventId?: string; reason: string }
  | { kind: 'malformed'; reason: string };

/** The incident event types the bot acts on; `incident.triggered` only teaches it the incident's id. */
const INCIDENT_EVENTS = {
  'incident.triggered': 'triggered',
  'incident.acknowledged': 'acknowledged',
  'incident.resolved': 'resolved',
  'incident.reassigned': 'reassigned',
} as const;
const NOTE_EVENT = 'incident.annotated';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined);

/** A reference's readable name (`summary`), as PagerDuty shows a user, a service or an integration. */
function nameOf(ref: unknown): string | undefined {
  return isObject(ref) ? (text(ref.summary) ?? text(ref.name)) : undefined;
}

export function parsePagerDutyWebhook(doc: unknown, now: number): ParsedWebhook {
  if (!isObject(doc) || !isObject(doc.event)) return { kind: 'malformed', reason: 'no `event` object' };
  const event = doc.event;
  const eventId = text(event.id);
  const type = text(event.event_type);
  if (!eventId || !type) return { kind: 'malformed', reason: '`event.id` and `event.event_type` are required' };
  const mapped = INCIDENT_EVENTS[type as keyof typeof INCIDENT_EVENTS];
  // Another event type (a service change, the ping sent when a subscription is created): nothing to read in it.
  if (!mapped && type !== NOTE_EVENT) return { kind: 'ignored', eventId, reason: `event type ${type} is not acted on` };
  const data = event.data;
  if (!isObject(data)) return { kind: 'malformed', reason: '`event.data` is not an object' };
  const occurred = typeof event.occurred_at === 'string' ? Date.parse(event.occurred_at) : Number.NaN;
  const by = nameOf(event.agent);
  const base = { eventId, at: Number.isFinite(occurred) ? occurred : now, ...(by !== undefined && { by }) };

  if (type === NOTE_EVENT) {
    const incident = isObject(data.incident) ? data.incident : undefined;
    const incidentId = text(incident?.id);
    const noteId = text(data.id);
    if (!incidentId || !noteId || typeof data.content !== 'string') {
      return { kind: 'malformed', reason: 'a note needs `data.id`, `data.content` and `data.incident.id`' };
    }
    const url = text(incident?.html_url);
    return {
      kind: 'update',
      update: {
        ...base,
        type: 'annotated',
        incident: { id: incidentId, ...(url && { url }) },
        noteId,
        note: data.content,
      },
    };
  }

  if (!mapped) return { kind: 'malformed', reason: `event type ${type}` }; // unreachable: checked above
  const incidentId = text(data.id);
  if (!incidentId) return { kind: 'malformed', reason: '`event.data.id` (the incident) is required' };
  const url = text(data.html_url);
  const dedupKey = text(data.incident_key);
  const common = {
    ...base,
    incident: { id: incidentId, ...(url && { url }) },
    ...(dedupKey !== undefined && { dedupKey }),
  };
  if (mapped === 'reassigned') {
    const assignees = (Array.isArray(data.assignees) ? data.assignees : []).flatMap((a) => nameOf(a) ?? []);
    return { kind: 'update', update: { ...common, type: 'reassigned', assignees } };
  }
  return { kind: 'update', update: { ...common, type: mapped } };
}
