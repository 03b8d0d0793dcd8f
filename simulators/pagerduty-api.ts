// A fake PagerDuty Events API v2 on a local port, for tests that point the PagerDuty adapter's `eventsUrl` at
// something that answers the way PagerDuty does: 202 with the dedup_key, 400 "invalid event" with PagerDuty's error
// list, and on command 429/5xx with Retry-After, a slow answer or none. It keeps alerts by (routing_key, dedup_key)
// with PagerDuty's rules, so a test asserts what on-call would see: the alert open, acknowledged, resolved, once.
// With a webhook subscription, it also does what on-call does in PagerDuty's app (acknowledge, resolve, reassign,
// add a note) and sends the signed v3 webhooks PagerDuty sends for those, and for the Events API's own changes.
// A repeated trigger for an open dedup key is not a new incident, so raw requests (`events`) and the incidents
// on-call sees (`onCall()`) are counted apart. `hang({ process: true })` applies an event and never answers: the
// "PagerDuty has it, the bot never heard back" moment a crash can fall into.
// https://developer.pagerduty.com/docs/events-api-v2-overview

import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listen, trackSockets } from '../src/http/listen.js';
import {
  deliverWebhook,
  type FakeAgent,
  type FakeIncident,
  type FakeWebhookDelivery,
  type FakeWebhookSubscription,
  webhookBody,
} from './pagerduty-webhooks.js';

export type { FakeWebhookDelivery, FakeWebhookSubscription } from './pagerduty-webhooks.js';

export type FakeEventAction = 'trigger' | 'acknowledge' | 'resolve';
export type FakeAlertStatus = 'triggered' | 'acknowledged' | 'resolved';

/** What the fake did with a request. */
export type FakeEventEffect = 'opened' | 'appended' | 'acknowledged' | 'resolved' | 'dropped' | 'invalid' | 'scripted';

export interface FakeReceivedEvent {
  at: number;
  /** The JSON body; undefined when it was not a JSON object. */
  body: Record<string, unknown> | undefined;
  raw: string;
  effect: FakeEventEffect;
  /** HTTP status sent back; undefined for a request left unanswered (`hang`). */
  status: number | undefined;
  response: unknown;
}

export interface FakePagerDutyAlert {
  routingKey: string;
  dedupKey: string;
  status: FakeAlertStatus;
  /** Alerts this dedup key has opened: a trigger after a resolve opens a new one. */
  incidents: number;
  /** The latest trigger's payload and links (PagerDuty shows the newest). */
  payload: Record<string, unknown>;
  links: unknown[];
  /** Actions applied to the current alert, its opening trigger first. */
  log: FakeEventAction[];
  /** The incident PagerDuty opened for the current alert (its webhooks name it). */
  incidentId: string;
  assignees: string[];
}

export interface FakeScriptedResponse {
  status: number;
  /** Default: PagerDuty's own body for the status. A string is sent verbatim. */
  body?: string | Record<string, unknown>;
  /** Sent as `Retry-After` (seconds, or an HTTP date). */
  retryAfter?: number | string;
  /** Never answer: the client's timeout fires. */
  hang?: boolean;
}

/** What on-call saw, as opposed to how many requests arrived. */
export interface FakeOnCallCounts {
  /** Requests to /v2/enqueue, whatever became of them. */
  requests: number;
  /** Requests by `event_action`, as sent (a re-sent trigger counts twice here). */
  sent: Record<FakeEventAction, number>;
  /** Incidents opened: a trigger for a dedup key with no open alert. */
  triggered: number;
  /** Incidents closed: a resolve of an open alert (a repeated resolve is dropped, not counted). */
  resolved: number;
}

export interface FakeHangOptions {
  /** How many of the next requests to leave unanswered. Default 1. */
  times?: number;
  /** Apply each first, as PagerDuty would, then never answer. Default false (nothing applied). */
  process?: boolean;
}

