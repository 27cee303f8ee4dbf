import { DIMENSION_TARGETS, REVIEW_GUARANTEES } from '../../domain/dimensions';
import { DIMENSIONS, type Dimension, type Severity } from '../../domain/review';
import type { EvalCase, ExpectedFinding, NonFinding } from './types';

/** The part of a reported finding the scorer looks at. */
export interface ReportedFinding {
  file: string;
  startLine: number;
  endLine: number;
  dimension: Dimension;
  severity: Severity;
  title?: string;
}

export type Outcome = 'true_positive' | 'duplicate' | 'false_positive';

export interface ScoredFinding extends ReportedFinding {
  outcome: Outcome;
  /** a false positive that lands on a labelled non-finding region */
  onNonFinding: boolean;
}

export interface CaseScore {
  id: string;
  critical: boolean;
  synthetic: boolean;
  parent?: string;
  tp: number;
  fp: number;
  fn: number;
  duplicates: number;
  nonFindingsHit: number;
  /** all expected critical-dimension findings found and no non-finding region hit */
  right: boolean;
  findings: ScoredFinding[];
  missed: ExpectedFinding[];
}

export interface DimensionScore {
  dimension: Dimension;
  critical: boolean;
  tp: number;
  fp: number;
  fn: number;
  duplicates: number;
  /** tp / (tp + fp); null when nothing was reported in this dimension */
  precision: number | null;
  /** tp / (tp + fn); null when nothing was expected in this dimension */
  recall: number | null;
  f1: number | null;
  target: { precision: number; recall: number };
  /** a missing measurement passes only when there was nothing to measure */
  pass: { precision: boolean; recall: boolean };
}

export interface OverallScore {
  tp: number;
  fp: number;
  fn: number;
  duplicates: number;
  /** false positives that hit a labelled non-finding region (the rest hit unlabelled code) */
  fpOnNonFindings: number;
  falsePositiveRate: number | null;
  falseNegativeRate: number | null;
  microF1: number | null;
  /** mean F1 over dimensions that had something expected or reported (unmeasured ones left out) */
  macroF1: number | null;
  guarantees: {
    falsePositiveRate: { target: number; measured: number | null; pass: boolean };
    falseNegativeRate: { target: number; measured: number | null; pass: boolean };
  };
  cases: { total: number; right: number; critical: number; criticalRight: number };
}

export const SCORING_DEFINITIONS = {
  match:
    'a reported finding matches an expected one when the file is equal, the line ranges overlap ' +
    '(inclusive, no tolerance) and the dimension is equal; severity is not compared. Matching is ' +
    'one-to-one, expected findings taken in label order, reported findings in report order.',
  duplicate:
    'a reported finding that would match an expected finding already matched by another one; ' +
    'counted separately, neither true nor false positive',
  falsePositive:
    'a reported finding that matches no expected finding (labels are complete, so findings on ' +
    'unlabelled code count too); fpOnNonFindings counts those overlapping a non-finding region',
  falsePositiveRate:
    'fp / (tp + fp): the share of reported (non-duplicate) findings that are false',
  falseNegativeRate: 'fn / (tp + fn): the share of expected findings that were not reported',
  caseRight:
    'every expected finding in a critical dimension (security, correctness) is matched and no ' +
    'reported finding overlaps a non-finding region',
} as const;

const overlaps = (
  a: { file: string; startLine: number; endLine: number },
  b: { file: string; startLine: number; endLine: number },
): boolean =>
  a.file === b.file &&
  Math.min(a.startLine, a.endLine) <= Math.max(b.startLine, b.endLine) &&
  Math.min(b.startLine, b.endLine) <= Math.max(a.startLine, a.endLine);

export function matches(reported: ReportedFinding, expected: ExpectedFinding): boolean {
  return reported.dimension === expected.dimension && overlaps(reported, expected);
}

export function hitsNonFinding(reported: ReportedFinding, region: NonFinding): boolean {
  return overlaps(reported, region);
}

const isCritical = (d: Dimension): boolean => DIMENSION_TARGETS[d].critical;

