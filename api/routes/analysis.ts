import { z } from 'zod';
import { MAX_BATCH_COMMITS } from '../../domain/commits/flow';
import { ReleaseProposal } from '../../domain/commits/release';
import {
  CommitAnalysis,
  CommitInput,
  CommitType,
  RiskLevel,
  SemverImpact,
  SemverVersion,
} from '../../domain/commits/types';
import {
  createAnalysisService,
  MAX_COMMIT_DIFF_BYTES,
  MAX_WAIT_SECONDS,
  type BatchView,
  type CommitView,
} from '../analysisService';
import type { ApiDeps } from '../deps';
import { ApiError } from '../errors';
import { route, type AnyRoute } from '../route';

const BASE = '/api/v2/vc-ai/analysis';
const REVIEWERS = ['reviewer', 'admin'] as const;
const ANALYSIS_ID = /^(commit-[a-z0-9._-]+-[0-9a-f]{7,64}|batch-[0-9a-f]{16})$/;

const AnalyzeCommit = CommitInput.extend({
  diff: CommitInput.shape.diff.describe(
    `The commit's unified diff against its first parent, at most ${MAX_COMMIT_DIFF_BYTES} bytes of UTF-8.`,
  ),
})
  .strict()
  .meta({ id: 'AnalyzeCommitRequest' });

const BatchCommit = CommitInput.omit({ repository: true }).strict();
const AnalyzeBatch = z.union([
  z
    .object({
      repository: z.string().trim().min(1).max(300),
      currentVersion: SemverVersion.default('0.0.0'),
      commits: z
        .array(BatchCommit)
        .max(MAX_BATCH_COMMITS)
        .describe('in history order, oldest first'),
    })
    .strict()
    .meta({ id: 'AnalyzeBatchCommits' }),
  z
    .object({
      repository: z.string().trim().min(1).max(300).optional(),
      path: z.string().min(1).max(1000).describe('a repository under QUORUM_ANALYSIS_REPO_ROOT'),
      from: z.string().min(1).max(250).describe('exclusive, as in git log from..to'),
      to: z.string().min(1).max(250),
      currentVersion: SemverVersion.default('0.0.0'),
    })
    .strict()
    .meta({ id: 'AnalyzeBatchRange' }),
]);

const WaitQuery = z
  .object({ wait: z.coerce.number().min(0).max(MAX_WAIT_SECONDS).optional() })
  .strict();

const Status = z.enum(['queued', 'running', 'completed', 'failed', 'cancelled']);
const Links = z.object({ self: z.string() });
const Accepted = z
  .object({ id: z.string(), kind: z.enum(['commit', 'batch']), status: Status, links: Links })
  .meta({ id: 'AnalysisAccepted' });

const CommitAnalysisView = z
  .object({
    kind: z.literal('commit'),
    id: z.string(),
    status: Status,
    repository: z.string(),
    sha: z.string(),
    analysis: CommitAnalysis.nullable(),
    error: z.string().nullable(),
    progress: z.object({ phase: z.string(), provider: z.string().optional() }).optional(),
    createdAt: z.string(),
    completedAt: z.string().nullable(),
    links: Links,
  })
  .meta({ id: 'CommitAnalysisView' });

const CommitOutcomeView = z.object({
  analysisId: z.string(),
  sha: z.string(),
  status: z.enum(['completed', 'failed']),
  type: CommitType.optional(),
  impact: SemverImpact.optional(),
  riskLevel: RiskLevel.optional(),
  error: z.string().optional(),
});
const BatchAnalysisView = z
  .object({
    kind: z.literal('batch'),
    id: z.string(),
    status: Status,
    repository: z.string().nullable(),
    currentVersion: z.string(),
    total: z.number().int(),
    progress: z
      .object({
        phase: z.string(),
        total: z.number(),
        completed: z.number(),
        failed: z.number(),
        running: z.number(),
      })
      .optional(),
    proposal: ReleaseProposal.nullable(),
    commits: z.array(CommitOutcomeView).describe('per-commit results once the batch has finished'),
    error: z.string().nullable(),
    createdAt: z.string(),
    completedAt: z.string().nullable(),
    links: Links,
  })
  .meta({ id: 'BatchAnalysisView' });

const self = (id: string) => ({ self: `${BASE}/${id}` });

function commitView({ stored, progress }: CommitView) {
  return {
    kind: 'commit' as const,
    id: stored.id,
    status: stored.status,
    repository: stored.repository,
    sha: stored.sha,
    analysis: stored.analysis,
    error: stored.error,
    progress,
    createdAt: stored.createdAt,
    completedAt: stored.completedAt,
    links: self(stored.id),
  };
}

function batchView({ stored, progress }: BatchView) {
  return {
    kind: 'batch' as const,
    id: stored.id,
    status: stored.status,
    repository: stored.repository,
    currentVersion: stored.currentVersion,
    total: stored.commits.length,
    progress,
    proposal: stored.proposal,
    commits: stored.outcomes ?? [],
    error: stored.error,
    createdAt: stored.createdAt,
    completedAt: stored.completedAt,
    links: self(stored.id),
  };
}

