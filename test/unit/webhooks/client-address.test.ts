import { describe, expect, it } from 'vitest';
import { AddressSet, clientAddress, normalizeAddress } from '../../../src/webhooks/client-address.js';

describe('client address', () => {
  it('normalises IPv4-mapped IPv6, ports and brackets; refuses what is no address', () => {
    expect(normalizeAddress('::ffff:3.130.254.46')).toBe('3.130.254.46');
    expect(normalizeAddress('3.130.254.46:443')).toBe('3.130.254.46');
    expect(normalizeAddress('[2001:DB8::1]:80')).toBe('2001:db8::1');
    expect(normalizeAddress('unknown')).toBeUndefined();
    expect(normalizeAddress('')).toBeUndefined();
  });

  it('matches addresses and CIDR ranges, and names a bad entry', () => {
    const set = new AddressSet(['3.130.254.46', '10.0.0.0/8', 'fd00::/8'], 'trusted proxies');
    expect(set.has('3.130.254.46')).toBe(true);
    expect(set.has('10.200.1.2')).toBe(true);
    expect(set.has('fd12::1')).toBe(true);
    expect(set.has('11.0.0.1')).toBe(false);
    expect(set.has(undefined)).toBe(false);
    expect(() => new AddressSet(['10.0.0.0/33'], 'trusted proxies')).toThrow(/trusted proxies: "10.0.0.0\/33"/);
    expect(() => new AddressSet(['lb.internal'], 'trusted proxies')).toThrow(/not an IP address/);
  });

  it('believes X-Forwarded-For only from a trusted peer, taking the right-most hop that is not a proxy', () => {
    const proxies = new AddressSet(['10.0.0.0/8'], 'p');
    const none = new AddressSet([], 'p');
    expect(clientAddress('::ffff:10.0.0.5', '6.6.6.6, 3.130.254.46, 10.0.0.9', proxies)).toBe('3.130.254.46');
    expect(clientAddress('10.0.0.5', ['6.6.6.6', '3.130.254.46'], proxies)).toBe('3.130.254.46');
    expect(clientAddress('10.0.0.5', undefined, proxies)).toBe('10.0.0.5');
    expect(clientAddress('10.0.0.5', 'garbage', proxies)).toBeUndefined();
    expect(clientAddress('10.0.0.5', '10.0.0.1, 10.0.0.2', proxies)).toBe('10.0.0.1');
    expect(clientAddress('6.6.6.6', '3.130.254.46', none)).toBe('6.6.6.6');
  });
});
