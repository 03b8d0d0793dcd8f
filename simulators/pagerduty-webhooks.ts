// PagerDuty's v3 webhooks, as the fake PagerDuty sends them to a webhook subscription's URL: one event per request,
// signed in X-PagerDuty-Signature with each of the subscription's secrets (two during a rotation), with the payload
// shape of PagerDuty's documentation. https://developer.pagerduty.com/docs/webhooks/v3-overview
import { createHmac, randomUUID } from 'node:crypto';

export interface FakeWebhookSubscription {
  /** Where deliveries go (the bot's POST /webhooks/pagerduty). */
  url: string;
  /** Signing secrets: one signature per secret, comma-separated (PagerDuty's rotation). */
  secrets: string[];
  /** Event types delivered; default every incident event. */
  events?: string[];
}

export interface FakeWebhookDelivery {
  eventId: string;
  eventType: string;
  body: string;
  headers: Record<string, string>;
  /** HTTP status the receiver answered; undefined when it could not be reached. */
  status: number | undefined;
  response: string;
}

/** Who did it, as PagerDuty references them: a person (the app, the phone) or a service (the Events API). */
export type FakeAgent = { user: string } | { service: string } | null;

export interface FakeIncident {
  id: string;
  number: number;
  dedupKey: string;
  title: string;
  status: 'triggered' | 'acknowledged' | 'resolved';
  assignees: string[];
  createdAt: number;
}

const ref = (base: string, kind: string, id: string, summary: string, type: string) => ({
  html_url: `${base}/${kind}/${id}`,
  id,
  self: `${base}/api/${kind}/${id}`,
  summary,
  type,
});

/** A PagerDuty-like id made from a name (`Ana` -> `PANA`), stable so two events of one person name the same user. */
function slug(name: string): string {
  const letters = name
    .replace(/[^A-Za-z0-9]/g, '')
    .toUpperCase()
    .slice(0, 6);
  return `P${letters || 'X'}`;
}

function agentRef(base: string, agent: FakeAgent) {
  if (!agent) return null;
  if ('user' in agent) return ref(base, 'users', slug(agent.user), agent.user, 'user_reference');
  return ref(base, 'services', slug(agent.service), agent.service, 'service_reference');
}

function incidentData(base: string, incident: FakeIncident) {
  return {
    ...ref(base, 'incidents', incident.id, incident.title, 'incident'),
    type: 'incident',
    number: incident.number,
    status: incident.status,
    incident_key: incident.dedupKey,
    created_at: new Date(incident.createdAt).toISOString(),
    title: incident.title,
    service: ref(base, 'services', 'PSVC001', 'Belvo status', 'service_reference'),
    assignees: incident.assignees.map((a) => ref(base, 'users', slug(a), a, 'user_reference')),
    escalation_policy: ref(base, 'escalation_policies', 'PEP0001', 'On-call', 'escalation_policy_reference'),
    teams: [],
    priority: null,
    urgency: 'high',
    conference_bridge: null,
    resolve_reason: null,
  };
}

/** The JSON body of one v3 webhook about `incident` (for a note: the note, naming its incident only). */
export function webhookBody(
  base: string,
  type: string,
  incident: FakeIncident,
  agent: FakeAgent,
  at: number,
  note?: { id: string; content: string },
): { eventId: string; body: string } {
  const eventId = randomUUID();
  const data = note
    ? {
        incident: ref(base, 'incidents', incident.id, incident.title, 'incident_reference'),
        id: note.id,
        content: note.content,
        trimmed: false,
        type: 'incident_note',
      }
    : incidentData(base, incident);
  const event = {
    id: eventId,
    event_type: type,
    resource_type: 'incident',
    occurred_at: new Date(at).toISOString(),
    agent: agentRef(base, agent),
    client: agent && 'service' in agent ? { name: 'Events API v2' } : { name: 'PagerDuty' },
    data,
  };
  return { eventId, body: JSON.stringify({ event }) };
}

export function signatureHeader(body: string, secrets: string[]): string {
  return secrets.map((s) => `v1=${createHmac('sha256', s).update(body, 'utf8').digest('hex')}`).join(',');
}

/** Sends one delivery (PagerDuty's headers, the signature over the exact bytes sent) and records the answer. */
export async function deliverWebhook(
  sub: FakeWebhookSubscription,
  payload: { eventId: string; body: string },
  type: string,
): Promise<FakeWebhookDelivery> {
  const headers = {
    'content-type': 'application/json',
    'user-agent': 'PagerDuty-Webhook/V3.0',
    'x-webhook-id': payload.eventId,
    'x-pagerduty-signature': signatureHeader(payload.body, sub.secrets),
  };
  const delivery: FakeWebhookDelivery = {
    eventId: payload.eventId,
    eventType: type,
    body: payload.body,
    headers,
    status: undefined,
    response: '',
  };
  try {
    const res = await fetch(sub.url, {
      method: 'POST',
      headers,
      body: payload.body,
      signal: AbortSignal.timeout(10_000),
    });
    delivery.status = res.status;
    delivery.response = await res.text();
  } catch (err) {
    delivery.response = String(err);
  }
  return delivery;
}
