import type { NextFunction, Request, Response } from 'express';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { stateOf } from './context';

export interface ApiMetrics {
  registry: Registry;
  auditFailures: Counter<'action'>;
  /** records every response in the duration histogram */
  middleware(req: Request, res: Response, next: NextFunction): void;
}

/** Reuses a metric already on the registry, so several apps can share one registry in a process. */
function once<T>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

export function createApiMetrics(registry: Registry = new Registry()): ApiMetrics {
  if (!registry.getSingleMetric('process_cpu_user_seconds_total')) {
    collectDefaultMetrics({ register: registry });
  }
  const duration = once(
    registry,
    'http_request_duration_seconds',
    () =>
      new Histogram({
        name: 'http_request_duration_seconds',
        help: 'HTTP request duration by method, route pattern and status',
        labelNames: ['method', 'route', 'status'] as const,
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
        registers: [registry],
      }),
  );
  const auditFailures = once(
    registry,
    'quorum_audit_write_failures_total',
    () =>
      new Counter({
        name: 'quorum_audit_write_failures_total',
        help: 'Audit entries that could not be written, by action',
        labelNames: ['action'] as const,
        registers: [registry],
      }),
  );
  return {
    registry,
    auditFailures,
    middleware(req, res, next) {
      const end = duration.startTimer();
      res.once('finish', () => {
        // the pattern, never the raw URL: ids in paths would explode the label set
        const route = stateOf(req).route?.path ?? 'unmatched';
        end({ method: req.method, route, status: String(res.statusCode) });
      });
      next();
    },
  };
}
