import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { ApiRole } from '../domain/auth';
import type { Queryable } from './db';

/**
 * API keys are 256 random bits shown once; only their SHA-256 is stored. A fast hash is right
 * here: there is nothing to brute-force in a random 256-bit secret, and authentication stays a
 * single indexed lookup, so timing reveals nothing about how much of a guess matched.
 */

export interface ApiKeyRecord {
  id: string;
  name: string;
  /** the first characters of the key, enough for a user to recognise it */
  prefix: string;
  roles: ApiRole[];
  createdBy: string;
  createdAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

export const API_KEY_PREFIX = 'qk_';
const KEY_PATTERN = /^qk_[A-Za-z0-9_-]{43}$/;
const SHOWN_PREFIX_LENGTH = 10;
const LAST_USED_RESOLUTION_MS = 60_000;

interface ApiKeyRow {
  id: string;
  name: string;
  prefix: string;
  roles: string[];
  created_by: string;
  created_at: Date;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

const COLUMNS = 'id, name, prefix, roles, created_by, created_at, revoked_at, last_used_at';

function toRecord(r: ApiKeyRow): ApiKeyRecord {
  return {
    id: r.id,
    name: r.name,
    prefix: r.prefix,
    // a role removed from the code since the key was made grants nothing
    roles: r.roles.filter((role): role is ApiRole => ApiRole.safeParse(role).success),
    createdBy: r.created_by,
    createdAt: r.created_at.toISOString(),
    revokedAt: r.revoked_at?.toISOString() ?? null,
    lastUsedAt: r.last_used_at?.toISOString() ?? null,
  };
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export async function createApiKey(
  db: Queryable,
  input: { name: string; roles: ApiRole[]; createdBy: string },
): Promise<{ record: ApiKeyRecord; key: string }> {
  const roles = [...new Set(ApiRole.array().min(1).parse(input.roles))];
  const key = API_KEY_PREFIX + randomBytes(32).toString('base64url');
  const res = await db.query<ApiKeyRow>(
    `INSERT INTO api_keys (id, name, prefix, key_hash, roles, created_by)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
    [
      randomUUID(),
      input.name,
      key.slice(0, SHOWN_PREFIX_LENGTH),
      hashApiKey(key),
      roles,
      input.createdBy,
    ],
  );
  const row = res.rows[0];
  if (!row) throw new Error('api_keys: insert returned no row');
  return { record: toRecord(row), key };
}

/** The key's record when it is valid and not revoked, else null. */
export async function authenticateApiKey(db: Queryable, key: string): Promise<ApiKeyRecord | null> {
  if (!KEY_PATTERN.test(key)) return null;
  const res = await db.query<ApiKeyRow>(
    `SELECT ${COLUMNS} FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL`,
    [hashApiKey(key)],
  );
  const row = res.rows[0];
  if (!row) return null;
  const record = toRecord(row);
  const lastUsed = row.last_used_at?.getTime() ?? 0;
  // At most one write a minute per key: last_used_at is for humans, not for accounting.
  if (Date.now() - lastUsed >= LAST_USED_RESOLUTION_MS) {
    const touched = await db.query<{ last_used_at: Date }>(
      `UPDATE api_keys SET last_used_at = now()
       WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')
       RETURNING last_used_at`,
      [row.id],
    );
    const at = touched.rows[0]?.last_used_at;
    if (at) record.lastUsedAt = at.toISOString();
  }
  return record;
}

/** Newest first, revoked keys included (with revokedAt set). */
export async function listApiKeys(db: Queryable): Promise<ApiKeyRecord[]> {
  const res = await db.query<ApiKeyRow>(
    `SELECT ${COLUMNS} FROM api_keys ORDER BY created_at DESC, id`,
  );
  return res.rows.map(toRecord);
}

export async function getApiKey(db: Queryable, id: string): Promise<ApiKeyRecord | null> {
  const res = await db.query<ApiKeyRow>(`SELECT ${COLUMNS} FROM api_keys WHERE id = $1`, [id]);
  const row = res.rows[0];
  return row ? toRecord(row) : null;
}

/** True when this call revoked the key; false when it does not exist or was already revoked. */
export async function revokeApiKey(db: Queryable, id: string): Promise<boolean> {
  const res = await db.query(
    'UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL',
    [id],
  );
  return (res.rowCount ?? 0) > 0;
}
