import { describe, expect, it } from 'vitest';
import { belvoBaseUrl, productionUrlWarning } from './base-url.js';

describe('Belvo base URLs', () => {
  it('production and sandbox know their hosts; a configured url wins', () => {
    expect(belvoBaseUrl({ id: 'production' })).toBe('https://api.belvo.com');
    expect(belvoBaseUrl({ id: 'sandbox' })).toBe('https://sandbox.belvo.com');
    expect(belvoBaseUrl({ id: 'sandbox', url: 'http://127.0.0.1:9000/' })).toBe('http://127.0.0.1:9000');
    expect(belvoBaseUrl({ id: 'staging', url: 'https://belvo-proxy.internal' })).toBe('https://belvo-proxy.internal');
  });

  it('another environment without url is a clear error', () => {
    expect(() => belvoBaseUrl({ id: 'staging' })).toThrow('Belvo environment "staging" needs a url');
  });

  it('warns when production does not call https://api.belvo.com', () => {
    expect(productionUrlWarning({ id: 'production' })).toBeUndefined();
    expect(productionUrlWarning({ id: 'production', url: 'https://api.belvo.com/' })).toBeUndefined();
    expect(productionUrlWarning({ id: 'sandbox', url: 'http://127.0.0.1:9000' })).toBeUndefined();
    expect(productionUrlWarning({ id: 'production', url: 'https://sandbox.belvo.com' })).toBe(
      'Belvo environment "production" calls https://sandbox.belvo.com, not https://api.belvo.com: Belvo\'s checklist asks production to use https://api.belvo.com with production keys',
    );
  });
});
