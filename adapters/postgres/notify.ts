// Wake-ups between replicas: a commit that queued deliveries, or a webhook batch that changed link states, NOTIFYs
// the schema's channel; every replica LISTENs on one connection of its own, reconnecting when the database comes back.
import pg from 'pg';
import type { Logger } from '../../src/ports/logger.js';
import { quoteIdent } from './migrations.js';
import { connectionConfig, type PgConnectionOptions } from './pool.js';

/** What a notification says happened. */
export type WakeTopic = 'intents' | 'webhooks';

/** One channel per schema: two bots sharing a database but not a schema do not wake each other. */
export function notifyChannel(schema: string): string {
  return `belvo_status.${schema}`.slice(0, 63);
}

export interface Listener {
  /** Resolves once the first LISTEN is in place (what is notified from then on is heard). */
  ready: Promise<void>;
  close(): Promise<void>;
}

/**
 * Listens until closed. `onTopic` is called per notification; `onReconnect` after a lost connection came back (what
 * was notified meanwhile is lost, so the caller looks at everything once).
 */
export function listen(
  options: PgConnectionOptions,
  logger: Logger,
  onTopic: (topic: WakeTopic) => void,
  onReconnect: () => void,
  retryMs = 1000,
): Listener {
  const channel = notifyChannel(options.schema);
  let client: pg.Client | undefined;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });

  const connect = async (again: boolean): Promise<void> => {
    if (closed) return;
    const c = new pg.Client(connectionConfig(options));
    c.on('error', () => undefined);
    c.on('end', () => {
      if (closed || client !== c) return;
      client = undefined;
      logger.warn({}, 'database notifications lost: reconnecting');
      timer = setTimeout(() => void connect(true), retryMs);
    });
    c.on('notification', (msg) => {
      if (msg.payload === 'intents' || msg.payload === 'webhooks') onTopic(msg.payload);
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${quoteIdent(channel)}`);
      if (closed) {
        await c.end();
        return;
      }
      client = c;
      markReady();
      if (again) onReconnect();
    } catch {
      await c.end().catch(() => undefined);
      timer = setTimeout(() => void connect(true), retryMs);
    }
  };
  void connect(false);

  return {
    ready,
    async close() {
      closed = true;
      clearTimeout(timer);
      const c = client;
      client = undefined;
      await c?.end().catch(() => undefined);
    },
  };
}