export function analysisRoutes(deps: ApiDeps): AnyRoute[] {
  const service = createAnalysisService({
    config: deps.config,
    db: deps.db,
    client: deps.temporal.client,
  });

  async function batchReply(id: string, done: boolean) {
    const view = await service.viewBatch(id);
    if (!view) throw new Error(`batch ${id} vanished from the store`);
    if (done || view.stored.status === 'completed') return { status: 200, json: batchView(view) };
    return {
      status: 202,
      json: { id, kind: 'batch', status: view.stored.status, links: self(id) },
      headers: { Location: `${BASE}/${id}` },
      audit: { resource: `${BASE}/${id}` },
    };
  }

  return [
    route({
      method: 'post',
      path: `${BASE}/analyze-commit`,
      tag: 'vc-ai',
      summary:
        'Analyse one commit: conventional-commit parse, semver impact, breaking changes, risk, summary',
      description:
        'Answers with the analysis when it is ready within about 500 ms (the local provider), else 202 ' +
        'with the analysis id to poll. The same commit content always yields the same analysis.',
      access: REVIEWERS,
      action: 'commit_analysis.submit',
      request: { body: AnalyzeCommit, query: WaitQuery },
      responses: {
        200: { description: 'The analysis (completed or failed)', schema: CommitAnalysisView },
        202: { description: 'Accepted; poll the link', schema: Accepted },
      },
      errors: ['payload_too_large', 'unprocessable'],
      handler: async ({ body, query }) => {
        const waitMs = query.wait === undefined ? undefined : query.wait * 1000;
        const result = await service.submitCommit(body, waitMs);
        if (result.done) {
          return {
            status: 200,
            json: commitView({ stored: result.analysis }),
            audit: { resource: `${BASE}/${result.analysis.id}` },
          };
        }
        return {
          status: 202,
          json: { id: result.id, kind: 'commit', status: result.status, links: self(result.id) },
          headers: { Location: `${BASE}/${result.id}` },
          audit: { resource: `${BASE}/${result.id}` },
        };
      },
    }),
    route({
      method: 'post',
      path: `${BASE}/analyze-batch`,
      tag: 'vc-ai',
      summary: 'Analyse up to 1000 commits and propose a release: next version and changelog',
      description:
        'Either the commits themselves, or (when QUORUM_ANALYSIS_REPO_ROOT is set) a repository path ' +
        'under that root and a range from..to that the server reads with git. Answers 202 with the ' +
        'batch id; `wait` (seconds) waits for the proposal first. A commit that cannot be analysed is ' +
        'reported in `commits` and the changelog; it does not fail the batch.',
      access: REVIEWERS,
      action: 'commit_analysis.batch',
      request: { body: AnalyzeBatch, query: WaitQuery },
      responses: {
        200: { description: 'The finished batch', schema: BatchAnalysisView },
        202: { description: 'Accepted; poll the link', schema: Accepted },
      },
      errors: ['payload_too_large', 'unprocessable', 'forbidden'],
      handler: async ({ body, query }) => {
        const submitted =
          'path' in body
            ? await service.submitRange(body, query.wait)
            : await service.submitBatch(body, query.wait);
        return batchReply(submitted.id, submitted.done);
      },
    }),
    route({
      method: 'get',
      path: `${BASE}/{id}`,
      tag: 'vc-ai',
      summary: 'A commit analysis or a batch, with progress while it runs',
      access: REVIEWERS,
      request: {
        params: z.object({
          id: z.string().regex(ANALYSIS_ID, 'commit-<repo>-<sha> or batch-<16 hex>'),
        }),
      },
      responses: {
        200: {
          description: 'The analysis or batch',
          schema: z.union([CommitAnalysisView, BatchAnalysisView]),
        },
      },
      errors: ['not_found'],
      handler: async ({ params }) => {
        if (params.id.startsWith('batch-')) {
          const view = await service.viewBatch(params.id);
          if (!view) throw new ApiError('not_found', 'No such batch.');
          return { status: 200, json: batchView(view) };
        }
        const view = await service.viewCommit(params.id);
        if (!view) throw new ApiError('not_found', 'No such commit analysis.');
        return { status: 200, json: commitView(view) };
      },
    }),
    route({
      method: 'post',
      path: `${BASE}/{id}/cancel`,
      tag: 'vc-ai',
      summary: 'Cancel a running batch; finished commits keep their analyses',
      access: REVIEWERS,
      action: 'commit_analysis.cancel',
      request: {
        params: z.object({ id: z.string().regex(/^batch-[0-9a-f]{16}$/, 'batch-<16 hex>') }),
      },
      responses: { 202: { description: 'Cancellation requested', schema: Accepted } },
      errors: ['not_found'],
      handler: async ({ params }) => {
        if (!(await service.cancelBatch(params.id)))
          throw new ApiError('not_found', 'No such batch.');
        const view = await service.viewBatch(params.id);
        return {
          status: 202,
          json: {
            id: params.id,
            kind: 'batch',
            status: view?.stored.status ?? 'running',
            links: self(params.id),
          },
        };
      },
    }),
  ];
}
