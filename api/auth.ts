import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type pg from 'pg';
import type { ApiRole, Principal } from '../domain/auth';
import { authenticateApiKey } from '../store/apiKeys';
import { stateOf } from './context';
import { ApiError } from './errors';
import type { Access } from './route';
import { withTimeout } from './timeout';

const KEY_LOOKUP_TIMEOUT_MS = 5_000;

export const BOOTSTRAP_ADMIN: Principal = {
  id: 'bootstrap-admin',
  name: 'bootstrap admin (QUORUM_ADMIN_KEY)',
  roles: ['admin'],
};

/** Hashing first gives equal-length inputs, so the comparison leaks neither content nor length. */
function sameSecret(a: string, b: string): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db);
}

function bearerToken(req: Request): string | undefined {
  const header = req.get('authorization');
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? '';
}

/**
 * Resolves the caller but does not reject yet: the rate limiter runs next and keys on the
 * caller, so failed attempts still count against the client's address.
 */
export function authenticate(db: pg.Pool, adminKey: string | undefined) {
  return async (req: Request, _res: Response, next: NextFunction): Promise<void> => {
    const token = bearerToken(req);
    if (!token) return next();
    if (adminKey !== undefined && sameSecret(token, adminKey)) {
      stateOf(req).principal = BOOTSTRAP_ADMIN;
      return next();
    }
    const record = await withTimeout(
      'PostgreSQL',
      KEY_LOOKUP_TIMEOUT_MS,
      authenticateApiKey(db, token),
    );
    if (record && !record.revokedAt) {
      stateOf(req).principal = { id: `key:${record.id}`, name: record.name, roles: record.roles };
    }
    next();
  };
}

export function authorize(access: Exclude<Access, 'public'>) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    const principal = stateOf(req).principal;
    if (!principal) {
      const presented = req.get('authorization') !== undefined;
      throw new ApiError(
        'unauthenticated',
        presented
          ? 'The API key is unknown or revoked.'
          : 'Send an API key as "Authorization: Bearer <key>".',
      );
    }
    if (!principal.roles.some((r: ApiRole) => access.includes(r))) {
      throw new ApiError('forbidden', 'This API key lacks a role this route accepts.', {
        requiredRoles: access,
      });
    }
    next();
  };
}
