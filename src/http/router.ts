// A tiny router on node:http: exact paths and `:param` segments. Adapters mount their routes here (Slack events,
// Discord interactions, Belvo webhooks) so everything is served on one port.
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
  /**
   * A response that stays open (server-sent events): called after the status and headers are written, instead of
   * sending `body`; it writes and ends the response itself (the server closes it on shutdown).
   */
  stream?: (res: ServerResponse) => void;
}

export type Handler = (r: RouteRequest) => Promise<RouteResponse> | RouteResponse;

interface Route {
  method: string;
  parts: string[];
  handler: Handler;
}

export class Router {
  private readonly routes: Route[] = [];

  add(method: string, path: string, handler: Handler): this {
    this.routes.push({ method: method.toUpperCase(), parts: path.split('/').filter(Boolean), handler });
    return this;
  }

  /** The handler for a request, `405` when the path exists with another method, `404` otherwise. */
  /** Throws URIError on a malformed %-escape in a parameter (the server answers 400). */
  match(
    method: string,
    pathname: string,
  ): { handler: Handler; params: Record<string, string>; route: string } | 404 | 405 {
    const parts = pathname.split('/').filter(Boolean);
    let pathExists = false;
    for (const route of this.routes) {
      if (route.parts.length !== parts.length) continue;
      const params: Record<string, string> = {};
      const ok = route.parts.every((p, i) => {
        const actual = parts[i] ?? '';
        if (p.startsWith(':')) {
          params[p.slice(1)] = decodeURIComponent(actual);
          return true;
        }
        return p === actual;
      });
      if (!ok) continue;
      pathExists = true;
      if (route.method === method || (route.method === 'GET' && method === 'HEAD')) {
        return { handler: route.handler, params, route: `/${route.parts.join('/')}` };
      }
    }
    return pathExists ? 405 : 404;
  }
}

export type { ServerResponse };
