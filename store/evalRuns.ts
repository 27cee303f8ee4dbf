import type { Queryable } from './db';

/**
 * Stored evaluation runs. The input is structural (eval/review's `EvalReport` satisfies it) so the
 * store does not depend on the harness; readers get the headline numbers without the report.
 */

export interface EvalRunInput {
  suite: 'review';
  version: string;
  caseSet: { id: string; hash: string; total: number; synthetic: number };
  overall: { falsePositiveRate: number | null; falseNegativeRate: number | null };
  score: number | null;
  passed: boolean;
  determinism: { identical: boolean } | null;
  timings: { durationMs: number };
}

export interface EvalRunSummary {
  id: string;
  suite: 'review';
  version: string;
  caseSetId: string;
  caseSetHash: string;
  caseCount: number;
  syntheticCount: number;
  falsePositiveRate: number | null;
  falseNegativeRate: number | null;
  score: number | null;
  deterministic: boolean | null;
  passed: boolean;
  durationMs: number;
  createdAt: string;
}

interface Row {
  id: string;
  suite: 'review';
  model_config_version: string;
  case_set_id: string;
  case_set_hash: string;
  case_count: number;
  synthetic_count: number;
  false_positive_rate: number | null;
  false_negative_rate: number | null;
  score: number | null;
  deterministic: boolean | null;
  passed: boolean;
  duration_ms: number;
  created_at: Date;
}

const SUMMARY = `id::text AS id, suite, model_config_version, case_set_id, case_set_hash, case_count,
  synthetic_count, false_positive_rate, false_negative_rate, score, deterministic, passed,
  duration_ms, created_at`;

function toSummary(r: Row): EvalRunSummary {
  return {
    id: r.id,
    suite: r.suite,
    version: r.model_config_version,
    caseSetId: r.case_set_id,
    caseSetHash: r.case_set_hash,
    caseCount: r.case_count,
    syntheticCount: r.synthetic_count,
    falsePositiveRate: r.false_positive_rate,
    falseNegativeRate: r.false_negative_rate,
    score: r.score,
    deterministic: r.deterministic,
    passed: r.passed,
    durationMs: r.duration_ms,
    createdAt: r.created_at.toISOString(),
  };
}

export async function saveEvalRun(db: Queryable, report: EvalRunInput): Promise<EvalRunSummary> {
  const { rows } = await db.query<Row>(
    `INSERT INTO eval_runs (suite, model_config_version, case_set_id, case_set_hash, case_count,
       synthetic_count, false_positive_rate, false_negative_rate, score, deterministic, passed,
       duration_ms, report)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
     RETURNING ${SUMMARY}`,
    [
      report.suite,
      report.version,
      report.caseSet.id,
      report.caseSet.hash,
      report.caseSet.total,
      report.caseSet.synthetic,
      report.overall.falsePositiveRate,
      report.overall.falseNegativeRate,
      report.score,
      report.determinism?.identical ?? null,
      report.passed,
      Math.round(report.timings.durationMs),
      JSON.stringify(report),
    ],
  );
  return toSummary(rows[0] as Row);
}

/** The newest run, optionally of one version and/or one case set: what the guarantees show. */
export async function latestEvalRun(
  db: Queryable,
  filter: { suite?: 'review'; version?: string; caseSetId?: string } = {},
): Promise<EvalRunSummary | undefined> {
  const { rows } = await db.query<Row>(
    `SELECT ${SUMMARY} FROM eval_runs
     WHERE suite = $1 AND ($2::text IS NULL OR model_config_version = $2)
       AND ($3::text IS NULL OR case_set_id = $3)
     ORDER BY created_at DESC, id DESC LIMIT 1`,
    [filter.suite ?? 'review', filter.version ?? null, filter.caseSetId ?? null],
  );
  return rows[0] ? toSummary(rows[0]) : undefined;
}

export async function listEvalRuns(
  db: Queryable,
  filter: { version?: string; limit?: number } = {},
): Promise<EvalRunSummary[]> {
  const { rows } = await db.query<Row>(
    `SELECT ${SUMMARY} FROM eval_runs WHERE ($1::text IS NULL OR model_config_version = $1)
     ORDER BY created_at DESC, id DESC LIMIT $2`,
    [filter.version ?? null, Math.min(Math.max(filter.limit ?? 50, 1), 500)],
  );
  return rows.map(toSummary);
}

/** The full stored report (per-case results included), as JSON. */
export async function getEvalReport(db: Queryable, id: string): Promise<unknown> {
  if (!/^\d+$/.test(id)) return undefined;
  const { rows } = await db.query<{ report: unknown }>(
    'SELECT report FROM eval_runs WHERE id = $1::bigint',
    [id],
  );
  return rows[0]?.report;
}
