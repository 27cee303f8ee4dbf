import { Counter, Histogram, register } from 'prom-client';

/** Model-call provenance as Prometheus metrics (the same figures are stored per review). */
export const modelCallMetrics = {
  latency: new Histogram({
    name: 'quorum_model_call_duration_seconds',
    help: 'Duration of one model call attempt, by provider, role and outcome',
    labelNames: ['provider', 'role', 'outcome'] as const,
    buckets: [0.005, 0.02, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    registers: [register],
  }),
  tokens: new Counter({
    name: 'quorum_model_tokens_total',
    help: 'Tokens sent to and received from model providers',
    labelNames: ['provider', 'kind'] as const,
    registers: [register],
  }),
  failoverHops: new Counter({
    name: 'quorum_model_failover_hops_total',
    help: 'Times a role gave up on a provider and moved to the next in its chain',
    labelNames: ['role', 'provider'] as const,
    registers: [register],
  }),
};
