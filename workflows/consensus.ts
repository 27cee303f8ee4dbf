import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  defineQuery,
  defineSignal,
  defineUpdate,
  getExternalWorkflowHandle,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { ReviewActivities } from '../activities/review';
import {
  applyDecision,
  checkDecision,
  expireDisputed,
  needsDecision,
  runConsensus,
} from '../domain/consensus';
import type { Finding } from '../domain/review';
import {
  CONSENSUS_STATE_QUERY,
  DECIDE_UPDATE,
  DECISIONS_PENDING_SIGNAL,
  type ConsensusOutcome,
  type ConsensusState,
  type ConsensusWorkflowInput,
  type DecisionInput,
} from '../domain/reviewFlow';

export const consensusStateQuery = defineQuery<ConsensusState>(CONSENSUS_STATE_QUERY);
export const decideUpdate = defineUpdate<Finding, [DecisionInput]>(DECIDE_UPDATE);
export const decisionsPendingSignal = defineSignal<[string[]]>(DECISIONS_PENDING_SIGNAL);

const { markReviewStatus, holdForDecisions } = proxyActivities<ReviewActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumInterval: '10 seconds' },
});

/**
 * Votes the two models' findings (domain/consensus.ts) and, when a critical finding is disputed,
 * holds the review for a human: decisions arrive as validated updates; after the timeout the
 * undecided ones are reported as unconfirmed.
 */
export async function consensusWorkflow(input: ConsensusWorkflowInput): Promise<ConsensusOutcome> {
  const voted = runConsensus(
    {
      primary: {
        model: input.primary.model,
        findings: input.primary.outputs.flatMap((o) => o.findings),
      },
      verifier: {
        model: input.verifier.model,
        findings: input.verifier.outputs.flatMap((o) => o.findings),
      },
    },
    input.policy,
  );
  let findings = voted.findings;
  let waiting = false;
  const decisions: DecisionInput[] = [];
  const pending = () => findings.filter(needsDecision).map((f) => f.id);
  // Histories recorded before the parent learned about holds replay without these signals.
  const reportsHolds = patched('consensus-reports-holds-to-parent');
  const tellParent = async (ids: string[]) => {
    const parent = workflowInfo().parent;
    if (!reportsHolds || !parent) return;
    await getExternalWorkflowHandle(parent.workflowId, parent.runId).signal(
      decisionsPendingSignal,
      ids,
    );
  };

  setHandler(consensusStateQuery, () => ({ findings, pending: pending(), waiting }));
  setHandler(
    decideUpdate,
    async (d) => {
      findings = applyDecision(findings, d.findingId, d.decision);
      decisions.push(d);
      await tellParent(pending());
      const decided = findings.find((f) => f.id === d.findingId);
      if (!decided) throw ApplicationFailure.nonRetryable('decided finding vanished', 'Internal');
      return decided;
    },
    {
      validator: (d) => {
        if (!waiting) {
          throw ApplicationFailure.create({
            type: 'not_awaiting_decisions',
            message: 'this review is not waiting for decisions',
          });
        }
        const code = checkDecision(findings, d.findingId);
        if (code)
          throw ApplicationFailure.create({ type: code, message: `${code}: ${d.findingId}` });
      },
    },
  );

  let timedOut = false;
  if (voted.needsHuman.length > 0) {
    waiting = true;
    await holdForDecisions({ reviewId: input.reviewId, findings });
    await tellParent(pending());
    const decided = await condition(() => pending().length === 0, input.manualReviewTimeoutMs);
    waiting = false;
    if (!decided) {
      findings = expireDisputed(findings);
      timedOut = true;
      await tellParent([]);
    }
    await markReviewStatus({ reviewId: input.reviewId, status: 'running' });
  }
  await condition(allHandlersFinished);
  return { findings, timedOut, decisions };
}