export interface FakePagerDuty {
  /** Base URL, `http://127.0.0.1:<port>`. */
  url: string;
  /** `<url>/v2/enqueue`: what the adapter's `eventsUrl` should be. */
  eventsUrl: string;
  /** Every request to /v2/enqueue, in arrival order, scripted and invalid ones included. */
  readonly events: FakeReceivedEvent[];
  alerts(): FakePagerDutyAlert[];
  alert(routingKey: string, dedupKey: string): FakePagerDutyAlert | undefined;
  /** Answers the next requests with these, in order, without applying them (PagerDuty refused them). */
  script(...responses: FakeScriptedResponse[]): void;
  /** Leaves the next requests unanswered (the client's timeout, or `close()`, ends them). */
  hang(options?: FakeHangOptions): void;
  /** Incidents triggered and resolved, next to the raw request counts. */
  onCall(): FakeOnCallCounts;
  /** Applies each event at once but answers only after `ms` (a slow PagerDuty: the client may time out). */
  setDelay(ms: number): void;
  /** A v3 webhook subscription: from now on, incident changes are delivered there, signed. */
  subscribe(sub: FakeWebhookSubscription): void;
  /** Every webhook delivery made, in the order they were sent. */
  readonly webhooks: FakeWebhookDelivery[];
  /** On-call in PagerDuty's app; each resolves with the deliveries of the webhook it caused (none if it changed nothing). */
  acknowledgeInApp(routingKey: string, dedupKey: string, by: string): Promise<FakeWebhookDelivery[]>;
  resolveInApp(routingKey: string, dedupKey: string, by: string): Promise<FakeWebhookDelivery[]>;
  reassignInApp(routingKey: string, dedupKey: string, to: string[], by: string): Promise<FakeWebhookDelivery[]>;
  annotateInApp(routingKey: string, dedupKey: string, note: string, by: string): Promise<FakeWebhookDelivery[]>;
  /** Sends a delivery again, byte for byte (PagerDuty retries one that was not answered 2xx in time). */
  redeliver(delivery: FakeWebhookDelivery): Promise<FakeWebhookDelivery>;
  /** Resolves once every webhook sent so far has been answered. */
  webhooksSettled(): Promise<void>;
  close(): Promise<void>;
}

export interface StartFakePagerDutyOptions {
  host?: string;
  delayMs?: number;
  now?: () => number;
}

const ACTIONS: readonly string[] = ['trigger', 'acknowledge', 'resolve'];
const SEVERITIES: readonly string[] = ['critical', 'error', 'warning', 'info'];
const ROUTING_KEY_LENGTH = 32;
const MAX_DEDUP_KEY = 255;
const MAX_SUMMARY = 1024;

type Verdict = { status: number; body: Record<string, unknown>; effect: FakeEventEffect };

