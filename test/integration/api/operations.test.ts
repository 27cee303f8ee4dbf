import { Connection } from '@temporalio/client';
import { startMigratedApi, withDatabaseDown } from '../../helpers/apiSuite';
import {
  call,
  closedPort,
  expectEnvelope,
  STACK_FRAME,
  startApi,
  type RunningApi,
} from './harness';

let api: RunningApi;

beforeAll(async () => {
  api = await startMigratedApi();
});
afterAll(() => api.stop());

describe('probes', () => {
  it('answers /healthz without a key', async () => {
    const res = await call(api, 'GET', '/healthz');
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ status: 'ok' });
  });

  it('is ready when Temporal and PostgreSQL answer and migrations are applied', async () => {
    const res = await call(api, 'GET', '/readyz');
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      status: 'ready',
      temporal: { up: true },
      database: { up: true, migrationsApplied: true, pending: [] },
    });
  });

  it('says 503 naming PostgreSQL when the database is down, and keeps serving', async () => {
    await withDatabaseDown(async (down) => {
      const started = Date.now();
      const ready = await call(down, 'GET', '/readyz');
      expect(Date.now() - started).toBeLessThan(5000);
      expectEnvelope(ready, 503, 'unavailable');
      expect(ready.json).toMatchObject({
        error: { details: { down: ['postgresql'], temporal: { up: true } } },
      });

      expect((await call(down, 'GET', '/healthz')).status).toBe(200);
      // the bootstrap key needs no database; the route behind it does
      const list = await call(down, 'GET', '/api/v2/admin/api-keys', { key: down.adminKey });
      expectEnvelope(list, 503, 'unavailable');
      // a stored key cannot be checked without the database: 503, not 401 and not 500
      const stored = await call(down, 'GET', '/api/v2/cr-ai/review/dimensions', {
        key: `qk_${'a'.repeat(43)}`,
      });
      expectEnvelope(stored, 503, 'unavailable');
    });
  });

  it('says 503 naming Temporal when its frontend is unreachable, within the check timeout', async () => {
    // no retry interceptor: a retry timer outliving the test would fire on a closed channel
    const temporal = Connection.lazy({
      address: `127.0.0.1:${await closedPort()}`,
      interceptors: [],
    });
    const down = await startApi({ temporal });
    try {
      const started = Date.now();
      const ready = await call(down, 'GET', '/readyz');
      expect(Date.now() - started).toBeLessThan(5000);
      expectEnvelope(ready, 503, 'unavailable');
      expect(ready.json).toMatchObject({
        error: { details: { down: ['temporal'], database: { up: true } } },
      });
    } finally {
      await down.stop();
      await temporal.close();
    }
  });
});

