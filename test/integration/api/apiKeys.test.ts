import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { startMigratedApi } from '../../helpers/apiSuite';
import { call, databaseUrl, expectEnvelope, startApi, type RunningApi } from './harness';

let api: RunningApi;
let db: pg.Pool;

beforeAll(async () => {
  api = await startMigratedApi();
  db = new pg.Pool({ connectionString: databaseUrl(), max: 2 });
});
afterAll(async () => {
  await api.stop();
  await db.end();
});

interface AuditRow {
  actor: string;
  action: string;
  resource: string;
  outcome: string;
  details: Record<string, unknown>;
}

async function auditFor(requestId: string): Promise<AuditRow[]> {
  const res = await db.query<AuditRow>(
    'SELECT actor, action, resource, outcome, details FROM audit_log WHERE request_id = $1',
    [requestId],
  );
  return res.rows;
}

/** Each call gets its own request id so its audit entries can be found. */
function rid(): { 'x-request-id': string } {
  return { 'x-request-id': `apikeys-${randomUUID()}` };
}

async function createKey(roles: string[], name = `test-${randomUUID()}`) {
  const res = await call(api, 'POST', '/api/v2/admin/api-keys', {
    key: api.adminKey,
    body: { name, roles },
  });
  expect(res.status).toBe(201);
  return res.json as { id: string; key: string; name: string; roles: string[]; prefix: string };
}

describe('authentication and roles', () => {
  it('answers 401 without a key and with an unknown key', async () => {
    const none = await call(api, 'GET', '/api/v2/cr-ai/review/dimensions');
    expectEnvelope(none, 401, 'unauthenticated');
    expect(none.headers.get('www-authenticate')).toContain('Bearer');
    const unknown = await call(api, 'GET', '/api/v2/cr-ai/review/dimensions', {
      key: `qk_${'x'.repeat(43)}`,
    });
    expectEnvelope(unknown, 401, 'unauthenticated');
    const garbage = await call(api, 'GET', '/api/v2/cr-ai/review/dimensions', {
      headers: { authorization: 'Basic dXNlcjpwYXNz' },
    });
    expectEnvelope(garbage, 401, 'unauthenticated');
  });

  it('answers 403 when the key lacks a role the route accepts', async () => {
    const reviewer = await createKey(['reviewer']);
    const res = await call(api, 'GET', '/api/v2/admin/api-keys', { key: reviewer.key });
    expectEnvelope(res, 403, 'forbidden');
  });

  it('accepts QUORUM_ADMIN_KEY as the bootstrap admin', async () => {
    const res = await call(api, 'GET', '/api/v2/admin/api-keys', { key: api.adminKey });
    expect(res.status).toBe(200);
    const almost = await call(api, 'GET', '/api/v2/admin/api-keys', { key: `${api.adminKey}x` });
    expectEnvelope(almost, 401, 'unauthenticated');
  });
});