export async function startFakePagerDuty(options: StartFakePagerDutyOptions = {}): Promise<FakePagerDuty> {
  const clock = options.now ?? Date.now;
  const events: FakeReceivedEvent[] = [];
  const alerts = new Map<string, FakePagerDutyAlert>();
  const scripted: FakeScriptedResponse[] = [];
  /** Applied-then-unanswered requests still to come. */
  let appliedHangs = 0;
  let delayMs = options.delayMs ?? 0;
  const subscriptions: FakeWebhookSubscription[] = [];
  const webhooks: FakeWebhookDelivery[] = [];
  const inFlight = new Set<Promise<unknown>>();
  let incidentCount = 0;
  let noteCount = 0;
  // Where links in webhooks point; set once the server listens.
  let base = '';

  /** PagerDuty's webhook for a change of `alert`'s incident, to every subscription that wants this event type. */
  function notify(
    alert: FakePagerDutyAlert,
    type: string,
    agent: FakeAgent,
    note?: { id: string; content: string },
  ): Promise<FakeWebhookDelivery[]> {
    const incident: FakeIncident = {
      id: alert.incidentId,
      number: Number(alert.incidentId.slice(1)),
      dedupKey: alert.dedupKey,
      title: String(alert.payload['summary'] ?? alert.dedupKey),
      status: alert.status,
      assignees: alert.assignees,
      createdAt: clock(),
    };
    const sends = subscriptions
      .filter((s) => !s.events || s.events.includes(type))
      .map(async (s) => {
        const delivery = await deliverWebhook(s, webhookBody(base, type, incident, agent, clock(), note), type);
        webhooks.push(delivery);
        return delivery;
      });
    const all = Promise.all(sends);
    inFlight.add(all);
    void all.finally(() => inFlight.delete(all));
    return all;
  }

  const EVENTS_API: FakeAgent = { service: 'Belvo status (Events API v2)' };

  /** What a person does in PagerDuty's app to the open alert of this key. */
  function inApp(
    routingKey: string,
    dedupKey: string,
    change: (open: FakePagerDutyAlert) => string | undefined,
    agent: FakeAgent,
    note?: { id: string; content: string },
  ): Promise<FakeWebhookDelivery[]> {
    const open = alerts.get(keyOf(routingKey, dedupKey));
    if (!open || open.status === 'resolved') return Promise.resolve([]);
    const type = change(open);
    return type ? notify(open, type, agent, note) : Promise.resolve([]);
  }

  const keyOf = (routingKey: string, dedupKey: string) => `${routingKey}\u0000${dedupKey}`;

  /** PagerDuty's rules: a trigger opens (or updates the open alert), ack/resolve need an open alert. */
  function apply(event: Record<string, unknown>): Verdict {
    const routingKey = event['routing_key'] as string;
    const action = event['event_action'] as FakeEventAction;
    const dedupKey = (event['dedup_key'] as string | undefined) || randomBytes(16).toString('hex');
    const current = alerts.get(keyOf(routingKey, dedupKey));
    const open = current && current.status !== 'resolved' ? current : undefined;
    let effect: FakeEventEffect;
    if (action === 'trigger') {
      const payload = event['payload'] as Record<string, unknown>;
      const links = Array.isArray(event['links']) ? event['links'] : [];
      if (open) {
        // An acknowledged alert stays acknowledged: a repeated trigger notifies nobody again.
        Object.assign(open, { payload, links });
        open.log.push(action);
        effect = 'appended';
      } else {
        const incidents = (current?.incidents ?? 0) + 1;
        incidentCount += 1;
        const opened: FakePagerDutyAlert = {
          routingKey,
          dedupKey,
          status: 'triggered',
          incidents,
          payload,
          links,
          log: [action],
          incidentId: `P${String(incidentCount).padStart(6, '0')}`,
          assignees: ['On-call engineer'],
        };
        alerts.set(keyOf(routingKey, dedupKey), opened);
        void notify(opened, 'incident.triggered', EVENTS_API);
        effect = 'opened';
      }
    } else if (!open) {
      effect = 'dropped';
    } else {
      const before = open.status;
      if (action === 'resolve') open.status = 'resolved';
      else if (open.status === 'triggered') open.status = 'acknowledged';
      open.log.push(action);
      effect = action === 'resolve' ? 'resolved' : 'acknowledged';
      if (open.status !== before) void notify(open, `incident.${open.status}`, EVENTS_API);
    }
    return { status: 202, body: { status: 'success', message: 'Event processed', dedup_key: dedupKey }, effect };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    const raw = await readBody(req);
    if (path !== '/v2/enqueue') return send(res, 404, { status: 'not found', message: `no route ${path}` });
    if (req.method !== 'POST') return send(res, 405, { status: 'method not allowed', message: 'use POST' });
    const parsed = parseObject(raw);
    const record: FakeReceivedEvent = {
      at: clock(),
      body: parsed,
      raw,
      effect: 'invalid',
      status: undefined,
      response: undefined,
    };
    events.push(record);

    const script = scripted.shift();
    if (script) {
      record.effect = 'scripted';
      if (script.hang) return; // left open; close() ends it
      const body = script.body ?? defaultBody(script.status);
      const headers = script.retryAfter !== undefined ? { 'retry-after': String(script.retryAfter) } : undefined;
      return answer(res, record, script.status, body, headers);
    }

    const errors = parsed ? validate(parsed) : [isJson(raw) ? 'Event must be a JSON object' : 'Malformed JSON'];
    const verdict: Verdict =
      errors.length > 0 || !parsed
        ? {
            status: 400,
            body: { status: 'invalid event', message: 'Event object is invalid', errors },
            effect: 'invalid',
          }
        : apply(parsed);
    record.effect = verdict.effect;
    if (appliedHangs > 0 && verdict.status === 202) {
      appliedHangs--;
      return; // applied, never answered; close() ends it
    }
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    answer(res, record, verdict.status, verdict.body);
  }

  function answer(
    res: ServerResponse,
    record: FakeReceivedEvent,
    status: number,
    body: string | Record<string, unknown>,
    headers?: Record<string, string>,
  ): void {
    if (res.destroyed) return; // the client gave up waiting
    record.status = status;
    record.response = body;
    send(res, status, body, headers);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, { status: 'error', message: 'fake PagerDuty failed' });
    });
  });
  const sockets = trackSockets(server);
  const { url } = await listen(server, 0, options.host ?? '127.0.0.1');
  base = url;
  let closing: Promise<void> | undefined;

  return {
    url,
    eventsUrl: `${url}/v2/enqueue`,
    events,
    alerts: () => [...alerts.values()].map((a) => structuredClone(a)),
    alert: (routingKey, dedupKey) => {
      const found = alerts.get(keyOf(routingKey, dedupKey));
      return found && structuredClone(found);
    },
    script: (...responses) => {
      scripted.push(...responses);
    },
    hang: (hangOptions = {}) => {
      const times = hangOptions.times ?? 1;
      if (hangOptions.process) appliedHangs += times;
      else for (let i = 0; i < times; i++) scripted.push({ status: 0, hang: true });
    },
    onCall: () => {
      const sent: Record<FakeEventAction, number> = { trigger: 0, acknowledge: 0, resolve: 0 };
      for (const e of events) {
        const action = e.body?.['event_action'];
        if (action === 'trigger' || action === 'acknowledge' || action === 'resolve') sent[action]++;
      }
      const count = (effect: FakeEventEffect) => events.filter((e) => e.effect === effect).length;
      return {
        requests: events.length,
        sent,
        triggered: count('opened'),
        resolved: count('resolved'),
      };
    },
    setDelay: (ms) => {
      delayMs = ms;
    },
    subscribe: (sub) => {
      subscriptions.push(sub);
    },
    webhooks,
    acknowledgeInApp: (routingKey, dedupKey, by) =>
      inApp(
        routingKey,
        dedupKey,
        (open) => {
          if (open.status !== 'triggered') return undefined;
          open.status = 'acknowledged';
          return 'incident.acknowledged';
        },
        { user: by },
      ),
    resolveInApp: (routingKey, dedupKey, by) =>
      inApp(
        routingKey,
        dedupKey,
        (open) => {
          open.status = 'resolved';
          return 'incident.resolved';
        },
        { user: by },
      ),
    reassignInApp: (routingKey, dedupKey, to, by) =>
      inApp(
        routingKey,
        dedupKey,
        (open) => {
          open.assignees = [...to];
          // Reassigning an acknowledged incident makes it triggered again, for the new assignee to acknowledge.
          open.status = 'triggered';
          return 'incident.reassigned';
        },
        { user: by },
      ),
    annotateInApp: (routingKey, dedupKey, note, by) => {
      noteCount += 1;
      const id = `PNOTE${String(noteCount).padStart(3, '0')}`;
      return inApp(routingKey, dedupKey, () => 'incident.annotated', { user: by }, { id, content: note });
    },
    redeliver: async (delivery) => {
      const sub = subscriptions[0];
      if (!sub) throw new Error('no webhook subscription');
      const again = await deliverWebhook(sub, { eventId: delivery.eventId, body: delivery.body }, delivery.eventType);
      webhooks.push(again);
      return again;
    },
    webhooksSettled: async () => {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const s of sockets) s.destroy();
      });
      return closing;
    },
  };
}

