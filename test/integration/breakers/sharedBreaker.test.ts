import { randomUUID } from 'node:crypto';
import { REVIEW_STATUS_QUERY, type ReviewProgress } from '../../../domain/reviewFlow';
import type { ProvidersWait } from '../../../domain/breaker';
import { listAudit } from '../../../store/audit';
import { breakerId, listBreakers } from '../../../store/breakers';
import { openaiReply, startFakeOpenAI, type FakeVendor } from '../../fakes';
import {
  newFileDiff,
  startReviewHarness,
  storedReview,
  uniqueRequest,
  type ReviewHarness,
} from '../../helpers/reviewHarness';

jest.setTimeout(180_000);

const DIFF = newFileDiff('src/sum.ts', [
  'export function sum(xs: number[]): number {',
  '  return xs.reduce((a, b) => a + b, 0);',
  '}',
]);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('one breaker shared by two workers', () => {
  let openai: FakeVendor;
  let a: ReviewHarness;
  let b: ReviewHarness;

  beforeAll(async () => {
    openai = await startFakeOpenAI({ script: () => openaiReply.error(500, 'openai is down') });
    // Two harnesses: two Temporal connections, two pools, two sets of workers with their own
    // activity instances, as two processes would have. Only the database is shared.
    const env = {
      OPENAI_API_KEY: 'sk-test-shared-breaker',
      OPENAI_BASE_URL: openai.baseUrl,
      QUORUM_PRIMARY_CHAIN: 'openai,local',
      QUORUM_VERIFIER_CHAIN: 'local',
      QUORUM_BREAKER_CONSECUTIVE_FAILURES: '3',
      // longer than the 4 s backoff before the fourth attempt, which must meet an open circuit
      QUORUM_BREAKER_COOLDOWN: '10s',
    };
    [a, b] = await Promise.all([startReviewHarness({ env }), startReviewHarness({ env })]);
  });

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await openai?.close();
  });

  it('lets a worker skip a vendor another worker found dead, and probes it once per cooldown', async () => {
    // Worker A meets the outage: three failed attempts open the breaker, the fourth is refused.
    const first = await a.submit(uniqueRequest(DIFF));
    expect(await first.handle.result()).toMatchObject({ status: 'completed' });
    expect(openai.requests).toHaveLength(3);
    const firstPrimary = (await storedReview(a.db, first.reviewId)).modelCalls.find(
      (c) => c.role === 'primary',
    );
    expect(firstPrimary).toMatchObject({ provider: 'local' });
    expect(firstPrimary?.failoverHops[0]?.reason).toMatch(/^CircuitOpen: openai\//);

    // Worker B has never called the vendor itself, yet never reaches it.
    const onB = await Promise.all([1, 2, 3].map(() => b.submit(uniqueRequest(DIFF))));
    for (const r of onB) expect(await r.handle.result()).toMatchObject({ status: 'completed' });
    expect(openai.requests).toHaveLength(3);

    // After the cooldown, six reviews on both workers at once: one probe reaches the vendor.
    const id = breakerId('openai', a.config.models.openai.model, openai.baseUrl);
    const open = (await listBreakers(a.db, a.config.breakers.policy)).find((v) => v.key === id.key);
    expect(open?.state).toBe('open');
    await sleep(Date.parse(open?.halfOpenAt ?? '') - Date.now() + 500);
    const both = await Promise.all([a, b, a, b, a, b].map((h) => h.submit(uniqueRequest(DIFF))));
    for (const r of both) expect(await r.handle.result()).toMatchObject({ status: 'completed' });
    expect(openai.requests).toHaveLength(4);
    process.stderr.write(
      `shared breaker: 10 reviews on 2 workers, dead vendor hit ${openai.requests.length} times ` +
        `(4 attempts each without a breaker: 40)\n`,
    );

    const view = (await listBreakers(a.db, a.config.breakers.policy)).find((v) => v.key === id.key);
    expect(view).toMatchObject({
      state: 'open',
      lastTransition: { from: 'half_open', to: 'open' },
    });
    const audit = await listAudit(a.db, { resource: `breakers/${id.key}`, limit: 10 });
    expect(audit.items.map((e) => e.action).reverse()).toEqual([
      'breaker.open',
      'breaker.half_open',
      'breaker.open',
    ]);
  });
});

