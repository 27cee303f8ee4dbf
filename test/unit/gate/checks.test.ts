import {
  DEFAULT_GATE_POLICY as P,
  GatePolicy,
  baselineHistoryCheck,
  canTransition,
  chaosCheck,
  criticalRegressions,
  evalSizeCheck,
  isImmediateBreach,
  liveChecks,
  loadChecks,
  rolloutStepBakeMs,
  scoreGainCheck,
  type CaseResult,
  type LiveSample,
} from '../../../domain/gate';

const HOUR = 3_600_000;
const cases = (right: boolean[], critical = true): CaseResult[] =>
  right.map((r, i) => ({ caseId: `c${i}`, right: r, critical }));

const live: LiveSample = {
  candidateReviews: 1000,
  candidateErrors: 1,
  compared: 500,
  agreed: 495,
  candidateLatenciesMs: [100, 110, 120, 130],
  baselineLatenciesMs: [100, 115, 118, 131],
};

describe('gate policy', () => {
  it('has the original durations and thresholds as defaults', () => {
    expect(P.qualification).toMatchObject({
      bakeMs: 24 * HOUR,
      minBaselineProductionMs: 168 * HOUR,
      minScoreGain: 0.05,
      maxCriticalRegressions: 0,
    });
    expect(P.staging).toMatchObject({
      bakeMs: 24 * HOUR,
      maxBakeMs: 48 * HOUR,
      minEvalCases: 2000,
    });
    expect(P.staging.load.multiplier).toBe(5);
    expect(P.canary).toMatchObject({
      bakeMs: 4 * HOUR,
      maxBakeMs: 8 * HOUR,
      weight: 5,
      maxErrorRate: 0.002,
      minAgreement: 0.98,
    });
    expect(P.rollout).toEqual({ durationMs: 48 * HOUR, steps: [5, 25, 50, 75, 100] });
    expect(rolloutStepBakeMs(P)).toBe(9.6 * HOUR);
  });

  it('keeps defaults for what an override leaves out and refuses bake times past their maximum', () => {
    const p = GatePolicy.parse({ canary: { bakeMs: 60_000 } });
    expect(p.canary).toMatchObject({ bakeMs: 60_000, weight: 5 });
    expect(GatePolicy.safeParse({ staging: { bakeMs: 49 * HOUR } }).success).toBe(false);
    expect(GatePolicy.safeParse({ rollout: { steps: [50, 25, 100] } }).success).toBe(false);
  });
});

describe('gate checks', () => {
  it('wants a week of baseline production data', () => {
    expect(baselineHistoryCheck(6.9 * 24 * HOUR, P)).toMatchObject({ passed: false, threshold: 7 });
    expect(baselineHistoryCheck(7 * 24 * HOUR, P)).toMatchObject({ passed: true, value: 7 });
  });

  it('wants the candidate 5% over the baseline, relatively', () => {
    const c = (score: number) => ({ score, cases: [], synthetic: 0 });
    expect(scoreGainCheck(c(0.84), c(0.8), P)).toMatchObject({ value: 0.05, passed: true });
    expect(scoreGainCheck(c(0.83), c(0.8), P)).toMatchObject({ passed: false });
  });

  it('counts a regression only where the baseline was right on a critical case', () => {
    const baseline = [
      ...cases([true, true, false]),
      ...cases([true], false).map((c) => ({ ...c, caseId: 'n0' })),
    ];
    const candidate = [
      ...cases([false, true, false]),
      { caseId: 'n0', right: false, critical: false },
    ];
    expect(criticalRegressions(candidate, baseline)).toEqual(['c0']);
  });

  it('judges staging eval size, load and chaos against the policy', () => {
    expect(
      evalSizeCheck({ score: 0.8, cases: cases(new Array(1999).fill(true)), synthetic: 1800 }, P)
        .passed,
    ).toBe(false);
    const run = {
      requests: 100,
      succeeded: 99,
      concurrency: 20,
      latenciesMs: [10, 20, 30],
      durationMs: 5,
    };
    expect(loadChecks(run, P).every((c) => c.passed)).toBe(true);
    expect(
      loadChecks({ ...run, concurrency: 4 }, P).find((c) => c.name === 'load_concurrency')?.passed,
    ).toBe(false);
    expect(
      chaosCheck({ reviews: 100, completed: 100, faultsInjected: 0, failovers: 0 }, P).passed,
    ).toBe(false);
    expect(
      chaosCheck({ reviews: 100, completed: 99, faultsInjected: 30, failovers: 2 }, P).passed,
    ).toBe(true);
  });

  it('passes healthy live traffic and flags an error-rate breach for immediate rollback', () => {
    expect(liveChecks(live, P).every((c) => c.passed)).toBe(true);
    const breach = liveChecks({ ...live, candidateErrors: 3 }, P);
    expect(breach.filter(isImmediateBreach).map((c) => c.name)).toEqual(['error_rate']);
    const disagree = liveChecks({ ...live, agreed: 480 }, P);
    expect(disagree.filter((c) => !c.passed).map((c) => c.name)).toEqual(['agreement']);
    expect(disagree.some(isImmediateBreach)).toBe(false);
  });

  it('does not claim agreement for candidate reviews that no baseline shadow was compared with', () => {
    const unshadowed = liveChecks({ ...live, compared: 0, agreed: 0 }, P);
    expect(unshadowed.find((c) => c.name === 'agreement')).toMatchObject({
      passed: false,
      value: 0,
    });
    const idle = liveChecks(
      { ...live, candidateReviews: 0, candidateErrors: 0, compared: 0, agreed: 0 },
      P,
    );
    expect(idle.find((c) => c.name === 'agreement')?.passed).toBe(true);
  });

  it('fails latency when the candidate is significantly slower', () => {
    const slow = liveChecks(
      {
        ...live,
        candidateLatenciesMs: Array.from({ length: 50 }, (_, i) => 200 + i),
        baselineLatenciesMs: Array.from({ length: 50 }, (_, i) => 100 + i),
      },
      P,
    );
    expect(slow.find((c) => c.name === 'latency_mann_whitney_p')).toMatchObject({ passed: false });
  });
});

describe('version status machine', () => {
  it('moves forward through the gate, or out of it for good', () => {
    expect(canTransition('candidate', 'qualifying')).toBe(true);
    expect(canTransition('canary', 'rolled_back')).toBe(true);
    expect(canTransition('rolling_out', 'production')).toBe(true);
    expect(canTransition('production', 'retired')).toBe(true);
    expect(canTransition('staging', 'production')).toBe(false);
    expect(canTransition('rolled_back', 'canary')).toBe(false);
    expect(canTransition('production', 'aborted')).toBe(false);
  });
});
