import type { ModelOutput } from '../../../domain/review';
import {
  anthropicReply,
  openaiReply,
  startFakeAnthropic,
  startFakeOpenAI,
  type FakeVendor,
  type RecordedRequest,
} from '../../fakes';
import { fakeVendorEnv, stopHarnessAndFakes } from '../../helpers/fakeVendors';
import {
  modelFinding,
  newFileDiff,
  startReviewHarness,
  storedReview,
  uniqueRequest,
  type ReviewHarness,
} from '../../helpers/reviewHarness';

jest.setTimeout(120_000);

const ANTHROPIC_MODEL = 'claude-fake-primary';
const OPENAI_MODEL = 'gpt-fake-verifier';
const EMPTY: ModelOutput = { findings: [], summary: 'Nothing to report.' };

let anthropic: FakeVendor;
let openai: FakeVendor;
let harness: ReviewHarness;

beforeAll(async () => {
  anthropic = await startFakeAnthropic();
  openai = await startFakeOpenAI();
  harness = await startReviewHarness({
    env: {
      ...fakeVendorEnv('vendor', { anthropic, openai }),
      QUORUM_ANTHROPIC_MODEL: ANTHROPIC_MODEL,
      QUORUM_OPENAI_MODEL: OPENAI_MODEL,
      QUORUM_PRIMARY_CHAIN: 'anthropic',
      QUORUM_VERIFIER_CHAIN: 'openai',
    },
  });
});

afterAll(() => stopHarnessAndFakes(harness, anthropic, openai));

beforeEach(() => {
  anthropic.requests.splice(0);
  openai.requests.splice(0);
});

describe('a review by two vendor models', () => {
  const file = 'src/users.ts';
  const diff = newFileDiff(file, [
    "import { pool } from './pool';",
    '',
    'export async function findUser(name: string) {',
    "  const sql = `SELECT * FROM users WHERE name = '${name}'`;",
    '  return pool.query(sql);',
    '}',
    '',
    'export function backoff(attempt: number): number {',
    '  return attempt * 250;',
    '}',
  ]);
  const injection = {
    file,
    startLine: 4,
    endLine: 5,
    dimension: 'security' as const,
    severity: 'high' as const,
  };

  it('stores the agreed finding as both and the lone one as primary_only, with protocol scores', async () => {
    anthropic.setScript([
      anthropicReply.review({
        findings: [
          modelFinding({
            ...injection,
            title: 'SQL injection through string interpolation in findUser',
            explanation: 'The name is interpolated into the SQL text.',
            confidence: 0.9,
          }),
          modelFinding({
            file,
            startLine: 9,
            endLine: 9,
            dimension: 'maintainability',
            severity: 'medium',
            title: 'Magic number 250 in backoff',
            confidence: 0.8,
          }),
        ],
        summary: 'One injection, one magic number.',
      }),
    ]);
    openai.setScript([
      openaiReply.review({
        findings: [
          modelFinding({
            ...injection,
            startLine: 4,
            endLine: 4,
            title: 'SQL injection via string interpolation in findUser query',
            explanation: 'User input reaches the query text unescaped; use a parameter.',
            confidence: 0.7,
          }),
        ],
        summary: 'One injection.',
      }),
    ]);
    const { reviewId, handle } = await harness.submit(uniqueRequest(diff));

    const outcome = await handle.result();

    expect(outcome).toMatchObject({ status: 'completed', findingCount: 2 });
    expect(anthropic.requests).toHaveLength(1);
    expect(openai.requests).toHaveLength(1);
    const review = await storedReview(harness.db, reviewId);
    expect(review.status).toBe('completed');
    expect(review.verdict).toBe('request_changes');
    const [agreed, lone] = review.findings;
    expect(agreed).toMatchObject({
      ...injection,
      agreement: 'both',
      // both models: mean confidence × 1.0
      confidence: 0.8,
      bucket: 'high',
      raisedBy: [`anthropic:${ANTHROPIC_MODEL}`, `openai:${OPENAI_MODEL}`],
      status: 'open',
    });
    expect(lone).toMatchObject({
      startLine: 9,
      dimension: 'maintainability',
      agreement: 'primary_only',
      // one model: c × 0.7
      confidence: 0.56,
      bucket: 'medium',
      raisedBy: [`anthropic:${ANTHROPIC_MODEL}`],
    });
    expect(review.modelCalls.map((c) => [c.role, c.provider, c.model])).toEqual([
      ['primary', 'anthropic', ANTHROPIC_MODEL],
      ['verifier', 'openai', OPENAI_MODEL],
    ]);
    const primaryCall = review.modelCalls[0];
    expect(primaryCall).toMatchObject({ inputTokens: 150, outputTokens: 60, failoverHops: [] });
  });
});

