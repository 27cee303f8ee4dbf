import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  GATE_STATE_QUERY,
  gateWorkflowId,
  type GateActionInput,
  type GateState,
  type GateWorkflowInput,
  type PromoteInput,
} from '../../../domain/gate';
import { modelConfigVersion } from '../../../domain/modelConfig';
import {
  currentRouting,
  getVersion,
  listVersionEvents,
  registerCandidate,
  setVersionStatus,
} from '../../../store/versions';
import { updateGateWorkflow } from '../../../workflows/gate';
import {
  BASELINE,
  BASELINE_CONFIG,
  DEFAULT_POLICY,
  HEALTHY_LIVE,
  candidateConfig,
  maybeRecordHistory,
  registerSearchAttributes,
  requireEnv,
  startGateHarness,
  type GateHarness,
} from './harness';

// The Java test server, a private PostgreSQL and the workflow bundle take a while to start.
jest.setTimeout(240_000);

const HOUR = 3_600_000;
let env: TestWorkflowEnvironment;
let h: GateHarness;
let current: WorkflowHandle<typeof updateGateWorkflow> | undefined;
let worker: Awaited<ReturnType<GateHarness['startWorker']>>;

beforeAll(async () => {
  env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: requireEnv('QUORUM_TEST_SERVER_PATH') } },
  });
  await registerSearchAttributes(env);
  h = await startGateHarness(env);
  worker = await h.startWorker();
});

afterAll(async () => {
  await h?.stop();
  await env?.teardown();
});

beforeEach(() => {
  h.probes.live = HEALTHY_LIVE;
});

// A test that failed half way must not leave its candidate holding the one gate slot.
afterEach(async () => {
  if (!current) return;
  const state = await current.query<GateState>(GATE_STATE_QUERY).catch(() => undefined);
  if (state && !['production', 'rolled_back', 'aborted'].includes(state.status)) {
    await current.terminate('test cleanup').catch(() => undefined);
    await setVersionStatus(h.db, state.version, 'aborted', state.stage).catch(() => undefined);
  }
  current = undefined;
});

async function release(label: string): Promise<{ version: string; handle: typeof current & {} }> {
  const modelConfig = candidateConfig(label);
  const version = modelConfigVersion(modelConfig);
  await registerCandidate(h.db, {
    id: version,
    modelConfig,
    policy: DEFAULT_POLICY,
    createdBy: 'key:test',
  });
  const input: GateWorkflowInput = {
    version,
    modelConfig,
    baseline: { version: BASELINE, modelConfig: BASELINE_CONFIG },
    policy: DEFAULT_POLICY,
    releasedBy: 'key:test',
  };
  const handle = await env.client.workflow.start(updateGateWorkflow, {
    workflowId: gateWorkflowId(version),
    taskQueue: h.taskQueue,
    args: [input],
  });
  current = handle;
  return { version, handle };
}

const state = (handle: WorkflowHandle) => handle.query<GateState>(GATE_STATE_QUERY);
const act = (handle: WorkflowHandle, name: string, input: GateActionInput | PromoteInput) =>
  handle.executeUpdate<GateState, [PromoteInput]>(name, { args: [input] });

/** Lets virtual time pass (timers fire, the worker reacts), then waits for the stage. */
async function advanceTo(handle: WorkflowHandle, ms: number, stage: GateState['stage']) {
  await env.sleep(ms);
  for (let i = 0; i < 100; i += 1) {
    const s = await state(handle);
    if (s.stage === stage && s.checks.length > 0) return s;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`gate did not reach ${stage}: ${JSON.stringify(await state(handle))}`);
}

