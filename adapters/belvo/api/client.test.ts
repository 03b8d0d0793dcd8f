// The Belvo client against the fake Belvo API: what a caller gets back (institutions, links, counts, typed errors)
// and what on-call finds in the logs (request_ids), with retry and pacing delays shrunk so the suite stays fast.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BelvoApiError } from '../../../src/ports/belvo.js';
import type { Logger } from '../../../src/ports/logger.js';
import { type FakeBelvo, type FakeBelvoLink, startFakeBelvo } from '../../../test/fakes/belvo-api.js';
import { type CreateBelvoApiOptions, createBelvoApi } from './client.js';

interface LogRecord {
  level: string;
  msg: string | undefined;
  fields: Record<string, unknown>;
}

function recordingLogger(records: LogRecord[]): Logger {
  const at =
    (level: string) =>
    (fields: object, msg?: string): void => {
      records.push({ level, msg, fields: { ...(fields as Record<string, unknown>) } });
    };
  const logger: Logger = {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: () => logger,
  };
  return logger;
}

/** Retries and pacing in milliseconds instead of seconds; the shape of Belvo's advice is kept. */
const FAST_RETRY = { baseDelayMs: 5, rateLimitedWaitMs: 50 };
const NO_PACING = { requests: 10_000, perMs: 1000, burst: 10_000 };

