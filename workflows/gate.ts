import {
  ApplicationFailure,
  CancellationScope,
  allHandlersFinished,
  condition,
  defineQuery,
  defineSignal,
  defineUpdate,
  getExternalWorkflowHandle,
  isCancellation,
  proxyActivities,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
  type ChildWorkflowHandle,
} from '@temporalio/workflow';
import type { GateActivities } from '../activities/gate';
import {
  CHECKED_STAGES,
  GATE_STATE_QUERY,
  STATUS_OF_STAGE,
  failing,
  isImmediateBreach,
  rolloutStepBakeMs,
  stageWorkflowId,
  type CheckResult,
  type CheckedStage,
  type GateAction,
  type GateActionInput,
  type GateOutcome,
  type GateState,
  type GateStageName,
  type GateUpdateName,
  type GateWorkflowInput,
  type PromoteInput,
  type StageControl,
  type StageInput,
  type StageOutcome,
  type StageReport,
} from '../domain/gate';
import * as SA from './searchAttributes';

export const gateStateQuery = defineQuery<GateState>(GATE_STATE_QUERY);
export const promoteUpdate = defineUpdate<GateState, [PromoteInput]>('promote');
export const pauseUpdate = defineUpdate<GateState, [GateActionInput]>('pause');
export const resumeUpdate = defineUpdate<GateState, [GateActionInput]>('resume');
export const abortUpdate = defineUpdate<GateState, [GateActionInput]>('abort');
export const approveUpdate = defineUpdate<GateState, [GateActionInput]>('approve');
export const stageReportSignal = defineSignal<[StageReport]>('stageReport');
export const stageControlSignal = defineSignal<[StageControl]>('stageControl');

const store = proxyActivities<GateActivities>({
  startToCloseTimeout: '1 minute',
  retry: { maximumInterval: '30 seconds' },
});
// Eval over thousands of cases, load and chaos runs: long, heartbeating, cancelled by abort.
const heavy = proxyActivities<GateActivities>({
  startToCloseTimeout: '3 hours',
  heartbeatTimeout: '2 minutes',
  retry: { maximumAttempts: 3, maximumInterval: '1 minute' },
});

const refuse = (type: string, message: string, details?: unknown): never => {
  throw ApplicationFailure.create({ type, message, details: details ? [details] : undefined });
};

/**
 * A model-config version's walk to production: qualification → staging → canary → rollout, each
 * a child workflow with checks and a bake time, then production. Release engineers steer it with
 * validated updates; any failed check sends traffic back to the baseline and ends it rolled back.
 */
