/** Code review (issue 3): reviews, their findings, model-call provenance, decisions, feedback. */
export const name = '0002_reviews';

export const up = /* sql */ `
CREATE TABLE reviews (
  id text PRIMARY KEY CHECK (id ~ '^review-[0-9a-f]{16}$'),
  status text NOT NULL
    CHECK (status IN ('queued', 'running', 'needs_manual_review', 'completed', 'failed')),
  -- the normalised request with the diff already redacted: secrets never reach this table
  request jsonb NOT NULL,
  repository text,
  model_config_version text,
  verdict text CHECK (verdict IN ('approve', 'comment', 'request_changes')),
  summary jsonb,
  coverage jsonb NOT NULL DEFAULT '[]'::jsonb,
  redactions jsonb NOT NULL DEFAULT '[]'::jsonb,
  stats jsonb,
  timings jsonb,
  error jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  completed_at timestamptz
);
CREATE INDEX reviews_repository_idx ON reviews (repository, created_at);
CREATE INDEX reviews_status_idx ON reviews (status, created_at);

CREATE TABLE findings (
  review_id text NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
  id text NOT NULL,
  -- canonical order from consensus, kept so reads return the same bytes every time
  position integer NOT NULL,
  file text NOT NULL,
  start_line integer NOT NULL,
  end_line integer NOT NULL,
  dimension text NOT NULL CHECK (dimension IN ('correctness', 'security', 'performance',
    'maintainability', 'architecture', 'testing', 'documentation')),
  severity text NOT NULL CHECK (severity IN ('critical', 'high', 'medium', 'low', 'info')),
  title text NOT NULL,
  explanation text NOT NULL,
  suggested_fix text,
  confidence double precision NOT NULL CHECK (confidence >= 0 AND confidence <= 1),
  bucket text NOT NULL CHECK (bucket IN ('high', 'medium', 'low')),
  agreement text NOT NULL
    CHECK (agreement IN ('both', 'primary_only', 'verifier_only', 'disputed')),
  raised_by text[] NOT NULL,
  status text NOT NULL CHECK (status IN ('open', 'confirmed', 'dismissed', 'unconfirmed')),
  PRIMARY KEY (review_id, id)
);
CREATE INDEX findings_review_position_idx ON findings (review_id, position);

-- No foreign key to reviews: model calls are recorded as they happen, before the review is saved.
CREATE TABLE model_calls (
  id bigserial PRIMARY KEY,
  idempotency_key text NOT NULL UNIQUE,
  review_id text NOT NULL,
  chunk_index integer NOT NULL,
  role text NOT NULL CHECK (role IN ('primary', 'verifier')),
  provider text NOT NULL,
  model text NOT NULL,
  latency_ms double precision NOT NULL,
  input_tokens integer NOT NULL,
  output_tokens integer NOT NULL,
  attempts integer NOT NULL,
  failover_hops jsonb NOT NULL DEFAULT '[]'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX model_calls_review_idx ON model_calls (review_id, chunk_index, role);

-- No foreign key to findings: a human may decide on a disputed finding while the workflow is
-- still waiting, before the final review row is written.
CREATE TABLE finding_decisions (
  review_id text NOT NULL,
  finding_id text NOT NULL,
  decision text NOT NULL CHECK (decision IN ('confirm', 'dismiss')),
  actor text NOT NULL,
  reason text,
  decided_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (review_id, finding_id)
);

CREATE TABLE finding_feedback (
  review_id text NOT NULL,
  finding_id text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('useful', 'false_positive', 'wrong_location')),
  actor text NOT NULL,
  comment text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (review_id, finding_id, actor),
  FOREIGN KEY (review_id, finding_id) REFERENCES findings (review_id, id) ON DELETE CASCADE
);
CREATE INDEX finding_feedback_kind_idx ON finding_feedback (kind, created_at);
`;
