import type { GatePolicy } from './policy';
import { mannWhitneyU } from './stats';

/** One measured check: what was measured, the bar it had to clear, and whether it did. */
export interface CheckResult {
  name: string;
  value: number;
  threshold: number;
  passed: boolean;
  /** how to read value against threshold, for people */
  comparator: '>=' | '<=' | '<' | '>';
  detail?: string;
}

export const failing = (checks: readonly CheckResult[]): CheckResult[] =>
  checks.filter((c) => !c.passed);

/** What the gate needs from an evaluation run: one verdict per case. */
export interface CaseResult {
  caseId: string;
  right: boolean;
  /** the case sits in a critical dimension (security, data loss) */
  critical: boolean;
}

export interface EvalSummary {
  /** the harness's headline score (macro F1); higher is better */
  score: number;
  cases: CaseResult[];
  /** how many of the cases are synthetic (augmented) rather than hand-written */
  synthetic: number;
}

export function evalScore(cases: readonly CaseResult[]): number {
  return cases.length === 0 ? 0 : cases.filter((c) => c.right).length / cases.length;
}

const DAY_MS = 86_400_000;
const EPSILON = 1e-9;

export function baselineHistoryCheck(productionMs: number, policy: GatePolicy): CheckResult {
  const days = productionMs / DAY_MS;
  const threshold = policy.qualification.minBaselineProductionMs / DAY_MS;
  return {
    name: 'baseline_production_days',
    value: round(days),
    threshold: round(threshold),
    comparator: '>=',
    passed: days >= threshold,
  };
}

/** The candidate must beat the baseline by a relative margin on the same cases. */
export function scoreGainCheck(
  candidate: EvalSummary,
  baseline: EvalSummary,
  policy: GatePolicy,
): CheckResult {
  const c = candidate.score;
  const b = baseline.score;
  const gain = b === 0 ? (c > 0 ? Number.POSITIVE_INFINITY : 0) : c / b - 1;
  return {
    name: 'eval_score_gain',
    value: round(gain),
    threshold: policy.qualification.minScoreGain,
    comparator: '>=',
    // scores are ratios themselves: 0.84 / 0.8 − 1 is 0.0499999…, which is 5%
    passed: gain >= policy.qualification.minScoreGain - EPSILON,
    detail: `candidate ${round(c)} vs baseline ${round(b)} over ${candidate.cases.length} cases`,
  };
}

/** Critical-dimension cases the baseline gets right and the candidate gets wrong. */
export function criticalRegressions(
  candidate: readonly CaseResult[],
  baseline: readonly CaseResult[],
): string[] {
  const cand = new Map(candidate.map((c) => [c.caseId, c]));
  return baseline
    .filter((b) => b.critical && b.right && cand.get(b.caseId)?.right === false)
    .map((b) => b.caseId)
    .sort();
}

export function regressionCheck(
  candidate: readonly CaseResult[],
  baseline: readonly CaseResult[],
  policy: GatePolicy,
): CheckResult {
  const ids = criticalRegressions(candidate, baseline);
  return {
    name: 'critical_regressions',
    value: ids.length,
    threshold: policy.qualification.maxCriticalRegressions,
    comparator: '<=',
    passed: ids.length <= policy.qualification.maxCriticalRegressions,
    ...(ids.length > 0 ? { detail: ids.slice(0, 20).join(', ') } : {}),
  };
}

export function evalSizeCheck(summary: EvalSummary, policy: GatePolicy): CheckResult {
  return {
    name: 'staging_eval_cases',
    value: summary.cases.length,
    threshold: policy.staging.minEvalCases,
    comparator: '>=',
    passed: summary.cases.length >= policy.staging.minEvalCases,
    detail: `${summary.synthetic} synthetic, score ${round(summary.score)}`,
  };
}

export interface LoadRun {
  requests: number;
  succeeded: number;
  concurrency: number;
  latenciesMs: number[];
  durationMs: number;
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx] ?? 0;
}

