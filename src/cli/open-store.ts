// The store the config names: SQLite (one process, the default) or PostgreSQL (one or several replicas). For
// PostgreSQL it also hands over what replicas share: the leader lease, the destinations' pace, wake-ups.
import type { Config } from '../config/schema.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { LeaderLease, SendPacing } from '../ports/replicas.js';
import type { Store } from '../ports/store.js';

export interface ReplicaKit {
  replicaId: string;
  lease: LeaderLease;
  pacing: SendPacing;
  /** Tells every replica (this one included): `intents`, `webhooks`, `poll:<source>`. */
  notify(topic: string): Promise<void>;
  /** Hears what `notify` and the store's commits tell; `onReconnect` after notifications may have been missed. */
  listen(onTopic: (topic: string) => void, onReconnect: () => void): { ready: Promise<void>; close(): Promise<void> };
}

export interface OpenedStore {
  store: Store;
  /** Where the data lives, for logs: a file path or a schema, never a URL (it may hold a password). */
  where: string;
  replicas?: ReplicaKit;
}

export function postgresUrl(config: Config, secrets: Map<string, string>): string {
  const name = config.storage.url?.secretEnv;
  const url = name ? secrets.get(name) : undefined;
  if (!url) throw new Error(`storage.url: $${name ?? 'DATABASE_URL'} is not set (the PostgreSQL connection URL)`);
  return url;
}

/** Builds the store (not yet initialised). */
export async function openStore(
  config: Config,
  secrets: Map<string, string>,
  opts: { clock?: Clock; logger?: Logger; migrate?: boolean } = {},
): Promise<OpenedStore> {
  const storage = config.storage;
  if (storage.driver === 'sqlite') {
    const { createSqliteStore } = await import('../../adapters/sqlite/sqlite-store.js');
    return {
      store: createSqliteStore({ path: storage.path, ...(opts.clock && { clock: opts.clock }) }),
      where: storage.path,
    };
  }
  const { createPostgresStore } = await import('../../adapters/postgres/postgres-store.js');
  const { createPgLeaderLease, createPgPacing } = await import('../../adapters/postgres/replicas.js');
  const { listen } = await import('../../adapters/postgres/notify.js');
  const { silentLogger } = await import('../ports/logger.js');
  const connection = { url: postgresUrl(config, secrets), schema: storage.schema, poolSize: storage.poolSize };
  const store = createPostgresStore({
    ...connection,
    ...(opts.clock && { clock: opts.clock }),
    ...(opts.migrate !== undefined && { migrate: opts.migrate }),
  });
  return {
    store,
    where: `postgres schema ${storage.schema}`,
    replicas: {
      replicaId: store.replicaId,
      lease: createPgLeaderLease(store.pool, store.replicaId),
      pacing: createPgPacing(store.pool),
      async notify(topic) {
        await store.pool().query('SELECT pg_notify($1, $2)', [store.channel, topic]);
      },
      listen: (onTopic, onReconnect) => listen(connection, opts.logger ?? silentLogger, onTopic, onReconnect),
    },
  };
}
