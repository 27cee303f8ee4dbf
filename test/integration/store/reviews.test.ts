import type pg from 'pg';
import type { Finding } from '../../../domain/review';
import {
  getReview,
  listFindings,
  markReviewStatus,
  recordModelCall,
  saveDecision,
  saveFeedback,
  saveReview,
  type ReviewInput,
} from '../../../store/reviews';
import { migratedPool, uniqueHex } from './testDb';

// jest ignores testTimeout inside a project entry, and the CPUs here are shared
jest.setTimeout(60_000);

let pool: pg.Pool;
beforeAll(async () => {
  pool = await migratedPool();
});
afterAll(async () => {
  await pool.end();
});

function finding(id: string, over: Partial<Finding> = {}): Finding {
  return {
    id,
    file: 'src/db.ts',
    startLine: 10,
    endLine: 12,
    dimension: 'security',
    severity: 'high',
    title: `Finding ${id}`,
    explanation: 'User input reaches a SQL string.',
    confidence: 0.9,
    bucket: 'high',
    agreement: 'both',
    raisedBy: ['local/rules', 'local/ast'],
    status: 'open',
    ...over,
  };
}

function review(over: Partial<ReviewInput> = {}): ReviewInput {
  return {
    id: `review-${uniqueHex()}`,
    status: 'completed',
    request: {
      diff: 'diff --git a/x b/x\n+password = "[REDACTED:password]"\n',
      repository: 'acme/api',
    },
    modelConfigVersion: 'v1',
    verdict: 'request_changes',
    summary: { text: 'Two issues.' },
    coverage: [{ file: 'src/db.ts', outcome: 'reviewed' }],
    redactions: [{ file: 'src/db.ts', line: 3, kind: 'password' }],
    stats: { files: 1 },
    timings: { totalMs: 12 },
    findings: [
      finding('f-sql', { suggestedFix: 'use a parameter' }),
      finding('f-key', {
        file: 'src/config.ts',
        severity: 'critical',
        agreement: 'disputed',
        bucket: 'low',
        confidence: 0.27,
      }),
      finding('f-doc', {
        dimension: 'documentation',
        severity: 'low',
        bucket: 'medium',
        confidence: 0.5,
      }),
    ],
    ...over,
  };
}

const count = async (sql: string, id: string) =>
  Number((await pool.query<{ n: string }>(sql, [id])).rows[0]?.n);

