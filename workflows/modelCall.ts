import {
  ActivityFailure,
  ApplicationFailure,
  proxyActivities,
  workflowInfo,
} from '@temporalio/workflow';
import type { ModelActivities } from '../activities/models';
import { siblingQueue } from '../domain/config';
import type { Provenance, ProviderName } from '../domain/review';
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

/**
 * One role's call for one chunk, walking its provider chain. Each provider gets the activity
 * retry policy (rate limits and outages back off; bad requests, auth and schema errors move on at
 * once); when it is exhausted the next provider is tried. Every hop is recorded in provenance.
 */
export async function modelCallWorkflow(input: ModelCallInput): Promise<ModelCallResult> {
  const { callModel } = proxyActivities<ModelActivities>({
    taskQueue: siblingQueue(workflowInfo().taskQueue, 'models'),
    startToCloseTimeout: '5 minutes',
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
  for (const provider of input.chain) {
    try {
      const res = await callModel({
        reviewId: input.reviewId,
        chunkIndex: input.chunkIndex,
        role: input.role,
        provider,
      });
      const provenance: Provenance = {
        role: input.role,
        provider,
        model: res.model,
        latencyMs: res.latencyMs,
        inputTokens: res.inputTokens,
        outputTokens: res.outputTokens,
        failoverHops: hops,
        attempts: hops.length + 1,
      };
      return { output: res.output, provenance };
    } catch (err) {
      hops.push({ provider, reason: hopReason(err) });
    }
  }
  throw ApplicationFailure.create({
    type: 'ChainExhausted',
    nonRetryable: true,
    message:
      `every ${input.role} provider failed for chunk ${input.chunkIndex}: ` +
      hops.map((h) => `${h.provider} (${h.reason})`).join('; '),
    details: [hops],
  });
}
