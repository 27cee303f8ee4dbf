import { z } from 'zod';
import { FindingsSummary, summarise } from '../domain/verdict';
import {
  FileCoverage,
  Finding,
  Provenance,
  ProviderName,
  Redaction,
  ReviewStatus,
  Verdict,
} from '../domain/review';
import type { ReviewProgress } from '../domain/reviewFlow';
import type { StoredReview } from '../store/reviews';

/**
 * What GET /review/{id} answers, built only from stored rows (plus live workflow state while
 * the review runs), so two reads of a finished review are the same bytes.
 */

export const REVIEW_BASE = '/api/v2/cr-ai/review';
export const REVIEW_ID = /^review-[0-9a-f]{16}$/;

export const ReviewProgressView = z
  .object({
    phase: z.enum(['reviewing', 'voting', 'awaiting_decisions', 'saving', 'done']),
    chunksTotal: z.number().int().min(0),
    chunksDone: z.number().int().min(0),
    pendingDecisions: z.array(z.string()),
    waitingForProviders: z
      .object({ until: z.string(), providers: z.array(ProviderName) })
      .optional()
      .describe('every provider of a chain has an open circuit: the review waits until then'),
  })
  .meta({ id: 'ReviewProgress' });

const ModelCallView = Provenance.extend({ chunkIndex: z.number().int().min(0) });

const FindingDecisionView = z.object({
  findingId: z.string(),
  decision: z.enum(['confirm', 'dismiss']),
  actor: z.string(),
  reason: z.string().nullable(),
  decidedAt: z.string(),
});

/** One registered schema per concept, so the OpenAPI document names it once. */
export const FindingView = Finding.meta({ id: 'Finding' });

export const ReviewLinks = z.object({ self: z.string(), findings: z.string() });

export const ReviewView = z
  .object({
    id: z.string(),
    status: ReviewStatus,
    repository: z.string().nullable(),
    title: z.string().nullable(),
    modelConfigVersion: z.string().nullable(),
    progress: ReviewProgressView.nullable().describe('live workflow state; null once finished'),
    verdict: Verdict.nullable(),
    summary: FindingsSummary.meta({ id: 'FindingsSummary' }),
    findings: z.array(FindingView),
    pendingDecisions: z
      .array(FindingView)
      .describe('disputed critical findings waiting for a human (needs_manual_review only)'),
    decisions: z.array(FindingDecisionView),
    coverage: z.array(FileCoverage),
    redactions: z.array(Redaction).describe('what was removed before any model saw the code'),
    stats: z.object({
      files: z.number().int(),
      additions: z.number().int(),
      deletions: z.number().int(),
    }),
    provenance: z.array(ModelCallView).describe('one entry per model call: chunk and role'),
    timings: z.object({
      createdAt: z.string(),
      completedAt: z.string().nullable(),
      durationMs: z.number().nullable(),
    }),
    error: z.object({ message: z.string() }).nullable(),
    links: ReviewLinks,
  })
  .meta({ id: 'Review' });
export type ReviewView = z.infer<typeof ReviewView>;

export const linksFor = (id: string): z.infer<typeof ReviewLinks> => ({
  self: `${REVIEW_BASE}/${id}`,
  findings: `${REVIEW_BASE}/${id}/findings`,
});

const Stats = ReviewView.shape.stats;
const Timings = z.object({ durationMs: z.number() });
const ErrorJson = z.object({ message: z.string() });

export function toView(
  stored: StoredReview,
  live: { progress?: ReviewProgress; pending?: Finding[] } = {},
): ReviewView {
  const stats = Stats.safeParse(stored.stats);
  const timings = Timings.safeParse(stored.timings);
  const error = ErrorJson.safeParse(stored.error);
  const progress = live.progress;
  return {
    id: stored.id,
    status: stored.status,
    repository: stored.repository,
    title: stored.request.title ?? null,
    modelConfigVersion: stored.modelConfigVersion,
    progress: progress
      ? {
          phase: progress.phase,
          chunksTotal: progress.chunksTotal,
          chunksDone: progress.chunksDone,
          pendingDecisions: progress.pendingDecisions,
          ...(progress.waitingForProviders
            ? { waitingForProviders: progress.waitingForProviders }
            : {}),
        }
      : null,
    verdict: stored.verdict,
    summary: summarise(stored.findings),
    findings: stored.findings,
    pendingDecisions: live.pending ?? [],
    decisions: stored.decisions.map(({ findingId, decision, actor, reason, decidedAt }) => ({
      findingId,
      decision,
      actor,
      reason,
      decidedAt,
    })),
    coverage: stored.coverage,
    redactions: stored.redactions,
    stats: stats.success ? stats.data : { files: 0, additions: 0, deletions: 0 },
    provenance: stored.modelCalls.map(
      ({ chunkIndex, role, provider, model, latencyMs, inputTokens, outputTokens, ...rest }) => ({
        chunkIndex,
        role,
        provider,
        model,
        latencyMs,
        inputTokens,
        outputTokens,
        attempts: rest.attempts,
        failoverHops: rest.failoverHops,
      }),
    ),
    timings: {
      createdAt: stored.createdAt,
      completedAt: stored.completedAt,
      durationMs: timings.success ? timings.data.durationMs : null,
    },
    error: error.success ? error.data : null,
    links: linksFor(stored.id),
  };
}
