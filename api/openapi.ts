import {
  OpenApiGeneratorV31,
  OpenAPIRegistry,
  type ResponseConfig,
  type RouteConfig,
} from '@asteasolutions/zod-to-openapi';
import { ErrorEnvelope, type ErrorCode, ERROR_STATUS } from './errors';
import type { AnyRoute } from './route';

export type OpenApiDocument = ReturnType<OpenApiGeneratorV31['generateDocument']>;

function errorResponse(codes: ErrorCode[]): ResponseConfig {
  return {
    description: `Error envelope; code is one of: ${codes.join(', ')}`,
    content: { 'application/json': { schema: ErrorEnvelope } },
  };
}

/** The failures a route can answer with, derived from what it declares, so every one is documented. */
function errorResponses(route: AnyRoute): RouteConfig['responses'] {
  const codes: ErrorCode[] = ['internal', ...(route.errors ?? [])];
  if (route.request?.params || route.request?.query || route.request?.body) {
    codes.push('invalid_request');
  }
  if (route.request?.body)
    codes.push('malformed_json', 'payload_too_large', 'unsupported_media_type');
  if (route.access !== 'public') {
    codes.push('unauthenticated', 'forbidden', 'rate_limited', 'unavailable');
  }
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) {
    const status = ERROR_STATUS[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const out: RouteConfig['responses'] = {};
  for (const [status, list] of byStatus) out[status] = errorResponse(list);
  return out;
}

function describe(route: AnyRoute): string {
  const who =
    route.access === 'public' ? 'No authentication.' : `Roles: ${route.access.join(', ')}.`;
  return [route.description, who].filter(Boolean).join('\n\n');
}

export function buildOpenApiDocument(
  routes: AnyRoute[],
  info: { version: string; serverUrl?: string },
): OpenApiDocument {
  const registry = new OpenAPIRegistry();
  const bearer = registry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API key created through /api/v2/admin/api-keys, or QUORUM_ADMIN_KEY.',
  });
  for (const route of routes) {
    const responses: RouteConfig['responses'] = errorResponses(route);
    for (const [status, spec] of Object.entries(route.responses)) {
      const contentType = spec.contentType ?? 'application/json';
      responses[status] = {
        description: spec.description,
        ...(spec.schema || spec.contentType
          ? { content: { [contentType]: spec.schema ? { schema: spec.schema } : {} } }
          : {}),
      };
    }
    registry.registerPath({
      method: route.method,
      path: route.path,
      summary: route.summary,
      description: describe(route),
      tags: [route.tag],
      ...(route.access === 'public'
        ? { security: [] }
        : { security: [{ [bearer.name]: [] }], 'x-roles': [...route.access] }),
      request: {
        params: route.request?.params,
        query: route.request?.query,
        ...(route.request?.body
          ? {
              body: {
                required: true,
                content: { 'application/json': { schema: route.request.body } },
              },
            }
          : {}),
      },
      responses,
    });
  }
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Quorum API',
      version: info.version,
      description:
        'CR-AI (code review) and VC-AI (version control) on Temporal. Every error uses the ' +
        'envelope { error: { code, message, details } }.',
    },
    servers: info.serverUrl ? [{ url: info.serverUrl }] : [],
  });
}