describe('/metrics', () => {
  it('exports default process metrics and a duration histogram labelled by route pattern', async () => {
    await call(api, 'GET', '/api/v2/admin/api-keys/some-key-id', { key: api.adminKey });
    await call(api, 'GET', '/no/such/route');
    const res = await call(api, 'GET', '/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(res.text).toContain('process_cpu_user_seconds_total');
    expect(res.text).toContain('# TYPE http_request_duration_seconds histogram');
    expect(res.text).toMatch(
      /http_request_duration_seconds_bucket\{le="[^"]+",method="GET",route="\/api\/v2\/admin\/api-keys\/\{id\}",status="404"\}/,
    );
    expect(res.text).toMatch(/route="unmatched",status="404"/);
    expect(res.text).not.toContain('some-key-id');
    expect(res.text).not.toContain('/no/such/route');
  });
});

describe('OpenAPI and docs', () => {
  const EVERY_ROUTE = [
    'get /healthz',
    'get /readyz',
    'get /metrics',
    'get /openapi.json',
    'get /docs',
    'post /api/v2/admin/api-keys',
    'get /api/v2/admin/api-keys',
    'get /api/v2/admin/api-keys/{id}',
    'delete /api/v2/admin/api-keys/{id}',
    'get /api/v2/cr-ai/review/dimensions',
    'get /api/v2/cr-ai/review/guarantees',
    'get /api/v2/cr-ai/cicd/integrations',
    'post /api/v2/cr-ai/review',
    'get /api/v2/cr-ai/review/{id}',
    'get /api/v2/cr-ai/review/{id}/findings',
    'post /api/v2/cr-ai/review/{id}/findings/{findingId}/decision',
    'post /api/v2/cr-ai/review/{id}/findings/{findingId}/feedback',
    'post /api/v2/vc-ai/analysis/analyze-commit',
    'post /api/v2/vc-ai/analysis/analyze-batch',
    'get /api/v2/vc-ai/analysis/{id}',
    'post /api/v2/vc-ai/analysis/{id}/cancel',
    'get /api/v2/vc-ai/versions',
    'get /api/v2/vc-ai/versions/{id}',
    'post /api/v2/vc-ai/versions/release',
    'post /api/v2/vc-ai/versions/{id}/promote',
    'post /api/v2/vc-ai/versions/{id}/pause',
    'post /api/v2/vc-ai/versions/{id}/resume',
    'post /api/v2/vc-ai/versions/{id}/abort',
    'post /api/v2/vc-ai/versions/{id}/approve',
    'get /api/v2/vc-ai/slo/providers',
  ];

  it('serves an OpenAPI 3 document listing every route with its roles and error envelope', async () => {
    const res = await call(api, 'GET', '/openapi.json');
    expect(res.status).toBe(200);
    const doc = res.json as {
      openapi: string;
      paths: Record<string, Record<string, Record<string, unknown>>>;
      components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
    };
    expect(doc.openapi).toMatch(/^3\./);
    const listed = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method} ${path}`),
    );
    expect(listed.sort()).toEqual([...EVERY_ROUTE].sort());
    expect(doc.components.schemas).toHaveProperty('ErrorEnvelope');
    expect(doc.components.schemas).toHaveProperty('CreateApiKey');
    expect(doc.components.securitySchemes).toHaveProperty('bearerAuth');

    const create = doc.paths['/api/v2/admin/api-keys']?.post;
    expect(create?.['x-roles']).toEqual(['admin']);
    expect(Object.keys(create?.responses as object).sort()).toEqual(
      ['201', '400', '401', '403', '413', '415', '429', '500', '503'].sort(),
    );
    expect(doc.paths['/healthz']?.get?.security).toEqual([]);
    const revoke = doc.paths['/api/v2/admin/api-keys/{id}']?.delete;
    expect(Object.keys(revoke?.responses as object)).toContain('404');
    expect(revoke?.parameters).toEqual([
      expect.objectContaining({ name: 'id', in: 'path', required: true }),
    ]);
  });

  it('serves a browsable docs page and its assets from this server, not a CDN', async () => {
    const page = await call(api, 'GET', '/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.text).toContain('swagger-ui');
    expect(page.text).not.toMatch(/(src|href)=["']?(https?:)?\/\//);
    const bundle = await call(api, 'GET', '/docs/swagger-ui-bundle.js');
    expect(bundle.status).toBe(200);
    expect(bundle.text.length).toBeGreaterThan(100_000);
    const init = await call(api, 'GET', '/docs/swagger-ui-init.js');
    expect(init.text).toContain('../openapi.json');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    // swagger-ui-dist's demo page points at the public Petstore; it is not served
    const demo = await call(api, 'GET', '/docs/index.html');
    expectEnvelope(demo, 404, 'not_found');
    expect(demo.json).toMatchObject({ error: { details: { path: '/docs/index.html' } } });
  });
});

describe('request ids and logs', () => {
  it('echoes a sane incoming request id and replaces an unsafe one', async () => {
    const kept = await call(api, 'GET', '/healthz', { headers: { 'x-request-id': 'abc-123.x' } });
    expect(kept.headers.get('x-request-id')).toBe('abc-123.x');
    const replaced = await call(api, 'GET', '/healthz', {
      headers: { 'x-request-id': 'x'.repeat(300) },
    });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('logs one JSON line per request with its id, never the key, query or body', async () => {
    const body = { name: 'log-probe-secret-name', roles: ['reviewer'] };
    const res = await call(api, 'POST', '/api/v2/admin/api-keys?token=query-secret', {
      key: api.adminKey,
      body,
      headers: { 'x-request-id': 'log-probe-1' },
    });
    expect(res.status).toBe(201);
    const line = api.logs.find(
      (l) => (l.req as { id?: unknown } | undefined)?.id === 'log-probe-1',
    );
    expect(line).toMatchObject({
      req: { method: 'POST', path: '/api/v2/admin/api-keys' },
      res: { statusCode: 201 },
      actor: 'bootstrap-admin',
      route: '/api/v2/admin/api-keys',
    });
    const all = JSON.stringify(api.logs);
    expect(all).not.toContain(api.adminKey);
    expect(all).not.toContain('query-secret');
    expect(all).not.toContain('log-probe-secret-name');
    expect(all).not.toContain((res.json as { key: string }).key);
    expect(all).not.toMatch(STACK_FRAME);
  });
});
