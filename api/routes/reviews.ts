import {
  ApplicationFailure,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import { z } from 'zod';
import {
  ConfidenceBucket,
  Dimension,
  ReviewRequest,
  ReviewStatus,
  Severity,
  type Finding,
} from '../../domain/review';
import { DECIDE_UPDATE, type DecisionInput } from '../../domain/reviewFlow';
import { listFindings, reviewExists, saveDecision, saveFeedback } from '../../store/reviews';
import type { ApiDeps } from '../deps';
import { ApiError, type ErrorCode } from '../errors';
import { route, type AnyRoute } from '../route';
import { createReviewService, MAX_DIFF_BYTES, MAX_WAIT_SECONDS } from '../reviewService';
import {
  FindingView,
  linksFor,
  REVIEW_BASE,
  REVIEW_ID,
  ReviewLinks,
  ReviewView,
} from '../reviewView';

const REVIEWERS = ['reviewer', 'admin'] as const;

const SubmitReview = ReviewRequest.extend({
  diff: ReviewRequest.shape.diff.describe(
    `A unified diff (git format, any number of files), at most ${MAX_DIFF_BYTES} bytes of UTF-8.`,
  ),
})
  .strict()
  .meta({ id: 'ReviewRequest' });

const Accepted = z
  .object({ id: z.string(), status: ReviewStatus, links: ReviewLinks })
  .meta({ id: 'ReviewAccepted' });

const ReviewId = z.object({
  id: z.string().regex(REVIEW_ID, 'a review id: review-<16 hex>'),
});
const FindingRef = ReviewId.extend({ findingId: z.string().min(1).max(200) });

const FindingsQuery = z
  .object({
    dimension: Dimension.optional(),
    severity: Severity.optional(),
    bucket: ConfidenceBucket.optional(),
    file: z.string().min(1).max(1000).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  })
  .strict();

const FindingsPage = z
  .object({
    findings: z.array(FindingView),
    total: z.number().int().min(0).describe('findings matching the filters, all pages'),
    limit: z.number().int(),
    offset: z.number().int(),
  })
  .meta({ id: 'FindingsPage' });

const DecisionBody = z
  .object({ decision: z.enum(['confirm', 'dismiss']), reason: z.string().max(2000).optional() })
  .strict()
  .meta({ id: 'FindingDecisionRequest' });

const FeedbackBody = z
  .object({
    kind: z.enum(['useful', 'false_positive', 'wrong_location']),
    comment: z.string().max(4000).optional(),
  })
  .strict()
  .meta({ id: 'FindingFeedbackRequest' });

const Feedback = z
  .object({
    reviewId: z.string(),
    findingId: z.string(),
    kind: FeedbackBody.shape.kind,
    actor: z.string(),
    comment: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'FindingFeedback' });

/** The consensus workflow's update validator refuses with these ApplicationFailure types. */
const DECISION_REFUSALS: Record<string, { code: ErrorCode; message: string }> = {
  finding_not_found: { code: 'not_found', message: 'This review has no such finding.' },
  not_disputed: { code: 'conflict', message: 'Only disputed findings take a human decision.' },
  already_decided: { code: 'conflict', message: 'This finding has already been decided.' },
  not_awaiting_decisions: {
    code: 'conflict',
    message: 'This review is not waiting for decisions.',
  },
};

function decisionError(err: unknown): ApiError | undefined {
  if (err instanceof WorkflowNotFoundError) {
    return new ApiError('conflict', 'This review is not waiting for decisions.');
  }
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
    const refusal = err.cause.type ? DECISION_REFUSALS[err.cause.type] : undefined;
    if (refusal) return new ApiError(refusal.code, refusal.message, { reason: err.cause.type });
  }
  return undefined;
}

