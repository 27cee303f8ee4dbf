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
