import { CommitAnalysis, CommitInput } from '../domain/commits/types';
import { ReleaseProposal } from '../domain/commits/release';
import type { CommitOutcome } from '../domain/commits/flow';
import type { Redaction } from '../domain/review';
import type { Queryable } from './db';

/** Commit analyses (one row per repository and sha) and the batches that propose releases. */

export type AnalysisStatus = 'queued' | 'running' | 'completed' | 'failed';
export type BatchStatus = AnalysisStatus | 'cancelled';

export interface NewCommitInput {
  id: string;
  inputHash: string;
  /** already redacted */
  input: CommitInput;
  redactions: Redaction[];
  /** the input cannot be analysed (its diff does not parse): stored failed, never run */
  inputError?: string;
}

export interface StoredCommitAnalysis {
  id: string;
  repository: string;
  sha: string;
  inputHash: string;
  status: AnalysisStatus;
  analysis: CommitAnalysis | null;
  error: string | null;
  createdAt: string;
  completedAt: string | null;
}

interface AnalysisRow {
  id: string;
  repository: string;
  sha: string;
  input_hash: string;
  status: AnalysisStatus;
  analysis: unknown;
  error: string | null;
  created_at: Date;
  completed_at: Date | null;
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

function toAnalysis(row: AnalysisRow): StoredCommitAnalysis {
  return {
    id: row.id,
    repository: row.repository,
    sha: row.sha,
    inputHash: row.input_hash,
    status: row.status,
    analysis: row.analysis === null ? null : CommitAnalysis.parse(row.analysis),
    error: row.error,
    createdAt: row.created_at.toISOString(),
    completedAt: iso(row.completed_at),
  };
}

const ANALYSIS_COLUMNS =
  'id, repository, sha, input_hash, status, analysis, error, created_at, completed_at';

/**
 * Stores inputs in one statement (a batch is up to 1000 rows). An id already stored with the
 * same content keeps its row, analysis included; new content, or a failed run, starts over.
 * Returns the ids that need a run.
 */
export async function saveCommitInputs(
  db: Queryable,
  rows: NewCommitInput[],
): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const payload = rows.map((r) => ({
    id: r.id,
    repository: r.input.repository,
    sha: r.input.sha,
    input_hash: r.inputHash,
    input: r.input,
    redactions: r.redactions,
    input_error: r.inputError ?? null,
    status: r.inputError === undefined ? 'queued' : 'failed',
  }));
  const { rows: pending } = await db.query<{ id: string }>(
    `INSERT INTO commit_analyses AS c
       (id, repository, sha, input_hash, status, input, redactions, input_error, error)
     SELECT id, repository, sha, input_hash, status, input, redactions, input_error, input_error
       FROM jsonb_to_recordset($1::jsonb)
         AS x(id text, repository text, sha text, input_hash text, status text, input jsonb,
              redactions jsonb, input_error text)
     ON CONFLICT (id) DO UPDATE
       SET input_hash = excluded.input_hash, input = excluded.input,
           redactions = excluded.redactions, status = excluded.status, analysis = NULL,
           input_error = excluded.input_error, error = excluded.input_error,
           updated_at = now(), completed_at = NULL
       WHERE c.input_hash <> excluded.input_hash OR c.status = 'failed'
     RETURNING id`,
    [JSON.stringify(payload)],
  );
  const written = new Set(pending.map((r) => r.id));
  // rows kept as they were still need a run unless they are complete
  const { rows: unfinished } = await db.query<{ id: string }>(
    `SELECT id FROM commit_analyses WHERE id = ANY($1::text[]) AND status <> 'completed'`,
    [rows.map((r) => r.id)],
  );
  for (const r of unfinished) written.add(r.id);
  return written;
}

export async function getCommitAnalysis(
  db: Queryable,
  id: string,
): Promise<StoredCommitAnalysis | null> {
  const { rows } = await db.query<AnalysisRow>(
    `SELECT ${ANALYSIS_COLUMNS} FROM commit_analyses WHERE id = $1`,
    [id],
  );
  return rows[0] ? toAnalysis(rows[0]) : null;
}

/** Completed analyses of `ids`, in the order given; missing or unfinished ones are left out. */
export async function loadCommitAnalyses(db: Queryable, ids: string[]): Promise<CommitAnalysis[]> {
  const { rows } = await db.query<{ id: string; analysis: unknown }>(
    `SELECT id, analysis FROM commit_analyses WHERE id = ANY($1::text[]) AND status = 'completed'`,
    [ids],
  );
  const byId = new Map(rows.map((r) => [r.id, CommitAnalysis.parse(r.analysis)]));
  return ids.flatMap((id) => {
    const a = byId.get(id);
    return a ? [a] : [];
  });
}

