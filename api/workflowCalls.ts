import { WorkflowFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { DiffErrorCode } from '../domain/diff';
import type { ErrorCode } from './errors';

/** How the API services talk to their workflows: start or join, wait a little, peek at progress. */

/** The longest `?wait=` a request may ask for: an HTTP request is no place for a long wait. */
export const MAX_WAIT_SECONDS = 60;
const QUERY_TIMEOUT_MS = 3_000;

/** A diff the API cannot take, as the error code (and so the HTTP status) it answers with. */
export const DIFF_ERROR: Record<DiffErrorCode, ErrorCode> = {
  empty_diff: 'invalid_request',
  not_a_diff: 'unprocessable',
  unsafe_path: 'unprocessable',
  too_large: 'payload_too_large',
};

/** The calls both services make on their own workflows, bound to one Temporal client. */
export function workflowCalls(client: Client) {
  /** A query's answer, or undefined when the run does not answer in time. */
  async function query<T>(workflowId: string, name: string): Promise<T | undefined> {
    try {
      // No worker on the queue means a query waits for one; a progress figure is not worth that.
      return await client.withDeadline(Date.now() + QUERY_TIMEOUT_MS, () =>
        client.workflow.getHandle(workflowId).query<T>(name),
      );
    } catch {
      return undefined;
    }
  }

  /** true when the run finished within `ms` (whatever its outcome), false on timeout. */
  async function finishesWithin(handle: WorkflowHandle, ms: number): Promise<boolean> {
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), ms);
    try {
      await client.withAbortSignal(timeout.signal, () => handle.result());
      return true;
    } catch (err) {
      if (timeout.signal.aborted) return false;
      // A run that failed has still finished: its outcome is in the store.
      if (err instanceof WorkflowFailedError) return true;
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Starts the workflow, or joins the run already going under that id: identical requests share
   * one run. A closed run may start again; each caller's store check lets that happen only when
   * the work is not already done (a failed review or analysis returns normally, so Temporal's
   * ALLOW_DUPLICATE_FAILED_ONLY would never see it as failed).
   */
  function startOrJoin(
    workflowType: string,
    workflowId: string,
    taskQueue: string,
    input: unknown,
  ): Promise<WorkflowHandle> {
    return client.workflow.start(workflowType, {
      workflowId,
      taskQueue,
      args: [input],
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    });
  }

  return { query, finishesWithin, startOrJoin };
}
