import type { ConsensusPolicy, Decision } from './consensus';
import type {
  Dimension,
  Finding,
  ModelOutput,
  Provenance,
  ProviderName,
  ReviewStatus,
  Role,
  Severity,
} from './review';

/**
 * The contract between the API, the review workflows and their activities: names of queries
 * and updates, and the shapes that cross Temporal. Diffs never cross it: the API stores the
 * redacted, chunked diff and workflows pass only the review id and chunk indices, so secrets
 * never reach Temporal history and histories stay small for large diffs.
 */

export const REVIEW_STATUS_QUERY = 'status';
export const CONSENSUS_STATE_QUERY = 'consensusState';
export const DECIDE_UPDATE = 'decide';
/** consensus child → review parent: the ids still waiting for a human (empty: none) */
export const DECISIONS_PENDING_SIGNAL = 'decisionsPending';

/** The failure types a model call can end in (activities/providers/errors.ts raises them). */
export const ProviderErrorType = {
  RateLimited: 'RateLimited',
  ProviderUnavailable: 'ProviderUnavailable',
  BadRequest: 'BadRequest',
  AuthFailed: 'AuthFailed',
  SchemaInvalid: 'SchemaInvalid',
} as const;
export type ProviderErrorType = (typeof ProviderErrorType)[keyof typeof ProviderErrorType];
export const NON_RETRYABLE_PROVIDER_ERRORS: readonly ProviderErrorType[] = [
  ProviderErrorType.BadRequest,
  ProviderErrorType.AuthFailed,
  ProviderErrorType.SchemaInvalid,
];

/** Model names and sampling a model-config version sets, overriding the worker's defaults. */
export interface ModelOverrides {
  anthropicModel?: string;
  openaiModel?: string;
  temperature?: number;
}

export interface ReviewWorkflowInput {
  reviewId: string;
  modelConfigVersion: string;
  chunkCount: number;
  repository?: string;
  primaryChain: ProviderName[];
  verifierChain: ProviderName[];
  /** set when the review is routed to a version other than the worker's own configuration */
  models?: ModelOverrides;
  consensusPolicy?: Partial<ConsensusPolicy>;
  /** how long a disputed critical finding waits for a human */
  manualReviewTimeoutMs: number;
  severityThreshold?: Severity;
  dimensions?: Dimension[];
  /** chunks reviewed at once; each runs two model calls */
  maxParallelChunks?: number;
}

export type ReviewPhase = 'reviewing' | 'voting' | 'awaiting_decisions' | 'saving' | 'done';

export interface ReviewProgress {
  status: ReviewStatus;
  phase: ReviewPhase;
  chunksTotal: number;
  chunksDone: number;
  /** disputed critical findings still waiting for a human */
  pendingDecisions: string[];
  /** present while a model call waits for an open circuit breaker to half-open */
  waitingForProviders?: { until: string; providers: ProviderName[] };
  error?: string;
}

export interface ModelCallInput {
  reviewId: string;
  chunkIndex: number;
  role: Role;
  chain: ProviderName[];
  models?: ModelOverrides;
}

export interface ModelCallResult {
  output: ModelOutput;
  provenance: Provenance;
}

/** What one activity attempt against one provider returns. */
export interface ProviderCallResult {
  output: ModelOutput;
  model: string;
  inputTokens: number;
  outputTokens: number;
  latencyMs: number;
}

export interface ConsensusWorkflowInput {
  reviewId: string;
  primary: { model: string; outputs: ModelOutput[] };
  verifier: { model: string; outputs: ModelOutput[] };
  policy?: Partial<ConsensusPolicy>;
  manualReviewTimeoutMs: number;
}

export interface ConsensusOutcome {
  findings: Finding[];
  /** true when the wait for decisions ended by timeout */
  timedOut: boolean;
  decisions: DecisionInput[];
}

export interface DecisionInput {
  findingId: string;
  decision: Decision;
  actor: string;
  reason?: string;
}

export interface ConsensusState {
  findings: Finding[];
  pending: string[];
  waiting: boolean;
}

export interface ReviewOutcome {
  reviewId: string;
  status: Extract<ReviewStatus, 'completed' | 'failed'>;
  findingCount: number;
  verdict?: string;
  error?: string;
}
