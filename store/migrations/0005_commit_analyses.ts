/**
 * Commit analyses and the batches that group them into release proposals. The API writes the
 * redacted input before starting a workflow; the workflow's activities fill in the analysis.
 */
export const name = '0005_commit_analyses';

export const up = /* sql */ `
CREATE TABLE commit_analyses (
  -- commit-<repository slug>-<sha>: the workflow id too
  id text PRIMARY KEY,
  repository text NOT NULL,
  sha text NOT NULL,
  -- content hash of the input; a different one under the same id means "analyse again"
  input_hash text NOT NULL,
  status text NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed')),
  -- CommitInput with secrets redacted
  input jsonb NOT NULL,
  redactions jsonb NOT NULL DEFAULT '[]',
  -- why the input itself cannot be analysed (e.g. a diff that does not parse); never retried
  input_error text,
  -- CommitAnalysis once completed
  analysis jsonb,
  error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  completed_at timestamptz
);
CREATE INDEX commit_analyses_repository_idx ON commit_analyses (repository, created_at DESC);

CREATE TABLE commit_batches (
  id text PRIMARY KEY,
  repository text,
  status text NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed', 'cancelled')),
  current_version text NOT NULL,
  -- [{ analysisId, inputHash, sha }] in history order
  commits jsonb NOT NULL,
  commit_count integer NOT NULL CHECK (commit_count >= 0),
  -- ReleaseProposal once completed
  proposal jsonb,
  -- per-commit outcomes: [{ analysisId, sha, status, error? }]
  outcomes jsonb,
  error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  completed_at timestamptz
);
`;
