import { z } from 'zod';
import {
  FileCoverage,
  Finding,
  Redaction,
  ReviewStatus,
  Verdict,
  type Provenance,
  type ReviewRequest,
} from '../domain/review';
import type { ReviewWorkflowInput } from '../domain/reviewFlow';
import { pgErrorCode, withTransaction, type Db, type Queryable } from './db';

/** Reviews, their findings, model-call provenance, human decisions and feedback. */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue };

/** What the review workflow saves. `request.diff` must already be the redacted diff. */
export interface ReviewInput {
  id: string;
  status: ReviewStatus;
  request: ReviewRequest;
  repository?: string | null;
  modelConfigVersion?: string | null;
  verdict?: Verdict | null;
  summary?: JsonValue;
  coverage?: FileCoverage[];
  redactions?: Redaction[];
  stats?: JsonValue;
  timings?: JsonValue;
  error?: JsonValue;
  /** defaults to the first time the review is saved as completed or failed */
  completedAt?: string | null;
  /** in canonical order; reads return them in the same order */
  findings: Finding[];
}

export interface StoredModelCall extends Provenance {
  idempotencyKey: string;
  reviewId: string;
  chunkIndex: number;
  createdAt: string;
}

export type Decision = 'confirm' | 'dismiss';
export interface FindingDecision {
  reviewId: string;
  findingId: string;
  decision: Decision;
  actor: string;
  reason: string | null;
  decidedAt: string;
}

