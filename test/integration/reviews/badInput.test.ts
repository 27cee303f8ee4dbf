import { call, expectEnvelope, STACK_FRAME, type RunningApi } from '../api/harness';
import { newFileDiff, REVIEW, RUN, startReviewStack, type ReviewStack } from './harness';

jest.setTimeout(180_000);

let stack: ReviewStack;
let bigApi: RunningApi;
beforeAll(async () => {
  stack = await startReviewStack();
  // the deployed default body limit, so a 10 MB diff reaches the diff-size rule
  bigApi = await stack.extraApi({ QUORUM_BODY_LIMIT: '12mb' });
});
afterAll(async () => {
  await stack?.stop();
});

const submit = (body: unknown, api: RunningApi = stack.api) =>
  call(api, 'POST', REVIEW, { key: stack.reviewerKey, body });
const details = (json: unknown) =>
  (json as { error: { details: Record<string, unknown> } }).error.details;

describe('bad review input gets a clear 4xx, never a 500', () => {
  it('refuses an empty diff', async () => {
    expectEnvelope(await submit({ diff: '' }), 400, 'invalid_request');
    const blank = await submit({ diff: ' \n\n' });
    expectEnvelope(blank, 400, 'invalid_request');
    expect(details(blank.json)).toEqual({ reason: 'empty_diff' });
  });

  it('refuses text that is not a diff', async () => {
    const res = await submit({ diff: 'Dear reviewer,\nplease look at my code.\n' });
    expectEnvelope(res, 422, 'unprocessable');
    expect(details(res.json)).toEqual({ reason: 'not_a_diff' });
  });

  it('refuses a path that climbs out of the repository', async () => {
    const res = await submit({ diff: newFileDiff('../../etc/cron.d/evil', 'x=1') });
    expectEnvelope(res, 422, 'unprocessable');
    expect(details(res.json)).toMatchObject({ reason: 'unsafe_path' });
  });

  it('refuses a 10 MB diff with 413, naming the limit', async () => {
    const line = `+const v = ${'"0123456789abcdef"'.repeat(4)}; // ${RUN}`;
    const lines = Array.from({ length: Math.ceil(10_000_000 / line.length) }, () => line);
    const diff = newFileDiff('src/huge.ts', lines.map((l) => l.slice(1)).join('\n'));
    expect(diff.length).toBeGreaterThan(10_000_000);
    const res = await submit({ diff }, bigApi);
    expectEnvelope(res, 413, 'payload_too_large');
    expect(details(res.json)).toMatchObject({ reason: 'too_large', limit: 4 * 1024 * 1024 });
  });

  it('refuses a body over the configured body limit with 413', async () => {
    const diff = newFileDiff('src/a.ts', 'x'.repeat(100_000)); // the harness limit is 64kb
    expectEnvelope(await submit({ diff }), 413, 'payload_too_large');
  });

  it('refuses a diff whose bytes were not UTF-8', async () => {
    const head = Buffer.from(
      `{"diff":${JSON.stringify(newFileDiff('src/latin1.ts', 'const s = "caf'))}`,
    );
    // the JSON string ends in `caf"\n`: splice a Latin-1 é (0xE9) in before the quote
    const cut = head.lastIndexOf('caf') + 3;
    const raw = Buffer.concat([
      head.subarray(0, cut),
      Buffer.from([0xe9]),
      head.subarray(cut),
      Buffer.from('}'),
    ]);
    const res = await fetch(`${stack.api.url}${REVIEW}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.reviewerKey}`, 'content-type': 'application/json' },
      body: raw,
    });
    const text = await res.text();
    expect(res.status).toBe(422);
    expect(JSON.parse(text)).toMatchObject({
      error: { code: 'unprocessable', details: { reason: 'not_utf8', line: 7 } },
    });
    expect(text).not.toMatch(STACK_FRAME);
  });

  it('refuses NUL characters, which no database text column can hold', async () => {
    const res = await submit({ diff: newFileDiff('src/a.ts', 'const a = "\u0000";') });
    expectEnvelope(res, 400, 'invalid_request');
    expect(details(res.json)).toEqual({ field: 'diff', reason: 'not_text' });
  });

  it('refuses unknown fields, a wait over 60 s and a malformed review id', async () => {
    const diff = newFileDiff('src/a.ts', 'export const a = 1;');
    expectEnvelope(await submit({ diff, severity: 'high' }), 400, 'invalid_request');
    const wait = await call(stack.api, 'POST', `${REVIEW}?wait=61`, {
      key: stack.reviewerKey,
      body: { diff },
    });
    expectEnvelope(wait, 400, 'invalid_request');
    const id = await call(stack.api, 'GET', `${REVIEW}/not-a-review`, { key: stack.reviewerKey });
    expectEnvelope(id, 400, 'invalid_request');
    const unknown = await call(stack.api, 'GET', `${REVIEW}/review-0000000000000000`, {
      key: stack.reviewerKey,
    });
    expectEnvelope(unknown, 404, 'not_found');
  });

  it('lets only reviewers and admins submit', async () => {
    const created = await call(stack.api, 'POST', '/api/v2/admin/api-keys', {
      key: stack.api.adminKey,
      body: { name: `auditor-${RUN}`, roles: ['auditor'] },
    });
    const auditor = (created.json as { key: string }).key;
    const diff = newFileDiff('src/a.ts', 'export const a = 1;');
    const res = await call(stack.api, 'POST', REVIEW, { key: auditor, body: { diff } });
    expectEnvelope(res, 403, 'forbidden');
    expectEnvelope(
      await call(stack.api, 'POST', REVIEW, { body: { diff } }),
      401,
      'unauthenticated',
    );
  });
});
