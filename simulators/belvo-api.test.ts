// The fake Belvo API itself, spoken to with plain fetch: the wire shapes the client and pollers are tested against.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeBelvo, RATE_LIMIT_PAGE, startFakeBelvo } from './belvo-api.js';

interface Page {
  count: number;
  next: string | null;
  previous: string | null;
  results: Record<string, unknown>[];
}

describe('fake Belvo API', () => {
  let belvo: FakeBelvo;
  /** How far a test moved the fake's clock ahead of the machine's. */
  let ahead = 0;
  beforeEach(async () => {
    ahead = 0;
    belvo = await startFakeBelvo({ now: () => Date.now() + ahead });
  });
  afterEach(() => belvo.close());

  const basic = (id = belvo.secretKeyId, password = belvo.secretKeyPassword) =>
    `Basic ${Buffer.from(`${id}:${password}`).toString('base64')}`;

  async function get(pathOrUrl: string, authorization: string | null = basic()) {
    const url = pathOrUrl.startsWith('http') ? pathOrUrl : `${belvo.url}${pathOrUrl}`;
    const res = await fetch(url, { headers: authorization ? { authorization } : {} });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, type: res.headers.get('content-type'), text, json, headers: res.headers };
  }

  it('answers GET /api/ for good keys, 401 with the array shape and a request_id for bad ones', async () => {
    expect((await get('/api/')).status).toBe(200);
    const bad = await get('/api/', basic(belvo.secretKeyId, 'nope'));
    expect(bad.status).toBe(401);
    expect(bad.json).toEqual([
      {
        code: 'authentication_failed',
        message: 'Invalid Secret Keys',
        request_id: expect.stringMatching(/^[0-9a-f]{32}$/),
      },
    ]);
    expect(belvo.requests.at(-1)).toMatchObject({ authorized: false, outcome: 'auth_failed', status: 401 });
    expect(belvo.requests.at(-1)?.requestId).toBe((bad.json as { request_id: string }[])[0]?.request_id);
  });

  it('can answer bad keys with the {detail} shape instead', async () => {
    belvo.setAuthErrorShape('detail');
    expect((await get('/api/', basic('x', 'y'))).json).toEqual({ detail: 'Invalid Secret Keys' });
    expect((await get('/api/', null)).json).toEqual({ detail: 'Authentication credentials were not provided.' });
  });

  it('paginates like Belvo: count, absolute next/previous carrying the filters, page_size default 100, max 1000', async () => {
    belvo.addLinks(250, { status: 'valid' });
    belvo.addLinks(1500, { status: 'invalid', institution: 'gringotts_co_retail' });

    const first = (await get('/api/links/?status=valid')).json as Page;
    expect(first.count).toBe(250);
    expect(first.results).toHaveLength(100);
    expect(first.previous).toBeNull();
    expect(first.next).toBe(`${belvo.url}/api/links/?status=valid&page=2`);

    const second = (await get(first.next ?? '')).json as Page;
    expect(second.previous).toBe(`${belvo.url}/api/links/?status=valid`);
    const third = (await get(second.next ?? '')).json as Page;
    expect(third.results).toHaveLength(50);
    expect(third.next).toBeNull();

    const clamped = (await get('/api/links/?page_size=5000&institution=gringotts_co_retail')).json as Page;
    expect(clamped.results).toHaveLength(1000);
    expect(clamped.next).toBe(`${belvo.url}/api/links/?page_size=5000&institution=gringotts_co_retail&page=2`);

    expect((await get('/api/links/?page=99')).status).toBe(404);
  });

  it('filters links by status, status__in and institution; counts with page_size=1', async () => {
    belvo.addLinks(6, (i) => ({ status: ['valid', 'invalid', 'token_required'][i % 3] ?? 'valid' }));
    belvo.addLinks(2, { status: 'token_required', institution: 'moria_br_business' });
    const count = async (query: string) => ((await get(`/api/links/?page_size=1&${query}`)).json as Page).count;
    expect(await count('status=token_required')).toBe(4);
    expect(await count('status__in=invalid,token_required')).toBe(6);
    expect(await count('status=token_required&institution=moria_br_business')).toBe(2);
    expect(await count('unknown_filter=1')).toBe(8);
  });

  it('filters institutions by status, country_code and name, and changes their status on command', async () => {
    belvo.addInstitution({ name: 'erebor_mx_retail' });
    belvo.addInstitution({ name: 'gringotts_co_retail' });
    belvo.setInstitutionStatus('gringotts_co_retail', 'down');
    const names = async (query: string) =>
      ((await get(`/api/institutions/?${query}`)).json as Page).results.map((i) => i['name']);
    expect(await names('status=down')).toEqual(['gringotts_co_retail']);
    expect(await names('country_code=MX')).toEqual(['erebor_mx_retail']);
    expect(await names('name=erebor_mx_retail')).toEqual(['erebor_mx_retail']);
    const one = (await get('/api/institutions/2/')).json as Record<string, unknown>;
    expect(one).toMatchObject({ name: 'gringotts_co_retail', status: 'down', country_codes: ['CO'] });
  });

  it('seeds links with Belvo fields and changes their status', async () => {
    const [a, b] = belvo.addLinks(2, { institution: 'erebor_mx_retail' });
    expect(a).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      status: 'valid',
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/),
    });
    expect(a?.institution_user_id).toHaveLength(44);
    expect(belvo.setLinkStatus([a?.id ?? ''], 'token_required')).toBe(1);
    expect(belvo.setLinkStatus((l) => l.id === b?.id, 'invalid')).toBe(1);
    expect(belvo.links().map((l) => l.status)).toEqual(['token_required', 'invalid']);
  });

  it('answers the HTML 403 page over 80 requests per window, until the window passes', async () => {
    // The window is read from the fake's clock, which the test moves: a loaded machine cannot make it pass early.
    belvo.setRateLimit({ limit: 3, windowMs: 30_000 });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await get('/api/')).status);
    expect(statuses).toEqual([200, 200, 200, 403]);
    const limited = await get('/api/');
    expect(limited.text).toBe(RATE_LIMIT_PAGE);
    expect(limited.type).toBe('text/html');
    ahead = 25_000;
    expect((await get('/api/')).status).toBe(403);
    ahead = 60_000;
    expect((await get('/api/')).status).toBe(200);
    belvo.setRateLimit({ enabled: false });
    for (let i = 0; i < 5; i++) expect((await get('/api/')).status).toBe(200);
  });

  it('fails the next requests as told, in order, optionally only on one path', async () => {
    belvo.fail(
      { status: 500, code: 'unexpected_error', requestId: 'f'.repeat(32) },
      { status: 400, code: 'too_many_sessions', shape: 'code-only', path: '/api/links/' },
      { status: 403 },
      { status: 503, shape: 'text', retryAfter: 7 },
      { status: 401, shape: 'detail', message: 'Invalid token.' },
    );
    const first = await get('/api/');
    expect(first).toMatchObject({ status: 500 });
    expect(first.json).toEqual([{ code: 'unexpected_error', message: expect.any(String), request_id: 'f'.repeat(32) }]);
    const links = await get('/api/links/');
    expect(links.json).toEqual([{ code: 'too_many_sessions', request_id: expect.any(String) }]);
    expect((await get('/api/')).text).toBe(RATE_LIMIT_PAGE);
    const text = await get('/api/');
    expect([text.status, text.type, text.headers.get('retry-after')]).toEqual([503, 'text/plain', '7']);
    expect((await get('/api/')).json).toEqual({ detail: 'Invalid token.' });
    expect((await get('/api/')).status).toBe(200);
    expect(belvo.requests.map((r) => r.outcome)).toEqual(['fault', 'fault', 'fault', 'fault', 'fault', 'ok']);
  });

  it('can leave a request unanswered, and closes it on close()', async () => {
    belvo.fail({ hang: true });
    const hung = await fetch(`${belvo.url}/api/`, {
      headers: { authorization: basic() },
      signal: AbortSignal.timeout(100),
    }).catch((e: Error) => e.name);
    expect(hung).toBe('TimeoutError');
    expect(belvo.requests[0]).toMatchObject({ outcome: 'hung', status: undefined });
  });
});
