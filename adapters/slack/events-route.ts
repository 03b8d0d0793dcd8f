// POST /slack/events on the bot's own HTTP server: slash commands and button clicks, verified, then handed to a
// Bolt App through a receiver of ours (Bolt's own HTTP receiver would want a port of its own).
import type { App, Receiver, ReceiverEvent } from '@slack/bolt';
import type { RouteMounter, RouteResponse } from '../../src/ports/http-routes.js';
import type { Logger } from '../../src/ports/logger.js';
import { inMemorySeenRequests, type SeenRequests } from '../../src/ports/seen-requests.js';
import { SLACK_MAX_SKEW_SECONDS, verifySlackSignature } from './verify.js';

/** Slack wants an answer within 3 seconds; past this, an empty 200 stops its retries and follow-ups carry on. */
const ACK_DEADLINE_MS = 2500;

export class MountedReceiver implements Receiver {
  private app?: App;
  constructor(private readonly logger?: Logger) {}
  init(app: App): void {
    this.app = app;
  }
  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  /** Runs Bolt's listeners on one request; resolves with what `ack()` was given (or an empty 200 at the deadline). */
  async dispatch(
    body: Record<string, unknown>,
    headers: Record<string, string | string[] | undefined>,
  ): Promise<RouteResponse> {
    const app = this.app;
    if (!app) return { status: 503, body: { error: 'not_ready' } };
    let answered!: (r: RouteResponse) => void;
    const acked = new Promise<RouteResponse>((resolve) => {
      answered = resolve;
    });
    const event: ReceiverEvent = {
      body,
      ack: async (response?: unknown) => {
        if (response === undefined || response === '') answered({ status: 200, body: '' });
        else answered({ status: 200, body: typeof response === 'string' ? response : (response as object) });
      },
      ...(typeof headers['x-slack-retry-num'] === 'string' && { retryNum: Number(headers['x-slack-retry-num']) }),
      ...(typeof headers['x-slack-retry-reason'] === 'string' && { retryReason: headers['x-slack-retry-reason'] }),
    };
    const processing = app.processEvent(event).catch((err: unknown) => {
      this.logger?.error({ err }, 'a Slack request could not be handled');
    });
    const deadline = new Promise<RouteResponse>((resolve) =>
      setTimeout(() => resolve({ status: 200, body: '' }), ACK_DEADLINE_MS).unref(),
    );
    return Promise.race([acked, processing.then(() => Promise.race([acked, deadline])), deadline]);
  }
}

function parseBody(raw: Buffer, contentType: string | undefined): Record<string, unknown> | undefined {
  const text = raw.toString('utf8');
  if (contentType?.includes('application/json')) {
    const doc = JSON.parse(text) as unknown;
    return doc && typeof doc === 'object' ? (doc as Record<string, unknown>) : undefined;
  }
  const form = Object.fromEntries(new URLSearchParams(text));
  // Interactivity (buttons) arrives as one form field holding JSON.
  if (typeof form.payload === 'string') return JSON.parse(form.payload) as Record<string, unknown>;
  return form;
}

export function mountSlackEvents(
  router: RouteMounter,
  opts: {
    signingSecret: string;
    receiver: MountedReceiver;
    logger: Logger;
    now?: () => number;
    /**
     * Signatures already accepted, kept for Slack's 5-minute window either side: a captured request sent again is
     * refused, not run twice (a replayed `silence` would add a silence each time), also after a restart when the
     * store keeps them. Slack's own retries are new requests with new signatures.
     */
    seen?: SeenRequests;
  },
): void {
  const seen = opts.seen ?? inMemorySeenRequests();
  router.add('POST', '/slack/events', async ({ req, body }) => {
    const raw = await body();
    // Verified before anything in the body is read: a failure changes nothing.
    const verdict = verifySlackSignature({
      signingSecret: opts.signingSecret,
      timestamp: req.headers['x-slack-request-timestamp'] as string | undefined,
      signature: req.headers['x-slack-signature'] as string | undefined,
      rawBody: raw,
      nowMs: (opts.now ?? Date.now)(),
    });
    if (!verdict.ok) return { status: 401, body: { error: 'invalid_signature' }, refusal: verdict.reason };
    const now = (opts.now ?? Date.now)();
    const key = `slack:${String(req.headers['x-slack-signature'])}`;
    if (!(await seen.firstSeen(key, now + SLACK_MAX_SKEW_SECONDS * 2000, now))) {
      return { status: 401, body: { error: 'replayed_request' } };
    }
    let parsed: Record<string, unknown> | undefined;
    try {
      parsed = parseBody(raw, req.headers['content-type']);
    } catch {
      parsed = undefined;
    }
    if (!parsed) return { status: 400, body: { error: 'malformed_body' } };
    if (parsed.type === 'url_verification' && typeof parsed.challenge === 'string') {
      return { status: 200, body: { challenge: parsed.challenge } };
    }
    return opts.receiver.dispatch(parsed, req.headers);
  });
}
