/**
 * The prepared (parsed, redacted, chunked) diff of a review. The API writes it before starting
 * the workflow; model-call activities read one chunk each. Keeping it here rather than in
 * workflow inputs keeps secrets out of Temporal history and histories small for large diffs.
 */
export const name = '0003_review_inputs';

export const up = /* sql */ `
CREATE TABLE review_inputs (
  review_id text PRIMARY KEY REFERENCES reviews (id) ON DELETE CASCADE,
  -- title, description, dimensions, language hints: what a model is told besides the code
  context jsonb NOT NULL,
  -- ReviewChunk[], redacted
  chunks jsonb NOT NULL,
  chunk_count integer NOT NULL CHECK (chunk_count >= 0),
  created_at timestamptz NOT NULL DEFAULT now()
);
`;