/** PagerDuty's checks, with its wording; an empty list means the event is valid. */
function validate(event: Record<string, unknown>): string[] {
  const errors: string[] = [];
  const routingKey = event['routing_key'];
  if (typeof routingKey !== 'string' || routingKey === '') errors.push("'routing_key' is missing or blank");
  else if (routingKey.length !== ROUTING_KEY_LENGTH) {
    errors.push(`Length of 'routing_key' is incorrect (should be ${ROUTING_KEY_LENGTH} characters)`);
  }
  const action = event['event_action'];
  if (typeof action !== 'string' || !ACTIONS.includes(action)) {
    errors.push("'event_action' is invalid (must be one of the following: 'trigger', 'acknowledge' or 'resolve')");
  }
  const dedupKey = event['dedup_key'];
  if (dedupKey !== undefined && typeof dedupKey !== 'string') errors.push("'dedup_key' must be a string");
  else if (typeof dedupKey === 'string' && dedupKey.length > MAX_DEDUP_KEY) {
    errors.push(`Length of 'dedup_key' is too long (maximum is ${MAX_DEDUP_KEY} characters)`);
  } else if ((action === 'acknowledge' || action === 'resolve') && !dedupKey) {
    errors.push("'dedup_key' is missing or blank");
  }
  if (action === 'trigger') errors.push(...validatePayload(event['payload']));
  return errors;
}

