import {
  ApplicationFailure,
  continueAsNew,
  defineQuery,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { QuorumKind } from './searchAttributes';

/**
 * Walks the tamper-evident audit log from the start in batches, so a log of any length is checked
 * without one activity holding a connection for minutes, and reports the first entry whose hash
 * or link is wrong. A break is itself recorded on the log.
 */

export interface VerifyAuditChainInput {
  batchSize?: number;
  /** carried across continue-as-new; callers leave these out */
  fromSeq?: number;
  checked?: number;
  batches?: number;
}

export interface AuditVerificationProgress {
  status: 'running' | 'ok' | 'broken';
  nextSeq: number;
  checked: number;
  batches: number;
  firstBadSeq?: number;
  reason?: string;
}

export interface AuditVerificationResult {
  ok: boolean;
  checked: number;
  firstBadSeq?: number;
  reason?: string;
  /** seq of the audit entry that records the break */
  breakRecordedAt?: number;
}

/** What the workflow needs from activities/audit.ts (workers/worker.ts checks they match). */
export interface AuditVerificationActivities {
  verifyAuditChainBatch(input: { fromSeq: number; limit: number }): Promise<{
    ok: boolean;
    checked: number;
    firstBadSeq?: number;
    reason?: string;
    /** when the store reports it, the next batch starts right after it, even across seq gaps */
    lastSeq?: number;
  }>;
  recordAuditChainBreak(input: {
    firstBadSeq: number;
    reason: string;
    checked: number;
  }): Promise<{ seq: number }>;
}

export const auditVerificationProgressQuery = defineQuery<AuditVerificationProgress>('progress');

export const DEFAULT_AUDIT_BATCH_SIZE = 1000;
const MAX_AUDIT_BATCH_SIZE = 10_000;
// Each batch adds a handful of history events; start a fresh run well before history gets heavy.
const BATCHES_PER_RUN = 200;

const { verifyAuditChainBatch, recordAuditChainBreak } =
  proxyActivities<AuditVerificationActivities>({
    startToCloseTimeout: '2 minutes',
    retry: {
      initialInterval: '1 second',
      backoffCoefficient: 2,
      maximumInterval: '30 seconds',
      maximumAttempts: 10,
      nonRetryableErrorTypes: ['BadInput'],
    },
  });

export async function verifyAuditChainWorkflow(
  input: VerifyAuditChainInput = {},
): Promise<AuditVerificationResult> {
  const batchSize = input.batchSize ?? DEFAULT_AUDIT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_AUDIT_BATCH_SIZE) {
    throw ApplicationFailure.nonRetryable(
      `batchSize must be an integer from 1 to ${MAX_AUDIT_BATCH_SIZE}`,
      'BadInput',
    );
  }
  upsertSearchAttributes([{ key: QuorumKind, value: 'audit-verification' }]);
  const progress: AuditVerificationProgress = {
    status: 'running',
    nextSeq: input.fromSeq ?? 1,
    checked: input.checked ?? 0,
    batches: input.batches ?? 0,
  };
  setHandler(auditVerificationProgressQuery, () => ({ ...progress }));

  for (let batchesThisRun = 1; ; batchesThisRun += 1) {
    const batch = await verifyAuditChainBatch({ fromSeq: progress.nextSeq, limit: batchSize });
    progress.batches += 1;
    progress.checked += batch.checked;
    if (!batch.ok) {
      const firstBadSeq = batch.firstBadSeq ?? progress.nextSeq + batch.checked;
      const reason = batch.reason ?? 'audit chain does not verify';
      Object.assign(progress, { status: 'broken', firstBadSeq, reason });
      const recorded = await recordAuditChainBreak({
        firstBadSeq,
        reason,
        checked: progress.checked,
      });
      return {
        ok: false,
        checked: progress.checked,
        firstBadSeq,
        reason,
        breakRecordedAt: recorded.seq,
      };
    }
    progress.nextSeq =
      batch.lastSeq !== undefined ? batch.lastSeq + 1 : progress.nextSeq + batch.checked;
    if (batch.checked < batchSize) {
      progress.status = 'ok';
      return { ok: true, checked: progress.checked };
    }
    if (batchesThisRun >= BATCHES_PER_RUN || workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof verifyAuditChainWorkflow>({
        batchSize,
        fromSeq: progress.nextSeq,
        checked: progress.checked,
        batches: progress.batches,
      });
    }
  }
}