describe('API key lifecycle', () => {
  it('creates a reviewer key shown once, lists it without secrets, and revokes it', async () => {
    const name = `reviewer-${randomUUID()}`;
    const created = await call(api, 'POST', '/api/v2/admin/api-keys', {
      key: api.adminKey,
      body: { name, roles: ['reviewer'] },
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('cache-control')).toBe('no-store');
    const key = created.json as { id: string; key: string; prefix: string };
    expect(key).toMatchObject({ name, roles: ['reviewer'], createdBy: 'bootstrap-admin' });
    expect(key.key).toMatch(/^qk_/);
    expect(key.key.startsWith(key.prefix)).toBe(true);
    expect(created.headers.get('location')).toBe(`/api/v2/admin/api-keys/${key.id}`);

    const works = await call(api, 'GET', '/api/v2/cr-ai/review/dimensions', { key: key.key });
    expect(works.status).toBe(200);

    const list = await call(api, 'GET', '/api/v2/admin/api-keys', { key: api.adminKey });
    expect(list.status).toBe(200);
    const listed = (list.json as { apiKeys: Record<string, unknown>[] }).apiKeys;
    const mine = listed.find((k) => k.id === key.id);
    expect(mine).toMatchObject({ name, roles: ['reviewer'], revokedAt: null });
    expect(Object.keys(mine ?? {}).sort()).toEqual(
      ['createdAt', 'createdBy', 'id', 'lastUsedAt', 'name', 'prefix', 'revokedAt', 'roles'].sort(),
    );
    expect(list.text).not.toContain(key.key);
    expect(list.text).not.toMatch(/[0-9a-f]{64}/);

    const one = await call(api, 'GET', `/api/v2/admin/api-keys/${key.id}`, { key: api.adminKey });
    expect(one.status).toBe(200);
    expect(one.text).not.toContain(key.key);

    const revoked = await call(api, 'DELETE', `/api/v2/admin/api-keys/${key.id}`, {
      key: api.adminKey,
    });
    expect(revoked.status).toBe(204);
    expect(revoked.text).toBe('');
    const stopped = await call(api, 'GET', '/api/v2/cr-ai/review/dimensions', { key: key.key });
    expectEnvelope(stopped, 401, 'unauthenticated');

    const again = await call(api, 'DELETE', `/api/v2/admin/api-keys/${key.id}`, {
      key: api.adminKey,
    });
    expectEnvelope(again, 404, 'not_found');
  });

  it('lets a created admin key manage keys itself', async () => {
    const admin = await createKey(['admin']);
    const res = await call(api, 'POST', '/api/v2/admin/api-keys', {
      key: admin.key,
      body: { name: `by-admin-${randomUUID()}`, roles: ['auditor', 'release-engineer'] },
    });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({
      createdBy: `key:${admin.id}`,
      roles: ['auditor', 'release-engineer'],
    });
  });

  it('rejects a key request with unknown roles, no roles or extra fields', async () => {
    for (const body of [
      { name: 'x', roles: ['root'] },
      { name: 'x', roles: [] },
      { name: '', roles: ['reviewer'] },
      { name: 'x', roles: ['reviewer'], hash: 'abc' },
    ]) {
      const res = await call(api, 'POST', '/api/v2/admin/api-keys', { key: api.adminKey, body });
      expectEnvelope(res, 400, 'invalid_request');
      expect((res.json as { error: { details: unknown[] } }).error.details).toEqual(
        expect.arrayContaining([expect.objectContaining({ location: 'body' })]),
      );
    }
  });
});

describe('CR-AI reference endpoints', () => {
  it('lists the 7 dimensions with their targets, critical ones marked', async () => {
    const { key } = await createKey(['auditor']);
    const res = await call(api, 'GET', '/api/v2/cr-ai/review/dimensions', { key });
    expect(res.status).toBe(200);
    const { dimensions } = res.json as {
      dimensions: { dimension: string; precision: number; recall: number; critical: boolean }[];
    };
    expect(dimensions).toHaveLength(7);
    expect(dimensions.find((d) => d.dimension === 'security')).toEqual({
      dimension: 'security',
      precision: 0.95,
      recall: 0.98,
      critical: true,
    });
    expect(dimensions.filter((d) => d.critical).map((d) => d.dimension)).toEqual([
      'correctness',
      'security',
    ]);
    expect(dimensions.find((d) => d.dimension === 'documentation')).toMatchObject({
      precision: 0.8,
      recall: 0.75,
    });
  });

  it('states the guarantees with measured values null until an evaluation exists', async () => {
    const { key } = await createKey(['reviewer']);
    const res = await call(api, 'GET', '/api/v2/cr-ai/review/guarantees', { key });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      falsePositiveRate: { target: 0.02, comparison: 'at_most', measured: null },
      falseNegativeRate: { target: 0.05, comparison: 'at_most', measured: null },
      determinism: { target: true, measured: null },
      measuredAt: null,
    });
  });

  it('reports which SCM integrations are configured without echoing secrets', async () => {
    const secrets = {
      GITHUB_TOKEN: 'ghp_secret_token_value',
      GITHUB_WEBHOOK_SECRET: 'hook-s3cret',
    };
    const scm = await startApi({ env: { ...secrets, GITLAB_TOKEN: 'glpat-only-token' } });
    try {
      const res = await call(scm, 'GET', '/api/v2/cr-ai/cicd/integrations', { key: scm.adminKey });
      expect(res.status).toBe(200);
      const { integrations } = res.json as {
        integrations: { provider: string; configured: boolean; missing: string[] }[];
      };
      expect(integrations.map((i) => [i.provider, i.configured])).toEqual([
        ['github', true],
        ['gitlab', false],
        ['bitbucket', false],
        ['azure-devops', false],
      ]);
      expect(integrations[1]?.missing).toEqual(['GITLAB_WEBHOOK_SECRET']);
      for (const value of [...Object.values(secrets), 'glpat-only-token']) {
        expect(res.text).not.toContain(value);
      }
    } finally {
      await scm.stop();
    }
  });
});

