import { createHash } from 'node:crypto';
import type pg from 'pg';
import {
  authenticateApiKey,
  createApiKey,
  getApiKey,
  listApiKeys,
  revokeApiKey,
} from '../../../store/apiKeys';
import { migratedPool, uniqueHex } from './testDb';

// jest ignores testTimeout inside a project entry, and the CPUs here are shared
jest.setTimeout(60_000);

let pool: pg.Pool;
beforeAll(async () => {
  pool = await migratedPool();
});
afterAll(async () => {
  await pool.end();
});

describe('api keys', () => {
  it('shows the key once and stores only its SHA-256 and a short prefix', async () => {
    const name = `ci-${uniqueHex()}`;
    const { record, key } = await createApiKey(pool, {
      name,
      roles: ['reviewer', 'auditor'],
      createdBy: 'bootstrap-admin',
    });
    expect(key).toMatch(/^qk_[A-Za-z0-9_-]{43}$/);
    expect(record).toMatchObject({
      name,
      roles: ['reviewer', 'auditor'],
      createdBy: 'bootstrap-admin',
      prefix: key.slice(0, 10),
      revokedAt: null,
      lastUsedAt: null,
    });
    expect(JSON.stringify(record)).not.toContain(key.slice(10));

    const row = await pool.query<Record<string, unknown>>('SELECT * FROM api_keys WHERE id = $1', [
      record.id,
    ]);
    expect(row.rows[0]?.key_hash).toBe(createHash('sha256').update(key).digest('hex'));
    expect(JSON.stringify(row.rows[0])).not.toContain(key.slice(10));
  });

  it('authenticates the right key and returns null for a wrong or malformed one', async () => {
    const { record, key } = await createApiKey(pool, {
      name: `auth-${uniqueHex()}`,
      roles: ['release-engineer'],
      createdBy: 'test',
    });
    const found = await authenticateApiKey(pool, key);
    expect(found?.id).toBe(record.id);
    expect(found?.roles).toEqual(['release-engineer']);

    const lastChar = key.endsWith('A') ? 'B' : 'A';
    expect(await authenticateApiKey(pool, key.slice(0, -1) + lastChar)).toBeNull();
    expect(await authenticateApiKey(pool, 'qk_short')).toBeNull();
    expect(await authenticateApiKey(pool, '')).toBeNull();
  });

  it('records last use at most once a minute', async () => {
    const { record, key } = await createApiKey(pool, {
      name: `used-${uniqueHex()}`,
      roles: ['reviewer'],
      createdBy: 'test',
    });
    const first = await authenticateApiKey(pool, key);
    expect(first?.lastUsedAt).toEqual(expect.any(String));
    const second = await authenticateApiKey(pool, key);
    expect(second?.lastUsedAt).toBe(first?.lastUsedAt);
    expect((await getApiKey(pool, record.id))?.lastUsedAt).toBe(first?.lastUsedAt);
  });

  it('stops accepting a revoked key and reports whether revoke did anything', async () => {
    const { record, key } = await createApiKey(pool, {
      name: `revoke-${uniqueHex()}`,
      roles: ['admin'],
      createdBy: 'test',
    });
    expect(await revokeApiKey(pool, record.id)).toBe(true);
    expect(await authenticateApiKey(pool, key)).toBeNull();
    expect(await revokeApiKey(pool, record.id)).toBe(false);
    expect(await revokeApiKey(pool, 'no-such-key')).toBe(false);
    expect((await getApiKey(pool, record.id))?.revokedAt).toEqual(expect.any(String));
  });

  it('lists keys with their revocation state and finds one by id', async () => {
    const a = await createApiKey(pool, {
      name: `list-a-${uniqueHex()}`,
      roles: ['reviewer'],
      createdBy: 't',
    });
    const b = await createApiKey(pool, {
      name: `list-b-${uniqueHex()}`,
      roles: ['auditor'],
      createdBy: 't',
    });
    await revokeApiKey(pool, b.record.id);
    const all = await listApiKeys(pool);
    const byId = new Map(all.map((r) => [r.id, r]));
    expect(byId.get(a.record.id)?.revokedAt).toBeNull();
    expect(byId.get(b.record.id)?.revokedAt).toEqual(expect.any(String));
    expect(await getApiKey(pool, a.record.id)).toEqual(a.record);
    expect(await getApiKey(pool, 'missing')).toBeNull();
  });

  it('refuses a key without roles or with an unknown role', async () => {
    await expect(createApiKey(pool, { name: 'x', roles: [], createdBy: 't' })).rejects.toThrow();
    await expect(
      // @ts-expect-error: an unknown role must be rejected at run time too
      createApiKey(pool, { name: 'x', roles: ['root'], createdBy: 't' }),
    ).rejects.toThrow();
  });
});
