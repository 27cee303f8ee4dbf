import { randomBytes } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import type pg from 'pg';
import { createAuditActivities } from '../../../activities/audit';
import { auditBreakerTransitions } from '../../../activities/breakers';
import { createReviewActivities, type SaveReviewResultInput } from '../../../activities/review';
import { DEFAULT_BREAKER_POLICY } from '../../../domain/breaker';
import type { Finding } from '../../../domain/review';
import { breakerId, recordCall } from '../../../store/breakers';
import { createPool } from '../../../store/db';
import { migrateUp } from '../../../store/migrate';
import { saveReview } from '../../../store/reviews';

/**
 * Temporal runs an activity at least once: a worker that dies after the write but before
 * reporting completion gets the same activity retried. Each activity with an outside effect is
 * run twice here with the same inputs (and the same activity identity), and the rows counted.
 */

jest.setTimeout(60_000);

let db: pg.Pool;
beforeAll(async () => {
  const url = process.env.QUORUM_TEST_DATABASE_URL;
  if (!url) throw new Error('QUORUM_TEST_DATABASE_URL is not set: run through jest globalSetup');
  await migrateUp(url);
  db = createPool(url, { max: 4, applicationName: 'quorum-idempotency-test' });
});
afterAll(async () => {
  await db?.end();
});

const hex = (bytes = 8) => randomBytes(bytes).toString('hex');

function finding(id: string, over: Partial<Finding> = {}): Finding {
  return {
    id,
    file: 'src/db.ts',
    startLine: 3,
    endLine: 4,
    dimension: 'security',
    severity: 'critical',
    title: `Finding ${id}`,
    explanation: 'User input reaches a SQL string.',
    confidence: 0.9,
    bucket: 'high',
    agreement: 'disputed',
    raisedBy: ['local/rules'],
    status: 'open',
    ...over,
  };
}

async function queuedReview(): Promise<string> {
  const id = `review-${hex()}`;
  await saveReview(db, {
    id,
    status: 'queued',
    request: { diff: 'diff --git a/x b/x\n' },
    findings: [],
  });
  return id;
}

async function count(sql: string, params: unknown[]): Promise<number> {
  const res = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`, params);
  return res.rows[0]?.n ?? -1;
}

async function rowsOf(reviewId: string) {
  return {
    reviews: await count('reviews WHERE id = $1', [reviewId]),
    findings: await count('findings WHERE review_id = $1', [reviewId]),
    modelCalls: await count('model_calls WHERE review_id = $1', [reviewId]),
    decisions: await count('finding_decisions WHERE review_id = $1', [reviewId]),
  };
}

describe('review activities run twice', () => {
  const activities = () => createReviewActivities({ db });

  it('saveReviewResult writes each review, finding, model call and decision once', async () => {
    const reviewId = await queuedReview();
    const provenance = (role: 'primary' | 'verifier') => ({
      role,
      provider: 'local' as const,
      model: `local/${role}`,
      latencyMs: 3,
      inputTokens: 0,
      outputTokens: 0,
      failoverHops: [{ provider: 'openai' as const, reason: 'CircuitOpen: openai/x' }],
      attempts: 2,
    });
    const input: SaveReviewResultInput = {
      reviewId,
      status: 'completed',
      verdict: 'request_changes',
      findings: [finding('f-1', { status: 'confirmed' }), finding('f-2', { severity: 'high' })],
      summaries: { primary: ['p'], verifier: ['v'] },
      calls: [0, 1].flatMap((chunkIndex) => [
        { chunkIndex, provenance: provenance('primary') },
        { chunkIndex, provenance: provenance('verifier') },
      ]),
      decisions: [{ findingId: 'f-1', decision: 'confirm', actor: 'key:reviewer' }],
      manualReviewTimedOut: false,
      durationMs: 40,
    };

    await activities().saveReviewResult(input);
    const once = await rowsOf(reviewId);
    await activities().saveReviewResult(input);

    expect(once).toEqual({ reviews: 1, findings: 2, modelCalls: 4, decisions: 1 });
    expect(await rowsOf(reviewId)).toEqual(once);
  });

  it('holdForDecisions and markReviewStatus leave one row and the first completion time', async () => {
    const reviewId = await queuedReview();
    const held = { reviewId, findings: [finding('f-held')] };
    await activities().holdForDecisions(held);
    await activities().holdForDecisions(held);
    expect(await rowsOf(reviewId)).toEqual({
      reviews: 1,
      findings: 1,
      modelCalls: 0,
      decisions: 0,
    });

    const failed = { reviewId, status: 'failed' as const, error: 'every provider failed' };
    await activities().markReviewStatus(failed);
    const first = await db.query<{ completed_at: Date }>(
      'SELECT completed_at FROM reviews WHERE id = $1',
      [reviewId],
    );
    await new Promise((r) => setTimeout(r, 20));
    await activities().markReviewStatus(failed);
    const second = await db.query<{ completed_at: Date }>(
      'SELECT completed_at FROM reviews WHERE id = $1',
      [reviewId],
    );
    expect(second.rows[0]?.completed_at).toEqual(first.rows[0]?.completed_at);
    expect(await count('reviews WHERE id = $1', [reviewId])).toBe(1);
  });
});

describe('audit entries appended by activities', () => {
  it('recordAuditChainBreak appends once per activity, however often it is retried', async () => {
    const workflowId = `audit-verify-${hex()}`;
    const env = (activityId: string, attempt: number) =>
      new MockActivityEnvironment({
        activityId,
        attempt,
        workflowExecution: { workflowId, runId: 'run-1' },
      });
    const { recordAuditChainBreak } = createAuditActivities({ db });
    const input = { firstBadSeq: 1, reason: 'hash does not match content', checked: 0 };

    const a = await env('3', 1).run(recordAuditChainBreak, input);
    const retried = await env('3', 2).run(recordAuditChainBreak, input);
    expect(retried).toEqual(a);
    const actor = `workflow:${workflowId}`;
    expect(await count('audit_log WHERE actor = $1', [actor])).toBe(1);

    // a different activity of the same workflow is a different entry
    await env('7', 1).run(recordAuditChainBreak, input);
    expect(await count('audit_log WHERE actor = $1', [actor])).toBe(2);
  });

  it('audits each breaker transition once, even when two workers flush at the same time', async () => {
    const id = breakerId('openai', 'gpt-test', `http://idempotency-${hex(4)}`);
    const policy = { ...DEFAULT_BREAKER_POLICY, consecutiveFailures: 2 };
    const failure = { kind: 'failure' as const, reason: 'ProviderUnavailable: 500' };
    await recordCall(db, id, failure, false, policy);
    const opened = await recordCall(db, id, failure, false, policy);
    expect(opened.transition).toMatchObject({ to: 'open', generation: 1 });

    await Promise.all([auditBreakerTransitions(db), auditBreakerTransitions(db)]);
    await auditBreakerTransitions(db);

    expect(await count('audit_log WHERE resource = $1', [`breakers/${id.key}`])).toBe(1);
    expect(await count('breaker_transitions WHERE breaker_key = $1', [id.key])).toBe(1);
    expect(
      await count('breaker_transitions WHERE breaker_key = $1 AND NOT audited', [id.key]),
    ).toBe(0);
  });
});
