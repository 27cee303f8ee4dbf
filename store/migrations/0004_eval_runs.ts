/**
 * Results of the review evaluation harness (`npm run eval -- --save`, the gate's eval checks).
 * The headline numbers are columns so the guarantees endpoint and the gate read them without
 * parsing the report; the full report (per-case results included) is kept for audits.
 */
export const name = '0004_eval_runs';

export const up = /* sql */ `
CREATE TABLE eval_runs (
  id bigserial PRIMARY KEY,
  suite text NOT NULL CHECK (suite IN ('review')),
  -- modelConfigVersion of the evaluated model config: mc-<12 hex>
  model_config_version text NOT NULL,
  case_set_id text NOT NULL,
  case_set_hash text NOT NULL CHECK (case_set_hash ~ '^[0-9a-f]{64}$'),
  case_count integer NOT NULL CHECK (case_count >= 0),
  synthetic_count integer NOT NULL CHECK (synthetic_count >= 0),
  -- fractions; null when there was nothing to measure (no findings reported / none expected)
  false_positive_rate double precision CHECK (false_positive_rate BETWEEN 0 AND 1),
  false_negative_rate double precision CHECK (false_negative_rate BETWEEN 0 AND 1),
  -- macro F1 over dimensions
  score double precision CHECK (score BETWEEN 0 AND 1),
  -- null when the run did not re-review cases to compare bytes
  deterministic boolean,
  passed boolean NOT NULL,
  duration_ms integer NOT NULL CHECK (duration_ms >= 0),
  report jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX eval_runs_version_idx ON eval_runs (model_config_version, created_at DESC);
CREATE INDEX eval_runs_suite_idx ON eval_runs (suite, created_at DESC);
`;
