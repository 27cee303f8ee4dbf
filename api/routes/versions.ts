import { ApplicationFailure, WorkflowUpdateFailedError } from '@temporalio/client';
import { z } from 'zod';
import { taskQueues } from '../../domain/config';
import {
  GATE_STATE_QUERY,
  GATE_UPDATES,
  GatePolicy,
  GateStageName,
  ReleaseRequest,
  VersionStatus,
  gateWorkflowId,
  toModelConfig,
  type GateState,
  type GateUpdateName,
  type GateWorkflowInput,
  type PromoteInput,
} from '../../domain/gate';
import { modelConfigFrom, modelConfigVersion } from '../../domain/modelConfig';
import {
  ensureProductionVersion,
  getVersion,
  listVersionEvents,
  listVersions,
  registerCandidate,
  setVersionStatus,
  type StoredVersion,
} from '../../store/versions';
import type { ApiDeps } from '../deps';
import { ApiError } from '../errors';
import { route, type AnyRoute } from '../route';

const BASE = '/api/v2/vc-ai/versions';
const RELEASE_ENGINEERS = ['release-engineer', 'admin'] as const;
const ANY = ['reviewer', 'release-engineer', 'auditor', 'admin'] as const;

const Check = z.object({
  name: z.string(),
  value: z.number().nullable(),
  threshold: z.number(),
  comparator: z.string(),
  passed: z.boolean(),
  detail: z.string().optional(),
});

const Version = z
  .object({
    id: z.string(),
    status: VersionStatus,
    stage: GateStageName.nullable(),
    weight: z.number().describe('percent of live reviews this version serves as a candidate'),
    createdBy: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
    productionSince: z.string().nullable(),
    retiredAt: z.string().nullable(),
    notes: z.string().nullable(),
  })
  .meta({ id: 'ModelVersion' });

const VersionDetail = Version.extend({
  modelConfig: z.record(z.string(), z.unknown()),
  policy: z.record(z.string(), z.unknown()).nullable(),
  gate: z
    .object({
      workflowId: z.string(),
      paused: z.boolean(),
      awaitingApproval: z.boolean(),
      bakeEndsAt: z.string().nullable(),
      checks: z.array(Check),
    })
    .nullable()
    .describe('live gate state while the gate runs'),
  history: z.array(
    z.object({
      kind: z.string(),
      stage: z.string().nullable(),
      actor: z.string().nullable(),
      at: z.string(),
      details: z.record(z.string(), z.unknown()),
      checks: z.array(Check),
    }),
  ),
}).meta({ id: 'ModelVersionDetail' });

const Accepted = z
  .object({ id: z.string(), workflowId: z.string(), status: VersionStatus, baseline: z.string() })
  .meta({ id: 'ReleaseAccepted' });

const ActionBody = z
  .object({
    reason: z.string().trim().min(1).max(2000).optional(),
    force: z.boolean().optional().describe('promote only: skip failing checks (needs a reason)'),
  })
  .strict()
  .meta({ id: 'GateActionRequest' });

const VersionId = z.object({
  id: z.string().regex(/^mc-[0-9a-f]{12}$/, 'a version id: mc-<12 hex>'),
});

const view = (v: StoredVersion): z.infer<typeof Version> => ({
  id: v.id,
  status: v.status,
  stage: v.stage,
  weight: v.weight,
  createdBy: v.createdBy,
  createdAt: v.createdAt,
  updatedAt: v.updatedAt,
  productionSince: v.productionSince,
  retiredAt: v.retiredAt,
  notes: v.notes,
});

/** A refused update is the gate saying no: 409 with the reason and, for promote, the failing checks. */
function refusal(err: unknown): never {
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
    const { type, message, details } = err.cause;
    throw new ApiError('conflict', message, {
      reason: type ?? 'refused',
      ...(type === 'checks_failing' ? { failingChecks: details?.[0] ?? [] } : {}),
    });
  }
  throw err;
}

