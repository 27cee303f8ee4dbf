/** Model-config versions and the update gate (issue 5). */
export const name = '0006_versions';

export const up = /* sql */ `
CREATE TABLE model_versions (
  -- modelConfigVersion(model_config): mc-<12 hex>, the same id reviews record
  id text PRIMARY KEY CHECK (id ~ '^mc-[0-9a-f]{12}$'),
  model_config jsonb NOT NULL,
  policy jsonb,
  notes text,
  status text NOT NULL CHECK (status IN ('candidate', 'qualifying', 'staging', 'canary',
    'rolling_out', 'production', 'rolled_back', 'aborted', 'retired')),
  stage text CHECK (stage IN ('qualification', 'staging', 'canary', 'rollout', 'production')),
  -- percent of live reviews this version serves as a candidate
  weight double precision NOT NULL DEFAULT 0 CHECK (weight >= 0 AND weight <= 100),
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  production_since timestamptz,
  retired_at timestamptz
);
-- exactly one production version: the promote transaction retires the old one first
CREATE UNIQUE INDEX model_versions_one_production ON model_versions ((true))
  WHERE status = 'production';
CREATE INDEX model_versions_status_idx ON model_versions (status, created_at);

-- stage history: every measurement with each check's value against its threshold, every action
CREATE TABLE version_events (
  id bigserial PRIMARY KEY,
  version_id text NOT NULL REFERENCES model_versions (id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('action', 'stage_started', 'measurement', 'stage_ended',
    'gate_ended', 'weight', 'alert')),
  stage text,
  actor text,
  details jsonb NOT NULL DEFAULT '{}'::jsonb,
  checks jsonb NOT NULL DEFAULT '[]'::jsonb,
  idempotency_key text UNIQUE,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX version_events_version_idx ON version_events (version_id, id);
CREATE INDEX reviews_model_config_version_idx ON reviews (model_config_version, created_at);
`;
