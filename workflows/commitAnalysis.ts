import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  ChildWorkflowFailure,
  defineQuery,
  executeChild,
  isCancellation,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { CommitActivities } from '../activities/commits';
import {
  BATCH_PROGRESS_QUERY,
  COMMIT_STATUS_QUERY,
  DEFAULT_BATCH_CONCURRENCY,
  type BatchOutcome,
  type BatchProgress,
  type BatchWorkflowInput,
  type CommitOutcome,
  type CommitProgress,
  type CommitWorkflowInput,
  type SliceWorkflowInput,
  sliceBatch,
} from '../domain/commits/flow';
import type { CommitFacts } from '../domain/commits/types';
import { siblingQueue } from '../domain/config';
import { callProvenance, type ProviderName } from '../domain/review';
import { NON_RETRYABLE_PROVIDER_ERRORS } from '../domain/reviewFlow';
import * as SA from './searchAttributes';

export const commitStatusQuery = defineQuery<CommitProgress>(COMMIT_STATUS_QUERY);
export const batchProgressQuery = defineQuery<BatchProgress>(BATCH_PROGRESS_QUERY);

/** Input problems no retry can fix. */
const NON_RETRYABLE_INPUT = ['NotFound', 'Superseded', 'InvalidCommit'];

/**
 * Store reads and writes, and the in-process `local` summary, are short and run in the worker
 * that runs the workflow: as local activities they cost no server round trips, which is what
 * lets a 50-commit batch finish in seconds. Vendor calls stay ordinary activities on the models
 * queue, where their rate limits and slow answers belong.
 */
const store = proxyLocalActivities<CommitActivities>({
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '200 milliseconds',
    maximumInterval: '10 seconds',
    nonRetryableErrorTypes: NON_RETRYABLE_INPUT,
  },
});
const batchStore = proxyActivities<CommitActivities>({
  startToCloseTimeout: '2 minutes',
  retry: {
    initialInterval: '1 second',
    maximumInterval: '30 seconds',
    nonRetryableErrorTypes: NON_RETRYABLE_INPUT,
  },
});

function rootCause(err: unknown): unknown {
  let cause: unknown = err;
  while (cause instanceof ActivityFailure || cause instanceof ChildWorkflowFailure)
    cause = cause.cause;
  return cause;
}

/** The root cause in words: the message of the deepest failure, not the wrapper's. */
function reason(err: unknown): string {
  const cause = rootCause(err);
  return cause instanceof Error ? cause.message : String(cause);
}

/** The summary through the provider chain, as modelCallWorkflow does for reviews. */
async function summarise(input: CommitWorkflowInput, facts: CommitFacts, progress: CommitProgress) {
  const vendor = proxyActivities<CommitActivities>({
    taskQueue: siblingQueue(workflowInfo().taskQueue, 'models'),
    startToCloseTimeout: '5 minutes',
    scheduleToCloseTimeout: '15 minutes',
    retry: {
      initialInterval: '1 second',
      backoffCoefficient: 2,
      maximumInterval: '30 seconds',
      maximumAttempts: 4,
      nonRetryableErrorTypes: [...NON_RETRYABLE_PROVIDER_ERRORS, ...NON_RETRYABLE_INPUT],
    },
  });
  const hops: { provider: ProviderName; reason: string }[] = [];
  for (const provider of input.chain) {
    progress.provider = provider;
    try {
      const call = provider === 'local' ? store.summarizeCommit : vendor.summarizeCommit;
      const res = await call({
        analysisId: input.analysisId,
        inputHash: input.inputHash,
        provider,
        facts,
      });
      return { summary: res.summary, provenance: callProvenance(provider, res, hops) };
    } catch (err) {
      if (isCancellation(err)) throw err;
      hops.push({ provider, reason: reason(err) });
    }
  }
  throw ApplicationFailure.nonRetryable(
    `every summary provider failed: ${hops.map((h) => `${h.provider} (${h.reason})`).join('; ')}`,
    'ChainExhausted',
  );
}