export async function updateGateWorkflow(input: GateWorkflowInput): Promise<GateState> {
  const now = () => new Date().toISOString();
  const state: GateState = {
    version: input.version,
    baseline: input.baseline?.version ?? null,
    status: 'candidate',
    stage: null,
    weight: 0,
    paused: false,
    awaitingApproval: false,
    approved: false,
    checks: [],
    bakeEndsAt: null,
    history: [],
    actions: [],
    failure: null,
  };
  let child: ChildWorkflowHandle<typeof gateStageWorkflow> | undefined;
  let abortBy: GateActionInput | undefined;
  let finished = false;

  const running = () => {
    if (finished)
      refuse('gate_finished', `the gate of ${input.version} has ended (${state.status})`);
  };
  const act = async (action: GateUpdateName, a: GateActionInput, force?: boolean) => {
    const entry: GateAction = {
      action,
      actor: a.actor,
      stage: state.stage,
      at: now(),
      ...(a.reason ? { reason: a.reason } : {}),
      ...(force ? { force } : {}),
    };
    state.actions.push(entry);
    await store.gateRecordEvent({ version: input.version, kind: 'action', ...entry });
  };

  setHandler(gateStateQuery, () => state);
  setHandler(stageReportSignal, (r) => {
    if (r.stage !== state.stage) return;
    state.checks = r.checks;
    state.weight = r.weight;
    state.bakeEndsAt = r.bakeEndsAt;
    const record = state.history.at(-1);
    if (record) record.checks = r.checks;
  });
  setHandler(
    promoteUpdate,
    async (p) => {
      await act('promote', p, p.force);
      await child?.signal(stageControlSignal, { kind: 'promote', force: p.force === true });
      return state;
    },
    {
      validator: (p) => {
        running();
        if (state.awaitingApproval) refuse('awaiting_approval', 'production waits for approve');
        if (!child) refuse('no_active_stage', 'no stage is running');
        if (p.force) {
          if (!p.reason?.trim()) refuse('reason_required', 'a forced promote needs a reason');
          return;
        }
        if (state.checks.length === 0)
          refuse('checks_pending', `${state.stage} is still measuring`);
        const bad = failing(state.checks);
        if (bad.length > 0) {
          throw ApplicationFailure.create({
            type: 'checks_failing',
            message: `refused: ${bad.map((c) => c.name).join(', ')} failing`,
            details: [bad],
          });
        }
      },
    },
  );
  setHandler(
    pauseUpdate,
    async (a) => {
      state.paused = true;
      state.bakeEndsAt = null;
      await act('pause', a);
      await child?.signal(stageControlSignal, { kind: 'pause' });
      return state;
    },
    {
      validator: (_a: GateActionInput) => {
        running();
        if (state.paused) refuse('already_paused', 'already paused');
      },
    },
  );
  setHandler(
    resumeUpdate,
    async (a) => {
      state.paused = false;
      await act('resume', a);
      await child?.signal(stageControlSignal, { kind: 'resume' });
      return state;
    },
    {
      validator: (_a: GateActionInput) => {
        running();
        if (!state.paused) refuse('not_paused', 'not paused');
      },
    },
  );
  setHandler(
    abortUpdate,
    async (a) => {
      abortBy = a;
      // Traffic goes back first: the stage may be in the middle of a long check.
      await store.gateSetWeight({ version: input.version, weight: 0 });
      state.weight = 0;
      await act('abort', a);
      await child?.signal(stageControlSignal, { kind: 'abort' });
      await condition(() => finished);
      return state;
    },
    {
      validator: (_a: GateActionInput) => {
        running();
        if (abortBy) refuse('aborting', 'already aborting');
      },
    },
  );
  setHandler(
    approveUpdate,
    async (a) => {
      state.approved = true;
      await act('approve', a);
      return state;
    },
    {
      validator: (_a: GateActionInput) => {
        running();
        if (!input.policy.production.requireApproval) refuse('no_approval', 'policy needs none');
        if (state.approved) refuse('already_approved', 'already approved');
      },
    },
  );

  const enter = async (stage: GateStageName) => {
    state.stage = stage;
    state.checks = [];
    state.bakeEndsAt = null;
    state.history.push({ stage, startedAt: now(), checks: [] });
    upsertSearchAttributes([
      { key: SA.GateStage, value: stage },
      { key: SA.ModelVersion, value: input.version },
    ]);
    if (stage !== 'production') {
      state.status = STATUS_OF_STAGE[stage];
      await store.gateSetStatus({ version: input.version, status: state.status, stage });
    }
    await store.gateRecordEvent({
      version: input.version,
      kind: 'stage_started',
      stage,
      at: now(),
    });
  };
  const finish = async (outcome: GateOutcome, failed?: CheckResult[]) => {
    if (outcome !== 'production') {
      await store.gateSetWeight({ version: input.version, weight: 0 });
      state.weight = 0;
    }
    state.status = outcome;
    if (failed && state.stage) state.failure = { stage: state.stage, checks: failed };
    state.bakeEndsAt = null;
    await store.gateSetStatus({ version: input.version, status: outcome, stage: state.stage });
    await store.gateRecordEvent({
      version: input.version,
      kind: 'gate_ended',
      stage: state.stage,
      at: now(),
      outcome,
      ...(failed ? { checks: failed } : {}),
    });
    upsertSearchAttributes([{ key: SA.GateStage, value: outcome }]);
    finished = true;
    await condition(allHandlersFinished);
    return state;
  };

  upsertSearchAttributes([
    { key: SA.QuorumKind, value: 'gate' },
    { key: SA.ModelVersion, value: input.version },
  ]);
  await store.gateRecordEvent({
    version: input.version,
    kind: 'action',
    action: 'release',
    actor: input.releasedBy,
    stage: null,
    at: now(),
  });

  for (const stage of CHECKED_STAGES) {
    if (abortBy) return finish('aborted');
    await enter(stage);
    const args: StageInput = {
      gateWorkflowId: workflowInfo().workflowId,
      version: input.version,
      stage,
      weight: state.weight,
      modelConfig: input.modelConfig,
      baseline: input.baseline,
      policy: input.policy,
    };
    child = await startChild(gateStageWorkflow, {
      workflowId: stageWorkflowId(input.version, stage),
      args: [args],
    });
    if (state.paused) await child.signal(stageControlSignal, { kind: 'pause' });
    if (abortBy) await child.signal(stageControlSignal, { kind: 'abort' });
    const outcome = await child.result();
    child = undefined;
    const record = state.history.at(-1);
    if (record)
      Object.assign(record, { endedAt: now(), result: outcome.result, checks: outcome.checks });
    state.checks = outcome.checks;
    state.weight = outcome.weight;
    await store.gateRecordEvent({
      version: input.version,
      kind: 'stage_ended',
      stage,
      at: now(),
      outcome: outcome.result,
      checks: outcome.checks,
    });
    if (outcome.result === 'aborted' || abortBy) return finish('aborted');
    if (outcome.result === 'failed') return finish('rolled_back', failing(outcome.checks));
  }

  await enter('production');
  if (input.policy.production.requireApproval && !state.approved) {
    state.awaitingApproval = true;
    await condition(() => state.approved || abortBy !== undefined);
    state.awaitingApproval = false;
    if (abortBy) return finish('aborted');
  }
  const { retired } = await store.gatePromoteToProduction({ version: input.version });
  await store.gateEnsureRegressionSchedule({
    version: input.version,
    policy: input.policy,
    retired,
  });
  const record = state.history.at(-1);
  if (record) Object.assign(record, { endedAt: now(), result: 'passed' });
  return finish('production');
}

