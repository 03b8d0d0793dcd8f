import { describe, expect, it } from 'vitest';
import { RATE_LIMIT_PAGE } from '../../../test/fakes/belvo-api.js';
import { httpError, readErrorBody } from './errors.js';

const ctx = { environment: 'production', method: 'GET', path: '/api/institutions/?status=down' };
const RID = '0d6f5e2cb2c84dc6a6c0f8aa7e0b1b8a';

describe('Belvo error bodies', () => {
  it.each([
    ['array', `[{"code":"authentication_failed","message":"Invalid Secret Keys","request_id":"${RID}"}]`, 401],
    [
      'array with field',
      `[{"code":"required","message":"This field is required.","field":"link","request_id":"${RID}"}]`,
      400,
    ],
    ['code without message', `[{"code":"service_unavailable","request_id":"${RID}"}]`, 503],
    ['single object', `{"code":"unexpected_error","message":"boom","request_id":"${RID}"}`, 500],
  ])('%s: code and request_id read', (_, body, status) => {
    const error = httpError(ctx, status, body);
    expect(error.requestId).toBe(RID);
    expect(error.code).toBe(JSON.parse(body).code ?? JSON.parse(body)[0].code);
    expect(error.message).toContain(`(request_id ${RID})`);
  });

  it('{detail} on a 401 is auth, its text quoted', () => {
    const error = httpError(ctx, 401, '{"detail":"Invalid username/password."}');
    expect(error).toMatchObject({ kind: 'auth', status: 401 });
    expect(error.message).toBe(
      'Belvo production: GET /api/institutions/?status=down -> HTTP 401 Invalid username/password.',
    );
  });

  it("a 428 is the link's condition: {detail: Token Required} is token_required, not unexpected", () => {
    const error = httpError(ctx, 428, '{"detail": "Token Required"}');
    expect(error).toMatchObject({ kind: 'link', status: 428, code: 'token_required' });
    expect(error.message).toBe(
      'Belvo production: GET /api/institutions/?status=down -> HTTP 428 token_required: Token Required',
    );
    // The documented body, with its session and code, keeps what it says.
    const documented = `[{"code":"token_required","message":"A MFA token is required by the institution","request_id":"${RID}","session":"${'5'.repeat(32)}","expiry":9600,"link":"16f68516-bcbc-4cf7-b815-c500d4204e28","token_generation_data":{"instructions":"Use the code sent to your phone","type":"numeric","value":null,"expects_user_input":true}}]`;
    expect(httpError(ctx, 428, documented)).toMatchObject({ kind: 'link', code: 'token_required', requestId: RID });
    expect(httpError(ctx, 428, `[{"code":"activation_required","request_id":"${RID}"}]`)).toMatchObject({
      kind: 'link',
      code: 'activation_required',
    });
    expect(httpError(ctx, 428, '').kind).toBe('link');
  });

  it('the HTML 403 page is rate_limited; a JSON 403 is access', () => {
    expect(httpError(ctx, 403, RATE_LIMIT_PAGE).kind).toBe('rate_limited');
    expect(httpError(ctx, 403, '').kind).toBe('rate_limited');
    expect(httpError(ctx, 403, `[{"code":"permission_denied","request_id":"${RID}"}]`).kind).toBe('access');
  });

  it('non-JSON 5xx bodies are belvo errors, an HTML page named as such rather than quoted', () => {
    expect(httpError(ctx, 502, '<html><body>Bad gateway</body></html>').message).toContain(
      'HTTP 502 an HTML page instead of JSON',
    );
    expect(httpError(ctx, 500, 'upstream connect error').message).toContain(
      'HTTP 500 not JSON: upstream connect error',
    );
    expect(httpError(ctx, 504, '').kind).toBe('belvo');
  });

  it('bodies in no shape read as nothing, never throw', () => {
    for (const body of ['', 'null', '[]', '[1]', '{"x":', '"text"', '{"code":42}']) {
      expect(() => readErrorBody(body)).not.toThrow();
      expect(readErrorBody(body).code).toBeUndefined();
    }
  });
});
