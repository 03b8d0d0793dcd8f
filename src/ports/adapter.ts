// The one shape every chat or paging adapter has, as the composition root sees it: built by one factory from its own
// config slice and the shared deps, it hands over its notifiers, names its destinations, resolves the ones people
// subscribe from chat, mounts its routes on the bot's server and starts and stops its own connections.
import type { Clock } from './clock.js';
import type { RouteMounter } from './http-routes.js';
import type { Logger } from './logger.js';
import type { Notifier } from './notifier.js';
import type { PagerUpdates } from './pager-updates.js';
import type { SeenRequests } from './seen-requests.js';

export interface AdapterDeps {
  /** A secret's value by its environment variable name (`secretEnv:`); empty when unset. */
  secret(env: string): string;
  logger: Logger;
  clock: Clock;
  /** The incident's page on the bot's web page (`web.publicUrl`), linked from chat messages; absent without one. */
  incidentUrl?: (alertId: string) => string;
  /** Signed requests already accepted (replay protection that survives a restart): the store. */
  seen?: SeenRequests;
  /** What a pager's own app did to its pages (its webhooks), applied to the alerts; for paging adapters. */
  pagerUpdates?: PagerUpdates;
}

export interface Adapter {
  /** Notifiers for the config's destinations this adapter owns. */
  readonly notifiers: Notifier[];
  /** The destination key a config destination of this adapter is stored and delivered under; undefined if not its own. */
  destinationKey(destination: { id: string; type: string } & Record<string, unknown>): string | undefined;
  /** A notifier for a destination subscribed from chat (`slack:C0123`), when this adapter owns it. */
  resolve(destination: string): Notifier | undefined;
  /** Adds the routes it serves (Slack events, Discord interactions) to the bot's HTTP server. */
  mount(router: RouteMounter): void;
  /** Opens its own connections (Slack Socket Mode, Discord's gateway) once the bot serves. */
  start(): Promise<void>;
  /**
   * The state of the connections it opened (`discord-gateway: connected`), for /readyz to show. Informational: a
   * chat connection being down does not make the bot unready (alerts and webhooks do not depend on it).
   */
  connections?(): Record<string, string>;
  stop(): Promise<void>;
}

/** What an adapter with nothing to mount, resolve, start or stop answers. */
export const PASSIVE: Pick<Adapter, 'resolve' | 'mount' | 'start' | 'stop'> = {
  resolve: () => undefined,
  mount: () => {},
  start: async () => {},
  stop: async () => {},
};
