// Who sent a request: the TCP peer, or, behind a proxy we trust, the right-most address of X-Forwarded-For that is
// not one of our proxies. Left-of-that entries are written by the client and prove nothing.
import { BlockList, isIP } from 'node:net';

/** `::ffff:1.2.3.4` (an IPv4 peer on a dual-stack socket) is 1.2.3.4; `[::1]:80` and `1.2.3.4:80` lose the port. */
export function normalizeAddress(raw: string): string | undefined {
  let a = raw.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(a);
  if (bracketed) a = bracketed[1]!;
  else if (/^[\d.]+:\d+$/.test(a)) a = a.slice(0, a.lastIndexOf(':'));
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(a);
  if (mapped) a = mapped[1]!;
  return isIP(a) ? a.toLowerCase() : undefined;
}

/** A set of addresses and CIDR ranges (`10.0.0.0/8`, `fd00::/8`); throws on an entry that is neither. */
export class AddressSet {
  private readonly list = new BlockList();
  readonly size: number;

  constructor(entries: readonly string[], what: string) {
    for (const entry of entries) {
      const [base = '', bits, ...rest] = entry.trim().split('/');
      const address = normalizeAddress(base);
      const prefix = bits === undefined ? undefined : Number(bits);
      const family = address && isIP(address) === 6 ? 'ipv6' : 'ipv4';
      const max = family === 'ipv6' ? 128 : 32;
      if (
        !address ||
        rest.length > 0 ||
        (prefix !== undefined && !(Number.isInteger(prefix) && prefix >= 0 && prefix <= max))
      ) {
        throw new Error(`${what}: ${JSON.stringify(entry)} is not an IP address or CIDR range`);
      }
      if (prefix === undefined) this.list.addAddress(address, family);
      else this.list.addSubnet(address, prefix, family);
    }
    this.size = entries.length;
  }

  has(address: string | undefined): boolean {
    if (!address) return false;
    return this.list.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
  }
}

/** The address to judge the request by; undefined when it cannot be told (a garbled header from a trusted proxy). */
export function clientAddress(
  peer: string | undefined,
  forwardedFor: string | string[] | undefined,
  trustedProxies: AddressSet,
): string | undefined {
  const direct = peer === undefined ? undefined : normalizeAddress(peer);
  // No proxy trusted (the default): the peer it is, without asking the (empty) list.
  if (!direct || trustedProxies.size === 0 || forwardedFor === undefined || !trustedProxies.has(direct)) return direct;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor)
    .split(',')
    .map((h) => h.trim())
    .filter((h) => h !== '');
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = normalizeAddress(hops[i]!);
    if (!hop) return undefined;
    if (!trustedProxies.has(hop)) return hop;
  }
  // Every hop is one of our proxies: the request started inside; the left-most is the closest we know to its origin.
  return hops.length > 0 ? normalizeAddress(hops[0]!) : direct;
}
