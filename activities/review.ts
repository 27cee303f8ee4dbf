import { ApplicationFailure } from '@temporalio/activity';
import type { DecisionInput } from '../domain/reviewFlow';
import type { Finding, Provenance, ReviewStatus, Verdict } from '../domain/review';
import { summarise } from '../domain/verdict';
import type { Db } from '../store/db';
import {
  getReview,
  markReviewStatus,
  recordModelCall,
  saveDecision,
  saveReview,
} from '../store/reviews';
import { modelCallMetrics } from './metrics';

export interface SaveReviewResultInput {
  reviewId: string;
  status: 'completed';
  verdict: Verdict;
  findings: Finding[];
  summaries: { primary: string[]; verifier: string[] };
  calls: { chunkIndex: number; provenance: Provenance }[];
  decisions: DecisionInput[];
  manualReviewTimedOut: boolean;
  durationMs: number;
}

async function existing(db: Db, reviewId: string) {
  const review = await getReview(db, reviewId);
  // The API writes the row before starting the workflow; without it there is nothing to complete.
  if (!review)
    throw ApplicationFailure.nonRetryable(`review ${reviewId} is not stored`, 'NotFound');
  return review;
}

export function createReviewActivities(deps: { db: Db }) {
  const { db } = deps;
  return {
    async markReviewStatus(input: {
      reviewId: string;
      status: ReviewStatus;
      error?: string;
    }): Promise<void> {
      const extra = input.error === undefined ? {} : { error: { message: input.error } };
      const found = await markReviewStatus(db, input.reviewId, input.status, extra);
      if (!found) {
        throw ApplicationFailure.nonRetryable(`review ${input.reviewId} is not stored`, 'NotFound');
      }
    },

    /** Disputed findings become visible (and decidable) while the review waits for a human. */
    async holdForDecisions(input: { reviewId: string; findings: Finding[] }): Promise<void> {
      const review = await existing(db, input.reviewId);
      await saveReview(db, {
        ...review,
        status: 'needs_manual_review',
        findings: input.findings,
        summary: summarise(input.findings),
      });
    },

    /** Idempotent: a retried save rewrites the same rows (content-derived ids, upserts). */
    async saveReviewResult(input: SaveReviewResultInput): Promise<void> {
      const review = await existing(db, input.reviewId);
      for (const { chunkIndex, provenance } of input.calls) {
        await recordModelCall(db, {
          ...provenance,
          idempotencyKey: `${input.reviewId}:${chunkIndex}:${provenance.role}`,
          reviewId: input.reviewId,
          chunkIndex,
        });
        for (const hop of provenance.failoverHops) {
          modelCallMetrics.failoverHops.inc({ role: provenance.role, provider: hop.provider });
        }
      }
      await saveReview(db, {
        ...review,
        status: input.status,
        verdict: input.verdict,
        findings: input.findings,
        summary: {
          ...summarise(input.findings),
          models: input.summaries,
          manualReviewTimedOut: input.manualReviewTimedOut,
        },
        timings: { durationMs: input.durationMs },
        error: null,
        completedAt: null,
      });
      // Decisions may have come straight to the workflow (Temporal UI, CLI) rather than through
      // the API, which records its own; 'exists' on a second write keeps this idempotent.
      for (const d of input.decisions) {
        await saveDecision(db, {
          reviewId: input.reviewId,
          findingId: d.findingId,
          decision: d.decision,
          actor: d.actor,
          ...(d.reason === undefined ? {} : { reason: d.reason }),
        });
      }
    },
  };
}
export type ReviewActivities = ReturnType<typeof createReviewActivities>;
