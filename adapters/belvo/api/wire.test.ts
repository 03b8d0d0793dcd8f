// One item of Belvo's links listing as the reconciliation reads it: what is kept, and what is too broken to use.
import { describe, expect, it } from 'vitest';
import { toLink } from './wire.js';

const item = {
  id: 'a1b2c3d4-0000-4000-8000-000000000001',
  institution: 'erebor_mx_retail',
  status: 'valid',
  external_id: 'customer-1',
  institution_user_id: 'user-1',
  access_mode: 'recurrent',
  created_at: '2024-07-07T22:40:48.712917Z',
  last_accessed_at: null,
  refresh_rate: '24h',
};

describe('toLink', () => {
  it('keeps id, institution, status and the two user ids; nothing else', () => {
    expect(toLink(item)).toEqual({
      id: item.id,
      institution: 'erebor_mx_retail',
      status: 'valid',
      externalId: 'customer-1',
      institutionUserId: 'user-1',
    });
  });

  it('a missing or blank status is unknown; missing user ids stay missing, null ones null', () => {
    const { status: _s, external_id: _e, institution_user_id: _u, ...bare } = item;
    expect(toLink(bare)).toEqual({ id: item.id, institution: 'erebor_mx_retail', status: 'unknown' });
    expect(toLink({ ...item, status: '  ', external_id: null, institution_user_id: null })).toMatchObject({
      status: 'unknown',
      externalId: null,
      institutionUserId: null,
    });
  });

  it('fields the bot never reads do not matter, whatever their shape', () => {
    expect(toLink({ ...item, created_at: 17, last_accessed_at: { at: 'now' }, access_mode: [] })).toBeDefined();
  });

  it.each([
    ['null', null],
    ['a string', 'a1b2c3d4'],
    ['an array', [item]],
    ['no id', { ...item, id: undefined }],
    ['an empty id', { ...item, id: '' }],
    ['a numeric id', { ...item, id: 12 }],
    ['no institution', { ...item, institution: undefined }],
    ['an empty institution', { ...item, institution: '' }],
    ['a status that is not text', { ...item, status: { code: 'valid' } }],
    ['an external_id that is not text', { ...item, external_id: 12 }],
    ['an institution_user_id that is not text', { ...item, institution_user_id: false }],
  ])('%s is too broken to use', (_what, broken) => {
    expect(toLink(broken)).toBeUndefined();
  });
});