/** Patches: histories recorded before these changes replay through the older paths. */
const LOCAL_IN_ONE_STEP = 'commit-analysis-local-in-one-step';
const BATCH_IN_SLICES = 'batch-analysis-in-slices';

/**
 * One commit: rules, then the model's summary, then the store — in one local activity when the
 * chain starts with `local`. A failure is recorded on the commit's row and thrown as
 * `CommitAnalysisFailed` with the root cause's words.
 */
async function analyseOne(input: CommitWorkflowInput, progress: CommitProgress) {
  const ids = { analysisId: input.analysisId, inputHash: input.inputHash };
  try {
    if (input.chain[0] === 'local' && patched(LOCAL_IN_ONE_STEP)) {
      progress.provider = 'local';
      const outcome = await store.analyzeCommitLocally(ids);
      progress.phase = 'done';
      return outcome;
    }
    const analysed = await store.analyzeCommit(ids);
    if ('outcome' in analysed) {
      progress.phase = 'done';
      return analysed.outcome;
    }
    const { facts } = analysed;
    upsertSearchAttributes([{ key: SA.RiskLevel, value: facts.risk.level }]);
    progress.phase = 'summarising';
    const { summary, provenance } = await summarise(input, facts, progress);
    progress.phase = 'saving';
    const outcome = await store.saveCommitAnalysis({ ...ids, facts, summary, provenance });
    progress.phase = 'done';
    return outcome;
  } catch (err) {
    progress.phase = 'failed';
    const why = isCancellation(err) ? 'cancelled' : reason(err);
    const cause = rootCause(err);
    // a superseded run must not mark the newer submission's row
    if (!(cause instanceof ApplicationFailure && cause.type === 'Superseded')) {
      await CancellationScope.nonCancellable(() =>
        store.failCommitAnalysis({ ...ids, error: why }),
      );
    }
    if (isCancellation(err)) throw err;
    throw ApplicationFailure.nonRetryable(why, 'CommitAnalysisFailed');
  }
}

/** `commit-<repo>-<sha>`: one commit submitted on its own. */
export async function commitAnalysisWorkflow(input: CommitWorkflowInput): Promise<CommitOutcome> {
  const progress: CommitProgress = { phase: 'analysing' };
  setHandler(commitStatusQuery, () => ({ ...progress }));
  upsertSearchAttributes([
    { key: SA.QuorumKind, value: 'commit' },
    { key: SA.Repository, value: input.repository },
  ]);
  const outcome = await analyseOne(input, progress);
  if (outcome.riskLevel && input.chain[0] === 'local' && patched(LOCAL_IN_ONE_STEP)) {
    upsertSearchAttributes([{ key: SA.RiskLevel, value: outcome.riskLevel }]);
  }
  return outcome;
}

/**
 * `<batch>-slice-<k>`: a batch's consecutive commits, one after another. A commit that fails is
 * reported in its outcome and the slice goes on; only cancellation stops it.
 */
export async function commitSliceWorkflow(input: SliceWorkflowInput): Promise<CommitOutcome[]> {
  upsertSearchAttributes([
    { key: SA.QuorumKind, value: 'commit-slice' },
    ...(input.repository ? [{ key: SA.Repository, value: input.repository }] : []),
  ]);
  const outcomes: CommitOutcome[] = [];
  for (const c of input.commits) {
    const args = { ...c, repository: input.repository, chain: input.chain };
    try {
      outcomes.push(await analyseOne(args, { phase: 'analysing' }));
    } catch (err) {
      if (isCancellation(err)) throw err;
      outcomes.push({ analysisId: c.analysisId, sha: c.sha, status: 'failed', error: reason(err) });
    }
  }
  return outcomes;
}

/**
 * A release proposal from up to 1000 commits: children (slices of commits, see `sliceBatch`) with
 * bounded concurrency, each failure recorded for its commit, then one aggregation that reads the analyses from the store (their
 * full text would bloat this history).
 */