export async function loadCommitInput(
  db: Queryable,
  id: string,
): Promise<{
  input: CommitInput;
  inputHash: string;
  inputError: string | null;
  status: AnalysisStatus;
  analysis: CommitAnalysis | null;
} | null> {
  const { rows } = await db.query<{
    input: unknown;
    input_hash: string;
    input_error: string | null;
    status: AnalysisStatus;
    analysis: unknown;
  }>('SELECT input, input_hash, input_error, status, analysis FROM commit_analyses WHERE id = $1', [
    id,
  ]);
  const row = rows[0];
  if (!row) return null;
  return {
    input: CommitInput.parse(row.input),
    inputHash: row.input_hash,
    inputError: row.input_error,
    status: row.status,
    analysis: row.analysis === null ? null : CommitAnalysis.parse(row.analysis),
  };
}

/** Only while the stored input is the one analysed: a newer submission must not be overwritten. */
export async function markCommitAnalysis(
  db: Queryable,
  id: string,
  inputHash: string,
  update:
    | { status: 'running' }
    | { status: 'failed'; error: string }
    | { status: 'completed'; analysis: CommitAnalysis },
): Promise<boolean> {
  const analysis = update.status === 'completed' ? JSON.stringify(update.analysis) : null;
  const error = update.status === 'failed' ? update.error : null;
  const { rowCount } = await db.query(
    `UPDATE commit_analyses
        SET status = $3, analysis = COALESCE($4::jsonb, analysis), error = $5, updated_at = now(),
            completed_at = CASE WHEN $3 IN ('completed', 'failed') THEN now() ELSE completed_at END
      WHERE id = $1 AND input_hash = $2
        -- a completed analysis is final: the same input always gives it again, so a late
        -- 'running' or a cancelled run elsewhere (another batch, a retry) must not undo it
        AND (status <> 'completed' OR $3 = 'completed')`,
    [id, inputHash, update.status, analysis, error],
  );
  return (rowCount ?? 0) > 0;
}

export interface BatchCommit {
  analysisId: string;
  inputHash: string;
  sha: string;
}

export interface StoredBatch {
  id: string;
  repository: string | null;
  status: BatchStatus;
  currentVersion: string;
  commits: BatchCommit[];
  proposal: ReleaseProposal | null;
  outcomes: CommitOutcome[] | null;
  error: string | null;
  createdAt: string;
  completedAt: string | null;
}

interface BatchRow {
  id: string;
  repository: string | null;
  status: BatchStatus;
  current_version: string;
  commits: BatchCommit[];
  proposal: unknown;
  outcomes: CommitOutcome[] | null;
  error: string | null;
  created_at: Date;
  completed_at: Date | null;
}

/** Returns false when the batch exists and is not restartable (queued, running or completed). */
export async function saveBatch(
  db: Queryable,
  batch: { id: string; repository: string | null; currentVersion: string; commits: BatchCommit[] },
): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO commit_batches AS b (id, repository, status, current_version, commits, commit_count)
     VALUES ($1, $2, 'queued', $3, $4, $5)
     ON CONFLICT (id) DO UPDATE SET status = 'queued', proposal = NULL, outcomes = NULL,
       error = NULL, updated_at = now(), completed_at = NULL
       WHERE b.status IN ('failed', 'cancelled')`,
    [
      batch.id,
      batch.repository,
      batch.currentVersion,
      JSON.stringify(batch.commits),
      batch.commits.length,
    ],
  );
  return (rowCount ?? 0) > 0;
}

export async function getBatch(db: Queryable, id: string): Promise<StoredBatch | null> {
  const { rows } = await db.query<BatchRow>(
    `SELECT id, repository, status, current_version, commits, proposal, outcomes, error,
            created_at, completed_at
       FROM commit_batches WHERE id = $1`,
    [id],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    id: row.id,
    repository: row.repository,
    status: row.status,
    currentVersion: row.current_version,
    commits: row.commits,
    proposal: row.proposal === null ? null : ReleaseProposal.parse(row.proposal),
    outcomes: row.outcomes,
    error: row.error,
    createdAt: row.created_at.toISOString(),
    completedAt: iso(row.completed_at),
  };
}

export async function markBatch(
  db: Queryable,
  id: string,
  update: {
    status: BatchStatus;
    proposal?: ReleaseProposal;
    outcomes?: CommitOutcome[];
    error?: string;
  },
): Promise<boolean> {
  const finished =
    update.status === 'completed' || update.status === 'failed' || update.status === 'cancelled';
  const { rowCount } = await db.query(
    `UPDATE commit_batches
        SET status = $2, proposal = COALESCE($3::jsonb, proposal),
            outcomes = COALESCE($4::jsonb, outcomes), error = $5, updated_at = now(),
            completed_at = CASE WHEN $6 THEN now() ELSE completed_at END
      WHERE id = $1`,
    [
      id,
      update.status,
      update.proposal ? JSON.stringify(update.proposal) : null,
      update.outcomes ? JSON.stringify(update.outcomes) : null,
      update.error ?? null,
      finished,
    ],
  );
  return (rowCount ?? 0) > 0;
}
