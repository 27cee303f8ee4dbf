import { Client, Connection } from '@temporalio/client';
import { reviewStarts } from '../../../api/reviewStarts';
import { createReviewService } from '../../../api/reviewService';
import { freePort } from '../../../cli/stack/devServer';
import type { ReviewWorkflowInput } from '../../../domain/reviewFlow';
import { reviewStatus } from '../../../store/reviews';
import {
  newFileDiff,
  startReviewHarness,
  uniqueRequest,
  waitForStatus,
  type ReviewHarness,
} from '../../helpers/reviewHarness';

/**
 * A submission is accepted once it is stored; the workflow start follows. With Temporal out of
 * reach the API still answers 202 at once, the row keeps what starting needs, and the sweeper
 * starts it when Temporal is back — the review then completes like any other.
 */

jest.setTimeout(120_000);

let h: ReviewHarness;
let unreachable: Connection;
beforeAll(async () => {
  h = await startReviewHarness();
  // Nothing listens on this port: every call fails as it would with Temporal down (at once:
  // no retry interceptor, so the test need not wait out the start's deadline).
  unreachable = Connection.lazy({ address: `127.0.0.1:${await freePort()}`, interceptors: [] });
});
afterAll(async () => {
  await unreachable?.close();
  await h?.stop();
});

const diff = newFileDiff('src/sum.ts', ['export const sum = (a: number, b: number) => a + b;']);

it('accepts a review while Temporal is unreachable and the sweeper starts it later', async () => {
  const client = new Client({ connection: unreachable });
  const downStarts = reviewStarts({ config: h.config, db: h.db, client });
  const down = createReviewService({ config: h.config, db: h.db, client, starts: downStarts });
  const req = uniqueRequest(diff);
  const t0 = performance.now();
  const accepted = await down.submit(req, 0);
  const ms = performance.now() - t0;
  expect(accepted).toMatchObject({ done: false, status: 'queued' });
  // answered after the start budget, not after the start's own deadline (10 s)
  expect(ms).toBeLessThan(2_000);
  const id = accepted.done ? '' : accepted.id;
  await downStarts.drain(); // the failed start is over: the row must still say it never started

  const starts = reviewStarts({ config: h.config, db: h.db, client: h.client });
  // too young for the sweeper yet: the API's own start may still be on its way
  expect((await starts.sweep()).started).not.toContain(id);
  const swept = await starts.sweep(0);
  expect(swept.started).toContain(id);
  const done = await waitForStatus(h.db, id, 'completed');
  expect(done.status).toBe('completed');
  // started once: a second sweep finds nothing to do
  expect((await starts.sweep(0)).started).not.toContain(id);
});

it('answers with the workflow already started when Temporal is up', async () => {
  const up = createReviewService({ config: h.config, db: h.db, client: h.client });
  const accepted = await up.submit(uniqueRequest(diff), 0);
  expect(accepted.done).toBe(false);
  const id = accepted.done ? '' : accepted.id;
  await expect(h.client.workflow.getHandle(id).describe()).resolves.toMatchObject({
    type: 'reviewWorkflow',
  });
  const starts = reviewStarts({ config: h.config, db: h.db, client: h.client });
  expect((await starts.sweep(0)).started).not.toContain(id);
  await waitForStatus(h.db, id, 'completed');
  expect(await reviewStatus(h.db, id)).toBe('completed');
});

it('joins a run that got started but was never recorded, rather than starting a second', async () => {
  const client = new Client({ connection: unreachable });
  const downStarts = reviewStarts({ config: h.config, db: h.db, client });
  const down = createReviewService({ config: h.config, db: h.db, client, starts: downStarts });
  const accepted = await down.submit(uniqueRequest(diff), 0);
  await downStarts.drain();
  const id = accepted.done ? '' : accepted.id;
  const [row] = (
    await h.db.query<{ input: ReviewWorkflowInput }>(
      'SELECT workflow_input AS input FROM reviews WHERE id = $1',
      [id],
    )
  ).rows;
  // the API's start reached Temporal, then the API died before recording it
  const first = await h.client.workflow.start('reviewWorkflow', {
    workflowId: id,
    taskQueue: h.taskQueue,
    args: [row?.input],
  });
  const swept = await reviewStarts({ config: h.config, db: h.db, client: h.client }).sweep(0);
  expect(swept.started).not.toContain(id);
  await waitForStatus(h.db, id, 'completed');
  const runs: string[] = [];
  for await (const w of h.client.workflow.list({ query: `WorkflowId = '${id}'` }))
    runs.push(w.runId);
  expect(runs).toEqual([first.firstExecutionRunId]);
});
