import { getReview } from '../../../store/reviews';
import type { ReviewView } from '../../../api/reviewView';
import { call, type Answer } from '../api/harness';
import {
  newFileDiff,
  REVIEW,
  RUN,
  startReviewStack,
  VULNERABLE_TS,
  type ReviewStack,
} from './harness';

jest.setTimeout(180_000);

let stack: ReviewStack;
beforeAll(async () => {
  stack = await startReviewStack();
});
afterAll(async () => {
  await stack?.stop();
});

const submit = (body: object, query = '') =>
  call(stack.api, 'POST', `${REVIEW}${query}`, { key: stack.reviewerKey, body });
const get = (path: string) => call(stack.api, 'GET', path, { key: stack.reviewerKey });

async function until(id: string, done: (r: ReviewView) => boolean): Promise<ReviewView> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const res = await get(`${REVIEW}/${id}`);
    expect(res.status).toBe(200);
    const review = res.json as ReviewView;
    if (done(review) || Date.now() > deadline) return review;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('POST /review with the local engines', () => {
  const request = {
    diff: newFileDiff('src/users.ts', VULNERABLE_TS),
    repository: 'acme/shop',
    title: `users lookup ${RUN}`,
  };

  it('finds an SQL injection and a hard-coded key, agreed by both engines', async () => {
    const started = Date.now();
    const res = await submit(request, '?wait=60');
    const elapsed = Date.now() - started;
    expect(res.status).toBe(200);
    const review = res.json as ReviewView;
    expect(res.headers.get('location')).toBe(`${REVIEW}/${review.id}`);
    expect(review).toMatchObject({ status: 'completed', verdict: 'request_changes', error: null });
    const security = review.findings.filter((f) => f.dimension === 'security');
    expect(security.map((f) => [f.startLine, f.severity, f.agreement, f.bucket])).toEqual([
      [3, 'high', 'both', 'high'],
      [8, 'critical', 'both', 'high'],
    ]);
    expect(security[0]?.title).toMatch(/Hard-coded secret/);
    expect(security[1]?.title).toMatch(/SQL injection/);
    expect(review.redactions).toEqual([{ file: 'src/users.ts', line: 3, kind: 'stripe_key' }]);
    expect(review.coverage).toEqual([{ file: 'src/users.ts', outcome: 'reviewed' }]);
    expect(review.provenance.map((p) => [p.chunkIndex, p.role, p.provider])).toEqual([
      [0, 'primary', 'local'],
      [0, 'verifier', 'local'],
    ]);
    expect(review.summary.total).toBe(review.findings.length);
    expect(review.timings.completedAt).not.toBeNull();
    process.stdout.write(`[timing] first review (wait=60) answered in ${elapsed} ms\n`);
  });

  it('stores the redacted diff, never the secret', async () => {
    const res = await submit(request);
    expect(res.status).toBe(200); // finished: answered from the store
    const stored = await getReview(stack.db, (res.json as ReviewView).id);
    expect(stored?.request.diff).toContain('[REDACTED:stripe_key]');
    expect(JSON.stringify(stored)).not.toContain('sk_live_51HcW8kLmN2pQ3rS4tU5vW6x');
  });

  it('gives byte-identical GET bodies for the same request 20 times, concurrent and sequential', async () => {
    const body = { ...request, title: `determinism ${RUN}` };
    const started = Date.now();
    const concurrent = await Promise.all(
      Array.from({ length: 20 }, () => submit(body, '?wait=60')),
    );
    const concurrentMs = Date.now() - started;
    expect(concurrent.map((r) => r.status)).toEqual(Array(20).fill(200));
    const ids = new Set(concurrent.map((r) => (r.json as ReviewView).id));
    expect(ids.size).toBe(1);
    const [id] = [...ids] as [string];

    const sequential: Answer[] = [];
    for (let i = 0; i < 20; i += 1) {
      const posted = await submit(body);
      expect((posted.json as ReviewView).id).toBe(id);
      sequential.push(await get(`${REVIEW}/${id}`));
    }
    const parallelGets = await Promise.all(
      Array.from({ length: 20 }, () => get(`${REVIEW}/${id}`)),
    );
    const bodies = new Set([...sequential, ...parallelGets].map((r) => r.text));
    expect(bodies.size).toBe(1);
    // the answers to the concurrent POSTs were the same review, byte for byte, too
    expect(new Set(concurrent.map((r) => r.text))).toEqual(bodies);
    process.stdout.write(`[timing] 20 concurrent identical submissions: ${concurrentMs} ms\n`);
  });

  it('answers 202 with a Location at once, and the review completes behind it', async () => {
    const res = await submit({ ...request, title: `async ${RUN}` });
    expect(res.status).toBe(202);
    const accepted = res.json as { id: string; status: string; links: { self: string } };
    expect(accepted.id).toMatch(/^review-[0-9a-f]{16}$/);
    expect(['queued', 'running']).toContain(accepted.status);
    expect(res.headers.get('location')).toBe(`${REVIEW}/${accepted.id}`);
    expect(accepted.links.self).toBe(`${REVIEW}/${accepted.id}`);
    const done = await until(accepted.id, (r) => r.status === 'completed');
    expect(done.status).toBe('completed');
    expect(done.progress).toBeNull();
  });

  it('completes a diff with nothing reviewable at once, saying why in the coverage', async () => {
    const diff = [
      'diff --git a/assets/logo.png b/assets/logo.png',
      'new file mode 100644',
      'index 0000000..3b18e51',
      'GIT binary patch',
      'literal 12',
      'TcmZ?wbhEHbRA6LaWMKdR2L1rc',
      '',
      'literal 0',
      'HcmV?d00001',
      '',
      newFileDiff('package-lock.json', `{\n  "name": "shop-${RUN}",\n  "lockfileVersion": 3\n}`),
    ].join('\n');
    const res = await submit({ diff });
    expect(res.status).toBe(200);
    const review = res.json as ReviewView;
    expect(review).toMatchObject({ status: 'completed', verdict: 'approve', findings: [] });
    expect(review.coverage).toEqual([
      { file: 'assets/logo.png', outcome: 'skipped', reason: 'binary' },
      { file: 'package-lock.json', outcome: 'skipped', reason: 'lockfile' },
    ]);
    expect(review.provenance).toEqual([]);
  });

  it('reviews the text files of a diff and skips its binary patch with the reason', async () => {
    const diff =
      newFileDiff('src/users.ts', VULNERABLE_TS.replace('users', `users_${RUN}`)) +
      [
        'diff --git a/img/a.png b/img/a.png',
        'new file mode 100644',
        'Binary files /dev/null and b/img/a.png differ',
        '',
      ].join('\n');
    const res = await submit({ diff }, '?wait=60');
    expect(res.status).toBe(200);
    const review = res.json as ReviewView;
    expect(review.coverage).toEqual([
      { file: 'src/users.ts', outcome: 'reviewed' },
      { file: 'img/a.png', outcome: 'skipped', reason: 'binary' },
    ]);
    expect(review.findings.some((f) => f.dimension === 'security')).toBe(true);
  });

  it('shows live progress while a review runs', async () => {
    const files = Array.from({ length: 6 }, (_, i) =>
      newFileDiff(`src/m${i}.ts`, VULNERABLE_TS.replace('findUser', `find${i}_${RUN}`)),
    );
    const api = await stack.extraApi({ QUORUM_CHUNK_TOKEN_BUDGET: '500' });
    const res = await call(api, 'POST', REVIEW, {
      key: stack.reviewerKey,
      body: { diff: files.join('') },
    });
    expect(res.status).toBe(202);
    const { id } = res.json as { id: string };
    const seen: ReviewView[] = [];
    const finished = await until(id, (r) => {
      seen.push(r);
      return r.status === 'completed';
    });
    const chunks = finished.provenance.length / 2;
    expect(chunks).toBeGreaterThan(1);
    const live = seen.flatMap((r) => (r.progress ? [r.progress] : []));
    expect(live.length).toBeGreaterThan(0);
    expect(new Set(live.map((p) => p.chunksTotal))).toEqual(new Set([chunks]));
    const done = live.map((p) => p.chunksDone);
    expect(done).toEqual([...done].sort((a, b) => a - b));
  });
});