describe('reviews store', () => {
  it('saves a review twice as one row set and reads it back unchanged', async () => {
    const r = review();
    await saveReview(pool, r);
    const first = await getReview(pool, r.id);
    await saveReview(pool, r);
    const second = await getReview(pool, r.id);

    expect(await count('SELECT count(*) AS n FROM reviews WHERE id = $1', r.id)).toBe(1);
    expect(await count('SELECT count(*) AS n FROM findings WHERE review_id = $1', r.id)).toBe(3);
    expect(second).toEqual(first);
    // the same bytes, in the canonical order the workflow saved them
    expect(JSON.stringify(second?.findings)).toBe(JSON.stringify(r.findings));
    expect(second).toMatchObject({
      status: 'completed',
      repository: 'acme/api',
      verdict: 'request_changes',
      request: r.request,
      coverage: r.coverage,
      redactions: r.redactions,
    });
    expect(second?.completedAt).toEqual(expect.any(String));
  });

  it('drops findings that a re-saved result no longer has', async () => {
    const r = review();
    await saveReview(pool, r);
    await saveReview(pool, { ...r, findings: r.findings.slice(1) });
    const stored = await getReview(pool, r.id);
    expect(stored?.findings.map((f) => f.id)).toEqual(['f-key', 'f-doc']);
  });

  it('rejects a malformed finding without writing anything', async () => {
    const r = review();
    const bad = { ...r, findings: [finding('x', { confidence: 7 })] };
    await expect(saveReview(pool, bad)).rejects.toThrow();
    expect(await getReview(pool, r.id)).toBeNull();
  });

  it('filters and paginates findings', async () => {
    const r = review({
      findings: Array.from({ length: 7 }, (_, i) =>
        finding(`f-${i}`, {
          dimension: i % 2 === 0 ? 'security' : 'performance',
          severity: i < 3 ? 'high' : 'low',
          bucket: i < 3 ? 'high' : 'low',
          file: i < 5 ? 'a.ts' : 'b.ts',
        }),
      ),
    });
    await saveReview(pool, r);
    const all = await listFindings(pool, r.id, { limit: 3, offset: 0 });
    expect(all?.total).toBe(7);
    expect(all?.items.map((f) => f.id)).toEqual(['f-0', 'f-1', 'f-2']);
    const page3 = await listFindings(pool, r.id, { limit: 3, offset: 6 });
    expect(page3?.items.map((f) => f.id)).toEqual(['f-6']);
    // past the end: no rows to carry the count, which is still told
    expect(await listFindings(pool, r.id, { limit: 3, offset: 9 })).toEqual({
      items: [],
      total: 7,
    });

    const security = await listFindings(pool, r.id, {
      dimension: 'security',
      limit: 10,
      offset: 0,
    });
    expect(security?.items.map((f) => f.id)).toEqual(['f-0', 'f-2', 'f-4', 'f-6']);
    const lowInB = await listFindings(pool, r.id, {
      severity: 'low',
      file: 'b.ts',
      limit: 10,
      offset: 0,
    });
    expect(lowInB).toEqual({
      total: 2,
      items: [expect.objectContaining({ id: 'f-5' }), expect.objectContaining({ id: 'f-6' })],
    });
    const high = await listFindings(pool, r.id, { bucket: 'high', limit: 1, offset: 1 });
    expect(high?.total).toBe(3);
    expect(high?.items.map((f) => f.id)).toEqual(['f-1']);
    expect(await listFindings(pool, r.id, { severity: 'critical', limit: 5, offset: 0 })).toEqual({
      items: [],
      total: 0,
    });
    expect(await listFindings(pool, 'review-0000000000000000', { limit: 5, offset: 0 })).toBeNull();
  });

  it('records a retried model call once', async () => {
    const r = review();
    await saveReview(pool, r);
    const call = {
      idempotencyKey: `${r.id}/chunk-0/primary`,
      reviewId: r.id,
      chunkIndex: 0,
      role: 'primary' as const,
      provider: 'openai' as const,
      model: 'gpt-5.1',
      latencyMs: 812.5,
      inputTokens: 1200,
      outputTokens: 300,
      attempts: 2,
      failoverHops: [{ provider: 'anthropic' as const, reason: 'HTTP 529 overloaded' }],
    };
    await recordModelCall(pool, call);
    await recordModelCall(pool, call);
    const stored = await getReview(pool, r.id);
    expect(stored?.modelCalls).toHaveLength(1);
    expect(stored?.modelCalls[0]).toMatchObject({ ...call });
  });

  it('accepts one decision per finding and answers exists to the second', async () => {
    const r = review({ status: 'needs_manual_review', verdict: null });
    await saveReview(pool, r);
    const first = await saveDecision(pool, {
      reviewId: r.id,
      findingId: 'f-key',
      decision: 'confirm',
      actor: 'key:alice',
      reason: 'real key',
    });
    expect(first.outcome).toBe('created');
    const second = await saveDecision(pool, {
      reviewId: r.id,
      findingId: 'f-key',
      decision: 'dismiss',
      actor: 'key:bob',
    });
    expect(second).toEqual({ outcome: 'exists', decision: first.decision });
    const stored = await getReview(pool, r.id);
    expect(stored?.findings.find((f) => f.id === 'f-key')?.status).toBe('confirmed');
    expect(stored?.decisions).toEqual([first.decision]);
    expect(stored?.completedAt).toBeNull();
  });

  it('keeps one feedback per actor per finding and refuses an unknown finding', async () => {
    const r = review();
    await saveReview(pool, r);
    const a = await saveFeedback(pool, {
      reviewId: r.id,
      findingId: 'f-sql',
      kind: 'useful',
      actor: 'key:a',
    });
    const b = await saveFeedback(pool, {
      reviewId: r.id,
      findingId: 'f-sql',
      kind: 'false_positive',
      actor: 'key:a',
      comment: 'input is a constant',
    });
    expect(a?.kind).toBe('useful');
    expect(b).toMatchObject({
      kind: 'false_positive',
      comment: 'input is a constant',
      createdAt: a?.createdAt,
    });
    await saveFeedback(pool, {
      reviewId: r.id,
      findingId: 'f-sql',
      kind: 'useful',
      actor: 'key:b',
    });
    expect(
      await count('SELECT count(*) AS n FROM finding_feedback WHERE review_id = $1', r.id),
    ).toBe(2);
    expect(
      await saveFeedback(pool, {
        reviewId: r.id,
        findingId: 'nope',
        kind: 'useful',
        actor: 'key:a',
      }),
    ).toBeNull();
  });

  it('moves a review through its statuses and stamps completion once', async () => {
    const r = review({ status: 'running', verdict: null, findings: [] });
    await saveReview(pool, r);
    expect((await getReview(pool, r.id))?.completedAt).toBeNull();
    expect(
      await markReviewStatus(pool, r.id, 'failed', { error: { code: 'ALL_PROVIDERS_DOWN' } }),
    ).toBe(true);
    const failed = await getReview(pool, r.id);
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'ALL_PROVIDERS_DOWN' } });
    expect(failed?.completedAt).toEqual(expect.any(String));
    await markReviewStatus(pool, r.id, 'failed');
    expect((await getReview(pool, r.id))?.completedAt).toBe(failed?.completedAt);
    expect(await markReviewStatus(pool, `review-${uniqueHex()}`, 'running')).toBe(false);
  });
});
