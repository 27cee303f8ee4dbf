import { randomUUID } from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import type pg from 'pg';
import { parseConfig, taskQueues, type Config } from '../../domain/config';
import { parseDiff, prepareDiff } from '../../domain/diff';
import { modelConfigFrom, modelConfigVersion } from '../../domain/modelConfig';
import { redactDiff } from '../../domain/redact';
import { renderDiff } from '../../domain/renderDiff';
import type { ModelFinding, ReviewRequest, ReviewStatus } from '../../domain/review';
import type { ReviewWorkflowInput } from '../../domain/reviewFlow';
import { reviewIdFor } from '../../domain/reviewId';
import { createPool } from '../../store/db';
import { migrateUp } from '../../store/migrate';
import { saveReviewInput } from '../../store/reviewInputs';
import { getReview, saveReview, type StoredReview } from '../../store/reviews';
import { connectClient, connectWorkerConnection } from '../../workers/connection';
import { createLogger } from '../../workers/logger';
import type { reviewWorkflow } from '../../workflows/review';
import { runReviewWorkers } from './reviewWorkers';

export { newFileDiff } from './diffs';

/**
 * Runs review workflows the way the API does, without the API: the test drives the workflow
 * directly and asserts on what the store and the fake vendors saw. Each harness has its own
 * task queue prefix, so test files sharing the dev server never pick up each other's tasks.
 */

export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run through jest globalSetup`);
  return value;
}

export interface HarnessOptions {
  /** env-like settings over the test defaults: vendor base URLs and keys, chains, timeouts */
  env?: Record<string, string | undefined>;
  /** another Temporal (the time-skipping test environment); the shared dev server otherwise */
  temporal?: { connection: NativeConnection; client: Client };
  databaseUrl?: string;
}

export type ReviewHandle = WorkflowHandle<typeof reviewWorkflow>;

export interface SubmittedReview {
  reviewId: string;
  input: ReviewWorkflowInput;
  handle: ReviewHandle;
}

export interface ReviewHarness {
  config: Config;
  db: pg.Pool;
  client: Client;
  taskQueue: string;
  modelConfigVersion: string;
  /** prepare → store (queued, redacted) → store chunks → start `reviewWorkflow` */
  submit(req: ReviewRequest, overrides?: Partial<ReviewWorkflowInput>): Promise<SubmittedReview>;
  stop(): Promise<void>;
}

export function harnessConfig(opts: HarnessOptions = {}): Config {
  return parseConfig({
    TEMPORAL_ADDRESS: opts.temporal ? undefined : requireEnv('QUORUM_TEST_TEMPORAL_ADDRESS'),
    DATABASE_URL: opts.databaseUrl ?? requireEnv('QUORUM_TEST_DATABASE_URL'),
    QUORUM_TASK_QUEUE_PREFIX: `wf-${randomUUID().slice(0, 8)}`,
    // Another test file in this jest worker may already serve SDK metrics; none are needed here.
    QUORUM_WORKER_METRICS_PORT: '0',
    LOG_LEVEL: 'error',
    QUORUM_PRIMARY_CHAIN: 'local',
    QUORUM_VERIFIER_CHAIN: 'local',
    ...opts.env,
  });
}

export async function startReviewHarness(opts: HarnessOptions = {}): Promise<ReviewHarness> {
  const config = harnessConfig(opts);
  const databaseUrl = config.database.url as string;
  const logger = createLogger(config, 'review-harness');
  await migrateUp(databaseUrl);
  const db = createPool(databaseUrl, { max: 4, applicationName: 'quorum-review-harness' });
  const own = opts.temporal
    ? undefined
    : {
        connection: await connectWorkerConnection(config, logger),
        temporal: await connectClient(config),
      };
  const connection = opts.temporal?.connection ?? (own?.connection as NativeConnection);
  const client = opts.temporal?.client ?? (own?.temporal.client as Client);
  const stopWorkers = await runReviewWorkers({ config, connection, db, logger });
  const version = modelConfigVersion(modelConfigFrom(config));
  const taskQueue = taskQueues(config.temporal.taskQueuePrefix).review;

  async function submit(
    req: ReviewRequest,
    overrides: Partial<ReviewWorkflowInput> = {},
  ): Promise<SubmittedReview> {
    const reviewId = reviewIdFor(req, version);
    const opts = { tokenBudget: config.models.chunkTokenBudget };
    const prepared = prepareDiff(req, opts);
    const redactedDiff = renderDiff(redactDiff(parseDiff(req.diff).files).files);
    await saveReview(db, {
      id: reviewId,
      status: 'queued',
      request: { ...req, diff: redactedDiff },
      modelConfigVersion: version,
      coverage: prepared.coverage,
      redactions: prepared.redactions,
      stats: prepared.stats,
      findings: [],
    });
    await saveReviewInput(
      db,
      reviewId,
      { title: req.title, description: req.description, dimensions: req.dimensions },
      prepared.chunks,
    );
    const input: ReviewWorkflowInput = {
      reviewId,
      modelConfigVersion: version,
      chunkCount: prepared.chunks.length,
      repository: req.repository,
      primaryChain: config.models.primaryChain,
      verifierChain: config.models.verifierChain,
      manualReviewTimeoutMs: config.models.manualReviewTimeoutMs,
      severityThreshold: req.severityThreshold,
      dimensions: req.dimensions,
      ...overrides,
    };
    const handle = await client.workflow.start<typeof reviewWorkflow>('reviewWorkflow', {
      workflowId: reviewId,
      taskQueue,
      args: [input],
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
    return { reviewId, input, handle };
  }

  async function stop(): Promise<void> {
    await stopWorkers();
    await db.end();
    await own?.temporal.close();
    await own?.connection.close();
  }

  return { config, db, client, taskQueue, modelConfigVersion: version, submit, stop };
}

/** A request whose id no earlier run can share: ids are content hashes and the store persists. */
export function uniqueRequest(diff: string, extra: Partial<ReviewRequest> = {}): ReviewRequest {
  return { diff, title: `workflow test ${randomUUID()}`, ...extra };
}

/** A finding as a vendor model returns it, with the fields a test does not care about filled. */
export function modelFinding(f: Partial<ModelFinding> & Pick<ModelFinding, 'file'>): ModelFinding {
  return {
    startLine: 1,
    endLine: 1,
    dimension: 'correctness',
    severity: 'medium',
    title: 'Something is off',
    explanation: 'A scripted finding from a fake vendor.',
    confidence: 0.8,
    ...f,
  };
}

/** Polls the store until the review reaches `status`; throws with the last status seen. */
export async function waitForStatus(
  db: pg.Pool,
  reviewId: string,
  status: ReviewStatus,
  timeoutMs = 60_000,
): Promise<StoredReview> {
  const deadline = Date.now() + timeoutMs;
  let last: string | undefined;
  while (Date.now() < deadline) {
    // One plain query per poll: on PGlite, getReview's three parallel reads interleaved with the
    // workers' writes can lose pglite-socket's unnamed portal ("portal does not exist").
    const res = await db.query<{ status: string }>('SELECT status FROM reviews WHERE id = $1', [
      reviewId,
    ]);
    last = res.rows[0]?.status;
    if (last === status) return storedReview(db, reviewId);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`review ${reviewId} is ${last ?? 'not stored'}, not ${status}`);
}

export async function storedReview(db: pg.Pool, reviewId: string): Promise<StoredReview> {
  const review = await getReview(db, reviewId);
  if (!review) throw new Error(`review ${reviewId} is not stored`);
  return review;
}