export function loadChecks(run: LoadRun, policy: GatePolicy): CheckResult[] {
  const { load } = policy.staging;
  const rate = run.requests === 0 ? 0 : run.succeeded / run.requests;
  const p95 = percentile(run.latenciesMs, 95);
  const wanted = load.baseConcurrency * load.multiplier;
  return [
    {
      name: 'load_concurrency',
      value: run.concurrency,
      threshold: wanted,
      comparator: '>=',
      passed: run.concurrency >= wanted,
    },
    {
      name: 'load_success_rate',
      value: round(rate),
      threshold: load.minSuccessRate,
      comparator: '>=',
      passed: rate >= load.minSuccessRate,
      detail: `${run.succeeded}/${run.requests} in ${Math.round(run.durationMs)} ms`,
    },
    {
      name: 'load_p95_ms',
      value: Math.round(p95),
      threshold: load.maxP95Ms,
      comparator: '<=',
      passed: p95 <= load.maxP95Ms,
    },
  ];
}

export interface ChaosRun {
  reviews: number;
  completed: number;
  faultsInjected: number;
  failovers: number;
}

export function chaosCheck(run: ChaosRun, policy: GatePolicy): CheckResult {
  const rate = run.reviews === 0 ? 0 : run.completed / run.reviews;
  return {
    name: 'chaos_completion_rate',
    value: round(rate),
    threshold: policy.staging.chaos.minCompletionRate,
    comparator: '>=',
    passed: run.faultsInjected > 0 && rate >= policy.staging.chaos.minCompletionRate,
    detail: `${run.completed}/${run.reviews} completed; ${run.faultsInjected} faults, ${run.failovers} failovers`,
  };
}

/** What live traffic showed during canary or a rollout step. */
export interface LiveSample {
  candidateReviews: number;
  candidateErrors: number;
  /** candidate reviews that have a baseline (shadow) result for the same diff */
  compared: number;
  agreed: number;
  candidateLatenciesMs: number[];
  baselineLatenciesMs: number[];
}

export function liveChecks(s: LiveSample, policy: GatePolicy): CheckResult[] {
  const { canary } = policy;
  const enough = s.candidateReviews >= canary.minSamples;
  const errorRate = s.candidateReviews === 0 ? 0 : s.candidateErrors / s.candidateReviews;
  // Candidate reviews with no baseline shadow to compare against prove nothing: that fails.
  // Only when the candidate has served nothing yet is there nothing to disagree with.
  const agreement = s.compared > 0 ? s.agreed / s.compared : s.candidateReviews === 0 ? 1 : 0;
  const latency =
    s.candidateLatenciesMs.length > 0 && s.baselineLatenciesMs.length > 0
      ? mannWhitneyU(s.candidateLatenciesMs, s.baselineLatenciesMs).pGreater
      : 1;
  return [
    {
      name: 'live_samples',
      value: s.candidateReviews,
      threshold: canary.minSamples,
      comparator: '>=',
      passed: enough,
    },
    {
      name: 'error_rate',
      value: round(errorRate),
      threshold: canary.maxErrorRate,
      comparator: '<',
      passed: errorRate < canary.maxErrorRate,
      detail: `${s.candidateErrors}/${s.candidateReviews} failed`,
    },
    {
      name: 'agreement',
      value: round(agreement),
      threshold: canary.minAgreement,
      comparator: '>=',
      passed: agreement >= canary.minAgreement,
      detail: `${s.agreed}/${s.compared} agree with the baseline`,
    },
    {
      name: 'latency_mann_whitney_p',
      value: round(latency),
      threshold: canary.latencyAlpha,
      comparator: '>=',
      passed: latency >= canary.latencyAlpha,
      detail: `candidate slower? p=${round(latency)} (${s.candidateLatenciesMs.length} vs ${s.baselineLatenciesMs.length})`,
    },
  ];
}

/**
 * A breach that rolls back at once, without waiting out the bake: errors reaching users. The
 * other live checks only block promotion and are judged again at the end of the bake.
 */
export function isImmediateBreach(check: CheckResult): boolean {
  return check.name === 'error_rate' && !check.passed;
}

function round(v: number): number {
  return Number.isFinite(v) ? Math.round(v * 1e6) / 1e6 : v;
}