export function versionRoutes(deps: ApiDeps): AnyRoute[] {
  const { db, config } = deps;
  const client = () => deps.temporal.client;

  const actionRoute = (action: GateUpdateName): AnyRoute =>
    route({
      method: 'post',
      path: `${BASE}/{id}/${action}`,
      tag: 'versions',
      summary: `${action[0]?.toUpperCase()}${action.slice(1)} a version in the update gate`,
      description:
        action === 'promote'
          ? 'Ends the current bake early. Refused (409, with the failing checks) while a check fails, unless `force` is set with a reason.'
          : undefined,
      access: RELEASE_ENGINEERS,
      action: `version.${action}`,
      request: { params: VersionId, body: ActionBody },
      responses: { 200: { description: 'The gate state after the action' } },
      errors: ['not_found', 'conflict'],
      handler: async ({ params, body, principal }) => {
        const input: PromoteInput = {
          actor: principal?.id ?? 'unknown',
          ...(body.reason ? { reason: body.reason } : {}),
          ...(action === 'promote' && body.force ? { force: true } : {}),
        };
        const audit = {
          resource: `${BASE}/${params.id}`,
          details: { version: params.id, ...body },
        };
        const state = await client()
          .workflow.getHandle(gateWorkflowId(params.id))
          .executeUpdate<GateState, [PromoteInput]>(action, { args: [input] })
          .catch(refusal);
        return { status: 200, json: state, audit };
      },
    });

  return [
    route({
      method: 'get',
      path: BASE,
      tag: 'versions',
      summary: 'Model-config versions with their status, stage and traffic weight',
      access: ANY,
      responses: {
        200: { description: 'Newest first', schema: z.object({ versions: z.array(Version) }) },
      },
      handler: async () => ({
        status: 200,
        json: { versions: (await listVersions(db)).map(view) },
      }),
    }),
    route({
      method: 'get',
      path: `${BASE}/{id}`,
      tag: 'versions',
      summary: 'One version: config, policy, stage history with every check against its threshold',
      access: ANY,
      request: { params: VersionId },
      responses: { 200: { description: 'The version', schema: VersionDetail } },
      errors: ['not_found'],
      handler: async ({ params }) => {
        const v = await getVersion(db, params.id);
        if (!v) throw new ApiError('not_found', 'No such version.');
        const workflowId = gateWorkflowId(v.id);
        const live = await client()
          .workflow.getHandle(workflowId)
          .query<GateState>(GATE_STATE_QUERY)
          .catch(() => null);
        const history = (await listVersionEvents(db, v.id)).map((e) => ({
          kind: e.kind,
          stage: e.stage,
          actor: e.actor,
          at: e.at,
          details: e.details,
          checks: e.checks,
        }));
        return {
          status: 200,
          json: {
            ...view(v),
            modelConfig: v.modelConfig,
            policy: v.policy,
            gate: live && { workflowId, ...live },
            history,
          },
        };
      },
    }),
    route({
      method: 'post',
      path: `${BASE}/release`,
      tag: 'versions',
      summary: 'Register a candidate model config and start its update gate',
      description:
        'The version id is the content hash of the config (`mc-<12 hex>`), the id reviews record. `policy` overrides the default gate policy (durations in ms).',
      access: RELEASE_ENGINEERS,
      action: 'version.release',
      request: { body: ReleaseRequest },
      responses: { 202: { description: 'Gate started', schema: Accepted } },
      errors: ['conflict', 'unprocessable'],
      handler: async ({ body, principal }) => {
        const policy = GatePolicy.safeParse(body.policy ?? {});
        if (!policy.success) {
          throw new ApiError('unprocessable', 'The gate policy is invalid.', policy.error.issues);
        }
        const modelConfig = toModelConfig(body.modelConfig);
        const id = modelConfigVersion(modelConfig);
        const running = modelConfigFrom(config);
        const baseline = await ensureProductionVersion(db, modelConfigVersion(running), running);
        if (baseline.id === id) throw new ApiError('conflict', `${id} is already in production.`);
        const actor = principal?.id ?? 'unknown';
        await registerCandidate(db, {
          id,
          modelConfig,
          policy: policy.data,
          createdBy: actor,
          ...(body.notes ? { notes: body.notes } : {}),
        });
        const input: GateWorkflowInput = {
          version: id,
          modelConfig,
          baseline: { version: baseline.id, modelConfig: baseline.modelConfig },
          policy: policy.data,
          releasedBy: actor,
        };
        try {
          await client().workflow.start('updateGateWorkflow', {
            workflowId: gateWorkflowId(id),
            taskQueue: taskQueues(config.temporal.taskQueuePrefix).release,
            args: [input],
          });
        } catch (err) {
          // free the one gate slot: nothing runs for this candidate
          await setVersionStatus(db, id, 'aborted', null).catch(() => undefined);
          throw err;
        }
        return {
          status: 202,
          json: { id, workflowId: gateWorkflowId(id), status: 'candidate', baseline: baseline.id },
          headers: { Location: `${BASE}/${id}` },
          audit: { resource: `${BASE}/${id}`, details: { version: id, baseline: baseline.id } },
        };
      },
    }),
    ...GATE_UPDATES.map(actionRoute),
  ];
}
