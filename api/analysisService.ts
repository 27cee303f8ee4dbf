import type { Client } from '@temporalio/client';
import type pg from 'pg';
import { prepareCommit } from '../domain/commits/analysis';
import {
  BATCH_PROGRESS_QUERY,
  COMMIT_STATUS_QUERY,
  MAX_BATCH_COMMITS,
  type BatchProgress,
  type BatchWorkflowInput,
  type CommitProgress,
  type CommitWorkflowInput,
} from '../domain/commits/flow';
import { batchId, commitAnalysisId, commitInputHash } from '../domain/commits/ids';
import type { CommitInput } from '../domain/commits/types';
import { taskQueues, type Config } from '../domain/config';
import { DiffError, type DiffErrorCode } from '../domain/diff';
import { redactText } from '../domain/redact';
import {
  getBatch,
  getCommitAnalysis,
  saveBatch,
  saveCommitInputs,
  type NewCommitInput,
  type StoredBatch,
  type StoredCommitAnalysis,
} from '../store/commits';
import { ApiError, type ErrorCode } from './errors';
import { GitHistoryError, readHistory, repositoryUnder, type GitErrorCode } from './gitHistory';
import { DIFF_ERROR, MAX_WAIT_SECONDS, workflowCalls } from './workflowCalls';

/**
 * Submitting and reading commit analyses and batches. Like reviews, the API validates, redacts
 * and stores the input, then hands the work to a workflow; it never calls a model itself.
 */

/** One commit's diff above this is refused (413); a batch records it against that commit. */
export const MAX_COMMIT_DIFF_BYTES = 4 * 1024 * 1024;
/** analyze-commit answers within this or returns 202 with a handle */
export const COMMIT_WAIT_MS = 450;
export { MAX_WAIT_SECONDS };

const GIT_ERROR: Record<GitErrorCode, ErrorCode> = {
  not_a_repository: 'unprocessable',
  unknown_ref: 'unprocessable',
  empty_range: 'invalid_request',
  too_many_commits: 'payload_too_large',
  outside_root: 'forbidden',
};

export type CommitSubmission =
  | { done: true; analysis: StoredCommitAnalysis }
  | { done: false; id: string; status: StoredCommitAnalysis['status'] };

export interface BatchRequest {
  repository: string;
  currentVersion: string;
  commits: Omit<CommitInput, 'repository'>[];
}
export interface RangeRequest {
  repository?: string;
  path: string;
  from: string;
  to: string;
  currentVersion: string;
}

export interface CommitView {
  stored: StoredCommitAnalysis;
  progress?: CommitProgress;
}
export interface BatchView {
  stored: StoredBatch;
  progress?: BatchProgress;
}

function toRow(input: CommitInput): NewCommitInput {
  const id = commitAnalysisId(input.repository, input.sha);
  try {
    const prepared = prepareCommit(input, { maxDiffBytes: MAX_COMMIT_DIFF_BYTES });
    return {
      id,
      inputHash: commitInputHash(prepared.input),
      input: prepared.input,
      redactions: prepared.redactions,
    };
  } catch (err) {
    if (!(err instanceof DiffError)) throw err;
    // Nothing of an unreadable diff is kept: it may hold secrets the redactor never saw.
    const kept: CommitInput = { ...input, message: redactText(input.message).text, diff: '' };
    return {
      id,
      inputHash: commitInputHash({ ...kept, diff: `invalid:${err.code}` }),
      input: kept,
      redactions: [],
      inputError: `${err.code}: ${err.message}`,
    };
  }
}

