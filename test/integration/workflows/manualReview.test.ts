import { WorkflowUpdateFailedError } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { SEARCH_ATTRIBUTES } from '../../../domain/searchAttributes';
import {
  CONSENSUS_STATE_QUERY,
  DECIDE_UPDATE,
  REVIEW_STATUS_QUERY,
  type ReviewProgress,
  type ConsensusState,
  type DecisionInput,
} from '../../../domain/reviewFlow';
import type { Finding } from '../../../domain/review';
import { createLogger } from '../../../workers/logger';
import { installRuntime } from '../../../workers/runtime';
import {
  anthropicReply,
  openaiReply,
  startFakeAnthropic,
  startFakeOpenAI,
  type FakeVendor,
} from '../../fakes';
import { fakeVendorEnv, stopHarnessAndFakes } from '../../helpers/fakeVendors';
import {
  harnessConfig,
  modelFinding,
  newFileDiff,
  requireEnv,
  startReviewHarness,
  storedReview,
  uniqueRequest,
  waitForStatus,
  type ReviewHarness,
} from '../../helpers/reviewHarness';

// Starting the Java test server and bundling the workflows take a while on a shared machine.
jest.setTimeout(180_000);

const FILE = 'src/cleanup.ts';
const DIFF = newFileDiff(FILE, [
  "import { db } from './db';",
  '',
  'export async function purge(): Promise<void> {',
  "  await db.query('DELETE FROM accounts');",
  '}',
]);
const CRITICAL = modelFinding({
  file: FILE,
  startLine: 4,
  endLine: 4,
  dimension: 'correctness',
  severity: 'critical',
  title: 'Unconditional delete wipes every account',
  confidence: 0.9,
});
const HOURS_72 = 72 * 3_600_000;

let env: TestWorkflowEnvironment;
let anthropic: FakeVendor;
let openai: FakeVendor;
let harness: ReviewHarness;

/** The test server only accepts upserts of attributes it knows; register Quorum's on it. */
async function registerSearchAttributes(testEnv: TestWorkflowEnvironment): Promise<void> {
  const { IndexedValueType } = temporal.api.enums.v1;
  const types = {
    Keyword: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
    Int: IndexedValueType.INDEXED_VALUE_TYPE_INT,
  } as const;
  await testEnv.connection.operatorService.addSearchAttributes({
    namespace: testEnv.namespace ?? 'default',
    searchAttributes: Object.fromEntries(
      Object.entries(SEARCH_ATTRIBUTES).map(([name, type]) => [name, types[type]]),
    ),
  });
}

beforeAll(async () => {
  // Before the test environment creates a default Runtime that logs every worker state at INFO.
  installRuntime(harnessConfig({ temporal: undefined }), createLogger({ logLevel: 'error' }));
  env = await TestWorkflowEnvironment.createTimeSkipping({
    server: {
      executable: { type: 'existing-path', path: requireEnv('QUORUM_TEST_SERVER_PATH') },
    },
  });
  await registerSearchAttributes(env);
  // The primary alone calls it critical: a disputed critical finding, held for a human.
  anthropic = await startFakeAnthropic({
    script: () => anthropicReply.review({ findings: [CRITICAL], summary: 'Data loss.' }),
  });
  openai = await startFakeOpenAI({
    script: () => openaiReply.review({ findings: [], summary: 'Looks fine.' }),
  });
  harness = await startReviewHarness({
    temporal: { connection: env.nativeConnection, client: env.client },
    env: {
      ...fakeVendorEnv('manual', { anthropic, openai }),
      QUORUM_PRIMARY_CHAIN: 'anthropic',
      QUORUM_VERIFIER_CHAIN: 'openai',
    },
  });
});

afterAll(async () => {
  await stopHarnessAndFakes(harness, anthropic, openai);
  await env?.teardown();
});

