// The one HTTP server: health, readiness, metrics, and whatever routes adapters mount.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../ports/logger.js';
import { listen } from './listen.js';
import { noRefusals, type Refusals } from './refusals.js';
import { type RouteResponse, Router } from './router.js';

/** The route label of a request no route matched (its path is never a label: scanners would make it unbounded). */
const UNMATCHED = '(unmatched)';

export class BodyTooLargeError extends Error {
  readonly code = 'body_too_large';
}

export interface HttpServerOptions {
  host: string;
  port: number;
  bodyLimitBytes: number;
  logger: Logger;
  /** Told of every 4xx answer (counted and logged, rate-limited). */
  refusals?: Refusals;
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      reject(new BodyTooLargeError(`body over ${limit} bytes`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        // Stop keeping it, answer 413 (the response closes the connection), and let the rest drain unread.
        req.off('data', onData);
        req.resume();
        reject(new BodyTooLargeError(`body over ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, out: RouteResponse, head: boolean): void {
  if (out.stream) {
    res.writeHead(out.status, out.headers);
    if (head) res.end();
    else out.stream(res);
    return;
  }
  let body: string | Buffer | undefined;
  const headers: Record<string, string> = { ...out.headers };
  if (out.body === undefined) body = undefined;
  else if (typeof out.body === 'string' || Buffer.isBuffer(out.body)) body = out.body;
  else {
    body = JSON.stringify(out.body);
    headers['content-type'] ??= 'application/json; charset=utf-8';
  }
  if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
  res.writeHead(out.status, headers);
  res.end(head ? undefined : body);
}

export class HttpServer {
  readonly router = new Router();
  private server?: Server;
  private readonly refusals: Refusals;

  constructor(private readonly opts: HttpServerOptions) {
    this.refusals = opts.refusals ?? noRefusals;
  }

  /** Sends the answer; a 4xx is a refusal, counted under the route's pattern and the answer's error code. */
  private answer(res: ServerResponse, route: string, out: RouteResponse, head: boolean): void {
    if (out.status >= 400 && out.status < 500) {
      const code = out.body && typeof out.body === 'object' && 'error' in out.body ? out.body.error : undefined;
      this.refusals.refused(route, typeof code === 'string' ? code : `http_${out.status}`, out.status, out.refusal);
    }
    send(res, out, head);
  }

  async listen(): Promise<AddressInfo> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        // Last resort: a request must never take the bot down.
        this.opts.logger.error({ err }, 'request handling failed');
        if (!res.headersSent) send(res, { status: 500, body: { error: 'internal_error' } }, false);
        else res.destroy();
      });
    });
    server.keepAliveTimeout = 65_000; // longer than common load balancers' idle timeout
    this.server = server;
    await listen(server, this.opts.port, this.opts.host);
    return server.address() as AddressInfo;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    let found: ReturnType<Router['match']>;
    try {
      found = this.router.match(method, new URL(req.url ?? '/', 'http://localhost').pathname);
    } catch {
      // An unparsable URL or a malformed %-escape: the client's mistake, never ours.
      this.answer(res, UNMATCHED, { status: 400, body: { error: 'malformed_url' } }, false);
      return;
    }
    if (found === 404 || found === 405) {
      const error = found === 404 ? 'not_found' : 'method_not_allowed';
      this.answer(res, UNMATCHED, { status: found, body: { error } }, false);
      return;
    }
    try {
      const out = await found.handler({
        req,
        params: found.params,
        body: () => readBody(req, this.opts.bodyLimitBytes),
      });
      this.answer(res, found.route, out, method === 'HEAD');
    } catch (err) {
      if (err instanceof BodyTooLargeError) {
        const body = { error: 'body_too_large', limit: this.opts.bodyLimitBytes };
        this.answer(res, found.route, { status: 413, headers: { connection: 'close' }, body }, false);
        return;
      }
      // Never a stack trace to the caller. The route pattern, not the path: a path can carry a secret token.
      this.opts.logger.error({ err, route: found.route }, 'request failed');
      if (!res.headersSent) send(res, { status: 500, body: { error: 'internal_error' } }, false);
      else res.destroy();
    }
  }
}
