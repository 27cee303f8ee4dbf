/** Circuit breakers shared by every worker process (issue 4). */
export const name = '0007_breakers';

export const up = /* sql */ `
-- One row per upstream: provider, model and (when not the vendor's default) endpoint. The
-- snapshot is domain/breaker.ts's BreakerSnapshot; state is copied out for reads and indexes.
CREATE TABLE breakers (
  key text PRIMARY KEY,
  provider text NOT NULL,
  model text NOT NULL,
  endpoint text,
  state text NOT NULL DEFAULT 'closed' CHECK (state IN ('closed', 'open', 'half_open')),
  snapshot jsonb NOT NULL,
  -- bumped by every write: writers compare-and-set on it instead of holding a lock
  version bigint NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Every transition, written in the same transaction that makes it: the outbox from which audit
-- entries are appended (keyed by breaker and generation, so an entry is appended once).
CREATE TABLE breaker_transitions (
  breaker_key text NOT NULL REFERENCES breakers (key) ON DELETE CASCADE,
  generation bigint NOT NULL,
  from_state text NOT NULL,
  to_state text NOT NULL,
  reason text NOT NULL,
  at timestamptz NOT NULL,
  audited boolean NOT NULL DEFAULT false,
  PRIMARY KEY (breaker_key, generation)
);
CREATE INDEX breaker_transitions_unaudited_idx ON breaker_transitions (at) WHERE NOT audited;
`;