async function refusal(p: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (err as WorkflowUpdateFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  return cause as ApplicationFailure;
}

describe('the update gate on default durations (time-skipping)', () => {
  it('walks a good candidate through all five stages to production and retires the baseline', async () => {
    const startedAt = await env.currentTimeMs();
    const { version, handle } = await release('happy');
    await act(handle, 'approve', { actor: 'key:lead', reason: 'eval looks right' });
    const final = await handle.result();
    const elapsedHours = (Number(await env.currentTimeMs()) - Number(startedAt)) / HOUR;

    expect(final.status).toBe('production');
    expect(final.history.map((r) => [r.stage, r.result])).toEqual([
      ['qualification', 'passed'],
      ['staging', 'passed'],
      ['canary', 'passed'],
      ['rollout', 'passed'],
      ['production', 'passed'],
    ]);
    // 24 h + 24 h + 4 h + 48 h of bake, all on durable timers
    expect(elapsedHours).toBeGreaterThanOrEqual(100);
    expect(await getVersion(h.db, version)).toMatchObject({ status: 'production', weight: 0 });
    expect(await getVersion(h.db, BASELINE)).toMatchObject({ status: 'retired' });
    expect((await currentRouting(h.db)).baseline?.version).toBe(version);
    expect(h.probes.schedules.map((s) => s.scheduleId)).toContain(`regression-${version}`);
    const weights = (await listVersionEvents(h.db, version))
      .filter((e) => e.kind === 'weight')
      .map((e) => e.details.weight);
    expect(weights).toEqual([5, 25, 50, 75, 100]);
    expect(h.probes.evalCalls).toContainEqual({ version, cases: 2000 });
    await maybeRecordHistory('happy', await handle.fetchHistory());
    await maybeRecordHistory(
      'happy-canary',
      await env.client.workflow.getHandle(`gate-${version}-canary`).fetchHistory(),
    );
  });

  it('rolls back at canary on an error-rate breach, recording the failing measurement', async () => {
    h.probes.live = { ...HEALTHY_LIVE, candidateErrors: 4 }; // 1% > 0.2%
    const { version, handle } = await release('errors');
    const final = await handle.result();

    expect(final.status).toBe('rolled_back');
    expect(final.failure?.stage).toBe('canary');
    expect(final.failure?.checks).toEqual([
      expect.objectContaining({ name: 'error_rate', value: 0.01, threshold: 0.002, passed: false }),
    ]);
    expect(await getVersion(h.db, version)).toMatchObject({ status: 'rolled_back', weight: 0 });
    const ended = (await listVersionEvents(h.db, version)).find((e) => e.kind === 'gate_ended');
    expect(ended?.checks[0]).toMatchObject({ name: 'error_rate', value: 0.01 });
    expect((await currentRouting(h.db)).candidate).toBeUndefined();
    await maybeRecordHistory('rollback', await handle.fetchHistory());
  });

  it('aborts during rollout, sending all traffic back to the baseline at once', async () => {
    const { version, handle } = await release('abort');
    const s = await advanceTo(handle, 24 * HOUR + 24 * HOUR + 4 * HOUR + HOUR, 'rollout');
    expect(s.weight).toBe(5);
    expect((await currentRouting(h.db)).weight).toBe(5);

    const after = await act(handle, 'abort', { actor: 'key:oncall', reason: 'pager storm' });
    expect(after.status).toBe('aborted');
    expect(after.weight).toBe(0);
    expect(await getVersion(h.db, version)).toMatchObject({ status: 'aborted', weight: 0 });
    expect((await currentRouting(h.db)).candidate).toBeUndefined();
    expect((await handle.result()).actions.map((a) => [a.action, a.actor])).toContainEqual([
      'abort',
      'key:oncall',
    ]);
    await maybeRecordHistory('abort', await handle.fetchHistory());
  });

  it('refuses promote while a check fails and accepts it forced with a reason', async () => {
    h.probes.live = { ...HEALTHY_LIVE, compared: 100, agreed: 97 }; // agreement 97% < 98%
    const { handle } = await release('force');
    await advanceTo(handle, 24 * HOUR + 24 * HOUR + HOUR, 'canary');

    const refused = await refusal(act(handle, 'promote', { actor: 'key:re' }));
    expect(refused.type).toBe('checks_failing');
    expect(refused.details?.[0]).toEqual([
      expect.objectContaining({ name: 'agreement', value: 0.97, threshold: 0.98 }),
    ]);
    const noReason = await refusal(act(handle, 'promote', { actor: 'key:re', force: true }));
    expect(noReason.type).toBe('reason_required');

    h.probes.live = HEALTHY_LIVE;
    await act(handle, 'promote', { actor: 'key:re', force: true, reason: 'shadow set skewed' });
    await act(handle, 'approve', { actor: 'key:lead' });
    const final = await handle.result();
    expect(final.status).toBe('production');
    expect(final.history.find((r) => r.stage === 'canary')?.result).toBe('forced');
    expect(final.actions).toContainEqual(
      expect.objectContaining({ action: 'promote', force: true, reason: 'shadow set skewed' }),
    );
    await maybeRecordHistory('force', await handle.fetchHistory());
  });

  it('stops the bake clock while paused and resumes it where it stopped', async () => {
    const { handle } = await release('pause');
    await advanceTo(handle, 24 * HOUR + 24 * HOUR + HOUR, 'canary'); // ~1 h into a 4 h canary
    const paused = await act(handle, 'pause', { actor: 'key:re', reason: 'holiday freeze' });
    expect(paused.paused).toBe(true);

    await env.sleep(6 * HOUR); // longer than the whole canary bake
    expect(await state(handle)).toMatchObject({ stage: 'canary', paused: true, bakeEndsAt: null });
    const again = await refusal(act(handle, 'pause', { actor: 'key:re' }));
    expect(again.type).toBe('already_paused');

    await act(handle, 'resume', { actor: 'key:re' });
    await env.sleep(2 * HOUR); // ~3 h of canary baked in all: not done yet
    expect((await state(handle)).stage).toBe('canary');
    const s = await advanceTo(handle, 2 * HOUR, 'rollout');
    expect(s.weight).toBe(5);
    await act(handle, 'abort', { actor: 'key:re' });
  });

  it('continues a stage on a new worker after the old one stops mid-bake', async () => {
    worker.worker.shutdown();
    await worker.running;
    const first = await h.startWorker({ cache: false });
    const { handle } = await release('restart');
    await advanceTo(handle, 24 * HOUR + HOUR, 'staging');
    // the only worker of the queue goes away; a new one rebuilds the gate from its history
    first.worker.shutdown();
    await first.running;
    worker = await h.startWorker();
    await act(handle, 'approve', { actor: 'key:lead' });
    const final = await handle.result();
    expect(final.status).toBe('production');
    expect(final.history.map((r) => r.result)).toEqual([
      'passed',
      'passed',
      'passed',
      'passed',
      'passed',
    ]);
  });
});
