// Belvo's side of the chaos run: links at one institution fall into token_required in bursts (Belvo's API lists them
// so and a webhook tells of each), and later recover (the API lists them valid again, which the bot's reconciliation
// reads). Webhooks are delivered as Belvo does: a delivery that is refused or unanswered, because the bot is dead or
// starting, is retried until it is answered 2xx, and now and then one already answered is sent again. At the end the
// bot's store is judged against what it answered 2xx: each such webhook stored once, none lost.
import Database from 'better-sqlite3';
import { sleep } from '../e2e/bot-process.js';
import type { FakeBelvo } from '../fakes/belvo-api.js';
import { type BelvoWebhookPayload, BelvoWebhookSender, belvoWebhooks } from '../fakes/belvo-webhook-sender.js';

export const BELVO_INSTITUTION = 'erebor_mx_retail';
export const BELVO_ENVIRONMENT = 'production';
export const BELVO_WEBHOOK_AUTH = 'Bearer chaos-belvo-webhook-secret';
const RETRY_MS = 300;

export interface BelvoVerdict {
  /** Distinct webhooks Belvo had to deliver. */
  expected: number;
  deliveries: number;
  /** Deliveries refused or unanswered (the bot dead, starting or shedding load), retried later. */
  retried: number;
  /** Deliveries of a webhook already answered 2xx (Belvo's own retries). */
  resent: number;
  lost: number;
  duplicated: number;
  /** Webhooks still undelivered when the run ended (the bot never came back for them). */
  undelivered: number;
}

export class BelvoSide {
  private sender: BelvoWebhookSender | undefined;
  private readonly queue: BelvoWebhookPayload[] = [];
  private readonly accepted = new Map<string, BelvoWebhookPayload>();
  private readonly ids = new Set<string>();
  private deliveries = 0;
  private retried = 0;
  private resent = 0;
  private running = true;
  private readonly pump: Promise<void>;

  constructor(
    private readonly belvo: FakeBelvo,
    private readonly random: () => number,
  ) {
    this.pump = this.deliver();
  }

  /** The bot answers on a new port after each start. */
  target(url: string | undefined): void {
    const old = this.sender;
    this.sender = url
      ? new BelvoWebhookSender({
          url,
          environment: BELVO_ENVIRONMENT,
          authorization: BELVO_WEBHOOK_AUTH,
          concurrency: 4,
        })
      : undefined;
    void old?.close().catch(() => undefined);
  }

  /** `count` valid links fall into token_required: Belvo lists them so and sends a webhook for each. */
  burst(count: number): void {
    const valid = this.belvo.links().filter((l) => l.institution === BELVO_INSTITUTION && l.status === 'valid');
    const picked = valid.slice(0, count);
    this.belvo.setLinkStatus(
      picked.map((l) => l.id),
      'token_required',
    );
    for (const link of picked) this.enqueue(belvoWebhooks.tokenRequired({ link_id: link.id }));
    // Webhooks that change no link travel with them.
    this.enqueue(belvoWebhooks.newTransactions());
  }

  /** The institution's links are fine again: Belvo lists them valid (no webhook says so). */
  recover(): void {
    this.belvo.setLinkStatus((l) => l.institution === BELVO_INSTITUTION && l.status !== 'valid', 'valid');
  }

  private enqueue(w: BelvoWebhookPayload): void {
    this.ids.add(w.webhook_id);
    this.queue.push(w);
  }

  private async deliver(): Promise<void> {
    while (this.running) {
      const sender = this.sender;
      const next = this.queue.shift();
      if (!next || !sender) {
        if (next) this.queue.unshift(next);
        await sleep(50);
        continue;
      }
      this.deliveries++;
      const resend = this.accepted.has(next.webhook_id);
      if (resend) this.resent++;
      const status = await sender.send(next).then(
        (r) => r.status,
        () => 0,
      );
      if (status >= 200 && status < 300) {
        this.accepted.set(next.webhook_id, next);
        // Belvo did not hear the answer now and then, and sends the webhook again.
        if (!resend && this.random() < 0.1) this.queue.push(next);
      } else {
        this.retried++;
        this.queue.unshift(next);
        await sleep(RETRY_MS);
      }
    }
  }

  /** Waits until every webhook was answered 2xx (or the deadline passed). */
  async drain(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.queue.length > 0 && Date.now() < deadline) await sleep(100);
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.pump;
    await this.sender?.close().catch(() => undefined);
  }

  judge(dbPath: string): BelvoVerdict {
    const db = new Database(dbPath, { readonly: true });
    try {
      const rows = db.prepare('SELECT webhook_id FROM belvo_webhooks WHERE environment = ?').all(BELVO_ENVIRONMENT) as {
        webhook_id: string;
      }[];
      const stored = new Map<string, number>();
      for (const r of rows) stored.set(r.webhook_id, (stored.get(r.webhook_id) ?? 0) + 1);
      const lost = [...this.accepted.keys()].filter((id) => !stored.has(id)).length;
      const duplicated = [...stored.values()].reduce((n, c) => n + (c - 1), 0);
      return {
        expected: this.ids.size,
        deliveries: this.deliveries,
        retried: this.retried,
        resent: this.resent,
        lost,
        duplicated,
        undelivered: this.ids.size - this.accepted.size,
      };
    } finally {
      db.close();
    }
  }
}
