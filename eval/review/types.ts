import { z } from 'zod';
import { Dimension, Severity } from '../../domain/review';

/**
 * A labelled review case: a unified diff plus what a senior reviewer would and would not flag.
 * Lines are new-side line numbers, as in `Finding`. Labels are complete for the seven
 * dimensions: anything reported outside `expected` is a false positive (see score.ts).
 */

export const EVAL_LANGUAGES = ['typescript', 'javascript', 'python', 'go', 'java'] as const;
export const EvalLanguage = z.enum(EVAL_LANGUAGES);
export type EvalLanguage = z.infer<typeof EvalLanguage>;

export const ExpectedFinding = z.object({
  file: z.string().min(1),
  startLine: z.number().int().min(1),
  endLine: z.number().int().min(1),
  dimension: Dimension,
  severity: Severity,
  /** what the reviewer would say, for humans reading a failed case */
  note: z.string().optional(),
});
export type ExpectedFinding = z.infer<typeof ExpectedFinding>;

/** A region where nothing at all should be reported: usually the fixed or look-alike code. */
export const NonFinding = z.object({
  file: z.string().min(1),
  startLine: z.number().int().min(1),
  endLine: z.number().int().min(1),
  note: z.string().optional(),
});
export type NonFinding = z.infer<typeof NonFinding>;

export const CaseLabels = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9._~-]*$/),
  title: z.string().min(1),
  language: EvalLanguage,
  /** the issue family the case is about, e.g. `sql-injection`; clean cases share it */
  kind: z.string().min(1),
  variant: z.enum(['vulnerable', 'clean']),
  /** the dimension the case exercises (clean cases: the one it must stay quiet on) */
  dimension: Dimension,
  /** security and correctness cases: the gate's zero-regression rule is about these */
  critical: z.boolean(),
  expected: z.array(ExpectedFinding),
  nonFindings: z.array(NonFinding),
  synthetic: z.boolean().default(false),
  /** for synthetic cases: the development case it was derived from, and how */
  parent: z.string().optional(),
  mutations: z.array(z.string()).optional(),
});
export type CaseLabels = z.infer<typeof CaseLabels>;

export interface EvalCase extends CaseLabels {
  diff: string;
}

export interface CaseSet {
  /** e.g. `dev` or `dev+aug-s1`; with the hash it names exactly which cases were run */
  id: string;
  /** sha256 (hex) over the canonical cases, so two runs can be compared only on the same set */
  hash: string;
  cases: EvalCase[];
}