export type FeedbackKind = 'useful' | 'false_positive' | 'wrong_location';
export interface FindingFeedback {
  reviewId: string;
  findingId: string;
  kind: FeedbackKind;
  actor: string;
  comment: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface StoredReview {
  id: string;
  status: ReviewStatus;
  request: ReviewRequest;
  repository: string | null;
  modelConfigVersion: string | null;
  verdict: Verdict | null;
  summary: JsonValue;
  coverage: FileCoverage[];
  redactions: Redaction[];
  stats: JsonValue;
  timings: JsonValue;
  error: JsonValue;
  createdAt: string;
  completedAt: string | null;
  findings: Finding[];
  modelCalls: StoredModelCall[];
  decisions: FindingDecision[];
}

const REVIEW_ID = /^review-[0-9a-f]{16}$/;
const TERMINAL = `('completed', 'failed')`;
const FINDING_COLUMNS = `id, file, start_line, end_line, dimension, severity, title, explanation,
  suggested_fix, confidence, bucket, agreement, raised_by, status`;

const json = (v: JsonValue | undefined): string | null =>
  v === undefined ? null : JSON.stringify(v);

export async function saveReview(db: Db, review: ReviewInput): Promise<void> {
  if (!REVIEW_ID.test(review.id)) throw new RangeError(`invalid review id ${review.id}`);
  const status = ReviewStatus.parse(review.status);
  const findings = z.array(Finding).parse(review.findings);
  const ids = findings.map((f) => f.id);
  if (new Set(ids).size !== ids.length) throw new RangeError('duplicate finding ids in review');
  const params = [
    review.id,
    status,
    JSON.stringify(review.request),
    review.repository ?? review.request.repository ?? null,
    review.modelConfigVersion ?? null,
    review.verdict == null ? null : Verdict.parse(review.verdict),
    json(review.summary),
    JSON.stringify(z.array(FileCoverage).parse(review.coverage ?? [])),
    JSON.stringify(z.array(Redaction).parse(review.redactions ?? [])),
    json(review.stats),
    json(review.timings),
    json(review.error),
    review.completedAt ?? null,
  ];
  await withTransaction(db, async (client) => {
    // A retried save rewrites the same row; completed_at keeps the first completion time.
    await client.query(
      `INSERT INTO reviews (id, status, request, repository, model_config_version, verdict, summary,
         coverage, redactions, stats, timings, error, completed_at)
       VALUES ($1, $2::text, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,
         CASE WHEN $2::text IN ${TERMINAL} THEN COALESCE($13::timestamptz, now())
              ELSE $13::timestamptz END)
       ON CONFLICT (id) DO UPDATE SET
         status = EXCLUDED.status, request = EXCLUDED.request, repository = EXCLUDED.repository,
         model_config_version = EXCLUDED.model_config_version, verdict = EXCLUDED.verdict,
         summary = EXCLUDED.summary, coverage = EXCLUDED.coverage,
         redactions = EXCLUDED.redactions, stats = EXCLUDED.stats, timings = EXCLUDED.timings,
         error = EXCLUDED.error,
         completed_at = CASE
           WHEN $13::timestamptz IS NOT NULL THEN $13::timestamptz
           WHEN EXCLUDED.status IN ${TERMINAL}
             THEN COALESCE(reviews.completed_at, EXCLUDED.completed_at)
           ELSE NULL END`,
      params,
    );
    // Finding ids are content-derived, so only a genuinely different result drops any.
    await client.query('DELETE FROM findings WHERE review_id = $1 AND NOT (id = ANY($2::text[]))', [
      review.id,
      ids,
    ]);
    if (findings.length === 0) return;
    await client.query(
      `INSERT INTO findings (review_id, position, ${FINDING_COLUMNS})
       SELECT $1, f.position, f.id, f.file, f."startLine", f."endLine", f.dimension, f.severity,
         f.title, f.explanation, f."suggestedFix", f.confidence, f.bucket, f.agreement,
         f."raisedBy", f.status
       FROM jsonb_to_recordset($2::jsonb) AS f(position integer, id text, file text,
         "startLine" integer, "endLine" integer, dimension text, severity text, title text,
         explanation text, "suggestedFix" text, confidence double precision, bucket text,
         agreement text, "raisedBy" text[], status text)
       ON CONFLICT (review_id, id) DO UPDATE SET
         position = EXCLUDED.position, file = EXCLUDED.file, start_line = EXCLUDED.start_line,
         end_line = EXCLUDED.end_line, dimension = EXCLUDED.dimension,
         severity = EXCLUDED.severity, title = EXCLUDED.title,
         explanation = EXCLUDED.explanation, suggested_fix = EXCLUDED.suggested_fix,
         confidence = EXCLUDED.confidence, bucket = EXCLUDED.bucket,
         agreement = EXCLUDED.agreement, raised_by = EXCLUDED.raised_by, status = EXCLUDED.status`,
      [review.id, JSON.stringify(findings.map((f, position) => ({ ...f, position })))],
    );
  });
}

/** Updates status (and optional fields) of an existing review; false when there is none. */
export async function markReviewStatus(
  db: Queryable,
  id: string,
  status: ReviewStatus,
  extra: { verdict?: Verdict | null; error?: JsonValue; timings?: JsonValue } = {},
): Promise<boolean> {
  const res = await db.query(
    `UPDATE reviews SET status = $2::text,
       verdict = CASE WHEN $3::boolean THEN $4 ELSE verdict END,
       error = CASE WHEN $5::boolean THEN $6::jsonb ELSE error END,
       timings = CASE WHEN $7::boolean THEN $8::jsonb ELSE timings END,
       completed_at = CASE WHEN $2::text IN ${TERMINAL} THEN COALESCE(completed_at, now())
                           ELSE NULL END
     WHERE id = $1`,
    [
      id,
      ReviewStatus.parse(status),
      'verdict' in extra,
      extra.verdict == null ? null : Verdict.parse(extra.verdict),
      'error' in extra,
      json(extra.error),
      'timings' in extra,
      json(extra.timings),
    ],
  );
  return (res.rowCount ?? 0) > 0;
}

interface ReviewRow {
  id: string;
  status: ReviewStatus;
  request: ReviewRequest;
  repository: string | null;
  model_config_version: string | null;
  verdict: Verdict | null;
  summary: JsonValue;
  coverage: FileCoverage[];
  redactions: Redaction[];
  stats: JsonValue;
  timings: JsonValue;
  error: JsonValue;
  created_at: Date;
  completed_at: Date | null;
}

interface FindingRow {
  id: string;
  file: string;
  start_line: number;
  end_line: number;
  dimension: Finding['dimension'];
  severity: Finding['severity'];
  title: string;
  explanation: string;
  suggested_fix: string | null;
  confidence: number;
  bucket: Finding['bucket'];
  agreement: Finding['agreement'];
  raised_by: string[];
  status: Finding['status'];
}

function toFinding(r: FindingRow): Finding {
  const f: Finding = {
    id: r.id,
    file: r.file,
    startLine: r.start_line,
    endLine: r.end_line,
    dimension: r.dimension,
    severity: r.severity,
    title: r.title,
    explanation: r.explanation,
    confidence: r.confidence,
    bucket: r.bucket,
    agreement: r.agreement,
    raisedBy: r.raised_by,
    status: r.status,
  };
  // absent rather than null, matching the schema and the bytes consensus produced
  if (r.suggested_fix !== null) f.suggestedFix = r.suggested_fix;
  return f;
}

interface ModelCallRow {
  idempotency_key: string;
  review_id: string;
  chunk_index: number;
  role: Provenance['role'];
  provider: Provenance['provider'];
  model: string;
  latency_ms: number;
  input_tokens: number;
  output_tokens: number;
  attempts: number;
  failover_hops: Provenance['failoverHops'];
  created_at: Date;
}

const MODEL_CALL_COLUMNS = `idempotency_key, review_id, chunk_index, role, provider, model,
  latency_ms, input_tokens, output_tokens, attempts, failover_hops, created_at`;

function toModelCall(r: ModelCallRow): StoredModelCall {
  return {
    idempotencyKey: r.idempotency_key,
    reviewId: r.review_id,
    chunkIndex: r.chunk_index,
    role: r.role,
    provider: r.provider,
    model: r.model,
    latencyMs: r.latency_ms,
    inputTokens: r.input_tokens,
    outputTokens: r.output_tokens,
    attempts: r.attempts,
    failoverHops: r.failover_hops,
    createdAt: r.created_at.toISOString(),
  };
}

interface DecisionRow {
  review_id: string;
  finding_id: string;
  decision: Decision;
  actor: string;
  reason: string | null;
  decided_at: Date;
}

const toDecision = (r: DecisionRow): FindingDecision => ({
  reviewId: r.review_id,
  findingId: r.finding_id,
  decision: r.decision,
  actor: r.actor,
  reason: r.reason,
  decidedAt: r.decided_at.toISOString(),
});

export async function getReview(db: Queryable, id: string): Promise<StoredReview | null> {
  // all four at once: one round trip on a pool, and a status read is the API's hottest path
  const [res, findings, calls, decisions] = await Promise.all([
    db.query<ReviewRow>('SELECT * FROM reviews WHERE id = $1', [id]),
    db.query<FindingRow>(
      `SELECT ${FINDING_COLUMNS} FROM findings WHERE review_id = $1 ORDER BY position`,
      [id],
    ),
    db.query<ModelCallRow>(
      `SELECT ${MODEL_CALL_COLUMNS} FROM model_calls WHERE review_id = $1
       ORDER BY chunk_index, role, created_at, id`,
      [id],
    ),
    db.query<DecisionRow>(
      'SELECT * FROM finding_decisions WHERE review_id = $1 ORDER BY decided_at, finding_id',
      [id],
    ),
  ]);
  const r = res.rows[0];
  if (!r) return null;
  return {
    id: r.id,
    status: r.status,
    request: r.request,
    repository: r.repository,
    modelConfigVersion: r.model_config_version,
    verdict: r.verdict,
    summary: r.summary,
    coverage: r.coverage,
    redactions: r.redactions,
    stats: r.stats,
    timings: r.timings,
    error: r.error,
    createdAt: r.created_at.toISOString(),
    completedAt: r.completed_at?.toISOString() ?? null,
    findings: findings.rows.map(toFinding),
    modelCalls: calls.rows.map(toModelCall),
    decisions: decisions.rows.map(toDecision),
  };
}

export async function reviewExists(db: Queryable, id: string): Promise<boolean> {
  const res = await db.query('SELECT 1 FROM reviews WHERE id = $1', [id]);
  return (res.rowCount ?? 0) > 0;
}

export interface FindingFilter {
  dimension?: Finding['dimension'];
  severity?: Finding['severity'];
  bucket?: Finding['bucket'];
  file?: string;
  limit: number;
  offset: number;
}

/**
 * One page of a review's findings in canonical order and how many match in all, or null when
 * there is no such review. One round trip: the count rides on the page as a window aggregate
 * (a second query only for a page past the end, which has no rows to carry it).
 */
export async function listFindings(
  db: Queryable,
  reviewId: string,
  filter: FindingFilter,
): Promise<{ items: Finding[]; total: number } | null> {
  const params: unknown[] = [reviewId];
  const where = ['review_id = $1'];
  for (const [column, value] of [
    ['dimension', filter.dimension],
    ['severity', filter.severity],
    ['bucket', filter.bucket],
    ['file', filter.file],
  ] as const) {
    if (value === undefined) continue;
    params.push(value);
    where.push(`${column} = $${params.length}`);
  }
  const clause = where.join(' AND ');
  const [exists, page] = await Promise.all([
    reviewExists(db, reviewId),
    db.query<FindingRow & { total: string }>(
      `SELECT ${FINDING_COLUMNS}, count(*) OVER () AS total FROM findings WHERE ${clause}
        ORDER BY position LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, Math.max(0, filter.limit), Math.max(0, filter.offset)],
    ),
  ]);
  if (!exists) return null;
  const first = page.rows[0];
  if (first) return { items: page.rows.map(toFinding), total: Number(first.total) };
  if (filter.offset === 0) return { items: [], total: 0 };
  const count = await db.query<{ n: string }>(
    `SELECT count(*) AS n FROM findings WHERE ${clause}`,
    params,
  );
  return { items: [], total: Number(count.rows[0]?.n ?? 0) };
}

/** Upserts on idempotencyKey so a retried activity records its call once. */
export async function recordModelCall(
  db: Queryable,
  call: Provenance & { idempotencyKey: string; reviewId: string; chunkIndex: number },
): Promise<StoredModelCall> {
  const res = await db.query<ModelCallRow>(
    `INSERT INTO model_calls (idempotency_key, review_id, chunk_index, role, provider, model,
       latency_ms, input_tokens, output_tokens, attempts, failover_hops)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
     ON CONFLICT (idempotency_key) DO UPDATE SET
       review_id = EXCLUDED.review_id, chunk_index = EXCLUDED.chunk_index, role = EXCLUDED.role,
       provider = EXCLUDED.provider, model = EXCLUDED.model, latency_ms = EXCLUDED.latency_ms,
       input_tokens = EXCLUDED.input_tokens, output_tokens = EXCLUDED.output_tokens,
       attempts = EXCLUDED.attempts, failover_hops = EXCLUDED.failover_hops
     RETURNING ${MODEL_CALL_COLUMNS}`,
    [
      call.idempotencyKey,
      call.reviewId,
      call.chunkIndex,
      call.role,
      call.provider,
      call.model,
      call.latencyMs,
      call.inputTokens,
      call.outputTokens,
      call.attempts,
      JSON.stringify(call.failoverHops),
    ],
  );
  const row = res.rows[0];
  if (!row) throw new Error('model_calls: upsert returned no row');
  return toModelCall(row);
}

/**
 * Records a human decision on a finding; a finding is decided once. 'exists' (with the earlier
 * decision) is the API's 409. The finding's status follows the decision when it is stored.
 */
export async function saveDecision(
  db: Db,
  input: {
    reviewId: string;
    findingId: string;
    decision: Decision;
    actor: string;
    reason?: string;
  },
): Promise<{ outcome: 'created' | 'exists'; decision: FindingDecision }> {
  const decision = z.enum(['confirm', 'dismiss']).parse(input.decision);
  return withTransaction(db, async (client) => {
    const inserted = await client.query<DecisionRow>(
      `INSERT INTO finding_decisions (review_id, finding_id, decision, actor, reason)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (review_id, finding_id) DO NOTHING RETURNING *`,
      [input.reviewId, input.findingId, decision, input.actor, input.reason ?? null],
    );
    const created = inserted.rows[0];
    if (!created) {
      const existing = await client.query<DecisionRow>(
        'SELECT * FROM finding_decisions WHERE review_id = $1 AND finding_id = $2',
        [input.reviewId, input.findingId],
      );
      const row = existing.rows[0];
      if (!row) throw new Error('finding_decisions: conflict without a row');
      return { outcome: 'exists' as const, decision: toDecision(row) };
    }
    await client.query('UPDATE findings SET status = $3 WHERE review_id = $1 AND id = $2', [
      input.reviewId,
      input.findingId,
      decision === 'confirm' ? 'confirmed' : 'dismissed',
    ]);
    return { outcome: 'created' as const, decision: toDecision(created) };
  });
}

interface FeedbackRow {
  review_id: string;
  finding_id: string;
  kind: FeedbackKind;
  actor: string;
  comment: string | null;
  created_at: Date;
  updated_at: Date;
}

/** One feedback per actor per finding; giving it again replaces it. null: no such finding. */
export async function saveFeedback(
  db: Queryable,
  input: {
    reviewId: string;
    findingId: string;
    kind: FeedbackKind;
    actor: string;
    comment?: string;
  },
): Promise<FindingFeedback | null> {
  const kind = z.enum(['useful', 'false_positive', 'wrong_location']).parse(input.kind);
  try {
    const res = await db.query<FeedbackRow>(
      `INSERT INTO finding_feedback (review_id, finding_id, kind, actor, comment)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (review_id, finding_id, actor) DO UPDATE SET
         kind = EXCLUDED.kind, comment = EXCLUDED.comment, updated_at = now()
       RETURNING *`,
      [input.reviewId, input.findingId, kind, input.actor, input.comment ?? null],
    );
    const r = res.rows[0];
    if (!r) throw new Error('finding_feedback: upsert returned no row');
    return {
      reviewId: r.review_id,
      findingId: r.finding_id,
      kind: r.kind,
      actor: r.actor,
      comment: r.comment,
      createdAt: r.created_at.toISOString(),
      updatedAt: r.updated_at.toISOString(),
    };
  } catch (err) {
    if (pgErrorCode(err) === '23503') return null; // foreign_key_violation: unknown finding
    throw err;
  }
}

/**
 * Puts a review in the queue unless it already is queued, running, waiting or done: true when
 * this call (re)queued it. One statement, so identical concurrent submissions cannot rewrite a
 * row another request has already moved on; only a failed review is queued again.
 */
export async function queueReview(
  db: Queryable,
  review: Pick<ReviewInput, 'id' | 'request' | 'repository' | 'modelConfigVersion'> & {
    coverage: FileCoverage[];
    redactions: Redaction[];
    stats: JsonValue;
    /** what starts its workflow: kept so the sweeper can start a review the API could not */
    workflowInput: ReviewWorkflowInput;
  },
): Promise<boolean> {
  if (!REVIEW_ID.test(review.id)) throw new RangeError(`invalid review id ${review.id}`);
  const res = await db.query(
    `INSERT INTO reviews (id, status, request, repository, model_config_version, coverage,
       redactions, stats, workflow_input)
     VALUES ($1, 'queued', $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (id) DO UPDATE SET status = 'queued', request = EXCLUDED.request,
       repository = EXCLUDED.repository, model_config_version = EXCLUDED.model_config_version,
       coverage = EXCLUDED.coverage, redactions = EXCLUDED.redactions, stats = EXCLUDED.stats,
       verdict = NULL, summary = NULL, timings = NULL, error = NULL, completed_at = NULL,
       workflow_input = EXCLUDED.workflow_input, queued_at = now(), workflow_started_at = NULL,
       start_claimed_until = NULL
     WHERE reviews.status = 'failed'
     RETURNING id`,
    [
      review.id,
      JSON.stringify(review.request),
      review.repository ?? review.request.repository ?? null,
      review.modelConfigVersion ?? null,
      JSON.stringify(z.array(FileCoverage).parse(review.coverage)),
      JSON.stringify(z.array(Redaction).parse(review.redactions)),
      json(review.stats),
      JSON.stringify(review.workflowInput),
    ],
  );
  return (res.rowCount ?? 0) > 0;
}

/** Its workflow has been started (or joined): the sweeper leaves it alone. */
export async function markReviewStarted(db: Queryable, id: string): Promise<void> {
  await db.query(
    'UPDATE reviews SET workflow_started_at = now() WHERE id = $1 AND workflow_started_at IS NULL',
    [id],
  );
}

/**
 * Claims queued reviews whose workflow was never started (queued at least `minAgeMs` ago), oldest
 * first, for `claimMs`: another sweeper skips them meanwhile. A claim that lapses (its sweeper
 * died) is taken again.
 */
export async function claimUnstartedReviews(
  db: Queryable,
  opts: { minAgeMs: number; claimMs: number; limit: number },
): Promise<{ id: string; workflowInput: ReviewWorkflowInput }[]> {
  // written by queueReview from a typed value, read back as that value
  const res = await db.query<{ id: string; workflow_input: ReviewWorkflowInput }>(
    `UPDATE reviews SET start_claimed_until = now() + make_interval(secs => $2::double precision / 1000)
      WHERE id IN (
        SELECT id FROM reviews
         WHERE status = 'queued' AND workflow_started_at IS NULL AND workflow_input IS NOT NULL
           AND queued_at < now() - make_interval(secs => $1::double precision / 1000)
           AND (start_claimed_until IS NULL OR start_claimed_until < now())
         ORDER BY queued_at LIMIT $3
         FOR UPDATE SKIP LOCKED)
      RETURNING id, workflow_input`,
    [opts.minAgeMs, opts.claimMs, opts.limit],
  );
  return res.rows.map((r) => ({ id: r.id, workflowInput: r.workflow_input }));
}

/** Still queued and never started: what a sweeper checks again right before it starts one. */
export async function awaitsStart(db: Queryable, id: string): Promise<boolean> {
  const res = await db.query(
    `SELECT 1 FROM reviews WHERE id = $1 AND status = 'queued' AND workflow_started_at IS NULL`,
    [id],
  );
  return (res.rowCount ?? 0) > 0;
}

export async function reviewStatus(db: Queryable, id: string): Promise<ReviewStatus | null> {
  const res = await db.query<{ status: ReviewStatus }>('SELECT status FROM reviews WHERE id = $1', [
    id,
  ]);
  return res.rows[0]?.status ?? null;
}