function validatePayload(value: unknown): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return ["'payload' is missing or invalid"];
  const payload = value as Record<string, unknown>;
  const errors: string[] = [];
  const summary = payload['summary'];
  if (typeof summary !== 'string' || summary.trim() === '') errors.push("'payload.summary' is missing or blank");
  else if (summary.length > MAX_SUMMARY) {
    errors.push(`Length of 'payload.summary' is too long (maximum is ${MAX_SUMMARY} characters)`);
  }
  const source = payload['source'];
  if (typeof source !== 'string' || source.trim() === '') errors.push("'payload.source' is missing or blank");
  const severity = payload['severity'];
  if (typeof severity !== 'string' || !SEVERITIES.includes(severity)) {
    errors.push(
      "'payload.severity' is invalid (must be one of the following: 'critical', 'warning', 'error' or 'info')",
    );
  }
  const timestamp = payload['timestamp'];
  if (timestamp !== undefined && (typeof timestamp !== 'string' || Number.isNaN(Date.parse(timestamp)))) {
    errors.push("'payload.timestamp' is invalid (must be an ISO 8601 timestamp)");
  }
  return errors;
}

function defaultBody(status: number): Record<string, unknown> {
  if (status === 400) return { status: 'invalid event', message: 'Event object is invalid', errors: [] };
  if (status === 429) return { status: 'throttle event', message: 'Too many requests for this routing key' };
  return { status: 'error', message: 'Internal server error' };
}

function isJson(raw: string): boolean {
  try {
    JSON.parse(raw);
    return true;
  } catch {
    return false;
  }
}

function parseObject(raw: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(raw);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function send(
  res: ServerResponse,
  status: number,
  body: string | Record<string, unknown>,
  headers: Record<string, string> = {},
): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const type = typeof body === 'string' ? 'text/plain' : 'application/json';
  res.writeHead(status, { 'content-type': type, ...headers });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(''));
  });
}
