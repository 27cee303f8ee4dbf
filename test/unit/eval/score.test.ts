import {
  criticalRegressions,
  matches,
  scoreCase,
  scoreDimensions,
  scoreOverall,
  type ReportedFinding,
} from '../../../eval/review/score';
import type { EvalCase, ExpectedFinding } from '../../../eval/review/types';

const expected = (over: Partial<ExpectedFinding> = {}): ExpectedFinding => ({
  file: 'src/a.ts',
  startLine: 10,
  endLine: 12,
  dimension: 'security',
  severity: 'critical',
  ...over,
});
const reported = (over: Partial<ReportedFinding> = {}): ReportedFinding => ({
  file: 'src/a.ts',
  startLine: 11,
  endLine: 11,
  dimension: 'security',
  severity: 'high',
  ...over,
});
const labels = (
  over: Partial<EvalCase> = {},
): Pick<EvalCase, 'id' | 'critical' | 'synthetic' | 'expected' | 'nonFindings'> => ({
  id: 'c1',
  critical: true,
  synthetic: false,
  expected: [expected()],
  nonFindings: [],
  ...over,
});

describe('matching', () => {
  it('matches on file, overlapping lines and dimension, ignoring severity', () => {
    expect(matches(reported({ severity: 'low' }), expected())).toBe(true);
    expect(matches(reported({ startLine: 12, endLine: 20 }), expected())).toBe(true);
    expect(matches(reported({ startLine: 13, endLine: 20 }), expected())).toBe(false);
    expect(matches(reported({ file: 'src/b.ts' }), expected())).toBe(false);
    expect(matches(reported({ dimension: 'correctness' }), expected())).toBe(false);
  });

  it('treats a reversed range like the same range', () => {
    expect(matches(reported({ startLine: 14, endLine: 9 }), expected())).toBe(true);
  });
});

describe('scoring one case', () => {
  it('counts a second finding on an already matched issue as a duplicate, not a false positive', () => {
    const s = scoreCase(labels(), [reported(), reported({ startLine: 10, endLine: 10 })]);
    expect([s.tp, s.fp, s.fn, s.duplicates]).toEqual([1, 0, 0, 1]);
  });

  it('matches one-to-one so two real issues need two findings', () => {
    const two = labels({ expected: [expected(), expected({ startLine: 11, endLine: 11 })] });
    expect(scoreCase(two, [reported()])).toMatchObject({ tp: 1, fn: 1, duplicates: 0 });
    expect(scoreCase(two, [reported(), reported()])).toMatchObject({ tp: 2, fn: 0 });
  });

  it('counts findings on unlabelled code as false positives and marks those on non-findings', () => {
    const s = scoreCase(
      labels({ expected: [], nonFindings: [{ file: 'src/a.ts', startLine: 30, endLine: 31 }] }),
      [reported({ startLine: 31, endLine: 31 }), reported({ startLine: 50, endLine: 50 })],
    );
    expect([s.fp, s.nonFindingsHit]).toEqual([2, 1]);
    expect(s.findings.map((f) => f.onNonFinding)).toEqual([true, false]);
    expect(s.right).toBe(false);
  });

  it('calls a case right when every critical issue is found, whatever else is missed', () => {
    const c = labels({
      expected: [expected(), expected({ dimension: 'documentation', startLine: 40, endLine: 40 })],
    });
    expect(scoreCase(c, [reported()]).right).toBe(true);
    expect(
      scoreCase(c, [reported({ dimension: 'documentation', startLine: 40, endLine: 40 })]).right,
    ).toBe(false);
  });

  it('calls a clean case right when it stays quiet on its non-findings', () => {
    const clean = labels({
      expected: [],
      nonFindings: [{ file: 'src/a.ts', startLine: 1, endLine: 5 }],
    });
    expect(scoreCase(clean, []).right).toBe(true);
    expect(scoreCase(clean, [reported({ startLine: 60, endLine: 60 })]).right).toBe(true);
    expect(scoreCase(clean, [reported({ startLine: 5, endLine: 9 })]).right).toBe(false);
  });
});

describe('precision, recall and F1', () => {
  it('computes them per dimension from true positives, false positives and misses', () => {
    const cases = [
      scoreCase(labels({ id: 'a' }), [reported(), reported({ startLine: 90, endLine: 90 })]),
      scoreCase(labels({ id: 'b' }), []),
    ];
    const security = scoreDimensions(cases).find((d) => d.dimension === 'security');
    expect(security).toMatchObject({ tp: 1, fp: 1, fn: 1, precision: 0.5, recall: 0.5, f1: 0.5 });
    expect(security?.pass).toEqual({ precision: false, recall: false });
  });

  it('leaves precision unmeasured when nothing was reported, and passes only when nothing was expected', () => {
    const quiet = scoreDimensions([scoreCase(labels({ expected: [] }), [])]);
    const perf = quiet.find((d) => d.dimension === 'performance');
    expect(perf).toMatchObject({ precision: null, recall: null, f1: null });
    expect(perf?.pass).toEqual({ precision: true, recall: true });
    const missed = scoreDimensions([scoreCase(labels(), [])]).find(
      (d) => d.dimension === 'security',
    );
    expect(missed).toMatchObject({ precision: null, recall: 0, f1: 0 });
    expect(missed?.pass.recall).toBe(false);
  });

  it('gives F1 of zero when every finding is wrong and every issue missed', () => {
    const s = scoreDimensions([scoreCase(labels(), [reported({ startLine: 80, endLine: 80 })])]);
    expect(s.find((d) => d.dimension === 'security')).toMatchObject({
      precision: 0,
      recall: 0,
      f1: 0,
    });
  });

  it('derives the false-positive and false-negative rates from the totals', () => {
    const cases = [
      scoreCase(labels({ id: 'a' }), [reported()]),
      scoreCase(labels({ id: 'b' }), [reported(), reported({ dimension: 'testing' })]),
      scoreCase(labels({ id: 'c' }), []),
    ];
    const overall = scoreOverall(cases, scoreDimensions(cases));
    expect([overall.tp, overall.fp, overall.fn]).toEqual([2, 1, 1]);
    expect(overall.falsePositiveRate).toBeCloseTo(1 / 3);
    expect(overall.falseNegativeRate).toBeCloseTo(1 / 3);
    expect(overall.guarantees.falsePositiveRate).toMatchObject({ target: 0.02, pass: false });
    expect(overall.cases).toEqual({ total: 3, right: 2, critical: 3, criticalRight: 2 });
  });
});

describe('regressions', () => {
  it('lists critical cases the baseline gets right and the candidate gets wrong', () => {
    const baseline = [
      { id: 'x', critical: true, right: true },
      { id: 'y', critical: true, right: false },
      { id: 'z', critical: false, right: true },
    ];
    const candidate = [
      { id: 'x', critical: true, right: false },
      { id: 'y', critical: true, right: true },
      { id: 'z', critical: false, right: false },
    ];
    expect(criticalRegressions(baseline, candidate)).toEqual(['x']);
  });
});
