import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type pg from 'pg';
import { createGateActivities } from '../../../activities/gate';
import type { GateProbes, RegressionScheduleInput } from '../../../activities/gateProbes';
import { parseConfig } from '../../../domain/config';
import {
  GatePolicy,
  type CaseResult,
  type EvalSummary,
  type LiveSample,
} from '../../../domain/gate';
import { modelConfigVersion, type ModelConfig } from '../../../domain/modelConfig';
import { SEARCH_ATTRIBUTES } from '../../../domain/searchAttributes';
import { createPool } from '../../../store/db';
import { migrateUp } from '../../../store/migrate';
import { ensureProductionVersion } from '../../../store/versions';
import { startPrivatePostgres, type PrivatePostgres } from '../workers/privatePostgres';

export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run through jest globalSetup`);
  return value;
}

/** The test server only accepts upserts of attributes it knows; register Quorum's on it. */
export async function registerSearchAttributes(env: TestWorkflowEnvironment): Promise<void> {
  const { IndexedValueType } = temporal.api.enums.v1;
  const types = {
    Keyword: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
    Int: IndexedValueType.INDEXED_VALUE_TYPE_INT,
  } as const;
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(
      Object.entries(SEARCH_ATTRIBUTES).map(([name, type]) => [name, types[type]]),
    ),
  });
}

export const BASELINE_CONFIG: ModelConfig = {
  primaryChain: ['local'],
  verifierChain: ['local'],
  anthropicModel: 'claude-baseline',
  openaiModel: 'gpt-baseline',
  temperature: 0,
  promptVersion: 'review-v1',
  localEngineVersion: 'local-v1',
};
export const BASELINE = modelConfigVersion(BASELINE_CONFIG);

export function candidateConfig(label: string): ModelConfig {
  return { ...BASELINE_CONFIG, anthropicModel: `claude-${label}-${randomUUID().slice(0, 6)}` };
}

/** 2000 cases, 10% critical; the candidate is right on `right` of them. */
export function evalOf(score: number, right: (i: number) => boolean, n = 2000): EvalSummary {
  const cases: CaseResult[] = Array.from({ length: n }, (_, i) => ({
    caseId: `case-${i}`,
    right: right(i),
    critical: i % 10 === 0,
  }));
  return { score, cases, synthetic: Math.max(0, n - 200) };
}

export const HEALTHY_LIVE: LiveSample = {
  candidateReviews: 400,
  candidateErrors: 0,
  compared: 380,
  agreed: 379,
  candidateLatenciesMs: Array.from({ length: 400 }, (_, i) => 1000 + ((i * 37) % 500)),
  baselineLatenciesMs: Array.from({ length: 400 }, (_, i) => 1000 + ((i * 41) % 500)),
};

/** Scripted instruments: the checks' logic and the gate are real, the measurements are chosen. */
export class ScriptedProbes implements GateProbes {
  live: LiveSample = HEALTHY_LIVE;
  schedules: RegressionScheduleInput[] = [];
  evalCalls: { version: string; cases: number }[] = [];

  evaluate = async ({ modelConfig, cases }: { modelConfig: ModelConfig; cases: number }) => {
    const version = modelConfigVersion(modelConfig);
    this.evalCalls.push({ version, cases });
    return version === BASELINE
      ? evalOf(0.7, (i) => i % 10 !== 5, cases)
      : evalOf(0.78, () => true, cases);
  };
  loadTest = async () => ({
    requests: 100,
    succeeded: 100,
    concurrency: 20,
    latenciesMs: Array.from({ length: 100 }, (_, i) => 50 + i),
    durationMs: 900,
  });
  chaos = async () => ({ reviews: 50, completed: 50, faultsInjected: 21, failovers: 0 });
  measureLive = async () => this.live;
  ensureSchedule = async (input: RegressionScheduleInput) => {
    this.schedules.push({ ...input, client: undefined as never });
  };
  now = () => Date.now();
}

export interface GateHarness {
  db: pg.Pool;
  probes: ScriptedProbes;
  taskQueue: string;
  startWorker(opts?: { cache?: boolean }): Promise<{ worker: Worker; running: Promise<void> }>;
  stop(): Promise<void>;
}

export const DEFAULT_POLICY = GatePolicy.parse({});

/** A private PostgreSQL with a baseline in production for 8 days, and gate workers on one queue. */
export async function startGateHarness(env: TestWorkflowEnvironment): Promise<GateHarness> {
  const pgServer: PrivatePostgres = await startPrivatePostgres();
  await migrateUp(pgServer.url);
  const db = createPool(pgServer.url, { max: 4, applicationName: 'gate-test' });
  await ensureProductionVersion(db, BASELINE, BASELINE_CONFIG);
  await db.query(
    `INSERT INTO reviews (id, status, request, model_config_version, created_at)
     VALUES ('review-00000000000000b1', 'completed', '{}', $1, now() - interval '8 days')`,
    [BASELINE],
  );
  const probes = new ScriptedProbes();
  const config = parseConfig({ DATABASE_URL: pgServer.url, LOG_LEVEL: 'warn' });
  const taskQueue = `gate-test-${randomUUID().slice(0, 8)}`;
  const workers: { worker: Worker; running: Promise<void> }[] = [];
  return {
    db,
    probes,
    taskQueue,
    async startWorker(opts: { cache?: boolean } = {}) {
      const worker = await Worker.create({
        connection: env.nativeConnection,
        taskQueue,
        workflowsPath: require.resolve('../../../workflows/gate'),
        activities: createGateActivities({ db, config, probes }),
        // Without a cache a stopped worker leaves no task on its sticky queue (the test server
        // does not hand those back on shutdown); every task then replays the whole history.
        ...(opts.cache === false ? { maxCachedWorkflows: 0 } : {}),
      });
      const w = { worker, running: worker.run() };
      workers.push(w);
      return w;
    },
    async stop() {
      for (const w of workers) {
        if (w.worker.getState() === 'RUNNING') w.worker.shutdown();
        await w.running.catch(() => undefined);
      }
      await db.end();
      await pgServer.stop();
    },
  };
}

/** Saves a history for the replay tests when QUORUM_RECORD_HISTORIES=1. */
export async function maybeRecordHistory(
  name: string,
  history: temporal.api.history.v1.IHistory,
): Promise<void> {
  if (process.env.QUORUM_RECORD_HISTORIES !== '1') return;
  // protobufjs's canonical JSON of the message; the replay test reads it back with fromObject
  const json = temporal.api.history.v1.History.fromObject(history).toJSON();
  const dir = path.resolve(__dirname, '../../fixtures/histories');
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, `gate-${name}.json`), JSON.stringify(json) + '\n');
}
