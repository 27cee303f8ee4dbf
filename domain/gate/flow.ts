import type { ModelConfig } from '../modelConfig';
import type { CheckResult } from './checks';
import type { GatePolicy } from './policy';
import type { CheckedStage, GateStageName, VersionStatus } from './status';

/** Names shared by the gate workflow, the API and the CLI. */
export const GATE_STATE_QUERY = 'state';
export const GATE_UPDATES = ['promote', 'pause', 'resume', 'abort', 'approve'] as const;
export type GateUpdateName = (typeof GATE_UPDATES)[number];

export const gateWorkflowId = (version: string): string => `gate-${version}`;
export const stageWorkflowId = (version: string, stage: GateStageName): string =>
  `gate-${version}-${stage}`;
export const regressionScheduleId = (version: string): string => `regression-${version}`;

export interface GateWorkflowInput {
  version: string;
  modelConfig: ModelConfig;
  /** the production version when the release started; undefined for the first release */
  baseline?: { version: string; modelConfig: ModelConfig };
  policy: GatePolicy;
  releasedBy: string;
}

export interface GateActionInput {
  actor: string;
  reason?: string;
}
export interface PromoteInput extends GateActionInput {
  /** skip failing checks; needs a reason, and is recorded as such */
  force?: boolean;
}

export interface GateAction {
  action: GateUpdateName | 'release';
  actor: string;
  reason?: string;
  force?: boolean;
  stage: GateStageName | null;
  at: string;
}

export type StageResult = 'passed' | 'failed' | 'aborted' | 'forced';

export interface StageRecord {
  stage: GateStageName;
  startedAt: string;
  endedAt?: string;
  result?: StageResult;
  /** the last measurement of each check in this stage */
  checks: CheckResult[];
}

export type GateOutcome = 'production' | 'rolled_back' | 'aborted';

export interface GateState {
  version: string;
  baseline: string | null;
  status: VersionStatus;
  stage: GateStageName | null;
  /** percent of live reviews the candidate serves */
  weight: number;
  paused: boolean;
  awaitingApproval: boolean;
  approved: boolean;
  /** the current stage's latest measurement */
  checks: CheckResult[];
  /** when the current bake ends at the current pace; null while paused or not baking */
  bakeEndsAt: string | null;
  history: StageRecord[];
  actions: GateAction[];
  failure: { stage: GateStageName; checks: CheckResult[] } | null;
}

/** What a stage child reports to its gate after every measurement and phase change. */
export interface StageReport {
  stage: CheckedStage;
  weight: number;
  checks: CheckResult[];
  bakeEndsAt: string | null;
}

export interface StageInput {
  gateWorkflowId: string;
  version: string;
  stage: CheckedStage;
  /** the candidate's traffic share when the stage starts */
  weight: number;
  modelConfig: ModelConfig;
  baseline?: { version: string; modelConfig: ModelConfig };
  policy: GatePolicy;
}

export interface StageOutcome {
  result: StageResult;
  checks: CheckResult[];
  weight: number;
}

/** Control messages the gate forwards to its running stage. */
export type StageControl =
  { kind: 'promote'; force: boolean } | { kind: 'pause' } | { kind: 'resume' } | { kind: 'abort' };
