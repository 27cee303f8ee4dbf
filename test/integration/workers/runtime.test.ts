import { randomBytes, randomUUID } from 'node:crypto';
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { NativeConnection, Worker } from '@temporalio/worker';
import type pg from 'pg';
import { Registry } from 'prom-client';
import { freePort } from '../../../cli/stack/devServer';
import { parseConfig, taskQueues, type Config } from '../../../domain/config';
import { appendAudit } from '../../../store/audit';
import { createPool } from '../../../store/db';
import { migrateUp } from '../../../store/migrate';
import {
  connectClient,
  connectWorkerConnection,
  type TemporalClientHandle,
} from '../../../workers/connection';
import { createLogger } from '../../../workers/logger';
import { createWorkers, runWorkers } from '../../../workers/worker';
import {
  auditVerificationProgressQuery,
  verifyAuditChainWorkflow,
  type AuditVerificationProgress,
} from '../../../workflows/auditVerification';
import { QuorumKind } from '../../../workflows/searchAttributes';
import { startPrivatePostgres, type PrivatePostgres } from './privatePostgres';

// Bundling workflows and starting a private PostgreSQL take a while on a shared 2-core machine.
jest.setTimeout(120_000);

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run through jest globalSetup`);
  return value;
}

/** One running set of workers on its own task queue prefix, against the given database. */
interface Running {
  config: Config;
  db: pg.Pool;
  workers: Worker[];
  stop: AbortController;
  done: Promise<void>;
}

const logger = createLogger({ logLevel: 'error' }, 'runtime-test');
const registry = new Registry();
let metricsPort: number;
let connection: NativeConnection;
let temporal: TemporalClientHandle;
let client: Client;
const running: Running[] = [];

function testConfig(databaseUrl: string): Config {
  return parseConfig({
    TEMPORAL_ADDRESS: env('QUORUM_TEST_TEMPORAL_ADDRESS'),
    DATABASE_URL: databaseUrl,
    QUORUM_TASK_QUEUE_PREFIX: `test-${randomUUID().slice(0, 8)}`,
    QUORUM_WORKER_METRICS_PORT: String(metricsPort),
    LOG_LEVEL: 'warn',
  });
}

async function startWorkers(
  databaseUrl: string,
  queues: ('review' | 'models' | 'release')[],
): Promise<Running> {
  const config = testConfig(databaseUrl);
  const db = createPool(databaseUrl, { max: 4, applicationName: 'quorum-worker-test' });
  const workers = await createWorkers({ config, connection, queues, db, logger, registry });
  const stop = new AbortController();
  const r: Running = { config, db, workers, stop, done: runWorkers(workers, stop.signal) };
  running.push(r);
  return r;
}

async function stopWorkers(r: Running): Promise<void> {
  r.stop.abort();
  await r.done;
  await r.db.end();
  running.splice(running.indexOf(r), 1);
}

async function countAudit(db: pg.Pool): Promise<number> {
  const rows = await db.query<{ n: string }>('SELECT count(*) AS n FROM audit_log');
  return Number(rows.rows[0]?.n);
}

const entry = (i: number) => ({
  actor: `runtime-test-${randomUUID()}`,
  action: 'test.append',
  resource: `thing-${i}`,
  outcome: 'success' as const,
  details: { i },
});

beforeAll(async () => {
  metricsPort = await freePort();
  await migrateUp(env('QUORUM_TEST_DATABASE_URL'));
  const base = testConfig(env('QUORUM_TEST_DATABASE_URL'));
  connection = await connectWorkerConnection(base, logger);
  temporal = await connectClient(base);
  client = temporal.client;
});

afterAll(async () => {
  for (const r of [...running]) await stopWorkers(r);
  await temporal?.close();
  await connection?.close();
});

describe('audit chain verification on the release queue', () => {
  let release: Running;
  beforeAll(async () => {
    release = await startWorkers(env('QUORUM_TEST_DATABASE_URL'), ['release']);
  });

  it('walks a clean chain in batches to ok, answering progress while it runs', async () => {
    for (let i = 0; i < 30; i += 1) await appendAudit(release.db, entry(i));
    const before = await countAudit(release.db);
    // About 40 batches whatever the shared log holds: long enough to query mid-run.
    const batchSize = Math.max(1, Math.ceil(before / 40));
    const workflowId = `audit-verify-${randomUUID()}`;
    const handle = await client.workflow.start(verifyAuditChainWorkflow, {
      taskQueue: taskQueues(release.config.temporal.taskQueuePrefix).release,
      workflowId,
      args: [{ batchSize }],
    });

    const seen: AuditVerificationProgress[] = [];
    const result = handle.result();
    let finished = false;
    void result.finally(() => (finished = true)).catch(() => undefined);
    while (!finished) {
      const progress = await handle.query(auditVerificationProgressQuery);
      if (!finished) seen.push(progress);
      await new Promise((r) => setTimeout(r, 25));
    }
    const outcome = await result;

    expect(outcome.ok).toBe(true);
    expect(outcome.firstBadSeq).toBeUndefined();
    expect(outcome.checked).toBeGreaterThanOrEqual(before);
    const midRun = seen.filter((p) => p.status === 'running' && p.batches >= 1);
    expect(midRun.length).toBeGreaterThan(0);
    const checkedSeen = seen.map((p) => p.checked);
    expect(checkedSeen).toEqual([...checkedSeen].sort((a, b) => a - b));
    const final = await handle.query(auditVerificationProgressQuery);
    expect(final).toMatchObject({ status: 'ok', checked: outcome.checked });
    expect(final.batches).toBeGreaterThanOrEqual(Math.ceil(before / batchSize));

    const description = await handle.describe();
    expect(description.typedSearchAttributes.get(QuorumKind)).toBe('audit-verification');
  });

  it('rejects a batch size outside 1..10000 without retrying', async () => {
    const handle = await client.workflow.start(verifyAuditChainWorkflow, {
      taskQueue: taskQueues(release.config.temporal.taskQueuePrefix).release,
      workflowId: `audit-verify-bad-${randomUUID()}`,
      args: [{ batchSize: 0 }],
    });
    const failure: unknown = await handle.result().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    const cause = (failure as WorkflowFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect((cause as ApplicationFailure).type).toBe('BadInput');
    expect(cause?.message).toMatch(/batchSize/);
    const description = await handle.describe();
    expect(description.status.name).toBe('FAILED');
  });

  async function completedBatches(): Promise<number> {
    const outcomes = await registry.getSingleMetric('quorum_activity_executions_total')?.get();
    const completed = outcomes?.values.find(
      (v) =>
        v.labels.activity_type === 'verifyAuditChainBatch' &&
        v.labels.task_queue === taskQueues(release.config.temporal.taskQueuePrefix).release &&
        v.labels.outcome === 'completed',
    );
    return completed?.value ?? 0;
  }

  async function verifyInOneBatch(): Promise<void> {
    await client.workflow.execute(verifyAuditChainWorkflow, {
      taskQueue: taskQueues(release.config.temporal.taskQueuePrefix).release,
      workflowId: `audit-verify-metrics-${randomUUID()}`,
      args: [{ batchSize: 10_000 }],
    });
  }

  it('counts and times every activity attempt in the injected registry', async () => {
    const before = await completedBatches();
    await verifyInOneBatch();
    expect(await completedBatches()).toBe(before + 1);
    const text = await registry.metrics();
    expect(text).toMatch(/quorum_activity_duration_seconds_bucket\{[^}]*verifyAuditChainBatch/);
  });

  it('exports the SDK metrics on the configured Prometheus port', async () => {
    await verifyInOneBatch();
    const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body).toMatch(/temporal_activity_execution_latency/);
    expect(body).toContain(taskQueues(release.config.temporal.taskQueuePrefix).release);
  });
});

describe('a tampered audit chain', () => {
  let pglite: PrivatePostgres;
  let release: Running;

  // The shared log must stay valid for every other test, so the forgery goes into a private one.
  beforeAll(async () => {
    pglite = await startPrivatePostgres();
    await migrateUp(pglite.url);
    release = await startWorkers(pglite.url, ['release']);
  });

  afterAll(async () => {
    if (release) await stopWorkers(release);
    await pglite?.stop();
  });

  it('returns the first bad seq and records the break on the log exactly once', async () => {
    for (let i = 0; i < 3; i += 1) await appendAudit(release.db, entry(i));
    const forged = await release.db.query<{ seq: string }>(
      `INSERT INTO audit_log (at, actor, action, resource, outcome, prev_hash, hash)
       VALUES (now(), 'mallory', 'review.create', 'review-x', 'success', $1, $2) RETURNING seq`,
      [randomBytes(32).toString('hex'), randomBytes(32).toString('hex')],
    );
    const forgedSeq = Number(forged.rows[0]?.seq);
    await appendAudit(release.db, entry(4));

    const workflowId = `audit-verify-broken-${randomUUID()}`;
    const outcome = await client.workflow.execute(verifyAuditChainWorkflow, {
      taskQueue: taskQueues(release.config.temporal.taskQueuePrefix).release,
      workflowId,
      args: [{ batchSize: 2 }],
    });

    expect(outcome).toMatchObject({ ok: false, checked: 3, firstBadSeq: forgedSeq });
    expect(outcome.reason).toMatch(/prev_hash/);
    const recorded = await release.db.query<{
      seq: string;
      actor: string;
      idempotency_key: string;
      details: { firstBadSeq: number };
    }>(
      `SELECT seq, actor, idempotency_key, details FROM audit_log WHERE action = 'audit.chain.broken'`,
    );
    expect(recorded.rows).toHaveLength(1);
    const row = recorded.rows[0];
    expect(Number(row?.seq)).toBe(outcome.breakRecordedAt);
    expect(row?.actor).toBe(`workflow:${workflowId}`);
    expect(row?.idempotency_key).toMatch(new RegExp(`^${workflowId}/\\d+$`));
    expect(row?.details.firstBadSeq).toBe(forgedSeq);
    const progress = await client.workflow
      .getHandle(workflowId)
      .query(auditVerificationProgressQuery);
    expect(progress).toMatchObject({ status: 'broken', firstBadSeq: forgedSeq });
  });
});

describe('runWorkers', () => {
  it('runs a worker per queue and drains them all when the signal aborts', async () => {
    const all = await startWorkers(env('QUORUM_TEST_DATABASE_URL'), [
      'review',
      'models',
      'release',
    ]);
    const names = taskQueues(all.config.temporal.taskQueuePrefix);
    expect(all.workers.map((w) => w.options.taskQueue).sort()).toEqual(
      [names.models, names.release, names.review].sort(),
    );
    await new Promise((r) => setTimeout(r, 500));
    expect(all.workers.map((w) => w.getState())).toEqual(['RUNNING', 'RUNNING', 'RUNNING']);
    const started = Date.now();
    await stopWorkers(all);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(all.workers.map((w) => w.getState())).toEqual(['STOPPED', 'STOPPED', 'STOPPED']);
  });
});
