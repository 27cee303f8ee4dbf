import {
  ApplicationFailure,
  ChildWorkflowFailure,
  defineQuery,
  executeChild,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { ReviewActivities } from '../activities/review';
import { filterByThreshold, verdictFor } from '../domain/verdict';
import { combineWaits, type ProvidersWait } from '../domain/breaker';
import type { ModelOutput, Provenance } from '../domain/review';
import {
  REVIEW_STATUS_QUERY,
  type ModelCallResult,
  type ReviewOutcome,
  type ReviewProgress,
  type ReviewWorkflowInput,
} from '../domain/reviewFlow';
import { consensusWorkflow, decisionsPendingSignal } from './consensus';
import { modelCallWorkflow, providersWaitingSignal } from './modelCall';
import * as SA from './searchAttributes';

export const reviewStatusQuery = defineQuery<ReviewProgress>(REVIEW_STATUS_QUERY);

const { markReviewStatus, saveReviewResult } = proxyActivities<ReviewActivities>({
  startToCloseTimeout: '1 minute',
  retry: { maximumInterval: '30 seconds' },
});

function failureMessage(err: unknown): string {
  let e: unknown = err;
  // The interesting message is the innermost one (the provider's), not "child workflow failed".
  while (e instanceof ChildWorkflowFailure || (e instanceof ApplicationFailure && e.cause)) {
    if (e instanceof ApplicationFailure && e.type === 'ChainExhausted') break;
    e = e.cause;
  }
  return e instanceof Error ? e.message : String(e);
}

/** The model label used in `raisedBy`: the one model a role used, or all of them when failover mixed them. */
function modelLabel(calls: Provenance[]): string {
  return [...new Set(calls.map((p) => `${p.provider}:${p.model}`))].sort().join('+');
}

/**
 * A review: each chunk goes to the primary reviewer and the verifier in parallel (each with its own
 * failover), the consensus child votes and holds disputed critical findings for a human, and the
 * result is stored. A review that cannot complete ends as `failed` with the reason, stored too.
 */
export async function reviewWorkflow(input: ReviewWorkflowInput): Promise<ReviewOutcome> {
  // `waitingForProviders`: present while some call waits for an open circuit to half-open.
  const progress: ReviewProgress = {
    status: 'running',
    phase: 'reviewing',
    chunksTotal: input.chunkCount,
    chunksDone: 0,
    pendingDecisions: [],
  };
  setHandler(reviewStatusQuery, () => progress);
  setHandler(decisionsPendingSignal, (ids) => {
    if (progress.phase !== 'voting' && progress.phase !== 'awaiting_decisions') return;
    progress.pendingDecisions = ids;
    progress.phase = ids.length > 0 ? 'awaiting_decisions' : 'voting';
    progress.status = ids.length > 0 ? 'needs_manual_review' : 'running';
  });
  const waits = new Map<string, ProvidersWait>();
  setHandler(providersWaitingSignal, ({ chunkIndex, role, wait }) => {
    const key = `${chunkIndex}/${role}`;
    if (wait) waits.set(key, wait);
    else waits.delete(key);
    const combined = combineWaits([...waits.values()]);
    if (combined) progress.waitingForProviders = combined;
    else delete progress.waitingForProviders;
  });
  upsertSearchAttributes([
    { key: SA.QuorumKind, value: 'review' },
    { key: SA.ModelVersion, value: input.modelConfigVersion },
    ...(input.repository ? [{ key: SA.Repository, value: input.repository }] : []),
  ]);
  const taskQueue = workflowInfo().taskQueue;
  const startedAt = workflowInfo().startTime.getTime();

  try {
    await markReviewStatus({ reviewId: input.reviewId, status: 'running' });
    const perChunk: { primary: ModelCallResult; verifier: ModelCallResult }[] = [];
    const parallel = Math.max(1, input.maxParallelChunks ?? 4);
    for (let start = 0; start < input.chunkCount; start += parallel) {
      const indices = Array.from(
        { length: Math.min(parallel, input.chunkCount - start) },
        (_, k) => start + k,
      );
      const results = await Promise.all(
        indices.map(async (chunkIndex) => {
          const call = (role: 'primary' | 'verifier') =>
            executeChild(modelCallWorkflow, {
              workflowId: `${input.reviewId}-chunk${chunkIndex}-${role}`,
              taskQueue,
              args: [
                {
                  reviewId: input.reviewId,
                  chunkIndex,
                  role,
                  chain: role === 'primary' ? input.primaryChain : input.verifierChain,
                  ...(input.models ? { models: input.models } : {}),
                },
              ],
            });
          const [primary, verifier] = await Promise.all([call('primary'), call('verifier')]);
          progress.chunksDone += 1;
          return { primary, verifier };
        }),
      );
      perChunk.push(...results);
    }

    progress.phase = 'voting';
    const primaryCalls = perChunk.map((c) => c.primary.provenance);
    const verifierCalls = perChunk.map((c) => c.verifier.provenance);
    const outputs = (role: 'primary' | 'verifier'): ModelOutput[] =>
      perChunk.map((c) => c[role].output);
    const consensus = await executeChild(consensusWorkflow, {
      workflowId: `${input.reviewId}-consensus`,
      taskQueue,
      args: [
        {
          reviewId: input.reviewId,
          primary: { model: modelLabel(primaryCalls), outputs: outputs('primary') },
          verifier: { model: modelLabel(verifierCalls), outputs: outputs('verifier') },
          policy: input.consensusPolicy,
          manualReviewTimeoutMs: input.manualReviewTimeoutMs,
        },
      ],
    });

    progress.phase = 'saving';
    progress.status = 'running';
    progress.pendingDecisions = [];
    const findings = filterByThreshold(
      consensus.findings,
      input.severityThreshold,
      input.dimensions,
    );
    const verdict = verdictFor(findings);
    await saveReviewResult({
      reviewId: input.reviewId,
      status: 'completed',
      verdict,
      findings,
      summaries: {
        primary: outputs('primary').map((o) => o.summary),
        verifier: outputs('verifier').map((o) => o.summary),
      },
      calls: perChunk.flatMap((c, chunkIndex) => [
        { chunkIndex, provenance: c.primary.provenance },
        { chunkIndex, provenance: c.verifier.provenance },
      ]),
      decisions: consensus.decisions,
      manualReviewTimedOut: consensus.timedOut,
      durationMs: Date.now() - startedAt,
    });
    upsertSearchAttributes([
      { key: SA.Verdict, value: verdict },
      { key: SA.FindingCount, value: findings.length },
    ]);
    progress.status = 'completed';
    progress.phase = 'done';
    return {
      reviewId: input.reviewId,
      status: 'completed',
      findingCount: findings.length,
      verdict,
    };
  } catch (err) {
    const error = failureMessage(err);
    progress.status = 'failed';
    progress.phase = 'done';
    progress.error = error;
    await markReviewStatus({ reviewId: input.reviewId, status: 'failed', error });
    upsertSearchAttributes([{ key: SA.Verdict, value: 'failed' }]);
    return { reviewId: input.reviewId, status: 'failed', findingCount: 0, error };
  }
}