export async function batchAnalysisWorkflow(input: BatchWorkflowInput): Promise<BatchOutcome> {
  const total = input.commits.length;
  const progress: BatchProgress = {
    phase: 'analysing',
    total,
    completed: 0,
    failed: 0,
    running: 0,
  };
  setHandler(batchProgressQuery, () => ({ ...progress }));
  upsertSearchAttributes([
    { key: SA.QuorumKind, value: 'commit-batch' },
    ...(input.repository ? [{ key: SA.Repository, value: input.repository }] : []),
  ]);
  const outcomes: (CommitOutcome | undefined)[] = new Array<CommitOutcome | undefined>(total);
  const done = (): CommitOutcome[] => outcomes.filter((o): o is CommitOutcome => o !== undefined);

  const analyse = async (i: number): Promise<void> => {
    const c = input.commits[i];
    if (!c) return;
    progress.running += 1;
    try {
      outcomes[i] = await executeChild(commitAnalysisWorkflow, {
        workflowId: c.analysisId,
        args: [
          {
            analysisId: c.analysisId,
            repository: input.repository ?? '',
            inputHash: c.inputHash,
            chain: input.chain,
          },
        ],
        workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      });
      progress.completed += 1;
    } catch (err) {
      if (isCancellation(err)) throw err;
      outcomes[i] = { analysisId: c.analysisId, sha: c.sha, status: 'failed', error: reason(err) };
      progress.failed += 1;
    } finally {
      progress.running -= 1;
    }
  };

  const analyseSlice = async (k: number, slices: { start: number; end: number }[]) => {
    const slice = slices[k];
    if (!slice) return;
    const commits = input.commits.slice(slice.start, slice.end);
    progress.running += commits.length;
    try {
      const results = await executeChild(commitSliceWorkflow, {
        workflowId: `${input.batchId}-slice-${k}`,
        args: [
          {
            batchId: input.batchId,
            repository: input.repository ?? '',
            chain: input.chain,
            commits,
          },
        ],
        workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      });
      results.forEach((o, j) => (outcomes[slice.start + j] = o));
    } catch (err) {
      if (isCancellation(err)) throw err;
      // the slice itself failed (not one of its commits): each of its commits says why
      const why = reason(err);
      commits.forEach(
        (c, j) =>
          (outcomes[slice.start + j] = {
            analysisId: c.analysisId,
            sha: c.sha,
            status: 'failed',
            error: why,
          }),
      );
    } finally {
      progress.running -= commits.length;
    }
    for (const o of outcomes.slice(slice.start, slice.end)) {
      if (o?.status === 'completed') progress.completed += 1;
      else progress.failed += 1;
    }
  };

  try {
    await store.markBatchStatus({ batchId: input.batchId, status: 'running' });
    const lanes = Math.max(1, Math.min(input.concurrency ?? DEFAULT_BATCH_CONCURRENCY, total));
    if (patched(BATCH_IN_SLICES)) {
      const slices = sliceBatch(total, lanes);
      let next = 0;
      const lane = async (): Promise<void> => {
        while (next < slices.length) await analyseSlice(next++, slices);
      };
      await Promise.all(Array.from({ length: Math.min(lanes, slices.length) }, lane));
    } else {
      let next = 0;
      const lane = async (): Promise<void> => {
        while (next < total) await analyse(next++);
      };
      await Promise.all(Array.from({ length: lanes }, lane));
    }
  } catch (err) {
    if (!isCancellation(err)) throw err;
    progress.phase = 'cancelled';
    await CancellationScope.nonCancellable(() =>
      store.markBatchStatus({ batchId: input.batchId, status: 'cancelled', outcomes: done() }),
    );
    throw err;
  }

  progress.phase = 'proposing';
  const { nextVersion } = await batchStore.proposeBatchRelease({
    batchId: input.batchId,
    outcomes: done(),
  });
  progress.phase = 'done';
  return {
    batchId: input.batchId,
    status: 'completed',
    nextVersion,
    completed: progress.completed,
    failed: progress.failed,
  };
}