describe('redaction before any vendor sees the code', () => {
  // Assembled at run time so that secret scanners do not flag this repository; all fake.
  const j = (...parts: string[]): string => parts.join('');
  const SECRETS = {
    private_key: j('MIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM9Oi8z7JbQ7tVq0', 'cZ5H5w1yWq0F1b'),
    aws_key: j('AKIA', 'IOSFODNN7EXAMPLE'),
    github_token: j('ghp_', 'R8w3kQpL2zX9vT1bN6mY4cJ7hF0dS5aG2eK8'),
    slack_token: j('xoxb-', '2640192831-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx'),
    stripe_key: j('sk_live_', '51H8sdf9Kq2LmN3oP4qR5sT6uV7wX8yZ9'),
    generic_token: j('Q7vX2mP9kL4n', 'R8tZ3wY6hJ1s'),
    password: j('hunter2-', 'Correct-Horse'),
    jwt: j(
      'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9',
      '.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIn0',
      '.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
    ),
    connection_string: j('S3cret', 'DbPass99'),
    email: j('jane.doe', '@corp-example.com'),
  } as const;
  const PEM_TAIL = j('n0Zq1YkXo8cX9p3mJ2fQ5nKx1hR4vW7tY0uB3eL6g', 'N9sD2aF5jH8kM1pS4vX7zC');

  const diff = newFileDiff('src/settings.ts', [
    'export const privateKey = `',
    '-----BEGIN RSA PRIVATE KEY-----',
    SECRETS.private_key,
    PEM_TAIL,
    '-----END RSA PRIVATE KEY-----',
    '`;',
    `export const awsKeyId = "${SECRETS.aws_key}";`,
    `export const githubPat = "${SECRETS.github_token}";`,
    `export const slackBot = "${SECRETS.slack_token}";`,
    `export const stripeLive = "${SECRETS.stripe_key}";`,
    `export const apiToken = "${SECRETS.generic_token}";`,
    `export const password = "${SECRETS.password}";`,
    `export const session = "${SECRETS.jwt}";`,
    `export const databaseUrl = "postgres://app:${SECRETS.connection_string}@db:5432/app";`,
    `// questions to ${SECRETS.email}`,
    'export const retries = 3;',
  ]);

  /** Every string in a parsed JSON body, so an escaped secret cannot hide from the check. */
  function strings(value: unknown): string[] {
    if (typeof value === 'string') return [value];
    if (Array.isArray(value)) return value.flatMap(strings);
    if (value && typeof value === 'object') return Object.values(value).flatMap(strings);
    return [];
  }
  const seen = (reqs: RecordedRequest[]) =>
    reqs.map((r) => `${r.rawBody}\n${strings(r.body).join('\n')}`).join('\n');

  it('sends neither vendor any secret, only the redaction markers', async () => {
    anthropic.setScript(() => anthropicReply.review(EMPTY));
    openai.setScript(() => openaiReply.review(EMPTY));
    const { reviewId, handle } = await harness.submit(uniqueRequest(diff));

    expect((await handle.result()).status).toBe('completed');

    expect(anthropic.requests.length).toBeGreaterThanOrEqual(1);
    expect(openai.requests.length).toBeGreaterThanOrEqual(1);
    for (const vendor of [anthropic, openai]) {
      const text = seen(vendor.requests);
      // the code itself arrived, so an absent secret means redaction, not a missing diff
      expect(text).toContain('export const retries = 3;');
      for (const secret of [...Object.values(SECRETS), PEM_TAIL]) {
        expect(text).not.toContain(secret);
      }
      for (const kind of Object.keys(SECRETS)) {
        expect(text).toContain(`[REDACTED:${kind}]`);
      }
    }
    const review = await storedReview(harness.db, reviewId);
    expect(new Set(review.redactions.map((r) => r.kind))).toEqual(new Set(Object.keys(SECRETS)));
    const stored = JSON.stringify(review);
    for (const secret of Object.values(SECRETS)) expect(stored).not.toContain(secret);
  });
});
