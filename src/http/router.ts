// A tiny router on node:http: exact paths and `:param` segments. Adapters mount their routes here (Slack events,
// Discord interactions, Belvo webhooks) so everything is served on one port.
import type { ServerResponse } from 'node:http';
import type { Handler, RouteMounter } from '../ports/http-routes.js';

export type { Handler, RouteRequest, RouteResponse } from '../ports/http-routes.js';

interface Route {
  method: string;
  parts: string[];
  handler: Handler;
}

export class Router implements RouteMounter {
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
