import {
  ActivityFailure,
  ApplicationFailure,
  defineSignal,
  getExternalWorkflowHandle,
  patched,
  proxyActivities,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { ModelActivities } from '../activities/models';
import {
  CIRCUIT_OPEN,
  isCircuitOpenDetails,
  PROVIDERS_WAITING_SIGNAL,
  type CircuitOpenDetails,
  type ProvidersWait,
  type ProvidersWaitingReport,
} from '../domain/breaker';
import { siblingQueue } from '../domain/config';
import { callProvenance, type Provenance, type ProviderName } from '../domain/review';
import {
  NON_RETRYABLE_PROVIDER_ERRORS,
  type ModelCallInput,
  type ModelCallResult,
} from '../domain/reviewFlow';

/** Why a provider was given up on, in words an operator can act on. */
function hopReason(err: unknown): string {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure) return `${cause.type ?? 'Error'}: ${cause.message}`;
  if (cause instanceof Error) return `${cause.name}: ${cause.message}`;
  return String(cause);
}

export const providersWaitingSignal =
  defineSignal<[ProvidersWaitingReport]>(PROVIDERS_WAITING_SIGNAL);

/** The refusal of an open circuit, if that is what ended this provider's turn. */
function circuitOpen(err: unknown): CircuitOpenDetails | undefined {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (!(cause instanceof ApplicationFailure) || cause.type !== CIRCUIT_OPEN) return undefined;
  const details: unknown = cause.details?.[0];
  return isCircuitOpenDetails(details) ? details : undefined;
}

/** Never wake more often than this while every circuit is open. */
const MIN_PAUSE_MS = 1_000;

/**
 * One role's call for one chunk, walking its provider chain. Each provider gets the activity
 * retry policy (rate limits and outages back off; bad requests, auth and schema errors move on at
 * once); when it is exhausted the next provider is tried. Every hop is recorded in provenance.
 */
export async function modelCallWorkflow(input: ModelCallInput): Promise<ModelCallResult> {
  const { callModel } = proxyActivities<ModelActivities>({
    taskQueue: siblingQueue(workflowInfo().taskQueue, 'models'),
    startToCloseTimeout: '5 minutes',
    // A call lost with a crashed worker is retried after this, not after the full 5 minutes.
    heartbeatTimeout: '15 seconds',
    scheduleToCloseTimeout: '15 minutes',
    retry: {
      initialInterval: '1 second',
      backoffCoefficient: 2,
      maximumInterval: '30 seconds',
      maximumAttempts: 4,
      nonRetryableErrorTypes: [...NON_RETRYABLE_PROVIDER_ERRORS],
    },
  });
  const hops: { provider: ProviderName; reason: string }[] = [];
  const tellParent = async (wait: ProvidersWait | null) => {
    const parent = workflowInfo().parent;
    if (!parent) return;
    const report: ProvidersWaitingReport = { chunkIndex: input.chunkIndex, role: input.role, wait };
    await getExternalWorkflowHandle(parent.workflowId, parent.runId).signal(
      providersWaitingSignal,
      report,
    );
  };
  let waitedMs = 0;
  for (;;) {
    const refused: CircuitOpenDetails[] = [];
    const done = await walkChain(refused);
    if (done) return done;
    // Some provider really failed, so waiting would not help: the review fails with reasons.
    if (refused.length < input.chain.length) break;
    // Histories recorded before breakers existed never saw a refusal; they replay to the throw.
    if (!patched('modelcall-waits-for-open-circuits')) break;
    const budget = Math.min(...refused.map((d) => d.maxWaitMs)) - waitedMs;
    if (budget <= 0) break;
    const soonest = Math.min(...refused.map((d) => d.retryInMs));
    const pause = Math.min(budget, Math.max(MIN_PAUSE_MS, soonest));
    const providers = [...new Set(refused.map((d) => d.provider))].sort();
    await tellParent({ until: new Date(Date.now() + pause).toISOString(), providers });
    await sleep(pause);
    waitedMs += pause;
    await tellParent(null);
  }
  const waited =
    waitedMs > 0 ? ` (after waiting ${Math.round(waitedMs / 1000)} s for open circuits)` : '';
  throw ApplicationFailure.create({
    type: 'ChainExhausted',
    nonRetryable: true,
    message:
      `every ${input.role} provider failed for chunk ${input.chunkIndex}${waited}: ` +
      hops.map((h) => `${h.provider} (${h.reason})`).join('; '),
    details: [hops],
  });

  /** One pass over the chain: the first provider that answers, or undefined. */
  async function walkChain(refused: CircuitOpenDetails[]): Promise<ModelCallResult | undefined> {
    for (const provider of input.chain) {
      try {
        const res = await callModel({
          reviewId: input.reviewId,
          chunkIndex: input.chunkIndex,
          role: input.role,
          provider,
          ...(input.models ? { models: input.models } : {}),
        });
        const provenance: Provenance = { role: input.role, ...callProvenance(provider, res, hops) };
        return { output: res.output, provenance };
      } catch (err) {
        hops.push({ provider, reason: hopReason(err) });
        const open = circuitOpen(err);
        if (open) refused.push(open);
      }
    }
    return undefined;
  }
}
