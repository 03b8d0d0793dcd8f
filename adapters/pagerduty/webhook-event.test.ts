import { describe, expect, it } from 'vitest';
import { parsePagerDutyWebhook } from './webhook-event.js';

const NOW = Date.parse('2026-12-04T10:00:00Z');

/** PagerDuty's v3 incident event, as its documentation shows it (trimmed of fields the bot does not read). */
function incidentEvent(type: string, over: Record<string, unknown> = {}) {
  return {
    event: {
      id: '5ac64822-4adc-4fda-ade0-410becf0de4f',
      event_type: type,
      resource_type: 'incident',
      occurred_at: '2026-12-04T09:58:22.169Z',
      agent: {
        html_url: 'https://acme.pagerduty.com/users/PLH1HKV',
        id: 'PLH1HKV',
        self: 'https://api.pagerduty.com/users/PLH1HKV',
        summary: 'Ana',
        type: 'user_reference',
      },
      client: { name: 'PagerDuty' },
      data: {
        id: 'PGR0VU2',
        type: 'incident',
        self: 'https://api.pagerduty.com/incidents/PGR0VU2',
        html_url: 'https://acme.pagerduty.com/incidents/PGR0VU2',
        number: 2,
        status: 'acknowledged',
        incident_key: 'belvo-status/institution-incident/erebor_mx_retail',
        created_at: '2026-12-04T09:50:00Z',
        title: 'Banco Erebor MX - Retail: major outage',
        service: { id: 'PF9KMXH', summary: 'Belvo', type: 'service_reference' },
        assignees: [{ id: 'PTUXL6G', summary: 'Bruno', type: 'user_reference' }],
        urgency: 'high',
        resolve_reason: null,
        ...over,
      },
    },
  };
}

describe('PagerDuty v3 webhook payloads', () => {
  it('reads an acknowledgement: who, when, the incident and the dedup key the bot sent', () => {
    expect(parsePagerDutyWebhook(incidentEvent('incident.acknowledged'), NOW)).toEqual({
      kind: 'update',
      update: {
        type: 'acknowledged',
        eventId: '5ac64822-4adc-4fda-ade0-410becf0de4f',
        at: Date.parse('2026-12-04T09:58:22.169Z'),
        by: 'Ana',
        incident: { id: 'PGR0VU2', url: 'https://acme.pagerduty.com/incidents/PGR0VU2' },
        dedupKey: 'belvo-status/institution-incident/erebor_mx_retail',
      },
    });
  });

  it('reads a resolution, a reassignment (to whom) and the triggering that names the incident', () => {
    expect(parsePagerDutyWebhook(incidentEvent('incident.resolved'), NOW)).toMatchObject({
      kind: 'update',
      update: { type: 'resolved', by: 'Ana', dedupKey: 'belvo-status/institution-incident/erebor_mx_retail' },
    });
    const reassigned = incidentEvent('incident.reassigned', {
      assignees: [{ summary: 'Bruno' }, { summary: 'Carla' }, { id: 'PNONAME' }],
    });
    expect(parsePagerDutyWebhook(reassigned, NOW)).toMatchObject({
      kind: 'update',
      update: { type: 'reassigned', assignees: ['Bruno', 'Carla'] },
    });
    expect(parsePagerDutyWebhook(incidentEvent('incident.triggered'), NOW)).toMatchObject({
      kind: 'update',
      update: { type: 'triggered', incident: { id: 'PGR0VU2' } },
    });
  });

  it('reads a note, which names only its incident', () => {
    const doc = {
      event: {
        id: 'evt-note-1',
        event_type: 'incident.annotated',
        occurred_at: '2026-12-04T09:59:00Z',
        agent: { summary: 'Ana', type: 'user_reference' },
        data: {
          incident: {
            id: 'PGR0VU2',
            html_url: 'https://acme.pagerduty.com/incidents/PGR0VU2',
            type: 'incident_reference',
          },
          id: 'P2LA89X',
          content: 'Bank says their gateway is down, ETA 30 min',
          trimmed: false,
          type: 'incident_note',
        },
      },
    };
    expect(parsePagerDutyWebhook(doc, NOW)).toEqual({
      kind: 'update',
      update: {
        type: 'annotated',
        eventId: 'evt-note-1',
        at: Date.parse('2026-12-04T09:59:00Z'),
        by: 'Ana',
        incident: { id: 'PGR0VU2', url: 'https://acme.pagerduty.com/incidents/PGR0VU2' },
        noteId: 'P2LA89X',
        note: 'Bank says their gateway is down, ETA 30 min',
      },
    });
  });

  it('is tolerant: no agent (an automatic resolve), no incident_key, no time, unknown fields', () => {
    const doc = incidentEvent('incident.resolved', { incident_key: null, something_new: { a: 1 } });
    doc.event.agent = null as never;
    (doc.event as Record<string, unknown>).occurred_at = undefined;
    const parsed = parsePagerDutyWebhook(doc, NOW);
    expect(parsed).toMatchObject({ kind: 'update', update: { type: 'resolved', at: NOW } });
    if (parsed.kind !== 'update') throw new Error('not an update');
    expect(parsed.update.by).toBeUndefined();
    expect(parsed.update.dedupKey).toBeUndefined();
  });

  it('ignores event types it does not act on, and the ping a new subscription sends', () => {
    expect(parsePagerDutyWebhook(incidentEvent('incident.priority_updated'), NOW)).toEqual({
      kind: 'ignored',
      eventId: '5ac64822-4adc-4fda-ade0-410becf0de4f',
      reason: 'event type incident.priority_updated is not acted on',
    });
    const ping = {
      event: { id: 'ping-1', event_type: 'pagey.ping', data: { message: 'Hello from your friend Pagey!' } },
    };
    expect(parsePagerDutyWebhook(ping, NOW)).toMatchObject({ kind: 'ignored', eventId: 'ping-1' });
  });

  it('refuses what cannot be understood, saying what is missing', () => {
    expect(parsePagerDutyWebhook([], NOW)).toEqual({ kind: 'malformed', reason: 'no `event` object' });
    expect(parsePagerDutyWebhook({ messages: [] }, NOW)).toEqual({ kind: 'malformed', reason: 'no `event` object' });
    expect(parsePagerDutyWebhook({ event: { event_type: 'incident.resolved', data: {} } }, NOW)).toEqual({
      kind: 'malformed',
      reason: '`event.id` and `event.event_type` are required',
    });
    expect(parsePagerDutyWebhook({ event: { id: 'e', event_type: 'incident.resolved', data: 'x' } }, NOW)).toEqual({
      kind: 'malformed',
      reason: '`event.data` is not an object',
    });
    expect(parsePagerDutyWebhook(incidentEvent('incident.acknowledged', { id: undefined }), NOW)).toEqual({
      kind: 'malformed',
      reason: '`event.data.id` (the incident) is required',
    });
    const note = { event: { id: 'e', event_type: 'incident.annotated', data: { id: 'N1', content: 'x' } } };
    expect(parsePagerDutyWebhook(note, NOW)).toMatchObject({ kind: 'malformed' });
  });
});
