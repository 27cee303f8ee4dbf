import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import pg from 'pg';
import { createGateActivities } from '../../../activities/gate';
import { defaultProbes } from '../../../activities/gateProbes';
import { parseConfig, taskQueues } from '../../../domain/config';
import { migrateUp } from '../../../store/migrate';
import { call, databaseUrl, startApi, temporalAddress, type RunningApi } from '../api/harness';
import { HEALTHY_LIVE, ScriptedProbes } from './harness';

// A real dev server, the API and a gate worker; bundling the workflows takes a while.
jest.setTimeout(240_000);

const BASE = '/api/v2/vc-ai/versions';
let api: RunningApi;
let db: pg.Pool;
let connection: Connection;
let worker: Worker;
let workerConnection: NativeConnection;
let running: Promise<void>;
let engineer: string;
let reviewer: string;
const probes = new ScriptedProbes();
const prefix = `gate-api-${randomUUID().slice(0, 8)}`;

const modelConfig = (label: string) => ({
  primaryChain: ['local'],
  verifierChain: ['local'],
  anthropicModel: `claude-${label}-${randomUUID().slice(0, 6)}`,
  openaiModel: 'gpt-5.4',
});
/** Seconds instead of days, as a release engineer would set on a laptop. */
const QUICK = {
  // the scripted eval scores both versions alike here, so no gain is asked for
  qualification: { bakeMs: 1000, minBaselineProductionMs: 0, minScoreGain: 0, evalCases: 20 },
  staging: { bakeMs: 1000, minEvalCases: 20 },
  canary: { bakeMs: 1000, measureEveryMs: 1000, minSamples: 0 },
  rollout: { durationMs: 5000 },
  production: { requireApproval: false },
};

async function key(roles: string[]): Promise<string> {
  const res = await call(api, 'POST', '/api/v2/admin/api-keys', {
    key: api.adminKey,
    body: { name: `gate-${roles.join('-')}`, roles },
  });
  return (res.json as { key: string }).key;
}

async function until<T>(read: () => Promise<T>, ok: (t: T) => boolean, ms = 120_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 250));
  }
}

const detail = async (id: string) =>
  (await call(api, 'GET', `${BASE}/${id}`, { key: reviewer })).json as {
    status: string;
    stage: string | null;
    gate: { checks: { name: string; passed: boolean }[] } | null;
    history: { kind: string; actor: string | null; details: Record<string, unknown> }[];
  };

beforeAll(async () => {
  await migrateUp(databaseUrl());
  db = new pg.Pool({ connectionString: databaseUrl(), max: 4 });
  connection = await Connection.connect({ address: temporalAddress() });
  api = await startApi({ db, temporal: connection, env: { QUORUM_TASK_QUEUE_PREFIX: prefix } });
  const config = parseConfig({ DATABASE_URL: databaseUrl() });
  // scripted measurements, but the real Temporal Schedule on the real dev server
  const real = defaultProbes({ db, config });
  workerConnection = await NativeConnection.connect({ address: temporalAddress() });
  worker = await Worker.create({
    connection: workerConnection,
    taskQueue: taskQueues(prefix).release,
    workflowsPath: require.resolve('../../../workflows/gate'),
    activities: createGateActivities({
      db,
      config,
      probes: {
        evaluate: probes.evaluate,
        loadTest: probes.loadTest,
        chaos: probes.chaos,
        measureLive: () => probes.measureLive(),
        ensureSchedule: real.ensureSchedule,
      },
    }),
  });
  running = worker.run();
  engineer = await key(['release-engineer']);
  reviewer = await key(['reviewer']);
});

afterAll(async () => {
  worker?.shutdown();
  await running?.catch(() => undefined);
  await workerConnection?.close();
  await api?.stop();
  await db?.end();
  await connection?.close();
});

describe('versions API', () => {
  it('lets only release engineers release, refuses a second gate, and steers it by updates', async () => {
    const denied = await call(api, 'POST', `${BASE}/release`, {
      key: reviewer,
      body: { modelConfig: modelConfig('denied') },
    });
    expect(denied.status).toBe(403);

    probes.live = { ...HEALTHY_LIVE, compared: 100, agreed: 90 };
    const started = performance.now();
    const res = await call(api, 'POST', `${BASE}/release`, {
      key: engineer,
      body: {
        modelConfig: modelConfig('steer'),
        policy: { ...QUICK, canary: { bakeMs: 600_000 } },
      },
    });
    expect(res.status).toBe(202);
    expect(performance.now() - started).toBeLessThan(500);
    const { id } = res.json as { id: string };

    const second = await call(api, 'POST', `${BASE}/release`, {
      key: engineer,
      body: { modelConfig: modelConfig('second') },
    });
    expect(second.status).toBe(409);

    const atCanary = await until(
      () => detail(id),
      (d) => (d.stage === 'canary' && (d.gate?.checks.length ?? 0) > 0) || d.gate === null,
    );
    expect(atCanary.stage).toBe('canary');
    const refused = await call(api, 'POST', `${BASE}/${id}/promote`, { key: engineer, body: {} });
    expect(refused.status).toBe(409);
    expect((refused.json as { error: { details: unknown } }).error.details).toMatchObject({
      reason: 'checks_failing',
      failingChecks: [{ name: 'agreement', value: 0.9, threshold: 0.98, passed: false }],
    });

    const aborted = await call(api, 'POST', `${BASE}/${id}/abort`, {
      key: engineer,
      body: { reason: 'agreement too low' },
    });
    expect(aborted.status).toBe(200);
    expect(aborted.json).toMatchObject({ status: 'aborted', weight: 0 });
    const after = await detail(id);
    expect(after.status).toBe('aborted');
    expect(after.history).toContainEqual(
      expect.objectContaining({
        kind: 'action',
        details: expect.objectContaining({ action: 'abort', reason: 'agreement too low' }),
      }),
    );
    const audit = await db.query(
      'SELECT action, outcome FROM audit_log WHERE resource LIKE $1 ORDER BY seq',
      [`${BASE}/${id}%`],
    );
    expect(audit.rows).toEqual(
      expect.arrayContaining([
        { action: 'version.release', outcome: 'success' },
        { action: 'version.promote', outcome: 'failure' },
        { action: 'version.abort', outcome: 'success' },
      ]),
    );
  });

  it('takes a candidate to production on short durations and schedules its regression eval', async () => {
    probes.live = HEALTHY_LIVE;
    const res = await call(api, 'POST', `${BASE}/release`, {
      key: engineer,
      body: { modelConfig: modelConfig('prod'), policy: QUICK },
    });
    expect(res.status).toBe(202);
    const { id, baseline } = res.json as { id: string; baseline: string };
    const done = await until(
      () => detail(id),
      (d) => ['production', 'rolled_back', 'aborted'].includes(d.status),
    );
    expect(done.status).toBe('production');
    const list = (await call(api, 'GET', BASE, { key: reviewer })).json as {
      versions: { id: string; status: string }[];
    };
    expect(list.versions.find((v) => v.id === baseline)?.status).toBe('retired');
    const client = new Client({ connection });
    const schedule = client.schedule.getHandle(`regression-${id}`);
    const described = await schedule.describe();
    expect(described.action).toMatchObject({ workflowType: 'regressionEvalWorkflow' });
    await schedule.delete();
  });
});