async function heldForAHuman(reviewId: string): Promise<{ state: ConsensusState; id: string }> {
  const held = await waitForStatus(harness.db, reviewId, 'needs_manual_review');
  expect(held.findings).toMatchObject([{ agreement: 'disputed', status: 'open' }]);
  const state = await harness.client.workflow
    .getHandle(`${reviewId}-consensus`)
    .query<ConsensusState>(CONSENSUS_STATE_QUERY);
  const id = held.findings[0]?.id as string;
  // The parent review says so too, not only the store and the consensus child.
  let progress: ReviewProgress | undefined;
  for (let i = 0; i < 50 && progress?.status !== 'needs_manual_review'; i++) {
    progress = await harness.client.workflow
      .getHandle(reviewId)
      .query<ReviewProgress>(REVIEW_STATUS_QUERY);
    if (progress.status !== 'needs_manual_review') await new Promise((r) => setTimeout(r, 100));
  }
  expect(progress).toMatchObject({
    status: 'needs_manual_review',
    phase: 'awaiting_decisions',
    pendingDecisions: [id],
  });
  return { state, id };
}

const decide = (reviewId: string, d: DecisionInput) =>
  harness.client.workflow
    .getHandle(`${reviewId}-consensus`)
    .executeUpdate<Finding, [DecisionInput]>(DECIDE_UPDATE, { args: [d] });

async function rejection(p: Promise<unknown>): Promise<string> {
  const err: unknown = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  return String((err as WorkflowUpdateFailedError).cause?.message);
}

describe('a disputed critical finding', () => {
  it('holds the review for a human, and a decision resolves it', async () => {
    const { reviewId, handle } = await harness.submit(uniqueRequest(DIFF), {
      manualReviewTimeoutMs: HOURS_72,
    });

    const { state, id } = await heldForAHuman(reviewId);
    expect(state).toMatchObject({ waiting: true, pending: [id] });
    expect(state.findings.find((f) => f.id === id)).toMatchObject({
      severity: 'critical',
      agreement: 'disputed',
      // one model's word on a critical finding: c × 0.3
      confidence: 0.27,
    });

    const unknown = { findingId: 'f-000000000000', decision: 'confirm', actor: 'alice' } as const;
    expect(await rejection(decide(reviewId, unknown))).toMatch(/finding_not_found/);
    const decided = await decide(reviewId, { findingId: id, decision: 'confirm', actor: 'alice' });
    expect(decided).toMatchObject({ id, status: 'confirmed' });
    const again = { findingId: id, decision: 'dismiss', actor: 'bob' } as const;
    expect(await rejection(decide(reviewId, again))).toMatch(
      /already_decided|not waiting for decisions/,
    );

    const outcome = await handle.result();
    expect(outcome).toMatchObject({ status: 'completed', verdict: 'request_changes' });
    const review = await storedReview(harness.db, reviewId);
    expect(review.status).toBe('completed');
    expect(review.findings).toMatchObject([{ id, status: 'confirmed', agreement: 'disputed' }]);
    expect(review.summary).toMatchObject({ manualReviewTimedOut: false });
  });

  it('reports it unconfirmed when nobody decides within 72 hours', async () => {
    const { reviewId, handle } = await harness.submit(uniqueRequest(DIFF), {
      manualReviewTimeoutMs: HOURS_72,
    });
    const { id } = await heldForAHuman(reviewId);
    const before = await env.currentTimeMs();

    // Awaiting the result lets the test server skip the 72 h wait.
    const outcome = await handle.result();

    expect(await env.currentTimeMs()).toBeGreaterThanOrEqual(before + HOURS_72 - 60_000);
    expect(outcome).toMatchObject({ status: 'completed' });
    const review = await storedReview(harness.db, reviewId);
    expect(review.status).toBe('completed');
    expect(review.findings).toMatchObject([{ id, status: 'unconfirmed' }]);
    expect(review.summary).toMatchObject({ manualReviewTimedOut: true });
    // an unconfirmed finding is reported, not acted on: it does not block the change
    expect(outcome.verdict).toBe('comment');
  });
});
