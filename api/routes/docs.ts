import swaggerUi from 'swagger-ui-express';
import { z } from 'zod';
import type { OpenApiDocument } from '../openapi';
import { route, type AnyRoute } from '../route';

/**
 * The OpenAPI document and its browsable page. The page loads swagger-ui's bundled assets from
 * this server (mounted beside it in app.ts), never from a CDN.
 */
export function docsRoutes(document: () => OpenApiDocument, openApiUrl: string): AnyRoute[] {
  const html = swaggerUi.generateHTML(undefined, {
    swaggerUrl: openApiUrl,
    customSiteTitle: 'Quorum API',
    customCss: '',
  });
  return [
    route({
      method: 'get',
      path: '/openapi.json',
      tag: 'operations',
      summary: 'This OpenAPI 3.1 document, generated from the routes and their zod schemas',
      access: 'public',
      responses: {
        200: { description: 'The document', schema: z.record(z.string(), z.unknown()) },
      },
      handler: () => ({ status: 200, json: document() }),
    }),
    route({
      method: 'get',
      path: '/docs',
      tag: 'operations',
      summary: 'Browsable API documentation (Swagger UI)',
      description: '`/docs` redirects to `/docs/` so the page can load its assets relatively.',
      access: 'public',
      responses: {
        200: { description: 'The documentation page', contentType: 'text/html' },
        301: { description: 'Redirect to /docs/' },
      },
      handler: ({ req }) =>
        req.originalUrl.split('?')[0]?.endsWith('/')
          ? { status: 200, text: html }
          : { status: 301, headers: { Location: 'docs/' } },
    }),
  ];
}
