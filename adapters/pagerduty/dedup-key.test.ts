import { describe, expect, it } from 'vitest';
import { parseDedupKey } from '../../src/domain/dedup-key.js';
import { DEDUP_KEY_PREFIX, dedupKeyFor } from './dedup-key.js';

describe('dedupKeyFor', () => {
  it('is the fingerprint, readable, under the bot prefix', () => {
    expect(dedupKeyFor('belvo/production/institution/erebor_mx_retail/down')).toBe(
      'belvo-status/belvo/production/institution/erebor_mx_retail/down',
    );
  });

  it('keeps a fingerprint that exactly fills 255 characters as it is', () => {
    const fingerprint = 'f'.repeat(255 - DEDUP_KEY_PREFIX.length);
    expect(dedupKeyFor(fingerprint)).toBe(`${DEDUP_KEY_PREFIX}${fingerprint}`);
  });

  it('hashes a longer fingerprint into at most 255 characters, keeping a readable start', () => {
    const fingerprint = `statuspage/belvo/incident/${'x'.repeat(400)}`;
    const key = dedupKeyFor(fingerprint);
    expect(key.length).toBeLessThanOrEqual(255);
    expect(key.startsWith(`${DEDUP_KEY_PREFIX}statuspage/belvo/incident/xxx`)).toBe(true);
    expect(key).toMatch(/~[0-9a-f]{64}$/);
  });

  it('is the same key for the same fingerprint, and different keys for long ones differing only at the end', () => {
    const base = `belvo/production/links/token_required/${'a'.repeat(300)}`;
    expect(dedupKeyFor(`${base}1`)).toBe(dedupKeyFor(`${base}1`));
    expect(dedupKeyFor(`${base}1`)).not.toBe(dedupKeyFor(`${base}2`));
  });

  it('never cuts a character in half when the readable start ends on an emoji', () => {
    for (let pad = 0; pad < 4; pad++) {
      const key = dedupKeyFor(`${'p'.repeat(pad)}${'🏦'.repeat(200)}`);
      expect(key.length).toBeLessThanOrEqual(255);
      // A lone surrogate does not survive a UTF-8 round trip.
      expect(Buffer.from(key, 'utf8').toString('utf8')).toBe(key);
    }
  });
});

describe('parseDedupKey', () => {
  it('gives back the fingerprint of a readable key, and says a long one was hashed', () => {
    const short = 'belvo/production/institution/erebor_mx_retail/down';
    expect(parseDedupKey(dedupKeyFor(short))).toEqual({ fingerprint: short });
    expect(parseDedupKey(dedupKeyFor(`statuspage/belvo/incident/${'x'.repeat(400)}`))).toEqual({ hashed: true });
    expect(parseDedupKey(dedupKeyFor(`${'p'.repeat(1)}${'🏦'.repeat(200)}`))).toEqual({ hashed: true });
    expect(parseDedupKey('erebor')).toBeUndefined();
    expect(parseDedupKey(DEDUP_KEY_PREFIX)).toBeUndefined();
  });
});
