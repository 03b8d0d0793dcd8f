// Starting a node:http server and keeping track of its sockets, shared by the bot's server and the local fakes.
import type { Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** Listens, rejecting on a bind error (port taken) instead of emitting it later; resolves with the port and base URL. */
export async function listen(server: Server, port: number, host: string): Promise<{ port: number; url: string }> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  return { port: bound, url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}` };
}

/** The server's open sockets, so a close can end hung requests at once instead of waiting for them. */
export function trackSockets(server: Server): Set<Socket> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return sockets;
}
