import type { Registry } from 'prom-client';
import { route, type AnyRoute } from '../route';

export function metricsRoutes(registry: Registry): AnyRoute[] {
  return [
    route({
      method: 'get',
      path: '/metrics',
      tag: 'operations',
      summary: 'Prometheus metrics: process defaults and HTTP request durations',
      description:
        'Unauthenticated like the probes: expose it only on a network Prometheus can reach.',
      access: 'public',
      responses: {
        200: {
          description: 'Prometheus text exposition format',
          contentType: registry.contentType,
        },
      },
      handler: async () => ({ status: 200, text: await registry.metrics() }),
    }),
  ];
}
