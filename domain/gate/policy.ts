import { z } from 'zod';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const ms = z.number().int().min(0);
const ratio = z.number().min(0).max(1);

/**
 * The update gate's thresholds and durations. Defaults are the original release policy; a release
 * may override any of them (short bake times on a laptop, smaller eval sizes in tests).
 */
export const GatePolicy = z
  .object({
    qualification: z
      .object({
        bakeMs: ms.default(24 * HOUR),
        /** the baseline must have served production this long, so its score means something */
        minBaselineProductionMs: ms.default(7 * DAY),
        /** relative: the candidate's eval score must be ≥ baseline × (1 + minScoreGain) */
        minScoreGain: z.number().min(-1).max(10).default(0.05),
        maxCriticalRegressions: z.number().int().min(0).default(0),
        /** cases in the development set the two versions are compared on */
        evalCases: z.number().int().min(1).default(200),
      })
      .prefault({}),
    staging: z
      .object({
        bakeMs: ms.default(24 * HOUR),
        maxBakeMs: ms.default(48 * HOUR),
        minEvalCases: z.number().int().min(1).default(2000),
        minEvalScore: ratio.default(0),
        load: z
          .object({
            multiplier: z.number().min(1).default(5),
            /** the production concurrency the multiplier applies to */
            baseConcurrency: z.number().int().min(1).default(4),
            requests: z.number().int().min(1).default(400),
            minSuccessRate: ratio.default(0.99),
            maxP95Ms: z.number().min(1).default(30_000),
          })
          .prefault({}),
        chaos: z
          .object({
            requests: z.number().int().min(1).default(200),
            /** share of provider attempts answered with an injected vendor fault */
            faultRate: ratio.default(0.3),
            minCompletionRate: ratio.default(0.99),
          })
          .prefault({}),
      })
      .prefault({}),
    canary: z
      .object({
        bakeMs: ms.default(4 * HOUR),
        maxBakeMs: ms.default(8 * HOUR),
        weight: z.number().min(0).max(100).default(5),
        measureEveryMs: ms.min(1000).default(HOUR),
        maxErrorRate: ratio.default(0.002),
        minAgreement: ratio.default(0.98),
        /** one-sided Mann-Whitney: the candidate fails when it is slower at this significance */
        latencyAlpha: ratio.default(0.05),
        minSamples: z.number().int().min(0).default(100),
      })
      .prefault({}),
    rollout: z
      .object({
        durationMs: ms.default(48 * HOUR),
        steps: z
          .array(z.number().gt(0).max(100))
          .min(1)
          .default([5, 25, 50, 75, 100])
          .refine((s) => s.every((w, i) => i === 0 || w > (s[i - 1] ?? 0)) && s.at(-1) === 100, {
            message: 'steps must rise strictly and end at 100',
          }),
      })
      .prefault({}),
    production: z
      .object({
        /** a release engineer signs off before the candidate replaces production */
        requireApproval: z.boolean().default(true),
        regressionEveryMs: ms.min(60_000).default(DAY),
        regressionCases: z.number().int().min(1).default(200),
      })
      .prefault({}),
  })
  .refine((p) => p.staging.bakeMs <= p.staging.maxBakeMs, {
    message: 'staging.bakeMs must not exceed staging.maxBakeMs',
    path: ['staging', 'bakeMs'],
  })
  .refine((p) => p.canary.bakeMs <= p.canary.maxBakeMs, {
    message: 'canary.bakeMs must not exceed canary.maxBakeMs',
    path: ['canary', 'bakeMs'],
  });
export type GatePolicy = z.output<typeof GatePolicy>;
export type GatePolicyInput = z.input<typeof GatePolicy>;

export const DEFAULT_GATE_POLICY: GatePolicy = GatePolicy.parse({});

/** Bake time of one rollout step: the rollout's duration shared evenly by its steps. */
export function rolloutStepBakeMs(policy: GatePolicy): number {
  return Math.round(policy.rollout.durationMs / policy.rollout.steps.length);
}
