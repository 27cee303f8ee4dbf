import { z } from 'zod';
import { ApiRole } from '../../domain/auth';
import { createApiKey, getApiKey, listApiKeys, revokeApiKey } from '../../store/apiKeys';
import type { ApiDeps } from '../deps';
import { ApiError } from '../errors';
import { route, type AnyRoute } from '../route';

const BASE = '/api/v2/admin/api-keys';
const ADMIN = ['admin'] as const;

/** What callers may see of a key: never its hash, and the secret only in the creation answer. */
const ApiKey = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string().describe('first characters of the key, to recognise it'),
    roles: z.array(ApiRole),
    createdBy: z.string(),
    createdAt: z.string(),
    revokedAt: z.string().nullable(),
    lastUsedAt: z.string().nullable(),
  })
  .meta({ id: 'ApiKey' });

const CreatedApiKey = ApiKey.extend({
  key: z.string().describe('the secret; shown once, store it now'),
}).meta({ id: 'CreatedApiKey' });

const CreateApiKey = z
  .object({
    name: z.string().trim().min(1).max(200),
    roles: z.array(ApiRole).min(1).max(ApiRole.options.length),
  })
  .strict()
  .meta({ id: 'CreateApiKey' });

const KeyId = z.object({ id: z.string().min(1).max(100) });

export function apiKeyRoutes(deps: ApiDeps): AnyRoute[] {
  const { db } = deps;
  return [
    route({
      method: 'post',
      path: BASE,
      tag: 'admin',
      summary: 'Create an API key; the key is in this answer only',
      access: ADMIN,
      action: 'api_key.create',
      request: { body: CreateApiKey },
      responses: { 201: { description: 'Created', schema: CreatedApiKey } },
      handler: async ({ body, principal }) => {
        const { record, key } = await createApiKey(db, {
          name: body.name,
          roles: body.roles,
          createdBy: principal?.id ?? 'unknown',
        });
        return {
          status: 201,
          json: { ...record, key },
          headers: { Location: `${BASE}/${record.id}`, 'Cache-Control': 'no-store' },
          audit: {
            resource: `${BASE}/${record.id}`,
            details: { name: record.name, roles: record.roles },
          },
        };
      },
    }),
    route({
      method: 'get',
      path: BASE,
      tag: 'admin',
      summary: 'List API keys, revoked ones included (never the secrets)',
      access: ADMIN,
      responses: {
        200: { description: 'Newest first', schema: z.object({ apiKeys: z.array(ApiKey) }) },
      },
      handler: async () => ({ status: 200, json: { apiKeys: await listApiKeys(db) } }),
    }),
    route({
      method: 'get',
      path: `${BASE}/{id}`,
      tag: 'admin',
      summary: 'One API key (never the secret)',
      access: ADMIN,
      request: { params: KeyId },
      responses: { 200: { description: 'The key', schema: ApiKey } },
      errors: ['not_found'],
      handler: async ({ params }) => {
        const record = await getApiKey(db, params.id);
        if (!record) throw new ApiError('not_found', 'No such API key.');
        return { status: 200, json: record };
      },
    }),
    route({
      method: 'delete',
      path: `${BASE}/{id}`,
      tag: 'admin',
      summary: 'Revoke an API key; it stops working at once',
      access: ADMIN,
      action: 'api_key.revoke',
      request: { params: KeyId },
      responses: { 204: { description: 'Revoked' } },
      errors: ['not_found'],
      handler: async ({ params }) => {
        const revoked = await revokeApiKey(db, params.id);
        if (!revoked) throw new ApiError('not_found', 'No such active API key.');
        return { status: 204 };
      },
    }),
  ];
}