describe('Belvo API client', () => {
  let belvo: FakeBelvo;
  let logs: LogRecord[];

  beforeEach(async () => {
    belvo = await startFakeBelvo();
    logs = [];
  });
  afterEach(() => belvo.close());

  function client(overrides: Partial<CreateBelvoApiOptions> = {}) {
    return createBelvoApi({
      environment: 'sandbox',
      baseUrl: belvo.url,
      secretKeyId: belvo.secretKeyId,
      secretKeyPassword: belvo.secretKeyPassword,
      timeoutMs: 2000,
      logger: recordingLogger(logs),
      pace: NO_PACING,
      retry: FAST_RETRY,
      ...overrides,
    });
  }

  async function failure(promise: Promise<unknown>): Promise<BelvoApiError> {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BelvoApiError);
    return error as BelvoApiError;
  }

  async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
    const out: T[] = [];
    for await (const item of items) out.push(item);
    return out;
  }

  describe('reading', () => {
    it('ping resolves for good keys, sent as HTTP Basic auth', async () => {
      await client().ping();
      expect(belvo.requests).toMatchObject([{ method: 'GET', path: '/api/', authorized: true, status: 200 }]);
    });

    it('lists 2,500 links in 3 requests of 1000, following next to the end', async () => {
      const seeded = belvo.addLinks(2500, { institution: 'erebor_mx_retail' });
      const links = await collect(client().listLinks());
      expect(links.map((l) => l.id)).toEqual(seeded.map((l) => l.id));
      expect(belvo.requests.map((r) => [r.query['page'], r.query['page_size']])).toEqual([
        [undefined, '1000'],
        ['2', '1000'],
        ['3', '1000'],
      ]);
    });

    it('keeps the filters on every page, because it follows next exactly as given', async () => {
      belvo.addLinks(30, (i) => ({ status: i % 3 === 0 ? 'token_required' : 'valid' }));
      belvo.addLinks(5, { status: 'token_required', institution: 'gringotts_co_retail' });
      const links = await collect(
        client({ pageSize: 4 }).listLinks({ status: 'token_required', institution: 'erebor_mx_retail' }),
      );
      expect(links).toHaveLength(10);
      expect(new Set(links.map((l) => `${l.institution}/${l.status}`))).toEqual(
        new Set(['erebor_mx_retail/token_required']),
      );
      expect(belvo.requests).toHaveLength(3);
      for (const r of belvo.requests) {
        expect(r.query).toMatchObject({ status: 'token_required', institution: 'erebor_mx_retail', page_size: '4' });
      }
    });

    it('clamps a page size above Belvo maximum to 1000', async () => {
      belvo.addLinks(1200, {});
      const links = await collect(client({ pageSize: 5000 }).listLinks());
      expect(links).toHaveLength(1200);
      expect(belvo.requests.map((r) => r.query['page_size'])).toEqual(['1000', '1000']);
    });

    it('counts links with one page_size=1 query', async () => {
      belvo.addLinks(40, (i) => ({ status: i < 7 ? 'invalid' : 'valid' }));
      expect(await client().countLinks({ status: 'invalid' })).toBe(7);
      expect(await client().countLinks()).toBe(40);
      expect(belvo.requests.map((r) => r.query)).toEqual([{ status: 'invalid', page_size: '1' }, { page_size: '1' }]);
    });

    it('maps institutions, keeps unknown statuses and ignores fields it does not know', async () => {
      belvo.addInstitution({ name: 'erebor_mx_retail', display_name: 'Erebor Retail', status: 'down', new_field: 1 });
      belvo.addInstitution({ name: 'gringotts_co_retail', status: 'healthy' });
      belvo.addInstitution({ name: 'moria_br_business', status: 'under_maintenance', country_codes: ['BR'] });
      const api = client();
      expect(await api.listInstitutions({ status: 'down' })).toEqual([
        {
          id: 1,
          name: 'erebor_mx_retail',
          displayName: 'Erebor Retail',
          countryCodes: ['MX'],
          status: 'down',
          type: 'bank',
        },
      ]);
      const all = await api.listInstitutions();
      expect(all.map((i) => i.status)).toEqual(['down', 'healthy', 'under_maintenance']);
    });

    it('keeps of each link what the reconciliation stores, null ids as null, whatever shape its timestamps take', async () => {
      belvo.addLinks(1, { status: 'token_required', external_id: null, institution_user_id: 'user-1' });
      belvo.addLinks(1, { created_at: 'yesterday', last_accessed_at: null, access_mode: null, status: ' ' });
      const [a, b] = await collect(client().listLinks());
      expect(a).toEqual({
        id: expect.any(String),
        institution: 'erebor_mx_retail',
        status: 'token_required',
        externalId: null,
        institutionUserId: 'user-1',
      });
      expect(b).toEqual({
        id: expect.any(String),
        institution: 'erebor_mx_retail',
        status: 'unknown',
        externalId: 'customer-2',
        institutionUserId: expect.any(String),
      });
      expect(logs.filter((l) => l.level === 'warn')).toEqual([]);
    });

    it('skips the links it cannot use, says how many, and lists the rest', async () => {
      // Belvo's JSON as a broken proxy or a changed API might send it: the fake stores whatever it is given.
      const broken = (fields: Record<string, unknown>) => fields as Partial<FakeBelvoLink>;
      const good = belvo.addLinks(2, {});
      belvo.addLinks(1, broken({ id: undefined }));
      belvo.addLinks(1, broken({ id: '' }));
      belvo.addLinks(1, broken({ id: 42 }));
      belvo.addLinks(1, broken({ institution: undefined }));
      belvo.addLinks(1, broken({ institution: { name: 'erebor_mx_retail' } }));
      belvo.addLinks(1, broken({ status: 3 }));
      belvo.addLinks(1, broken({ external_id: 7 }));
      belvo.addLinks(1, broken({ institution_user_id: ['a'] }));
      const last = belvo.addLinks(1, {});
      const links = await collect(client().listLinks());
      expect(links.map((l) => l.id)).toEqual([...good, ...last].map((l) => l.id));
      expect(logs.filter((l) => l.level === 'warn')).toEqual([
        {
          level: 'warn',
          msg: 'Belvo API: skipped links without the fields the bot needs',
          fields: { environment: 'sandbox', what: 'links', skipped: 8 },
        },
      ]);
    });

    it('a 200 that is not a page fails the listing rather than ending it empty', async () => {
      belvo.addLinks(3, {});
      belvo.fail({ status: 200, shape: 'detail', path: '/api/links/' });
      const error = await failure(collect(client().listLinks()));
      expect(error.kind).toBe('unexpected');
      expect(error.message).toContain("HTTP 200 without Belvo's {count, next, results} page");
    });

    it('refuses to follow a next link to another host: the keys stay with the configured origin', async () => {
      await belvo.close();
      belvo = await startFakeBelvo({ linkOrigin: 'https://belvo.attacker.example' });
      belvo.addLinks(3, {});
      const error = await failure(collect(client({ pageSize: 1 }).listLinks()));
      expect(error.kind).toBe('unexpected');
      expect(error.message).toContain('refused to follow "next" to https://belvo.attacker.example');
      expect(belvo.requests).toHaveLength(1);
    });
  });

  describe('errors', () => {
    it('bad keys: auth, with the code and request_id Belvo sent', async () => {
      const error = await failure(client({ secretKeyPassword: 'wrong' }).ping());
      const sent = belvo.requests[0];
      expect(error).toMatchObject({
        kind: 'auth',
        status: 401,
        code: 'authentication_failed',
        requestId: sent?.requestId,
      });
      expect(error.message).toBe(
        `Belvo sandbox: GET /api/ -> HTTP 401 authentication_failed: Invalid Secret Keys (request_id ${sent?.requestId})`,
      );
      expect(belvo.requests).toHaveLength(1); // a 4xx is not retried
    });

    it('bad keys answered with {detail}: still auth', async () => {
      belvo.setAuthErrorShape('detail');
      const error = await failure(client({ secretKeyId: 'other' }).ping());
      expect(error).toMatchObject({ kind: 'auth', status: 401 });
      expect(error.message).toContain('HTTP 401 Invalid Secret Keys');
    });

    it('the HTML 403 page is rate_limited, never a key problem', async () => {
      belvo.fail({ status: 403, shape: 'html' });
      const error = await failure(client({ retry: { ...FAST_RETRY, rateLimitedRetries: 0 } }).ping());
      expect(error).toMatchObject({ kind: 'rate_limited', status: 403 });
      expect(error.code).toBeUndefined();
      expect(error.message).toContain('rate limited (HTML 403 page');
    });

    it('a JSON 403 is an access problem', async () => {
      belvo.fail({ status: 403, code: 'access_to_production_denied' });
      const error = await failure(client().ping());
      expect(error).toMatchObject({ kind: 'access', code: 'access_to_production_denied' });
    });

    it.each([
      [{ status: 400, code: 'institution_down' }, 'institution'],
      [{ status: 400, code: 'login_error' }, 'link'],
      [{ status: 428, code: 'token_required' }, 'link'],
      [{ status: 400, code: 'validation_error', shape: 'code-only' as const }, 'request'],
      [{ status: 404 }, 'not_found'],
      [{ status: 400, shape: 'text' as const }, 'unexpected'],
    ])('%o is %s', async (fault, kind) => {
      belvo.fail(fault);
      const error = await failure(client().countLinks());
      expect(error.kind).toBe(kind);
      expect(error.status).toBe(fault.status);
      if ('code' in fault) expect(error.code).toBe(fault.code);
    });

    it('a 500 without JSON is a Belvo failure, quoted briefly', async () => {
      belvo.fail(...Array.from({ length: 5 }, () => ({ status: 502, shape: 'text' as const, message: 'Bad Gateway' })));
      const error = await failure(client().ping());
      expect(error).toMatchObject({ kind: 'belvo', status: 502 });
      expect(error.message).toContain('HTTP 502 not JSON: 502 Bad Gateway');
    });

    // A second, not less: on a loaded machine a request must reach the fake before the client gives up on it.
    it('no answer in time is a timeout, tried once more', async () => {
      belvo.fail({ hang: true }, { hang: true });
      const error = await failure(client({ timeoutMs: 1000 }).ping());
      expect(error).toMatchObject({
        kind: 'timeout',
        message: 'Belvo sandbox: GET /api/ -> no complete answer within 1000 ms',
      });
      expect(belvo.requests).toHaveLength(2);
      expect(logs.filter((l) => l.msg === 'Belvo API call timed out')).toHaveLength(2);
    });

    it('a connection refused is a network error', async () => {
      const url = belvo.url;
      await belvo.close();
      const error = await failure(client({ baseUrl: url, retry: { ...FAST_RETRY, transportRetries: 0 } }).ping());
      expect(error.kind).toBe('network');
      expect(error.message).toMatch(/ECONNREFUSED/);
    });

    it('a path Belvo does not serve is not_found', async () => {
      const error = await failure(client({ baseUrl: `${belvo.url}/nowhere` }).countLinks());
      expect(error.kind).toBe('not_found');
    });
  });

  describe('retries', () => {
    it('a 500 then a 200 succeeds', async () => {
      belvo.addLinks(3, {});
      belvo.fail({ status: 500, code: 'unexpected_error' });
      expect(await client().countLinks()).toBe(3);
      expect(belvo.requests.map((r) => r.status)).toEqual([500, 200]);
    });

    it('5xx: up to 5 tries with doubling delays; unexpected_error at most 3', async () => {
      belvo.fail(...Array.from({ length: 5 }, () => ({ status: 503, code: 'service_unavailable' })));
      await failure(client({ retry: { ...FAST_RETRY, baseDelayMs: 10 } }).ping());
      expect(belvo.requests).toHaveLength(5);
      const gaps = belvo.requests.slice(1).map((r, i) => r.at - (belvo.requests[i]?.at ?? 0));
      expect(gaps.map((g, i) => g >= 10 * 2 ** i - 2)).toEqual([true, true, true, true]);

      belvo.requests.length = 0;
      belvo.fail(...Array.from({ length: 4 }, () => ({ status: 500, code: 'unexpected_error' })));
      await failure(client().ping());
      expect(belvo.requests).toHaveLength(3);
      expect(belvo.pendingFaults()).toBe(1);
    });

    it('a 400 is not retried; too_many_sessions is', async () => {
      belvo.fail({ status: 400, code: 'invalid' });
      await failure(client().ping());
      expect(belvo.requests).toHaveLength(1);

      belvo.requests.length = 0;
      belvo.fail({ status: 400, code: 'too_many_sessions' });
      await client().ping();
      expect(belvo.requests.map((r) => r.status)).toEqual([400, 200]);
    });

    it('the HTML 403 empties the bucket, waits for it to refill, then tries again', async () => {
      belvo.fail({ status: 403, shape: 'html' });
      await client().ping();
      const [first, second] = belvo.requests;
      expect([first?.status, second?.status]).toEqual([403, 200]);
      expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(45);
    });

    it("stays under the fake's per-IP limit when another caller used it up", async () => {
      belvo.setRateLimit({ limit: 4, windowMs: 500 });
      belvo.addLinks(10, {});
      // Another caller from the same address uses the whole budget first: the next call is refused however fast or
      // slow this machine is.
      for (let i = 0; i < 4; i++) await client().ping();
      // Paced far too fast for this limit on purpose: the 403s must turn into waits, not failures.
      const links = await collect(
        client({ pageSize: 1, retry: { ...FAST_RETRY, rateLimitedWaitMs: 500 } }).listLinks(),
      );
      expect(links).toHaveLength(10);
      expect(belvo.requests.some((r) => r.outcome === 'rate_limited')).toBe(true);
    });
  });

  describe('pacing', () => {
    it('the call after the burst waits for a token instead of failing', async () => {
      const api = client({ pace: { requests: 4, perMs: 400, burst: 4 } });
      const start = Date.now();
      await Promise.all(Array.from({ length: 5 }, () => api.ping()));
      const times = belvo.requests.map((r) => r.at);
      // Four tokens at once; the fifth is only made 100 ms later (400 ms / 4).
      expect(times).toHaveLength(5);
      expect(belvo.requests.every((r) => r.status === 200)).toBe(true);
      expect((times[4] ?? 0) - start).toBeGreaterThanOrEqual(95);
      expect(Math.max(...times.slice(0, 4))).toBeLessThanOrEqual(times[4] ?? 0);
    });

    it('a caller waiting for a token can give up', async () => {
      const api = client({ pace: { requests: 1, perMs: 60_000, burst: 1 } });
      await api.ping();
      const controller = new AbortController();
      const waiting = api.ping(controller.signal);
      controller.abort(new Error('shutting down'));
      await expect(waiting).rejects.toThrow('shutting down');
      expect(belvo.requests).toHaveLength(1);
    });
  });

  describe('logs', () => {
    it('every failed call logs its request_id, status and code, for Belvo support', async () => {
      belvo.fail(
        { status: 400, code: 'invalid', requestId: 'a'.repeat(32) },
        { status: 500, code: 'unexpected_error', requestId: 'b'.repeat(32) },
      );
      await failure(client().countLinks({ status: 'invalid' }));
      await client().ping();
      await failure(client({ secretKeyPassword: 'wrong' }).ping());
      const warnings = logs.filter((l) => l.level === 'warn').map((l) => l.fields);
      expect(warnings).toEqual([
        expect.objectContaining({
          environment: 'sandbox',
          method: 'GET',
          path: '/api/links/?status=invalid&page_size=1',
          status: 400,
          code: 'invalid',
          requestId: 'a'.repeat(32),
          givingUp: true,
        }),
        expect.objectContaining({ status: 500, code: 'unexpected_error', requestId: 'b'.repeat(32), retryInMs: 5 }),
        expect.objectContaining({
          status: 401,
          code: 'authentication_failed',
          requestId: belvo.requests.at(-1)?.requestId,
        }),
      ]);
    });

    it('the keys appear in no log line and no error', async () => {
      const secrets = [belvo.secretKeyId, belvo.secretKeyPassword];
      belvo.fail({ status: 500 }, { hang: true }, { status: 403, shape: 'html' }, { status: 400, code: 'invalid' });
      const api = client({ timeoutMs: 1000, retry: { ...FAST_RETRY, transportRetries: 0, rateLimitedRetries: 0 } });
      const errors = [await failure(api.ping()), await failure(api.ping()), await failure(api.countLinks())];
      const wrongKeys = client({ secretKeyPassword: 'not-the-password-but-secret-too' });
      errors.push(await failure(wrongKeys.ping()));
      const seen = JSON.stringify(logs) + errors.map((e) => `${e.message} ${e.stack} ${JSON.stringify(e)}`).join('\n');
      for (const secret of [...secrets, 'not-the-password-but-secret-too']) expect(seen).not.toContain(secret);
      expect(seen).not.toMatch(/Basic [A-Za-z0-9+/=]{8,}/);
    });
  });
});
