import { startMigratedApi, withApi, withDatabaseDown } from '../../helpers/apiSuite';
import { call, expectEnvelope, STACK_FRAME, type RunningApi } from './harness';

let api: RunningApi;

beforeAll(async () => {
  api = await startMigratedApi({ env: { QUORUM_BODY_LIMIT: '2kb' } });
});
afterAll(() => api.stop());

const KEYS = '/api/v2/admin/api-keys';

describe('bad input gets the envelope, never a 500', () => {
  it('answers malformed JSON with 400 malformed_json', async () => {
    const res = await call(api, 'POST', KEYS, { key: api.adminKey, raw: '{"name": "a", roles' });
    expectEnvelope(res, 400, 'malformed_json');
  });

  it('answers a body over the limit with 413 before parsing it', async () => {
    const res = await call(api, 'POST', KEYS, {
      key: api.adminKey,
      body: { name: 'x'.repeat(4096), roles: ['reviewer'] },
    });
    expectEnvelope(res, 413, 'payload_too_large');
  });

  it('answers a non-JSON body with 415', async () => {
    const res = await call(api, 'POST', KEYS, {
      key: api.adminKey,
      raw: 'name=x&roles=reviewer',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expectEnvelope(res, 415, 'unsupported_media_type');
  });

  it('answers a missing body with 400 invalid_request', async () => {
    const res = await call(api, 'POST', KEYS, { key: api.adminKey });
    expectEnvelope(res, 400, 'invalid_request');
  });

  it('answers unknown routes and methods with 404 not_found', async () => {
    for (const [method, path] of [
      ['GET', '/nope'],
      ['POST', '/api/v2/cr-ai/nothing-here'],
      ['PUT', KEYS],
      ['GET', '/api/v2/admin/api-keys/a/b'],
    ] as const) {
      expectEnvelope(await call(api, method, path, { key: api.adminKey }), 404, 'not_found');
    }
  });

  it('answers an undecodable path parameter with 400', async () => {
    const res = await call(api, 'DELETE', `${KEYS}/%E0%A4%A`, { key: api.adminKey });
    expectEnvelope(res, 400, 'invalid_request');
  });

  it('answers an over-long path parameter with 400 naming the parameter', async () => {
    const res = await call(api, 'GET', `${KEYS}/${'a'.repeat(150)}`, { key: api.adminKey });
    expectEnvelope(res, 400, 'invalid_request');
    expect(res.json).toMatchObject({
      error: { details: [expect.objectContaining({ location: 'params', path: 'id' })] },
    });
  });

  it('never answers with a stack trace or 500, whatever is thrown at it', async () => {
    const attempts = [
      call(api, 'POST', KEYS, { key: api.adminKey, raw: '[1,2' }),
      call(api, 'POST', KEYS, { key: api.adminKey, raw: 'null' }),
      call(api, 'POST', KEYS, { key: api.adminKey, raw: '"just a string"' }),
      call(api, 'POST', KEYS, { key: api.adminKey, body: { name: 1, roles: 'admin' } }),
      call(api, 'POST', KEYS, {
        key: api.adminKey,
        raw: '{}',
        headers: { 'content-type': 'application/json; charset=utf-7' },
      }),
      call(api, 'GET', '/%', {}),
      call(api, 'GET', '/api/v2/cr-ai/review/dimensions', { headers: { authorization: 'Bearer' } }),
      call(api, 'GET', '/api/v2/cr-ai/review/dimensions', {
        headers: { authorization: `Bearer ${'z'.repeat(5000)}` },
      }),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.text).not.toMatch(STACK_FRAME);
      expect(Object.keys(res.json as object)).toEqual(['error']);
    }
  });
});

describe('rate limiting', () => {
  it('answers 429 with retry-after once a key spends its budget, per key', async () => {
    await withApi({ env: { QUORUM_RATE_LIMIT_PER_MINUTE: '3' } }, async (limited) => {
      const path = '/api/v2/cr-ai/review/dimensions';
      for (let i = 0; i < 3; i++) {
        expect((await call(limited, 'GET', path, { key: limited.adminKey })).status).toBe(200);
      }
      const res = await call(limited, 'GET', path, { key: limited.adminKey });
      expectEnvelope(res, 429, 'rate_limited');
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(res.json).toMatchObject({ error: { details: { limitPerMinute: 3 } } });

      // anonymous callers are counted by address, separately from the admin key
      for (let i = 0; i < 3; i++) {
        expectEnvelope(await call(limited, 'GET', path), 401, 'unauthenticated');
      }
      expectEnvelope(await call(limited, 'GET', path), 429, 'rate_limited');
      // probes are never limited
      expect((await call(limited, 'GET', '/healthz')).status).toBe(200);
    });
  });
});

describe('audit failures', () => {
  it('counts an audit entry that could not be written and still answers in the envelope', async () => {
    await withDatabaseDown(async (down) => {
      const res = await call(down, 'POST', KEYS, {
        key: down.adminKey,
        body: { name: 'while-db-down', roles: ['reviewer'] },
      });
      expectEnvelope(res, 503, 'unavailable');
      const metrics = await call(down, 'GET', '/metrics');
      expect(metrics.text).toMatch(
        /quorum_audit_write_failures_total\{action="api_key.create"\} 1/,
      );
      expect(
        down.logs.some((l) => l.msg === 'audit entry could not be written' && l.level === 50),
      ).toBe(true);
    });
  });
});
