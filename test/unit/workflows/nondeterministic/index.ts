import { sleep } from '@temporalio/workflow';
import type { ReviewOutcome, ReviewWorkflowInput } from '../../../../domain/reviewFlow';
import { reviewWorkflow as current } from '../../../../workflows/review';

/**
 * The current workflows with one change that is easy to make and must not ship without a
 * versioning patch: a wait added before the first step. Replaying a recorded review against
 * this bundle has to fail, or the replay test proves nothing.
 */
export { consensusWorkflow, modelCallWorkflow } from '../../../../workflows';

export async function reviewWorkflow(input: ReviewWorkflowInput): Promise<ReviewOutcome> {
  await sleep('1 second');
  return current(input);
}
