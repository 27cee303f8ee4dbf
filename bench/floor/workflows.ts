import { executeChild, proxyLocalActivities } from '@temporalio/workflow';

/**
 * The baseline of bench/batch-analysis.ts: a batch's first shape (a child workflow per commit in
 * bounded lanes, three local activities each) with activities that do nothing — what that shape
 * costs in Temporal alone on this machine, before any analysis or store work.
 */

export interface FloorActivities {
  noop(input: { i: number }): Promise<number>;
}

const act = proxyLocalActivities<FloorActivities>({ startToCloseTimeout: '10 seconds' });

export async function floorChild(i: number, localActivities = 3): Promise<number> {
  for (let n = 0; n < localActivities; n += 1) await act.noop({ i });
  return i;
}

export async function floorBatch(
  total: number,
  concurrency: number,
  prefix: string,
  localActivities = 3,
) {
  let next = 0;
  let sum = 0;
  const lane = async (): Promise<void> => {
    while (next < total) {
      const i = next++;
      sum += await executeChild(floorChild, {
        workflowId: `${prefix}-${i}`,
        args: [i, localActivities],
      });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, total)) }, lane));
  return sum;
}