export function createAnalysisService({
  config,
  db,
  client,
}: {
  config: Config;
  db: pg.Pool;
  client: Client;
}) {
  const taskQueue = taskQueues(config.temporal.taskQueuePrefix).release;
  const chain = config.models.primaryChain;
  const { query, finishesWithin, startOrJoin } = workflowCalls(client);

  async function submitCommit(
    input: CommitInput,
    waitMs = COMMIT_WAIT_MS,
  ): Promise<CommitSubmission> {
    const row = toRow(input);
    if (row.inputError !== undefined) {
      const code = row.inputError.split(':')[0] as DiffErrorCode;
      throw new ApiError(DIFF_ERROR[code] ?? 'unprocessable', row.inputError, { reason: code });
    }
    const pending = await saveCommitInputs(db, [row]);
    if (!pending.has(row.id)) {
      const stored = await getCommitAnalysis(db, row.id);
      if (stored) return { done: true, analysis: stored };
    }
    const args: CommitWorkflowInput = {
      analysisId: row.id,
      repository: input.repository,
      inputHash: row.inputHash,
      chain,
    };
    const handle = await startOrJoin('commitAnalysisWorkflow', row.id, taskQueue, args);
    if (waitMs > 0 && (await finishesWithin(handle, waitMs))) {
      const stored = await getCommitAnalysis(db, row.id);
      if (stored && (stored.status === 'completed' || stored.status === 'failed')) {
        return { done: true, analysis: stored };
      }
    }
    const current = await getCommitAnalysis(db, row.id);
    return { done: false, id: row.id, status: current?.status ?? 'queued' };
  }

  async function submitBatch(
    req: BatchRequest,
    waitSeconds = 0,
  ): Promise<{ id: string; done: boolean }> {
    if (req.commits.length === 0) {
      throw new ApiError('invalid_request', 'The batch has no commits.', { reason: 'empty_range' });
    }
    // a sha listed twice is one commit; the first listing keeps its place in the changelog
    const byId = new Map<string, NewCommitInput>();
    for (const c of req.commits) {
      const row = toRow({ ...c, repository: req.repository });
      if (!byId.has(row.id)) byId.set(row.id, row);
    }
    const rows = [...byId.values()];
    await saveCommitInputs(db, rows);
    const commits = rows.map((r) => ({
      analysisId: r.id,
      inputHash: r.inputHash,
      sha: r.input.sha,
    }));
    const id = batchId(
      req.currentVersion,
      commits.map((c) => c.inputHash),
    );
    await saveBatch(db, {
      id,
      repository: req.repository,
      currentVersion: req.currentVersion,
      commits,
    });
    const existing = await getBatch(db, id);
    if (existing?.status === 'completed') return { id, done: true };
    const args: BatchWorkflowInput = {
      batchId: id,
      repository: req.repository,
      commits,
      chain,
      concurrency: config.analysis.concurrency,
    };
    const handle = await startOrJoin('batchAnalysisWorkflow', id, taskQueue, args);
    const done =
      waitSeconds > 0 &&
      (await finishesWithin(handle, Math.min(waitSeconds, MAX_WAIT_SECONDS) * 1000));
    return { id, done };
  }

  /** The server reads the range itself: only under the configured root, and only if one is set. */
  async function submitRange(
    req: RangeRequest,
    waitSeconds = 0,
  ): Promise<{ id: string; done: boolean }> {
    const root = config.analysis.repoRoot;
    if (!root) {
      throw new ApiError(
        'forbidden',
        'Reading repositories on the server is disabled (QUORUM_ANALYSIS_REPO_ROOT).',
        {
          reason: 'repo_root_disabled',
        },
      );
    }
    try {
      const repo = await repositoryUnder(root, req.path);
      const commits = await readHistory(repo, req.from, req.to, {
        maxCommits: MAX_BATCH_COMMITS,
        maxDiffBytes: MAX_COMMIT_DIFF_BYTES,
        pathVar: config.hostPath,
      });
      return await submitBatch(
        { repository: req.repository ?? req.path, currentVersion: req.currentVersion, commits },
        waitSeconds,
      );
    } catch (err) {
      if (err instanceof GitHistoryError) {
        throw new ApiError(GIT_ERROR[err.code], err.message, { reason: err.code, ...err.details });
      }
      throw err;
    }
  }

  async function viewCommit(id: string): Promise<CommitView | null> {
    const stored = await getCommitAnalysis(db, id);
    if (!stored) return null;
    if (stored.status === 'queued' || stored.status === 'running') {
      return { stored, progress: await query<CommitProgress>(id, COMMIT_STATUS_QUERY) };
    }
    return { stored };
  }

  async function viewBatch(id: string): Promise<BatchView | null> {
    const stored = await getBatch(db, id);
    if (!stored) return null;
    if (stored.status === 'queued' || stored.status === 'running') {
      return { stored, progress: await query<BatchProgress>(id, BATCH_PROGRESS_QUERY) };
    }
    return { stored };
  }

  async function cancelBatch(id: string): Promise<boolean> {
    const stored = await getBatch(db, id);
    if (!stored) return false;
    if (stored.status === 'queued' || stored.status === 'running')
      await client.workflow.getHandle(id).cancel();
    return true;
  }

  return { submitCommit, submitBatch, submitRange, viewCommit, viewBatch, cancelBatch };
}
export type AnalysisService = ReturnType<typeof createAnalysisService>;
