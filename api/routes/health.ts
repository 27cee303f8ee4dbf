import { z } from 'zod';
import { checkDatabase } from '../../store/db';
import type { ApiDeps } from '../deps';
import { ApiError, ErrorEnvelope } from '../errors';
import { route, type AnyRoute } from '../route';
import { withTimeout } from '../timeout';

const TEMPORAL_CHECK_TIMEOUT_MS = 3_000;

const DependencyStatus = z.object({ up: z.boolean(), error: z.string().optional() });

const Readiness = z
  .object({
    status: z.literal('ready'),
    temporal: DependencyStatus,
    database: DependencyStatus.extend({
      migrationsApplied: z.boolean(),
      pending: z.array(z.string()),
    }),
  })
  .meta({ id: 'Readiness' });

async function checkTemporal(
  temporal: ApiDeps['temporal'],
): Promise<{ up: boolean; error?: string }> {
  try {
    return await withTimeout('Temporal', TEMPORAL_CHECK_TIMEOUT_MS, temporal.check());
  } catch (err) {
    return { up: false, error: err instanceof Error ? err.message : String(err) };
  }
}

export function healthRoutes(deps: ApiDeps): AnyRoute[] {
  return [
    route({
      method: 'get',
      path: '/healthz',
      tag: 'operations',
      summary: 'Liveness: the process is up',
      description: 'Checks nothing outside the process; use /readyz for dependencies.',
      access: 'public',
      responses: {
        200: { description: 'Alive', schema: z.object({ status: z.literal('ok') }) },
      },
      handler: () => ({ status: 200, json: { status: 'ok' } }),
    }),
    route({
      method: 'get',
      path: '/readyz',
      tag: 'operations',
      summary: 'Readiness: Temporal and PostgreSQL reachable, migrations applied',
      description:
        'Each check has a short timeout, so this answers within a few seconds even when a ' +
        'dependency hangs. A 503 names the dependencies that are down in details.down.',
      access: 'public',
      responses: {
        200: { description: 'Ready', schema: Readiness },
        503: { description: 'Not ready', schema: ErrorEnvelope },
      },
      handler: async () => {
        const [temporal, database] = await Promise.all([
          checkTemporal(deps.temporal),
          checkDatabase(deps.db),
        ]);
        const down: string[] = [];
        if (!temporal.up) down.push('temporal');
        if (!database.up) down.push('postgresql');
        else if (!database.migrationsApplied) down.push('migrations');
        if (down.length > 0) {
          throw new ApiError('unavailable', `Not ready: ${down.join(', ')} unavailable.`, {
            down,
            temporal,
            database,
          });
        }
        return { status: 200, json: { status: 'ready', temporal, database } };
      },
    }),
  ];
}
