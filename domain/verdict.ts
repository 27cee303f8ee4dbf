import { z } from 'zod';
import type { ConfidenceBucket, Dimension, Finding, Severity, Verdict } from './review';
import { Agreement, DIMENSIONS, FindingStatus, SEVERITIES, SEVERITY_RANK } from './review';

/** What a review concludes from its voted findings, and the counts shown beside it. */

const BUCKET_RANK: Record<ConfidenceBucket, number> = { high: 2, medium: 1, low: 0 };

/**
 * Keeps findings at or above the requested severity and in the requested dimensions (all
 * when omitted). Order is preserved, so canonically sorted input stays canonical.
 */
export function filterByThreshold(
  findings: readonly Finding[],
  severityThreshold?: Severity,
  dimensions?: readonly Dimension[],
): Finding[] {
  const floor = severityThreshold === undefined ? 0 : SEVERITY_RANK[severityThreshold];
  const wanted = dimensions === undefined ? undefined : new Set(dimensions);
  return findings.filter(
    (f) => SEVERITY_RANK[f.severity] >= floor && (wanted === undefined || wanted.has(f.dimension)),
  );
}

/**
 * Whether a finding alone is reason to block the change. A human-confirmed critical or high
 * blocks whatever the models' score (the human has settled it); an open one blocks only when
 * the models are at least medium-confident, so a lone low-confidence guess does not hold up a
 * merge. Dismissed and unconfirmed findings never block.
 */
export function blocks(f: Finding): boolean {
  if (SEVERITY_RANK[f.severity] < SEVERITY_RANK.high) return false;
  if (f.status === 'confirmed') return true;
  return f.status === 'open' && BUCKET_RANK[f.bucket] >= BUCKET_RANK.medium;
}

/** request_changes if anything blocks; comment if anything is left to read; else approve. */
export function verdictFor(findings: readonly Finding[]): Verdict {
  if (findings.some(blocks)) return 'request_changes';
  if (findings.some((f) => f.status !== 'dismissed')) return 'comment';
  return 'approve';
}

const counts = <K extends string>(keys: readonly K[]) =>
  z.object(
    Object.fromEntries(keys.map((k) => [k, z.number().int().min(0)])) as Record<K, z.ZodNumber>,
  );

export const FindingsSummary = z.object({
  total: z.number().int().min(0),
  byDimension: counts(DIMENSIONS),
  bySeverity: counts(SEVERITIES),
  byAgreement: counts(Agreement.options),
  byStatus: counts(FindingStatus.options),
});
export type FindingsSummary = z.infer<typeof FindingsSummary>;

function zeroes<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
}

/** Counts with every key present (zeros included), so the shape never depends on the data. */
export function summarise(findings: readonly Finding[]): FindingsSummary {
  const s: FindingsSummary = {
    total: findings.length,
    byDimension: zeroes(DIMENSIONS),
    bySeverity: zeroes(SEVERITIES),
    byAgreement: zeroes(Agreement.options),
    byStatus: zeroes(FindingStatus.options),
  };
  for (const f of findings) {
    s.byDimension[f.dimension] += 1;
    s.bySeverity[f.severity] += 1;
    s.byAgreement[f.agreement] += 1;
    s.byStatus[f.status] += 1;
  }
  return s;
}
