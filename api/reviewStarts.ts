import { WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { Logger } from 'pino';
import type pg from 'pg';
import { taskQueues, type Config } from '../domain/config';
import type { ReviewWorkflowInput } from '../domain/reviewFlow';
import { awaitsStart, claimUnstartedReviews, markReviewStarted } from '../store/reviews';
import { workflowCalls } from './workflowCalls';

/**
 * Handing stored reviews to Temporal. A submission is accepted once its row (with the workflow's
 * input) is committed; the workflow start follows, and the row records that it happened. Should
 * the start not happen — the API stopped in between, or Temporal was down or slow — the sweeper
 * started with the API finds the row and starts it. A run is never doubled: the review id is the
 * workflow id and a running run is joined; the sweeper waits until the API's own attempt is over,
 * claims the row (one sweeper per row across API processes) and asks Temporal before starting.
 */

/** the API's own start gives up after this long */
const START_DEADLINE_MS = 10_000;
/**
 * A review queued longer than this without a recorded start is the sweeper's: longer than the
 * API's start deadline, so the API's own attempt is over by then and only sweepers start it.
 */
export const SWEEP_MIN_AGE_MS = 15_000;
export const SWEEP_INTERVAL_MS = 2_000;
/** how long a sweeper's claim on a row keeps other sweepers off it */
const SWEEP_CLAIM_MS = 60_000;
const SWEEP_BATCH = 50;

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

  /**
   * Starts every review left queued without a workflow; answers the ids it started. A run
   * already going (the API's start got through but was not recorded) is joined, not doubled:
   * the row is claimed, Temporal asked, and the row read again, so the only start left is one
   * nobody else can make. A run of this review that has closed always moved the row past
   * `queued` first, so a closed run found here is an earlier, failed one.
   */
  async function sweep(
    minAgeMs = SWEEP_MIN_AGE_MS,
  ): Promise<{ started: string[]; failed: number }> {
    const rows = await claimUnstartedReviews(db, {
      minAgeMs,
      claimMs: SWEEP_CLAIM_MS,
      limit: SWEEP_BATCH,
    });
    const started: string[] = [];
    let failed = 0;
    for (const row of rows) {
      try {
        if (await isRunning(row.id)) {
          await markReviewStarted(db, row.id);
          continue;
        }
        if (!(await awaitsStart(db, row.id))) continue;
        await start(row.workflowInput);
        started.push(row.id);
      } catch {
        failed += 1;
      }
    }
    return { started, failed };
  }

  async function isRunning(workflowId: string): Promise<boolean> {
    try {
      const described = await client.withDeadline(Date.now() + START_DEADLINE_MS, () =>
        client.workflow.getHandle(workflowId).describe(),
      );
      return described.status.name === 'RUNNING';
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return false;
      throw err;
    }
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
