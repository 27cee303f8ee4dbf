import { z } from 'zod';
import { DIMENSIONS, type Dimension } from './review';

/**
 * The quality CR-AI promises, from the original service summary. The eval harness measures
 * against these numbers and the API publishes them, so both read them from here.
 */

export const DimensionTarget = z.object({
  dimension: z.enum(DIMENSIONS),
  /** share of reported findings that are real, 0..1 */
  precision: z.number().min(0).max(1),
  /** share of real issues that are reported, 0..1 */
  recall: z.number().min(0).max(1),
  /** critical dimensions need both models to agree before a finding is high confidence */
  critical: z.boolean(),
});
export type DimensionTarget = z.infer<typeof DimensionTarget>;

export const DIMENSION_TARGETS: Record<Dimension, DimensionTarget> = {
  security: { dimension: 'security', precision: 0.95, recall: 0.98, critical: true },
  correctness: { dimension: 'correctness', precision: 0.92, recall: 0.9, critical: true },
  performance: { dimension: 'performance', precision: 0.88, recall: 0.85, critical: false },
  maintainability: { dimension: 'maintainability', precision: 0.85, recall: 0.8, critical: false },
  architecture: { dimension: 'architecture', precision: 0.85, recall: 0.8, critical: false },
  testing: { dimension: 'testing', precision: 0.88, recall: 0.85, critical: false },
  documentation: { dimension: 'documentation', precision: 0.8, recall: 0.75, critical: false },
};

/** Whole-review guarantees; rates are fractions (0.02 = 2%). */
export const REVIEW_GUARANTEES = {
  /** at most this share of reported findings may be false positives */
  maxFalsePositiveRate: 0.02,
  /** at most this share of real issues may be missed */
  maxFalseNegativeRate: 0.05,
  /** the same request and model-config version always yields byte-identical output */
  deterministic: true,
} as const;
