import type { Request, Response } from 'express';
import type { z } from 'zod';
import type { ApiRole, Principal } from '../domain/auth';
import type { ErrorCode } from './errors';

/**
 * A route is data: method, path, roles, zod schemas and a handler. The same object is mounted
 * on Express and written into the OpenAPI document, so the docs cannot drift from the code.
 */

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export const STATE_CHANGING: ReadonlySet<Method> = new Set(['post', 'put', 'patch', 'delete']);

/** `public` routes skip authentication and rate limiting (probes, metrics, docs). */
export type Access = 'public' | readonly [ApiRole, ...ApiRole[]];

export interface ResponseSpec {
  description: string;
  /** JSON bodies are parsed through this on the way out: unknown fields never leave */
  schema?: z.ZodType;
  /** non-JSON bodies (metrics text, docs HTML) */
  contentType?: string;
}

export interface HandlerContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  /** null only on public routes */
  principal: Principal | null;
  requestId: string;
  req: Request;
  res: Response;
}

export interface Reply {
  status: number;
  json?: unknown;
  /** a non-JSON body, sent with the content type declared for this status */
  text?: string;
  headers?: Record<string, string>;
  /** sharpen the audit entry of a state-changing route */
  audit?: { resource?: string; details?: Record<string, unknown> };
}

export interface RouteSpec<
  P extends z.ZodObject = z.ZodObject,
  Q extends z.ZodObject = z.ZodObject,
  B extends z.ZodType = z.ZodType,
> {
  method: Method;
  /** OpenAPI style: `/api/v2/admin/api-keys/{id}` */
  path: string;
  summary: string;
  description?: string;
  tag: string;
  access: Access;
  /** audit action for state-changing routes, e.g. `api_key.create` */
  action?: string;
  request?: { params?: P; query?: Q; body?: B };
  responses: Record<number, ResponseSpec>;
  /** errors the handler raises itself (auth, validation and limits are documented for you) */
  errors?: ErrorCode[];
  handler(ctx: HandlerContext<z.output<P>, z.output<Q>, z.output<B>>): Promise<Reply> | Reply;
}

export type AnyRoute = RouteSpec<z.ZodObject, z.ZodObject, z.ZodType>;

/** Identity at runtime; exists so handler arguments are inferred from the schemas. */
export function route<
  P extends z.ZodObject = z.ZodObject,
  Q extends z.ZodObject = z.ZodObject,
  B extends z.ZodType = z.ZodType,
>(spec: RouteSpec<P, Q, B>): AnyRoute {
  return spec;
}

/** `/a/{id}/b` → `/a/:id/b` for Express. */
export function expressPath(path: string): string {
  return path.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, ':$1');
}
