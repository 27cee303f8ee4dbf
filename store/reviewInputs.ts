import { z } from 'zod';
import { Dimension, ReviewChunk } from '../domain/review';
import type { Queryable } from './db';

export const ReviewContext = z.object({
  title: z.string().optional(),
  description: z.string().optional(),
  dimensions: z.array(Dimension).optional(),
  languageHints: z.array(z.string()).optional(),
});
export type ReviewContext = z.infer<typeof ReviewContext>;

export class ChunkNotFoundError extends Error {
  override name = 'ChunkNotFoundError';
}

/** Idempotent: the same review id always has the same prepared input (ids are content hashes). */
export async function saveReviewInput(
  db: Queryable,
  reviewId: string,
  context: ReviewContext,
  chunks: ReviewChunk[],
): Promise<void> {
  await db.query(
    `INSERT INTO review_inputs (review_id, context, chunks, chunk_count)
     VALUES ($1, $2, $3, $4) ON CONFLICT (review_id) DO NOTHING`,
    [reviewId, JSON.stringify(context), JSON.stringify(chunks), chunks.length],
  );
}

/** One chunk, fetched by index inside the database so a large diff is never loaded whole. */
export async function loadReviewChunk(
  db: Queryable,
  reviewId: string,
  index: number,
): Promise<{ chunk: ReviewChunk; context: ReviewContext }> {
  const { rows } = await db.query<{ chunk: unknown; context: unknown }>(
    'SELECT chunks -> $2::int AS chunk, context FROM review_inputs WHERE review_id = $1',
    [reviewId, index],
  );
  const row = rows[0];
  if (!row || row.chunk === null) {
    throw new ChunkNotFoundError(`no chunk ${index} stored for ${reviewId}`);
  }
  return { chunk: ReviewChunk.parse(row.chunk), context: ReviewContext.parse(row.context) };
}
