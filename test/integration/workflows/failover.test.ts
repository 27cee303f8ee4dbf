import {
  anthropicReply,
  openaiReply,
  startFakeAnthropic,
  startFakeOpenAI,
  type FakeVendor,
} from '../../fakes';
import { fakeVendorEnv, stopHarnessAndFakes } from '../../helpers/fakeVendors';
import {
  newFileDiff,
  startReviewHarness,
  storedReview,
  uniqueRequest,
  type ReviewHarness,
} from '../../helpers/reviewHarness';

// Bundling the workflows and walking real retry backoffs (1 s → 2 s → 4 s) take a while.
jest.setTimeout(120_000);

const DIFF = newFileDiff('src/report.ts', [
  'export function total(xs: number[]): number {',
  '  let sum = 0;',
  '  for (const x of xs) sum += x;',
  '  return sum;',
  '}',
]);

describe('a primary provider that is down', () => {
  let openai: FakeVendor;
  let harness: ReviewHarness;

  beforeAll(async () => {
    openai = await startFakeOpenAI();
    harness = await startReviewHarness({
      env: {
        ...fakeVendorEnv('failover', { openai }),
        QUORUM_PRIMARY_CHAIN: 'openai,local',
        QUORUM_VERIFIER_CHAIN: 'local',
      },
    });
  });

  afterAll(() => stopHarnessAndFakes(harness, openai));

  beforeEach(() => openai.requests.splice(0));

  it('completes on the backup after retrying a 500, and records the hop', async () => {
    openai.setScript(() => openaiReply.error(500, 'the fake is down'));
    const { reviewId, handle } = await harness.submit(uniqueRequest(DIFF));

    const outcome = await handle.result();

    expect(outcome).toMatchObject({ reviewId, status: 'completed' });
    // The activity retry policy allows 4 attempts before the chain moves on.
    expect(openai.requests).toHaveLength(4);
    const review = await storedReview(harness.db, reviewId);
    expect(review.status).toBe('completed');
    const primary = review.modelCalls.filter((c) => c.role === 'primary');
    expect(primary).toHaveLength(1);
    expect(primary[0]).toMatchObject({ provider: 'local', attempts: 2 });
    expect(primary[0]?.failoverHops).toEqual([
      { provider: 'openai', reason: expect.stringMatching(/^ProviderUnavailable: openai: .*500/) },
    ]);
    const verifier = review.modelCalls.filter((c) => c.role === 'verifier');
    expect(verifier).toMatchObject([{ provider: 'local', failoverHops: [] }]);
  });

  it('moves on at once after a 401, without retrying', async () => {
    openai.setScript(() => openaiReply.error(401, 'Incorrect API key provided'));
    const { reviewId, handle } = await harness.submit(uniqueRequest(DIFF));

    const started = Date.now();
    const outcome = await handle.result();

    expect(outcome.status).toBe('completed');
    expect(openai.requests).toHaveLength(1);
    // No retry backoff was waited (the first retry alone would be 1 s).
    expect(Date.now() - started).toBeLessThan(10_000);
    const review = await storedReview(harness.db, reviewId);
    const primary = review.modelCalls.find((c) => c.role === 'primary');
    expect(primary?.provider).toBe('local');
    expect(primary?.failoverHops).toEqual([
      { provider: 'openai', reason: expect.stringMatching(/^AuthFailed: openai: /) },
    ]);
  });
});

describe('every provider down', () => {
  let openai: FakeVendor;
  let anthropic: FakeVendor;
  let harness: ReviewHarness;

  beforeAll(async () => {
    openai = await startFakeOpenAI({ script: () => openaiReply.error(500, 'openai is down') });
    anthropic = await startFakeAnthropic({
      script: () => anthropicReply.error(500, 'anthropic is down'),
    });
    harness = await startReviewHarness({
      env: {
        ...fakeVendorEnv('down', { anthropic, openai }),
        QUORUM_PRIMARY_CHAIN: 'anthropic,openai',
        QUORUM_VERIFIER_CHAIN: 'openai,anthropic',
      },
    });
  });

  afterAll(() => stopHarnessAndFakes(harness, openai, anthropic));

  it('fails the review with an error naming the providers, in bounded time', async () => {
    const { reviewId, handle } = await harness.submit(uniqueRequest(DIFF));

    const started = Date.now();
    const outcome = await handle.result();
    const tookMs = Date.now() - started;

    expect(outcome.status).toBe('failed');
    expect(outcome.error).toMatch(/^every (primary|verifier) provider failed for chunk 0: /);
    expect(outcome.error).toMatch(/anthropic \(ProviderUnavailable: anthropic: .*500/);
    expect(outcome.error).toMatch(/openai \(ProviderUnavailable: openai: .*500/);
    // Two providers per chain, each 4 attempts with 1 + 2 + 4 s of backoff between them: at
    // least 14 s of waiting, and nothing should add more than a few seconds to that.
    expect(tookMs).toBeGreaterThanOrEqual(14_000);
    expect(tookMs).toBeLessThan(45_000);
    process.stderr.write(`every provider down: review failed after ${tookMs} ms\n`);

    const review = await storedReview(harness.db, reviewId);
    expect(review.status).toBe('failed');
    expect(review.error).toEqual({ message: outcome.error });
    expect(review.completedAt).not.toBeNull();
    const description = await handle.describe();
    // The run itself completes: a failed review is an outcome, stored and returned, not a crash.
    expect(description.status.name).toBe('COMPLETED');
  });
});
