import { z } from 'zod';
import { ProviderName } from '../../domain/review';
import { breakerId, listBreakers, type BreakerView } from '../../store/breakers';
import type { ApiDeps } from '../deps';
import { route, type AnyRoute } from '../route';

/** Operators, auditors and release engineers all read availability. */
const READERS = ['reviewer', 'admin', 'auditor', 'release-engineer'] as const;

const BreakerState = z.enum(['closed', 'open', 'half_open']);

const ProviderBreaker = z
  .object({
    key: z.string().describe('provider/model, plus @host:port when a non-default endpoint is set'),
    provider: ProviderName,
    model: z.string(),
    endpoint: z.string().nullable(),
    state: BreakerState,
    failureRatio: z.number().min(0).max(1).describe('failures / calls in the sliding window'),
    callsInWindow: z.number().int().min(0),
    failuresInWindow: z.number().int().min(0),
    consecutiveFailures: z.number().int().min(0),
    halfOpenAt: z.string().nullable().describe('while open: when probe calls may start'),
    lastTransition: z
      .object({ from: BreakerState, to: BreakerState, at: z.string(), reason: z.string() })
      .nullable(),
    updatedAt: z.string().nullable().describe('null: configured but never called'),
  })
  .meta({ id: 'ProviderBreaker' });

const ProviderBreakers = z
  .object({
    enabled: z.boolean(),
    policy: z.object({
      windowMs: z.number(),
      minCalls: z.number(),
      failureRatio: z.number(),
      consecutiveFailures: z.number(),
      cooldownMs: z.number(),
      maxCooldownMs: z.number(),
      halfOpenProbes: z.number(),
      maxWaitMs: z.number(),
    }),
    providers: z.array(ProviderBreaker),
  })
  .meta({ id: 'ProviderBreakers' });

/** A configured vendor nobody has called yet is a closed breaker with an empty window. */
function neverCalled(
  id: ReturnType<typeof breakerId>,
): Omit<BreakerView, 'updatedAt'> & { updatedAt: null } {
  return {
    ...id,
    state: 'closed',
    callsInWindow: 0,
    failuresInWindow: 0,
    failureRatio: 0,
    consecutiveFailures: 0,
    halfOpenAt: null,
    lastTransition: null,
    updatedAt: null,
  };
}

export function sloRoutes(deps: Pick<ApiDeps, 'db' | 'config'>): AnyRoute[] {
  const { config } = deps;
  return [
    route({
      method: 'get',
      path: '/api/v2/vc-ai/slo/providers',
      tag: 'vc-ai',
      summary: 'Circuit breaker state per model provider',
      description:
        'One entry per provider (and model and endpoint) with its shared circuit breaker: state, ' +
        'failure ratio and calls in the sliding window, and the last transition. Every worker ' +
        'process reads and moves the same breakers, so this is the state the fleet acts on.',
      access: READERS,
      responses: { 200: { description: 'Breakers', schema: ProviderBreakers } },
      handler: async () => {
        const stored = await listBreakers(deps.db, config.breakers.policy);
        const known = new Set(stored.map((b) => b.key));
        const configured = [
          ...new Set([...config.models.primaryChain, ...config.models.verifierChain]),
        ]
          .filter((p): p is 'anthropic' | 'openai' => p !== 'local')
          .map((p) => breakerId(p, config.models[p].model, config.models[p].baseUrl))
          .filter((id) => !known.has(id.key))
          .map(neverCalled);
        const { probeLeaseMs: _lease, ...policy } = config.breakers.policy;
        return {
          status: 200,
          json: { enabled: config.breakers.enabled, policy, providers: [...stored, ...configured] },
        };
      },
    }),
  ];
}
