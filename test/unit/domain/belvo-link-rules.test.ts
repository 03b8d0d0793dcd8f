import { describe, expect, it } from 'vitest';
import {
  applyListing,
  codeForStatus,
  isWebhookTransition,
  linkStatusFromWebhook,
} from '../../../src/domain/belvo-link-rules.js';

describe("a webhook's link status", () => {
  it.each([
    ['LINK', 'token_required', 'link-1', 'token_required'],
    ['LINK', 'invalid_credentials', 'link-1', 'invalid'],
    ['LINK', 'link_created', 'link-1', undefined],
    ['LINK', 'token_required', undefined, undefined],
    ['TRANSACTIONS', 'token_required', 'link-1', undefined],
    ['LINK', 'hasOwnProperty', 'link-1', undefined],
  ])('%s %s (link %s) puts the link in %s', (type, code, linkId, status) => {
    const got = linkStatusFromWebhook({ type, code, ...(linkId && { linkId }) });
    expect(got?.status).toBe(status);
    if (got) expect(got).toEqual({ linkId, code, status });
  });

  it.each([
    [undefined, 'token_required', true],
    [{ status: 'valid' }, 'token_required', true],
    [{ status: 'token_required' }, 'token_required', false],
    [{ status: 'token_required' }, 'invalid', true],
  ])('from %j, %s is a transition: %s', (before, status, transition) => {
    expect(isWebhookTransition(before, status)).toBe(transition);
  });
});

describe('the link event a status means', () => {
  it.each([
    ['token_required', 'token_required'],
    ['invalid', 'invalid_credentials'],
    ['valid', undefined],
    ['unconfirmed', undefined],
  ])('%s -> %s', (status, code) => {
    expect(codeForStatus(status)).toBe(code);
  });
});

describe("a reconciliation's listing", () => {
  const LISTED_AT = 10_000;

  it.each([
    {
      case: 'a link seen for the first time is history, not a change',
      before: undefined,
      listed: 'token_required',
      want: { status: 'token_required', statusChangedAt: LISTED_AT, changed: false },
    },
    {
      case: 'a known link found in token_required is a transition',
      before: { status: 'valid', statusChangedAt: 1_000 },
      listed: 'token_required',
      want: { status: 'token_required', statusChangedAt: LISTED_AT, changed: true, eventCode: 'token_required' },
    },
    {
      case: 'a known link found invalid is a transition',
      before: { status: 'valid', statusChangedAt: 1_000 },
      listed: 'invalid',
      want: { status: 'invalid', statusChangedAt: LISTED_AT, changed: true, eventCode: 'invalid_credentials' },
    },
    {
      case: 're-connected: a change, but nothing detectors count',
      before: { status: 'token_required', statusChangedAt: 1_000 },
      listed: 'valid',
      want: { status: 'valid', statusChangedAt: LISTED_AT, changed: true },
    },
    {
      case: 'the same status keeps the time it changed',
      before: { status: 'valid', statusChangedAt: 1_000 },
      listed: 'valid',
      want: { status: 'valid', statusChangedAt: 1_000, changed: false },
    },
    {
      case: 'a webhook newer than the listing wins',
      before: { status: 'token_required', statusChangedAt: 12_000, lastEventAt: 12_000 },
      listed: 'valid',
      want: { status: 'token_required', statusChangedAt: 12_000, changed: false },
    },
    {
      case: 'a webhook older than the listing does not',
      before: { status: 'token_required', statusChangedAt: 9_000, lastEventAt: 9_000 },
      listed: 'valid',
      want: { status: 'valid', statusChangedAt: LISTED_AT, changed: true },
    },
    {
      case: 'a webhook at the very moment of the listing does not',
      before: { status: 'token_required', statusChangedAt: LISTED_AT, lastEventAt: LISTED_AT },
      listed: 'valid',
      want: { status: 'valid', statusChangedAt: LISTED_AT, changed: true },
    },
  ])('$case', ({ before, listed, want }) => {
    expect(applyListing(before, { status: listed }, LISTED_AT)).toEqual(want);
  });
});
