import express, {
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
} from 'express';
import type { z } from 'zod';
import type { Auditor } from './audit';
import { authorize } from './auth';
import { stateOf } from './context';
import { ApiError } from './errors';
import { expressPath, type AnyRoute, type Reply } from './route';

export interface MountOptions {
  authenticate: RequestHandler;
  rateLimit: RequestHandler;
  bodyLimit: string;
  auditor: Auditor;
}

const JSON_TYPES = ['application/json', 'application/*+json'];

function issuesOf(location: string, error: z.ZodError): unknown[] {
  return error.issues.map((i) => ({
    location,
    path: i.path.map(String).join('.'),
    message: i.message,
  }));
}

function hasBody(req: Request): boolean {
  return (
    req.headers['transfer-encoding'] !== undefined ||
    Number(req.headers['content-length'] ?? '0') > 0
  );
}

/** Only routes that declare a body parse one, and only after the caller is known. */
function jsonBody(limit: string): RequestHandler[] {
  const parse = express.json({ limit, type: JSON_TYPES, strict: true });
  const requireJson: RequestHandler = (req, _res, next) => {
    if (hasBody(req) && !req.is(JSON_TYPES)) {
      throw new ApiError('unsupported_media_type', 'Send the body as application/json.', {
        contentType: req.get('content-type') ?? null,
      });
    }
    next();
  };
  return [requireJson, parse];
}

/** Sends a handler's reply: outgoing JSON goes through the declared schema, then audit, then bytes. */
export async function sendReply(
  req: Request,
  res: Response,
  route: AnyRoute,
  reply: Reply,
  auditor: Auditor,
): Promise<void> {
  const spec = route.responses[reply.status];
  if (!spec) throw new Error(`${route.method} ${route.path} answered undeclared ${reply.status}`);
  let json = reply.json;
  if (json !== undefined && spec.schema) {
    const parsed = spec.schema.safeParse(json);
    if (!parsed.success) {
      throw new Error(`${route.method} ${route.path} broke its ${reply.status} schema`, {
        cause: parsed.error,
      });
    }
    json = parsed.data;
  }
  if (reply.audit) stateOf(req).audit = reply.audit;
  await auditor.record(req, reply.status);
  res.status(reply.status);
  for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
  if (json !== undefined) {
    res.json(json);
  } else if (reply.text !== undefined) {
    res.type(spec.contentType ?? 'text/plain').send(reply.text);
  } else {
    res.end();
  }
}

function validateAndHandle(route: AnyRoute, auditor: Auditor): RequestHandler {
  return async (req: Request, res: Response) => {
    const parts = { params: req.params, query: req.query, body: req.body as unknown };
    const values: Record<string, unknown> = { params: {}, query: {}, body: undefined };
    const problems: unknown[] = [];
    for (const location of ['params', 'query', 'body'] as const) {
      const schema = route.request?.[location];
      if (!schema) continue;
      const parsed = schema.safeParse(parts[location]);
      if (parsed.success) values[location] = parsed.data;
      else problems.push(...issuesOf(location, parsed.error));
    }
    if (problems.length > 0) {
      throw new ApiError('invalid_request', 'The request does not match the schema.', problems);
    }
    const reply = await route.handler({
      params: values.params as Record<string, unknown>,
      query: values.query as Record<string, unknown>,
      body: values.body,
      principal: stateOf(req).principal ?? null,
      requestId: stateOf(req).requestId,
      req,
      res,
    });
    await sendReply(req, res, route, reply, auditor);
  };
}

/** One Express router for one resource's routes. */
export function routerFor(routes: AnyRoute[], opts: MountOptions): express.Router {
  const router = express.Router();
  for (const route of routes) {
    const chain: RequestHandler[] = [
      (req: Request, _res: Response, next: NextFunction) => {
        stateOf(req).route = route;
        next();
      },
    ];
    if (route.access !== 'public') {
      chain.push(opts.authenticate, opts.rateLimit, authorize(route.access));
    }
    if (route.request?.body) chain.push(...jsonBody(opts.bodyLimit));
    chain.push(validateAndHandle(route, opts.auditor));
    router[route.method](expressPath(route.path), ...chain);
  }
  return router;
}