describe('audit log', () => {
  it('appends an entry for every state change, success or failure', async () => {
    const create = rid();
    const created = await call(api, 'POST', '/api/v2/admin/api-keys', {
      key: api.adminKey,
      body: { name: `audited-${randomUUID()}`, roles: ['reviewer'] },
      headers: create,
    });
    const id = (created.json as { id: string }).id;
    expect(await auditFor(create['x-request-id'])).toEqual([
      {
        actor: 'bootstrap-admin',
        action: 'api_key.create',
        resource: `/api/v2/admin/api-keys/${id}`,
        outcome: 'success',
        details: expect.objectContaining({ status: 201, roles: ['reviewer'] }),
      },
    ]);

    const revoke = rid();
    await call(api, 'DELETE', `/api/v2/admin/api-keys/${id}`, {
      key: api.adminKey,
      headers: revoke,
    });
    expect(await auditFor(revoke['x-request-id'])).toEqual([
      expect.objectContaining({ action: 'api_key.revoke', outcome: 'success' }),
    ]);

    const missing = rid();
    await call(api, 'DELETE', `/api/v2/admin/api-keys/${randomUUID()}`, {
      key: api.adminKey,
      headers: missing,
    });
    expect(await auditFor(missing['x-request-id'])).toEqual([
      expect.objectContaining({
        action: 'api_key.revoke',
        outcome: 'failure',
        details: { status: 404, error: 'not_found' },
      }),
    ]);

    const malformed = rid();
    await call(api, 'POST', '/api/v2/admin/api-keys', {
      key: api.adminKey,
      raw: '{"name": ',
      headers: malformed,
    });
    expect(await auditFor(malformed['x-request-id'])).toEqual([
      expect.objectContaining({
        outcome: 'failure',
        details: { status: 400, error: 'malformed_json' },
      }),
    ]);
  });

  it('records denied attempts on state-changing routes with who tried', async () => {
    const anonymous = rid();
    await call(api, 'POST', '/api/v2/admin/api-keys', {
      body: { name: 'nope', roles: ['admin'] },
      headers: anonymous,
    });
    expect(await auditFor(anonymous['x-request-id'])).toEqual([
      expect.objectContaining({ actor: 'anonymous', action: 'api_key.create', outcome: 'denied' }),
    ]);

    const reviewer = await createKey(['reviewer']);
    const forbidden = rid();
    await call(api, 'DELETE', `/api/v2/admin/api-keys/${reviewer.id}`, {
      key: reviewer.key,
      headers: forbidden,
    });
    expect(await auditFor(forbidden['x-request-id'])).toEqual([
      expect.objectContaining({
        actor: `key:${reviewer.id}`,
        action: 'api_key.revoke',
        resource: `/api/v2/admin/api-keys/${reviewer.id}`,
        outcome: 'denied',
        details: { status: 403, error: 'forbidden' },
      }),
    ]);
  });

  it('does not audit reads', async () => {
    const read = rid();
    await call(api, 'GET', '/api/v2/admin/api-keys', { key: api.adminKey, headers: read });
    expect(await auditFor(read['x-request-id'])).toEqual([]);
  });
});
