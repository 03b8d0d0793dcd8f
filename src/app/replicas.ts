// Several replicas on PostgreSQL: every one serves HTTP and delivers; the holder of the leader lease alone polls and
// ticks. Pushes a follower receives (Belvo webhooks, Statuspage pushes) reach the leader through the database's
// notifications, and a commit that queued deliveries wakes every replica's dispatcher. One process on SQLite has none
// of this: it leads for ever.
import type { OpenedStore } from '../cli/open-store.js';
import type { Config } from '../config/schema.js';
import type { Dispatcher } from '../delivery/dispatcher.js';
import { createLeadershipMetrics } from '../http/leadership-metrics.js';
import type { createMetrics } from '../http/metrics.js';
import { Leadership } from '../poll/leadership.js';
import type { PolicyTicker } from '../poll/policy-ticker.js';
import type { Logger } from '../ports/logger.js';
import type { Role } from '../ports/replicas.js';
import type { Sources } from './sources.js';

export interface Replicas {
  /** This replica's part, when there are replicas. */
  role?: () => Role;
  /** Whether leader work (a detector woken by a push) runs here. */
  leads(): boolean;
  /** The leadership token polls and ticks commit under; absent with one process. */
  fence?: () => number | undefined;
  /** A status page's push: polled here when leading, else passed to the leader. */
  pollNow(sourceId: string): boolean;
  /** Starts polling and ticking (one process) or the contest for the lease (replicas). */
  start(parts: { dispatcher: Dispatcher; ticker: PolicyTicker }): Promise<void>;
  stop(): Promise<void>;
}

export function buildReplicas(
  config: Config,
  opened: OpenedStore,
  sources: Sources,
  logger: Logger,
  metrics: ReturnType<typeof createMetrics>,
): Replicas {
  const kit = opened.replicas;
  let ticker: PolicyTicker | undefined;
  if (!kit) {
    return {
      leads: () => true,
      pollNow: (id) => sources.scheduler.pollNow(id),
      async start(parts) {
        ticker = parts.ticker;
        sources.scheduler.start();
        ticker.start();
      },
      async stop() {
        await Promise.all([sources.scheduler.stop(), ticker?.stop()]);
      },
    };
  }
  const leadership = new Leadership({
    lease: kit.lease,
    ttlMs: config.storage.leaderLease,
    logger: logger.child({ component: 'leadership', replica: kit.replicaId }),
    metrics: createLeadershipMetrics(metrics.registry),
    onGain: () => {
      sources.scheduler.start();
      ticker?.start();
    },
    onLose: async () => {
      await Promise.all([sources.scheduler.stop(), ticker?.stop()]);
    },
  });
  const leads = () => leadership.isLeader;
  let listener: { ready: Promise<void>; close(): Promise<void> } | undefined;
  return {
    role: () => leadership.role,
    leads,
    fence: () => leadership.fence(),
    pollNow(id) {
      if (leads()) return sources.scheduler.pollNow(id);
      void kit.notify(`poll:${id}`).catch((err: unknown) => logger.warn({ err }, 'push not passed to the leader'));
      return true;
    },
    async start(parts) {
      ticker = parts.ticker;
      const { dispatcher } = parts;
      listener = kit.listen(
        (topic) => {
          if (topic === 'intents') dispatcher.wake();
          else if (topic === 'webhooks' && leads())
            sources.wakeLinks(config.belvo?.environments.map((e) => e.id) ?? []);
          else if (topic.startsWith('poll:') && leads()) sources.scheduler.pollNow(topic.slice('poll:'.length));
        },
        // Notifications sent while the connection was down are lost: look at the outbox once.
        () => dispatcher.wake(),
      );
      await listener.ready;
      await leadership.start();
    },
    async stop() {
      await leadership.stop();
      await listener?.close();
      await Promise.all([sources.scheduler.stop(), ticker?.stop()]);
    },
  };
}
