import type { ReviewView } from '../../../api/reviewView';
import type { Finding } from '../../../domain/review';
import { call, expectEnvelope } from '../api/harness';
import {
  DISPUTED_RB,
  newFileDiff,
  REVIEW,
  RUN,
  startReviewStack,
  VULNERABLE_TS,
  type ReviewStack,
} from './harness';

jest.setTimeout(180_000);

let stack: ReviewStack;
let review: ReviewView;
beforeAll(async () => {
  stack = await startReviewStack();
  const diff = [0, 1, 2]
    .map((i) => newFileDiff(`src/u${i}.ts`, VULNERABLE_TS.replace('findUser', `find${i}_${RUN}`)))
    .join('');
  const res = await post(REVIEW + '?wait=60', { diff });
  expect(res.status).toBe(200);
  review = res.json as ReviewView;
});
afterAll(async () => {
  await stack?.stop();
});

function post(path: string, body: unknown) {
  return call(stack.api, 'POST', path, { key: stack.reviewerKey, body });
}
const get = (path: string) => call(stack.api, 'GET', path, { key: stack.reviewerKey });
type Page = { findings: Finding[]; total: number; limit: number; offset: number };

describe('GET /review/{id}/findings', () => {
  it('filters by dimension, severity, confidence bucket and file', async () => {
    const all = review.findings;
    expect(all.length).toBeGreaterThan(6);
    const cases: [string, (f: Finding) => boolean][] = [
      ['dimension=security', (f) => f.dimension === 'security'],
      ['severity=critical', (f) => f.severity === 'critical'],
      ['bucket=low', (f) => f.bucket === 'low'],
      ['file=src/u1.ts', (f) => f.file === 'src/u1.ts'],
      [
        'dimension=security&file=src/u2.ts',
        (f) => f.dimension === 'security' && f.file === 'src/u2.ts',
      ],
    ];
    for (const [query, keep] of cases) {
      const res = await get(`${REVIEW}/${review.id}/findings?${query}&limit=200`);
      expect(res.status).toBe(200);
      const page = res.json as Page;
      expect(page.findings).toEqual(all.filter(keep));
      expect(page.total).toBe(all.filter(keep).length);
    }
  });

  it('pages through findings in canonical order', async () => {
    const seen: Finding[] = [];
    for (let offset = 0; offset < review.findings.length; offset += 4) {
      const page = (await get(`${REVIEW}/${review.id}/findings?limit=4&offset=${offset}`))
        .json as Page;
      expect(page).toMatchObject({ total: review.findings.length, limit: 4, offset });
      seen.push(...page.findings);
    }
    expect(seen).toEqual(review.findings);
  });

  it('refuses unknown filters and values, and answers 404 for an unknown review', async () => {
    expectEnvelope(
      await get(`${REVIEW}/${review.id}/findings?sevrity=high`),
      400,
      'invalid_request',
    );
    expectEnvelope(
      await get(`${REVIEW}/${review.id}/findings?severity=urgent`),
      400,
      'invalid_request',
    );
    expectEnvelope(await get(`${REVIEW}/${review.id}/findings?limit=0`), 400, 'invalid_request');
    expectEnvelope(await get(`${REVIEW}/review-ffffffffffffffff/findings`), 404, 'not_found');
  });
});

describe('feedback on findings', () => {
  it('stores feedback and replaces it when the same caller sends it again', async () => {
    const finding = review.findings[0] as Finding;
    const path = `${REVIEW}/${review.id}/findings/${finding.id}/feedback`;
    const first = await post(path, { kind: 'useful' });
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({
      reviewId: review.id,
      findingId: finding.id,
      kind: 'useful',
    });
    const second = await post(path, { kind: 'false_positive', comment: 'test fixture' });
    expect(second.status).toBe(200);
    const rows = await stack.db.query(
      'SELECT kind, comment FROM finding_feedback WHERE review_id = $1 AND finding_id = $2',
      [review.id, finding.id],
    );
    expect(rows.rows).toEqual([{ kind: 'false_positive', comment: 'test fixture' }]);
    const audit = await stack.db.query(
      `SELECT outcome FROM audit_log WHERE action = 'review.feedback' AND resource = $1`,
      [`${REVIEW}/${review.id}/findings/${finding.id}`],
    );
    expect(audit.rows.length).toBe(2);
  });

  it('answers 404 for an unknown finding or review, and 400 for an unknown kind', async () => {
    const unknownFinding = await post(`${REVIEW}/${review.id}/findings/f-nope/feedback`, {
      kind: 'useful',
    });
    expectEnvelope(unknownFinding, 404, 'not_found');
    const unknownReview = await post(`${REVIEW}/review-eeeeeeeeeeeeeeee/findings/x/feedback`, {
      kind: 'useful',
    });
    expectEnvelope(unknownReview, 404, 'not_found');
    const badKind = await post(`${REVIEW}/${review.id}/findings/x/feedback`, { kind: 'meh' });
    expectEnvelope(badKind, 400, 'invalid_request');
  });
});

describe('human decisions on disputed critical findings', () => {
  async function disputedReview(title: string): Promise<ReviewView> {
    const res = await post(REVIEW, { diff: newFileDiff(`app/${RUN}.rb`, DISPUTED_RB), title });
    expect(res.status).toBe(202);
    const { id } = res.json as { id: string };
    const deadline = Date.now() + 60_000;
    for (;;) {
      const view = (await get(`${REVIEW}/${id}`)).json as ReviewView;
      if (view.status === 'needs_manual_review' || Date.now() > deadline) return view;
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  it('holds a disputed critical finding for a human, and a decision resolves it', async () => {
    const held = await disputedReview(`decide ${RUN}`);
    expect(held.status).toBe('needs_manual_review');
    expect(held.pendingDecisions.map((f) => [f.severity, f.agreement])).toEqual([
      ['critical', 'disputed'],
    ]);
    const disputed = held.pendingDecisions[0] as Finding;
    const path = `${REVIEW}/${held.id}/findings/${disputed.id}/decision`;

    const decided = await post(path, { decision: 'confirm', reason: 'string-built SQL' });
    expect(decided.status).toBe(200);
    expect(decided.json).toMatchObject({ id: disputed.id, status: 'confirmed' });
    expectEnvelope(await post(path, { decision: 'dismiss' }), 409, 'conflict');

    const deadline = Date.now() + 60_000;
    let done = held;
    while (done.status !== 'completed' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      done = (await get(`${REVIEW}/${held.id}`)).json as ReviewView;
    }
    expect(done.status).toBe('completed');
    expect(done.findings.find((f) => f.id === disputed.id)?.status).toBe('confirmed');
    expect(done.verdict).toBe('request_changes');
    expect(done.decisions).toMatchObject([
      { findingId: disputed.id, decision: 'confirm', reason: 'string-built SQL' },
    ]);
  });

  it('answers 404 for an unknown finding and 409 when the review is not waiting', async () => {
    const held = await disputedReview(`refusals ${RUN}`);
    expect(held.status).toBe('needs_manual_review');
    const unknown = await post(`${REVIEW}/${held.id}/findings/f-nope/decision`, {
      decision: 'dismiss',
    });
    expectEnvelope(unknown, 404, 'not_found');

    const finished = review.findings[0] as Finding;
    const closed = await post(`${REVIEW}/${review.id}/findings/${finished.id}/decision`, {
      decision: 'dismiss',
    });
    expectEnvelope(closed, 409, 'conflict');
  });
});