export function scoreCase(
  c: Pick<EvalCase, 'id' | 'critical' | 'synthetic' | 'parent' | 'expected' | 'nonFindings'>,
  reported: readonly ReportedFinding[],
): CaseScore {
  const matchedBy: (number | undefined)[] = c.expected.map(() => undefined);
  const findings: ScoredFinding[] = reported.map((f, i) => {
    const onNonFinding = c.nonFindings.some((r) => hitsNonFinding(f, r));
    const free = c.expected.findIndex((e, k) => matchedBy[k] === undefined && matches(f, e));
    if (free >= 0) {
      matchedBy[free] = i;
      return { ...f, outcome: 'true_positive', onNonFinding };
    }
    const outcome = c.expected.some((e) => matches(f, e)) ? 'duplicate' : 'false_positive';
    return { ...f, outcome, onNonFinding };
  });
  const missed = c.expected.filter((_, k) => matchedBy[k] === undefined);
  const nonFindingsHit = c.nonFindings.filter((r) =>
    reported.some((f) => hitsNonFinding(f, r)),
  ).length;
  const count = (o: Outcome): number => findings.filter((f) => f.outcome === o).length;
  return {
    id: c.id,
    critical: c.critical,
    synthetic: c.synthetic,
    ...(c.parent ? { parent: c.parent } : {}),
    tp: count('true_positive'),
    fp: count('false_positive'),
    fn: missed.length,
    duplicates: count('duplicate'),
    nonFindingsHit,
    right: !missed.some((e) => isCritical(e.dimension)) && nonFindingsHit === 0,
    findings,
    missed,
  };
}

const ratio = (num: number, den: number): number | null => (den === 0 ? null : num / den);

/** 2tp / (2tp + fp + fn): zero when nothing expected was found, null when there was nothing at all. */
function f1(tp: number, fp: number, fn: number): number | null {
  const den = 2 * tp + fp + fn;
  return den === 0 ? null : (2 * tp) / den;
}

export function scoreDimensions(cases: readonly CaseScore[]): DimensionScore[] {
  return DIMENSIONS.map((dimension) => {
    let tp = 0;
    let fp = 0;
    let duplicates = 0;
    let fn = 0;
    for (const cs of cases) {
      for (const f of cs.findings) {
        if (f.dimension !== dimension) continue;
        if (f.outcome === 'true_positive') tp += 1;
        else if (f.outcome === 'false_positive') fp += 1;
        else duplicates += 1;
      }
      fn += cs.missed.filter((e) => e.dimension === dimension).length;
    }
    const precision = ratio(tp, tp + fp);
    const recall = ratio(tp, tp + fn);
    const target = DIMENSION_TARGETS[dimension];
    return {
      dimension,
      critical: target.critical,
      tp,
      fp,
      fn,
      duplicates,
      precision,
      recall,
      f1: f1(tp, fp, fn),
      target: { precision: target.precision, recall: target.recall },
      pass: {
        precision: precision === null ? tp + fp === 0 : precision >= target.precision,
        recall: recall === null ? tp + fn === 0 : recall >= target.recall,
      },
    };
  });
}

export function scoreOverall(
  cases: readonly CaseScore[],
  dimensions: readonly DimensionScore[],
): OverallScore {
  const sum = (k: 'tp' | 'fp' | 'fn' | 'duplicates'): number => cases.reduce((n, c) => n + c[k], 0);
  const tp = sum('tp');
  const fp = sum('fp');
  const fn = sum('fn');
  const fpr = ratio(fp, tp + fp);
  const fnr = ratio(fn, tp + fn);
  const f1s = dimensions.map((d) => d.f1).filter((x): x is number => x !== null);
  const critical = cases.filter((c) => c.critical);
  return {
    tp,
    fp,
    fn,
    duplicates: sum('duplicates'),
    fpOnNonFindings: cases.reduce(
      (n, c) =>
        n + c.findings.filter((f) => f.outcome === 'false_positive' && f.onNonFinding).length,
      0,
    ),
    falsePositiveRate: fpr,
    falseNegativeRate: fnr,
    microF1: f1(tp, fp, fn),
    macroF1: f1s.length === 0 ? null : f1s.reduce((a, b) => a + b, 0) / f1s.length,
    guarantees: {
      falsePositiveRate: {
        target: REVIEW_GUARANTEES.maxFalsePositiveRate,
        measured: fpr,
        pass: (fpr ?? 0) <= REVIEW_GUARANTEES.maxFalsePositiveRate,
      },
      falseNegativeRate: {
        target: REVIEW_GUARANTEES.maxFalseNegativeRate,
        measured: fnr,
        pass: (fnr ?? 0) <= REVIEW_GUARANTEES.maxFalseNegativeRate,
      },
    },
    cases: {
      total: cases.length,
      right: cases.filter((c) => c.right).length,
      critical: critical.length,
      criticalRight: critical.filter((c) => c.right).length,
    },
  };
}

/** Critical-dimension cases the baseline gets right and the candidate gets wrong. */
export function criticalRegressions(
  baseline: readonly Pick<CaseScore, 'id' | 'critical' | 'right'>[],
  candidate: readonly Pick<CaseScore, 'id' | 'critical' | 'right'>[],
): string[] {
  const now = new Map(candidate.map((c) => [c.id, c]));
  return baseline
    .filter((b) => b.critical && b.right && now.get(b.id)?.right === false)
    .map((b) => b.id)
    .sort();
}
