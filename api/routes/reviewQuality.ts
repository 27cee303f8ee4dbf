import { z } from 'zod';
import { DIMENSION_TARGETS, DimensionTarget, REVIEW_GUARANTEES } from '../../domain/dimensions';
import { DIMENSIONS } from '../../domain/review';
import { latestEvalRun } from '../../store/evalRuns';
import type { ApiDeps } from '../deps';
import { route, type AnyRoute } from '../route';

/** Reference data, readable by every role: auditors check claims, release engineers gate on them. */
const READERS = ['reviewer', 'admin', 'auditor', 'release-engineer'] as const;

const Dimensions = z
  .object({ dimensions: z.array(DimensionTarget.meta({ id: 'DimensionTarget' })) })
  .meta({ id: 'Dimensions' });

const Guarantee = z.object({
  target: z.union([z.number(), z.boolean()]),
  comparison: z.enum(['at_most', 'equals']),
  /** null until the eval harness has recorded a measurement */
  measured: z.union([z.number(), z.boolean()]).nullable(),
});

const Guarantees = z
  .object({
    falsePositiveRate: Guarantee,
    falseNegativeRate: Guarantee,
    determinism: Guarantee,
    measuredAt: z.string().nullable(),
    note: z.string(),
  })
  .meta({ id: 'Guarantees' });

export function reviewQualityRoutes(deps: Pick<ApiDeps, 'db'>): AnyRoute[] {
  return [
    route({
      method: 'get',
      path: '/api/v2/cr-ai/review/dimensions',
      tag: 'cr-ai',
      summary: 'The 7 review dimensions with their precision/recall targets',
      access: READERS,
      responses: { 200: { description: 'Dimensions in canonical order', schema: Dimensions } },
      handler: () => ({
        status: 200,
        json: { dimensions: DIMENSIONS.map((d) => DIMENSION_TARGETS[d]) },
      }),
    }),
    route({
      method: 'get',
      path: '/api/v2/cr-ai/review/guarantees',
      tag: 'cr-ai',
      summary: 'False-positive, false-negative and determinism guarantees',
      description:
        '`measured` comes from the newest evaluation run stored by `npm run eval -- --save` ' +
        '(null until one exists); targets are promises, measurements are what the last run saw.',
      access: READERS,
      responses: { 200: { description: 'Targets and measurements', schema: Guarantees } },
      handler: async () => {
        const run = await latestEvalRun(deps.db, { suite: 'review' });
        return {
          status: 200,
          json: {
            falsePositiveRate: {
              target: REVIEW_GUARANTEES.maxFalsePositiveRate,
              comparison: 'at_most' as const,
              measured: run?.falsePositiveRate ?? null,
            },
            falseNegativeRate: {
              target: REVIEW_GUARANTEES.maxFalseNegativeRate,
              comparison: 'at_most' as const,
              measured: run?.falseNegativeRate ?? null,
            },
            determinism: {
              target: REVIEW_GUARANTEES.deterministic,
              comparison: 'equals' as const,
              measured: run?.deterministic ?? null,
            },
            measuredAt: run?.createdAt ?? null,
            note: run
              ? `Measured by evaluation run ${run.id} of ${run.version} on case set ` +
                `${run.caseSetId} (${run.caseCount} cases, ${run.syntheticCount} synthetic).`
              : 'No evaluation run has been recorded yet; measured values are null.',
          },
        };
      },
    }),
  ];
}
