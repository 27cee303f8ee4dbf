import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import swaggerUi from 'swagger-ui-express';
import { createAuditor, type Auditor } from './audit';
import { authenticate } from './auth';
import { stateOf } from './context';
import type { ApiDeps } from './deps';
import { ApiError, toApiError } from './errors';
import { requestLogging } from './logging';
import { createApiMetrics } from './metrics';
import { routerFor } from './mount';
import { buildOpenApiDocument, type OpenApiDocument } from './openapi';
import { createRateLimit } from './rateLimit';
import type { AnyRoute } from './route';
import { analysisRoutes } from './routes/analysis';
import { apiKeyRoutes } from './routes/apiKeys';
import { cicdRoutes } from './routes/cicd';
import { docsRoutes } from './routes/docs';
import { healthRoutes } from './routes/health';
import { metricsRoutes } from './routes/metrics';
import { reviewQualityRoutes } from './routes/reviewQuality';
import { reviewRoutes } from './routes/reviews';
import { sloRoutes } from './routes/slo';
import { versionRoutes } from './routes/versions';

export type { ApiDeps, TemporalDeps } from './deps';

const API_VERSION = '2.0.0';
/** relative to /docs/, so the page also works behind a path prefix */
const OPENAPI_URL_FROM_DOCS = '../openapi.json';

/**
 * Only what the docs page loads: swagger-ui-dist also ships a demo index.html and initializer
 * that point at the public Petstore, which this server should never hand out.
 */
const DOCS_ASSETS = new Set([
  '/swagger-ui.css',
  '/swagger-ui-bundle.js',
  '/swagger-ui-standalone-preset.js',
  '/swagger-ui-init.js',
  '/favicon-32x32.png',
  '/favicon-16x16.png',
]);

function notFound(req: Request): never {
  throw new ApiError('not_found', `No route for ${req.method} ${req.originalUrl.split('?')[0]}.`, {
    method: req.method,
    path: req.originalUrl.split('?')[0],
  });
}

function docsAssets(req: Request, _res: Response, next: NextFunction): void {
  if (!DOCS_ASSETS.has(req.path)) notFound(req);
  next();
}

/**
 * Every failure leaves here as the envelope. Stacks go to the log, never to the client; a 5xx
 * other than a known-unavailable dependency is logged with its cause.
 */
function errorHandler(logger: Logger, auditor: Auditor) {
  return async (err: unknown, req: Request, res: Response, _next: NextFunction): Promise<void> => {
    try {
      const apiError = toApiError(err);
      if (apiError.code === 'internal') {
        // pino-http logs res.err with its stack on the request's line
        res.err = err instanceof Error ? err : new Error(String(err));
      } else if (apiError.code === 'unavailable' && !(err instanceof ApiError)) {
        logger.warn({ err, requestId: stateOf(req).requestId }, 'dependency unavailable');
      }
      if (res.headersSent) {
        res.end();
        return;
      }
      await auditor.record(req, apiError.status, apiError.code);
      if (apiError.code === 'unauthenticated') {
        res.setHeader('WWW-Authenticate', 'Bearer realm="quorum"');
      }
      res.status(apiError.status).json(apiError.toEnvelope());
    } catch (fatal) {
      logger.error({ err: fatal }, 'error handler failed');
      if (!res.headersSent) {
        res.status(500).json(new ApiError('internal', 'Internal error.').toEnvelope());
      } else {
        res.end();
      }
    }
  };
}

export function createApp(deps: ApiDeps): express.Express {
  const { config, logger } = deps;
  const metrics = createApiMetrics(deps.registry);
  const auditor = createAuditor(deps.db, logger, metrics.auditFailures);

  const app = express();
  // one hop, not `true`: trusting every X-Forwarded-For entry would let clients pick their own
  // address and slip past the per-address rate limit
  app.set('trust proxy', config.api.trustProxy ? 1 : false);
  app.disable('x-powered-by');
  app.use(requestLogging(logger));
  app.use(metrics.middleware);
  app.use(helmet());

  const built: { document?: OpenApiDocument } = {};
  const resources: AnyRoute[][] = [
    healthRoutes(deps),
    metricsRoutes(metrics.registry),
    docsRoutes(() => {
      if (!built.document) throw new Error('OpenAPI document requested before it was built');
      return built.document;
    }, OPENAPI_URL_FROM_DOCS),
    apiKeyRoutes(deps),
    reviewQualityRoutes(deps),
    // after reviewQuality: /review/dimensions must not be taken for a review id
    reviewRoutes(deps),
    cicdRoutes(config),
    versionRoutes(deps),
    analysisRoutes(deps),
    sloRoutes(deps),
  ];
  const mountOptions = {
    authenticate: authenticate(deps.db, config.api.adminKey),
    rateLimit: createRateLimit(config.api.rateLimitPerMinute),
    bodyLimit: config.api.bodyLimit,
    auditor,
  };
  for (const routes of resources) app.use(routerFor(routes, mountOptions));
  built.document = buildOpenApiDocument(resources.flat(), {
    version: API_VERSION,
    serverUrl: config.api.publicUrl,
  });
  app.use(
    '/docs',
    docsAssets,
    swaggerUi.serveFiles(undefined, { swaggerUrl: OPENAPI_URL_FROM_DOCS }),
  );

  app.use(notFound);
  app.use(errorHandler(logger, auditor));
  return app;
}
