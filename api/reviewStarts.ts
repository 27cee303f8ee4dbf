import type { Client, WorkflowHandle } from '@temporalio/client';
import type { Logger } from 'pino';
import type pg from 'pg';
import { taskQueues, type Config } from '../domain/config';
import type { ReviewWorkflowInput } from '../domain/reviewFlow';
import { markReviewStarted, unstartedReviews } from '../store/reviews';
import { workflowCalls } from './workflowCalls';

/**
 * Handing stored reviews to Temporal. A submission is accepted once its row (with the workflow's
 * input) is committed; the workflow start follows, and the row records that it happened. Should
 * the start not happen — the API stopped in between, or Temporal was down or slow — the sweeper
 * started with the API finds the row and starts it. Starting is idempotent (the review id is the
 * workflow id and a running workflow is joined), so the API and a sweeper, or two API
 * processes, may both try.
 */

/** a review queued longer than this without a start is the sweeper's to start */
export const SWEEP_MIN_AGE_MS = 5_000;
export const SWEEP_INTERVAL_MS = 2_000;
const SWEEP_BATCH = 50;
const START_DEADLINE_MS = 10_000;

export function reviewStarts({
  config,
  db,
  client,
}: {
  config: Config;
  db: pg.Pool;
  client: Client;
}) {
  const taskQueue = taskQueues(config.temporal.taskQueuePrefix).review;
  const { startOrJoin } = workflowCalls(client);
  const inFlight = new Set<Promise<unknown>>();

  /** Starts (or joins) the review's workflow and records that it started. */
  function start(input: ReviewWorkflowInput): Promise<WorkflowHandle> {
    const started = (async () => {
      const handle = await client.withDeadline(Date.now() + START_DEADLINE_MS, () =>
        startOrJoin('reviewWorkflow', input.reviewId, taskQueue, input),
      );
      await markReviewStarted(db, input.reviewId);
      return handle;
    })();
    const settled = started.then(
      () => undefined,
      () => undefined,
    );
    inFlight.add(settled);
    void settled.then(() => inFlight.delete(settled));
    return started;
  }

  /**
   * Waits for the starts under way (each bounded by its deadline): the Temporal connection must
   * outlive them, and a start cut short is left to the next sweeper anyway.
   */
  async function drain(): Promise<void> {
    await Promise.all([...inFlight]);
  }

  /** Starts every review left queued without a workflow; answers the ids it started. */
  async function sweep(
    minAgeMs = SWEEP_MIN_AGE_MS,
  ): Promise<{ started: string[]; failed: number }> {
    const rows = await unstartedReviews(db, minAgeMs, SWEEP_BATCH);
    const started: string[] = [];
    let failed = 0;
    for (const row of rows) {
      try {
        await start(row.workflowInput);
        started.push(row.id);
      } catch {
        failed += 1;
      }
    }
    return { started, failed };
  }

  return { start, sweep, drain };
}
export type ReviewStarts = ReturnType<typeof reviewStarts>;

/** Sweeps every `intervalMs` until stopped; a sweep's failures are logged and tried again. */
export function runReviewSweeper(
  starts: ReviewStarts,
  logger: Logger,
  intervalMs = SWEEP_INTERVAL_MS,
): { stop(): Promise<void> } {
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> = Promise.resolve();
  let stopped = false;
  let failing = false;
  const tick = () => {
    current = starts
      .sweep()
      .then(({ started, failed }) => {
        if (started.length > 0) {
          logger.info({ reviews: started }, `started ${started.length} review(s) left unstarted`);
        }
        if (failed > 0 && !failing) {
          logger.warn({ failed }, 'could not start stored reviews yet; retrying');
        }
        failing = failed > 0;
      })
      .catch((err: unknown) => {
        if (!failing) logger.warn({ err }, 'review sweep failed; retrying');
        failing = true;
      })
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, intervalMs);
      });
  };
  timer = setTimeout(tick, intervalMs);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await current;
    },
  };
}
