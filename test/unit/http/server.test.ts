import net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HttpServer } from '../../../src/http/server.js';
import type { Logger } from '../../../src/ports/logger.js';

/** Sends raw bytes (so malformed requests reach the server as written) and returns the status line. */
function raw(port: number, text: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let out = '';
    socket.on('data', (d) => {
      out += d.toString();
    });
    socket.on('close', () => resolve(out.split('\r\n')[0] ?? ''));
    socket.on('error', (e) => resolve(`error ${(e as NodeJS.ErrnoException).code}`));
    socket.write(text);
    setTimeout(() => socket.end(), 200);
  });
}

describe('HTTP server', () => {
  let server: HttpServer;
  let port: number;
  const logged: Record<string, unknown>[] = [];
  const logger: Logger = {
    debug() {},
    info() {},
    warn() {},
    error: (obj) => logged.push(obj as Record<string, unknown>),
    child: () => logger,
  };

  beforeEach(async () => {
    logged.length = 0;
    server = new HttpServer({ host: '127.0.0.1', port: 0, bodyLimitBytes: 1000, logger });
    server.router.add('POST', '/hooks/:secret', async ({ body }) => ({
      status: 202,
      body: { bytes: (await body()).length },
    }));
    server.router.add('GET', '/boom/:secret', () => {
      throw new Error('handler bug');
    });
    port = (await server.listen()).port;
  });
  afterEach(() => server.close());

  it('a malformed %-escape or an unparsable URL gets 400 and the server stays up', async () => {
    expect(await raw(port, 'POST /hooks/%E0%A4%A HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n')).toBe(
      'HTTP/1.1 400 Bad Request',
    );
    expect(await raw(port, 'GET http://[x/healthz HTTP/1.1\r\nHost: x\r\n\r\n')).toBe('HTTP/1.1 400 Bad Request');
    const ok = await fetch(`http://127.0.0.1:${port}/hooks/abc`, { method: 'POST', body: 'hello' });
    expect(ok.status).toBe(202);
    expect(await ok.json()).toEqual({ bytes: 5 });
  });

  it('a body over the limit gets 413, declared or chunked', async () => {
    const declared = await fetch(`http://127.0.0.1:${port}/hooks/abc`, { method: 'POST', body: 'x'.repeat(5000) });
    expect(declared.status).toBe(413);
    const chunk = `400\r\n${'x'.repeat(1024)}\r\n`;
    const chunked = `POST /hooks/abc HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n${chunk.repeat(3)}0\r\n\r\n`;
    expect(await raw(port, chunked)).toBe('HTTP/1.1 413 Payload Too Large');
  });

  it('a failing handler gets 500 without details, and the log names the route, not the path', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/boom/s3cret-token-in-path`);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: 'internal_error' });
    expect(logged).toHaveLength(1);
    expect(logged[0]?.route).toBe('/boom/:secret');
    expect(JSON.stringify(logged)).not.toContain('s3cret-token-in-path');
  });

  it('unknown paths get 404 and known paths with another method 405', async () => {
    expect((await fetch(`http://127.0.0.1:${port}/nope`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${port}/hooks/abc`)).status).toBe(405);
  });
});
