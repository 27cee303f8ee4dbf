import type { ProviderName } from '../review';
import type { CommitType, RiskLevel, SemverImpact } from './types';

/**
 * The contract between the API, the commit workflows and their activities. Like reviews, diffs
 * never cross it: the API stores the redacted input and workflows pass ids.
 */

export const BATCH_PROGRESS_QUERY = 'progress';
export const COMMIT_STATUS_QUERY = 'status';
export const DEFAULT_BATCH_CONCURRENCY = 8;
export const MAX_BATCH_COMMITS = 1000;
/** A batch's child analyses this many commits at most, one after another. */
export const MAX_SLICE_COMMITS = 20;

export interface CommitWorkflowInput {
  analysisId: string;
  repository: string;
  inputHash: string;
  chain: ProviderName[];
}

/** Small on purpose: a batch of 1000 keeps these in its history. */
export interface CommitOutcome {
  analysisId: string;
  sha: string;
  status: 'completed' | 'failed';
  type?: CommitType;
  impact?: SemverImpact;
  riskLevel?: RiskLevel;
  error?: string;
}

export interface BatchWorkflowInput {
  batchId: string;
  repository?: string;
  commits: { analysisId: string; inputHash: string; sha: string }[];
  chain: ProviderName[];
  concurrency?: number;
}

export interface BatchProgress {
  phase: 'analysing' | 'proposing' | 'done' | 'cancelled';
  total: number;
  completed: number;
  failed: number;
  running: number;
}

export interface BatchOutcome {
  batchId: string;
  status: 'completed' | 'cancelled';
  nextVersion?: string;
  completed: number;
  failed: number;
}

export interface CommitProgress {
  phase: 'analysing' | 'summarising' | 'saving' | 'done' | 'failed';
  provider?: ProviderName;
}

/** What the summary activity returns for one provider attempt. */
export interface SummaryCallResult {
  summary: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
  latencyMs: number;
}

/** What a batch hands one of its children: a few commits, analysed one after another. */
export interface SliceWorkflowInput {
  batchId: string;
  repository: string;
  chain: ProviderName[];
  commits: BatchWorkflowInput['commits'];
}

/**
 * The batch's commits cut into consecutive slices, one child workflow each, at most `lanes` of
 * them running at once. Starting a child costs Temporal several round trips (a fixed ~200 ms on a
 * loaded 2-core machine), so a child per commit spends more on orchestration than on analysis;
 * slices of about total / lanes fill every lane in one wave for small batches, and the cap keeps
 * a big batch's progress moving (the batch hears from a slice when it ends). Every commit still
 * gets its own row, outcome and failure; at most `lanes` commits are in analysis at once.
 */
export function sliceBatch(total: number, lanes: number): { start: number; end: number }[] {
  if (total <= 0) return [];
  const lanesUsed = Math.max(1, Math.min(Math.floor(lanes), total));
  const count = Math.max(lanesUsed, Math.ceil(total / MAX_SLICE_COMMITS));
  // sizes differ by one at most, so no lane finishes long before the others
  const base = Math.floor(total / count);
  const extra = total % count;
  const slices: { start: number; end: number }[] = [];
  let start = 0;
  for (let k = 0; k < count; k += 1) {
    const end = start + base + (k < extra ? 1 : 0);
    slices.push({ start, end });
    start = end;
  }
  return slices;
}