describe('a review whose every provider is open', () => {
  let openai: FakeVendor;
  let harness: ReviewHarness;
  let healthy = false;

  beforeAll(async () => {
    openai = await startFakeOpenAI({
      script: () =>
        healthy
          ? openaiReply.review({ findings: [], summary: 'Looks fine.' })
          : openaiReply.error(503, 'overloaded'),
    });
    harness = await startReviewHarness({
      env: {
        OPENAI_API_KEY: 'sk-test-all-open',
        OPENAI_BASE_URL: openai.baseUrl,
        QUORUM_PRIMARY_CHAIN: 'openai',
        QUORUM_VERIFIER_CHAIN: 'openai',
        QUORUM_BREAKER_CONSECUTIVE_FAILURES: '2',
        QUORUM_BREAKER_COOLDOWN: '5s',
      },
    });
  });

  afterAll(async () => {
    await harness?.stop();
    await openai?.close();
  });

  it('waits durably for the half-open, says so in its status, and completes', async () => {
    const { reviewId, handle } = await harness.submit(uniqueRequest(DIFF));

    let seen: (ReviewProgress & { waitingForProviders?: ProvidersWait }) | undefined;
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const p = await handle.query<ReviewProgress & { waitingForProviders?: ProvidersWait }>(
        REVIEW_STATUS_QUERY,
      );
      if (p.waitingForProviders) {
        seen = p;
        break;
      }
      await sleep(200);
    }
    expect(seen?.status).toBe('running');
    expect(seen?.waitingForProviders?.providers).toEqual(['openai']);
    expect(Date.parse(seen?.waitingForProviders?.until ?? '')).toBeGreaterThan(Date.now() - 1000);

    healthy = true;
    const outcome = await handle.result();
    expect(outcome).toMatchObject({ reviewId, status: 'completed' });
    const after = await handle.query<ReviewProgress & { waitingForProviders?: ProvidersWait }>(
      REVIEW_STATUS_QUERY,
    );
    expect(after.waitingForProviders).toBeUndefined();

    const review = await storedReview(harness.db, reviewId);
    expect(review.status).toBe('completed');
    for (const call of review.modelCalls) {
      expect(call.provider).toBe('openai');
      expect(call.failoverHops.length).toBeGreaterThanOrEqual(1);
      expect(call.failoverHops.every((h) => /^CircuitOpen: /.test(h.reason))).toBe(true);
    }
    const id = breakerId('openai', harness.config.models.openai.model, openai.baseUrl);
    const audit = await listAudit(harness.db, { resource: `breakers/${id.key}`, limit: 10 });
    expect(audit.items.map((e) => e.action).reverse()).toEqual([
      'breaker.open',
      'breaker.half_open',
      'breaker.closed',
    ]);
    expect(audit.items.every((e) => e.idempotencyKey?.startsWith(`breaker:${id.key}:`))).toBe(true);
  });
});

describe('a wait that outlasts its bound', () => {
  let openai: FakeVendor;
  let harness: ReviewHarness;

  beforeAll(async () => {
    openai = await startFakeOpenAI({ script: () => openaiReply.error(500, 'gone') });
    harness = await startReviewHarness({
      env: {
        OPENAI_API_KEY: `sk-test-bounded-${randomUUID()}`,
        OPENAI_BASE_URL: openai.baseUrl,
        QUORUM_PRIMARY_CHAIN: 'openai',
        QUORUM_VERIFIER_CHAIN: 'local',
        QUORUM_BREAKER_CONSECUTIVE_FAILURES: '2',
        QUORUM_BREAKER_COOLDOWN: '5s',
        QUORUM_BREAKER_MAX_WAIT: '6s',
      },
    });
  });

  afterAll(async () => {
    await harness?.stop();
    await openai?.close();
  });

  it('fails the review with the reason once the bound is spent', async () => {
    const { handle } = await harness.submit(uniqueRequest(DIFF));
    const started = Date.now();
    const outcome = await handle.result();
    expect(outcome.status).toBe('failed');
    expect(outcome.error).toMatch(
      /^every primary provider failed for chunk 0 \(after waiting \d+ s for open circuits\): openai \(CircuitOpen: /,
    );
    expect(Date.now() - started).toBeLessThan(60_000);
  });
});
