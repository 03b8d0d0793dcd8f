// The routes an adapter mounts on the bot's one HTTP server (Slack events, Discord interactions): what a handler is
// given and answers, and where it is added. The router that serves them is src/http/router.ts.
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface RouteRequest {
  req: IncomingMessage;
  params: Record<string, string>;
  /** The raw body, read up to the server's limit (signatures are computed over these exact bytes). */
  body: () => Promise<Buffer>;
}

export interface RouteResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer | object;
  /** Why a request was refused (4xx), for the bot's own log line; never sent to the caller, never a secret. */
  refusal?: string;
  /**
   * A response that stays open (server-sent events): called after the status and headers are written, instead of
   * sending `body`; it writes and ends the response itself (the server closes it on shutdown).
   */
  stream?: (res: ServerResponse) => void;
}

export type Handler = (r: RouteRequest) => Promise<RouteResponse> | RouteResponse;

/** Where routes are added: the bot's one router. */
export interface RouteMounter {
  add(method: string, path: string, handler: Handler): unknown;
}