export function reviewRoutes(deps: ApiDeps): AnyRoute[] {
  const { db } = deps;
  const service = createReviewService({
    config: deps.config,
    db,
    client: deps.temporal.client,
    starts: deps.starts,
  });

  async function mustExist(id: string): Promise<void> {
    if (!(await reviewExists(db, id))) throw new ApiError('not_found', 'No such review.');
  }

  return [
    route({
      method: 'post',
      path: REVIEW_BASE,
      tag: 'cr-ai',
      summary: 'Submit a diff for review by two models',
      description:
        'Answers 202 with the review id and a Location. With `?wait=<seconds>` (at most ' +
        `${MAX_WAIT_SECONDS}) it waits and answers 200 with the review when it finishes in time. ` +
        'Identical requests share one review; a finished one is answered from the store (200). ' +
        `Diffs over ${MAX_DIFF_BYTES} bytes, or bodies over QUORUM_BODY_LIMIT, get 413. ` +
        'Secrets and e-mail addresses are redacted before anything is stored or sent to a model.',
      access: REVIEWERS,
      action: 'review.submit',
      request: {
        body: SubmitReview,
        query: z.object({
          wait: z.coerce.number().int().min(0).max(MAX_WAIT_SECONDS).optional(),
        }),
      },
      responses: {
        200: { description: 'The finished review', schema: ReviewView },
        202: { description: 'Queued or running; poll the Location', schema: Accepted },
      },
      errors: ['unprocessable'],
      handler: async ({ body, query }) => {
        const result = await service.submit(body, query.wait ?? 0);
        const id = result.done ? result.review.id : result.id;
        const location = { Location: `${REVIEW_BASE}/${id}` };
        const audit = { resource: `${REVIEW_BASE}/${id}` };
        if (result.done) return { status: 200, json: result.review, headers: location, audit };
        return {
          status: 202,
          json: { id, status: result.status, links: linksFor(id) },
          headers: { ...location, 'Retry-After': '2' },
          audit,
        };
      },
    }),
    route({
      method: 'get',
      path: `${REVIEW_BASE}/{id}`,
      tag: 'cr-ai',
      summary: 'A review: status, progress, verdict, findings, coverage, provenance',
      access: REVIEWERS,
      request: { params: ReviewId },
      responses: { 200: { description: 'The review', schema: ReviewView } },
      errors: ['not_found'],
      handler: async ({ params }) => {
        const review = await service.view(params.id);
        if (!review) throw new ApiError('not_found', 'No such review.');
        return { status: 200, json: review };
      },
    }),
    route({
      method: 'get',
      path: `${REVIEW_BASE}/{id}/findings`,
      tag: 'cr-ai',
      summary: 'A page of findings, filtered by dimension, severity, confidence bucket or file',
      access: REVIEWERS,
      request: { params: ReviewId, query: FindingsQuery },
      responses: { 200: { description: 'Findings in canonical order', schema: FindingsPage } },
      errors: ['not_found'],
      handler: async ({ params, query }) => {
        const page = await listFindings(db, params.id, query);
        if (!page) throw new ApiError('not_found', 'No such review.');
        const json = { findings: page.items, total: page.total, limit: query.limit };
        return { status: 200, json: { ...json, offset: query.offset } };
      },
    }),
    route({
      method: 'post',
      path: `${REVIEW_BASE}/{id}/findings/{findingId}/decision`,
      tag: 'cr-ai',
      summary: 'Confirm or dismiss a disputed critical finding',
      description:
        'Only while the review is `needs_manual_review`. 409 when the finding is not disputed, ' +
        'is already decided, or the review is not waiting for decisions.',
      access: REVIEWERS,
      action: 'review.decision',
      request: { params: FindingRef, body: DecisionBody },
      responses: { 200: { description: 'The finding after the decision', schema: FindingView } },
      errors: ['not_found', 'conflict'],
      handler: async ({ params, body, principal }) => {
        await mustExist(params.id);
        const input: DecisionInput = {
          findingId: params.findingId,
          decision: body.decision,
          actor: principal?.id ?? 'unknown',
          ...(body.reason === undefined ? {} : { reason: body.reason }),
        };
        let finding: Finding;
        try {
          finding = await deps.temporal.client.workflow
            .getHandle(`${params.id}-consensus`)
            .executeUpdate<Finding, [DecisionInput]>(DECIDE_UPDATE, { args: [input] });
        } catch (err) {
          throw decisionError(err) ?? err;
        }
        await saveDecision(db, { reviewId: params.id, ...input });
        return {
          status: 200,
          json: finding,
          audit: {
            resource: `${REVIEW_BASE}/${params.id}/findings/${params.findingId}`,
            details: { decision: body.decision },
          },
        };
      },
    }),
    route({
      method: 'post',
      path: `${REVIEW_BASE}/{id}/findings/{findingId}/feedback`,
      tag: 'cr-ai',
      summary: 'Say whether a finding was useful, a false positive or in the wrong place',
      description: 'One feedback per caller per finding; sending it again replaces it.',
      access: REVIEWERS,
      action: 'review.feedback',
      request: { params: FindingRef, body: FeedbackBody },
      responses: { 200: { description: 'The stored feedback', schema: Feedback } },
      errors: ['not_found'],
      handler: async ({ params, body, principal }) => {
        await mustExist(params.id);
        const feedback = await saveFeedback(db, {
          reviewId: params.id,
          findingId: params.findingId,
          kind: body.kind,
          actor: principal?.id ?? 'unknown',
          ...(body.comment === undefined ? {} : { comment: body.comment }),
        });
        if (!feedback) throw new ApiError('not_found', 'This review has no such finding.');
        return {
          status: 200,
          json: feedback,
          audit: {
            resource: `${REVIEW_BASE}/${params.id}/findings/${params.findingId}`,
            details: { kind: body.kind },
          },
        };
      },
    }),
  ];
}
