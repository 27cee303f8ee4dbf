import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { appendAudit, verifyAuditChain, type ChainCheck } from '../store/audit';
import type { Db } from '../store/db';

export interface AuditChainBatchInput {
  fromSeq: number;
  limit: number;
}

export interface AuditChainBreakInput {
  firstBadSeq: number;
  reason: string;
  /** entries found intact before the break, across all batches */
  checked: number;
}

function positiveInt(value: number, name: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw ApplicationFailure.nonRetryable(`${name} must be a non-negative integer`, 'BadInput');
  }
}

export function createAuditActivities({ db }: { db: Db }) {
  return {
    /** Read-only and repeatable, so Temporal may retry it freely. */
    async verifyAuditChainBatch({ fromSeq, limit }: AuditChainBatchInput): Promise<ChainCheck> {
      positiveInt(fromSeq, 'fromSeq');
      positiveInt(limit, 'limit');
      if (limit === 0)
        throw ApplicationFailure.nonRetryable('limit must be at least 1', 'BadInput');
      return verifyAuditChain(db, { fromSeq, limit });
    },

    /**
     * The break itself goes on the chain, so an auditor reading the log sees when it was noticed.
     * Keyed by workflow and activity id: a retried attempt finds its entry instead of adding one.
     */
    async recordAuditChainBreak(input: AuditChainBreakInput): Promise<{ seq: number }> {
      const { info } = Context.current();
      const workflowId = info.workflowExecution?.workflowId ?? 'standalone';
      const entry = await appendAudit(db, {
        actor: `workflow:${workflowId}`,
        action: 'audit.chain.broken',
        resource: `audit_log/${input.firstBadSeq}`,
        outcome: 'failure',
        details: {
          firstBadSeq: input.firstBadSeq,
          reason: input.reason,
          checked: input.checked,
          runId: info.workflowExecution?.runId,
        },
        idempotencyKey: `${workflowId}/${info.activityId}`,
      });
      return { seq: entry.seq };
    },
  };
}

export type AuditActivities = ReturnType<typeof createAuditActivities>;
