// Plays Belvo's side of webhooks: realistic payloads (Belvo's developer docs, "Webhooks Belvo sends") and bursts sent
// over a bounded number of connections, as Belvo's retries and parallel deliveries would reach the bot.
import { randomBytes, randomUUID } from 'node:crypto';
import { Pool } from 'undici';

export type BelvoWebhookPayload = Record<string, unknown> & { webhook_id: string };

/** 32 hex characters, as Belvo's webhook_id and request_id. */
export const hex32 = (): string => randomBytes(16).toString('hex');

const base = (type: string, code: string, extra: Record<string, unknown>): BelvoWebhookPayload => ({
  webhook_id: hex32(),
  webhook_type: type,
  webhook_code: code,
  link_id: randomUUID(),
  request_id: randomUUID(),
  external_id: `customer-${Math.floor(Math.random() * 10_000)}`,
  ...extra,
});

export const belvoWebhooks = {
  tokenRequired: (extra: Record<string, unknown> = {}) =>
    base('LINK', 'token_required', {
      process_type: 'recurrent_update',
      data: { error_code: 'token_required', error_message: 'A MFA token is required by the institution', status: 428 },
      ...extra,
    }),
  invalidCredentials: (extra: Record<string, unknown> = {}) =>
    base('LINK', 'invalid_credentials', {
      process_type: 'recurrent_update',
      data: {
        error_code: 'login_error',
        error_message: 'Invalid credentials provided to login to the institution',
        status: 400,
      },
      ...extra,
    }),
  historicalUpdate: (extra: Record<string, unknown> = {}) =>
    base('ACCOUNTS', 'historical_update', { process_type: 'historical_update', data: { total_accounts: 3 }, ...extra }),
  newTransactions: (extra: Record<string, unknown> = {}) =>
    base('TRANSACTIONS', 'new_transactions_available', {
      process_type: 'recurrent_update',
      data: { new_transactions: 17 },
      ...extra,
    }),
  /** A type Belvo may add one day: the bot must store it and answer 2xx. */
  unknownType: (extra: Record<string, unknown> = {}) =>
    base('TAX_RETURNS', 'tax_returns_ready', { data: { anything: ['goes', 1] }, ...extra }),
};

const MIX = [
  belvoWebhooks.tokenRequired,
  belvoWebhooks.invalidCredentials,
  belvoWebhooks.historicalUpdate,
  belvoWebhooks.newTransactions,
  belvoWebhooks.newTransactions,
  belvoWebhooks.historicalUpdate,
  belvoWebhooks.unknownType,
];

/**
 * `count` deliveries of which a `repeatShare` are resends of an earlier delivery's webhook (same body, as Belvo's
 * retries), spread through the burst. Returns the deliveries in sending order and the distinct ids among them.
 */
export function webhookBurst(
  count: number,
  repeatShare = 0,
): { deliveries: BelvoWebhookPayload[]; distinct: Set<string> } {
  const repeats = Math.round(count * repeatShare);
  const originals = Array.from({ length: count - repeats }, (_, i) => MIX[i % MIX.length]!());
  const deliveries = [...originals];
  for (let i = 0; i < repeats; i++) {
    const original = originals[Math.floor(Math.random() * originals.length)]!;
    // Inserted at a random later position: some land in the same group commit as their original, some far after.
    const at = Math.floor(Math.random() * (deliveries.length + 1));
    deliveries.splice(at, 0, original);
  }
  return { deliveries, distinct: new Set(originals.map((d) => d.webhook_id)) };
}

export interface SentWebhook {
  status: number;
  body: string;
}

export interface BelvoWebhookSenderOptions {
  /** The bot's base URL, e.g. http://127.0.0.1:8080 */
  url: string;
  environment: string;
  /** Sent as the Authorization header unless a send overrides it; undefined sends none. */
  authorization?: string;
  /** Open connections at most (Belvo delivers in parallel, not unboundedly). */
  concurrency?: number;
}

export class BelvoWebhookSender {
  private readonly pool: Pool;
  private readonly path: string;
  private readonly concurrency: number;

  constructor(private readonly opts: BelvoWebhookSenderOptions) {
    this.concurrency = opts.concurrency ?? 16;
    this.pool = new Pool(opts.url, { connections: this.concurrency, pipelining: 1 });
    this.path = `/webhooks/belvo/${encodeURIComponent(opts.environment)}`;
  }

  /** One delivery: an object is sent as JSON, a string or Buffer as written. */
  async send(
    payload: object | string | Buffer,
    options: { authorization?: string | null; headers?: Record<string, string> } = {},
  ): Promise<SentWebhook> {
    const auth = options.authorization === undefined ? this.opts.authorization : options.authorization;
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'Belvo-Webhooks',
      ...(auth != null && { authorization: auth }),
      ...options.headers,
    };
    const body = typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : JSON.stringify(payload);
    const res = await this.pool.request({ path: this.path, method: 'POST', headers, body });
    return { status: res.statusCode, body: await res.body.text() };
  }

  /** Sends every delivery, `concurrency` at a time; the status of each, in order, and a count per status. */
  async sendBurst(deliveries: readonly object[]): Promise<{ statuses: number[]; byStatus: Record<number, number> }> {
    const statuses = new Array<number>(deliveries.length);
    let next = 0;
    const worker = async () => {
      while (next < deliveries.length) {
        const i = next++;
        try {
          statuses[i] = (await this.send(deliveries[i]!)).status;
        } catch {
          statuses[i] = 0; // connection error: never a 2xx
        }
      }
    };
    await Promise.all(Array.from({ length: this.concurrency }, worker));
    const byStatus: Record<number, number> = {};
    for (const s of statuses) byStatus[s] = (byStatus[s] ?? 0) + 1;
    return { statuses, byStatus };
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
