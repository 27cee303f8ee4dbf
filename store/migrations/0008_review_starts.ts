/** The API answers a submission once it is stored; the workflow start may follow (issue 4). */
export const name = '0008_review_starts';

export const up = /* sql */ `
-- What the API needs to start (or start again) a queued review's workflow, and whether it has:
-- a review stored but never handed to Temporal (the API stopped in between, or Temporal was
-- down) is started by the API's sweeper from this row.
ALTER TABLE reviews ADD COLUMN workflow_input jsonb;
ALTER TABLE reviews ADD COLUMN queued_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE reviews ADD COLUMN workflow_started_at timestamptz;
-- a sweeper's claim on a row it is starting, so two API processes never start one review twice
ALTER TABLE reviews ADD COLUMN start_claimed_until timestamptz;
-- reviews stored before this migration were started in the same request that stored them
UPDATE reviews SET workflow_started_at = created_at;
CREATE INDEX reviews_unstarted_idx ON reviews (queued_at)
  WHERE status = 'queued' AND workflow_started_at IS NULL;
`;
