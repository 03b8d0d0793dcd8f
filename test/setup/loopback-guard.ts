// Fails any attempt to open a TCP connection to a host that is not this machine: the tests run against local
// fakes only, and a test that silently reached the internet would pass here and fail everywhere else.
import net from 'node:net';

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|::1|::ffff:127(?:\.\d{1,3}){3})$/i;

export function isLoopbackHost(host: string | undefined): boolean {
  if (host === undefined || host === '') return true; // Node defaults to localhost
  return LOOPBACK.test(host.replace(/^\[|\]$/g, ''));
}

const originalConnect = net.Socket.prototype.connect;

function hostOf(args: unknown[]): string | undefined {
  const first = args[0];
  if (Array.isArray(first)) return hostOf(first);
  if (first !== null && typeof first === 'object') {
    const opts = first as { host?: string; path?: string };
    if (opts.path) return 'localhost'; // unix socket
    return opts.host;
  }
  if (typeof first === 'string' && Number.isNaN(Number(first))) return 'localhost'; // unix socket path
  return typeof args[1] === 'string' ? args[1] : undefined;
}

net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: unknown[]) {
  const host = hostOf(args);
  if (!isLoopbackHost(host)) {
    throw new Error(`test network guard: refused a connection to non-loopback host ${host}`);
  }
  return (originalConnect as (...a: unknown[]) => net.Socket).apply(this, args);
} as typeof net.Socket.prototype.connect;