/** Weights a stage walks through: none before live traffic, the canary share, the rollout steps. */
function weightsFor(stage: CheckedStage, policy: StageInput['policy']): number[] {
  if (stage === 'canary') return [policy.canary.weight];
  if (stage === 'rollout') return policy.rollout.steps;
  return [0];
}

function bakeMsFor(stage: CheckedStage, policy: StageInput['policy']): number {
  if (stage === 'qualification') return policy.qualification.bakeMs;
  if (stage === 'staging') return policy.staging.bakeMs;
  if (stage === 'canary') return policy.canary.bakeMs;
  return rolloutStepBakeMs(policy);
}

/**
 * One stage: set its traffic, measure, bake (re-measuring live traffic as it goes), judge. The
 * gate forwards promote/pause/resume/abort as signals; pause stops the bake clock.
 */
export async function gateStageWorkflow(input: StageInput): Promise<StageOutcome> {
  const { stage, policy, version } = input;
  const live = stage === 'canary' || stage === 'rollout';
  let paused = false;
  let promoted: { force: boolean } | null = null;
  let forced = false;
  let aborted = false;
  let weight = input.weight;
  let checks: CheckResult[] = [];
  let bakeEndsAt: string | null = null;
  const gate = getExternalWorkflowHandle(input.gateWorkflowId);
  const scope = new CancellationScope();

  setHandler(stageControlSignal, (c) => {
    if (c.kind === 'pause') paused = true;
    else if (c.kind === 'resume') paused = false;
    else if (c.kind === 'promote') promoted = { force: c.force };
    else {
      aborted = true;
      scope.cancel();
    }
  });
  const report = () => gate.signal(stageReportSignal, { stage, weight, checks, bakeEndsAt });
  const stepStartedAt = { at: new Date().toISOString() };

  const measure = async (): Promise<CheckResult[]> => {
    let result: CheckResult[];
    if (stage === 'qualification') {
      result = await heavy.gateQualificationChecks({
        version,
        modelConfig: input.modelConfig,
        baselineVersion: input.baseline?.version ?? null,
        baselineConfig: input.baseline?.modelConfig ?? null,
        policy,
      });
    } else if (stage === 'staging') {
      const target = { version, modelConfig: input.modelConfig, policy };
      result = [
        ...(await heavy.gateStagingEval(target)),
        ...(await heavy.gateLoadTest(target)),
        ...(await heavy.gateChaosRun(target)),
      ];
    } else {
      result = await store.gateMeasureLive({
        version,
        baselineVersion: input.baseline?.version ?? null,
        since: stepStartedAt.at,
        policy,
      });
    }
    checks = result;
    await store.gateRecordEvent({
      version,
      kind: 'measurement',
      stage,
      at: new Date().toISOString(),
      weight,
      checks,
    });
    await report();
    return result;
  };

  /** Waits out the bake on durable timers; 'breach' when a live re-measurement must roll back. */
  const bake = async (totalMs: number): Promise<'done' | 'promoted' | 'breach'> => {
    let remaining = totalMs;
    let sinceMeasure = 0;
    while (remaining > 0 && !promoted) {
      if (paused) {
        bakeEndsAt = null;
        await report();
        await condition(() => !paused || promoted !== null);
        continue;
      }
      const slice = live
        ? Math.min(remaining, policy.canary.measureEveryMs - sinceMeasure)
        : remaining;
      bakeEndsAt = new Date(Date.now() + remaining).toISOString();
      await report();
      const started = Date.now();
      await condition(() => paused || promoted !== null, slice);
      const elapsed = Date.now() - started;
      remaining -= elapsed;
      sinceMeasure += elapsed;
      if (live && remaining > 0 && !promoted && sinceMeasure >= policy.canary.measureEveryMs) {
        sinceMeasure = 0;
        if ((await measure()).some(isImmediateBreach)) return 'breach';
      }
    }
    bakeEndsAt = null;
    return promoted ? 'promoted' : 'done';
  };

  const body = async (): Promise<StageOutcome> => {
    for (const w of weightsFor(stage, policy)) {
      if (w !== weight) {
        await store.gateSetWeight({ version, weight: w });
        weight = w;
      }
      promoted = null;
      stepStartedAt.at = new Date().toISOString();
      const first = await measure();
      // Offline checks are judged once; live ones only roll back early on a user-facing breach.
      if (live ? first.some(isImmediateBreach) : failing(first).length > 0) {
        return { result: 'failed', checks, weight };
      }
      const end = await bake(bakeMsFor(stage, policy));
      if (end === 'breach') return { result: 'failed', checks, weight };
      const promote = promoted as { force: boolean } | null;
      if (promote?.force && failing(checks).length > 0) forced = true;
      if (end === 'done' && live && failing(await measure()).length > 0) {
        return { result: 'failed', checks, weight };
      }
    }
    return { result: forced ? 'forced' : 'passed', checks, weight };
  };

  try {
    return await scope.run(body);
  } catch (err) {
    if (aborted && isCancellation(err)) return { result: 'aborted', checks, weight };
    throw err;
  }
}

/** The production version's daily regression eval, run by the `regression-<version>` schedule. */
export async function regressionEvalWorkflow(input: { version: string; cases: number }) {
  const result = await heavy.gateRegressionEval(input);
  if (!result.passed)
    await store.gateRaiseRegressionAlert({ version: input.version, checks: result.checks });
  return result;
}
