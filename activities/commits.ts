import { ApplicationFailure, Context } from '@temporalio/activity';
import { analyzeCommitFacts, ANALYSIS_VERSION } from '../domain/commits/analysis';
import { type CommitOutcome, type SummaryCallResult } from '../domain/commits/flow';
import { proposeRelease } from '../domain/commits/release';
import { localSummary, LOCAL_SUMMARY_MODEL } from '../domain/commits/summary';
import type { CommitAnalysis, CommitFacts, CommitInput } from '../domain/commits/types';
import type { Config } from '../domain/config';
import { parseDiff } from '../domain/diff';
import { callProvenance, type Provenance, type ProviderName } from '../domain/review';
import {
  getBatch,
  loadCommitAnalyses,
  loadCommitInput,
  markBatch,
  markCommitAnalysis,
} from '../store/commits';
import type { Db } from '../store/db';
import { modelCallMetrics } from './metrics';
import {
  renderSummaryRequest,
  summarizeWithAnthropic,
  summarizeWithOpenAI,
  type SummaryResult,
} from './providers/commitSummary';

/**
 * Commit analysis side effects: loading the stored (already redacted) input, the summary call
 * to one provider, and the store writes. The analysis itself is the pure domain function.
 */

export type AnalyzeCommitResult = { facts: CommitFacts } | { outcome: CommitOutcome };

export function outcomeOf(analysis: CommitAnalysis, analysisId: string): CommitOutcome {
  return {
    analysisId,
    sha: analysis.sha,
    status: 'completed',
    type: analysis.message.type,
    impact: analysis.impact,
    riskLevel: analysis.risk.level,
  };
}

async function storedInput(db: Db, analysisId: string, inputHash: string) {
  const row = await loadCommitInput(db, analysisId);
  // The API writes the row before starting the workflow; without it there is nothing to analyse.
  if (!row) throw ApplicationFailure.nonRetryable(`commit ${analysisId} is not stored`, 'NotFound');
  if (row.inputHash !== inputHash) {
    throw ApplicationFailure.nonRetryable(
      `commit ${analysisId} was submitted again with different content`,
      'Superseded',
    );
  }
  if (row.inputError !== null)
    throw ApplicationFailure.nonRetryable(row.inputError, 'InvalidCommit');
  return row;
}

async function summarize(
  config: Config,
  provider: ProviderName,
  facts: CommitFacts,
  prompt: () => string,
): Promise<SummaryResult> {
  const signal = Context.current().cancellationSignal;
  switch (provider) {
    case 'local':
      return {
        summary: localSummary(facts),
        model: LOCAL_SUMMARY_MODEL,
        inputTokens: 0,
        outputTokens: 0,
      };
    case 'openai':
      return summarizeWithOpenAI(config.models, prompt(), signal);
    case 'anthropic':
      return summarizeWithAnthropic(config.models, prompt(), signal);
  }
}

/** The rule-based facts of a stored commit. */
function factsOf(input: CommitInput): CommitFacts {
  const files = input.diff.trim() === '' ? [] : parseDiff(input.diff).files;
  return analyzeCommitFacts(input, files);
}

/** Stores a finished analysis; a completed analysis is final (see markCommitAnalysis). */
async function saveAnalysis(
  db: Db,
  ids: { analysisId: string; inputHash: string },
  facts: CommitFacts,
  summary: string,
  provenance: Omit<Provenance, 'role'>,
): Promise<CommitOutcome> {
  const analysis: CommitAnalysis = {
    ...facts,
    id: ids.analysisId,
    inputHash: ids.inputHash,
    summary,
    provenance,
    analysisVersion: ANALYSIS_VERSION,
  };
  await markCommitAnalysis(db, ids.analysisId, ids.inputHash, { status: 'completed', analysis });
  return outcomeOf(analysis, ids.analysisId);
}

export function createCommitActivities(deps: { db: Db; config: Config }) {
  const { db, config } = deps;
  return {
    /** The rule-based analysis; an already completed analysis of the same content is reused. */
    async analyzeCommit(input: {
      analysisId: string;
      inputHash: string;
    }): Promise<AnalyzeCommitResult> {
      const row = await storedInput(db, input.analysisId, input.inputHash);
      if (row.status === 'completed' && row.analysis) {
        return { outcome: outcomeOf(row.analysis, input.analysisId) };
      }
      await markCommitAnalysis(db, input.analysisId, input.inputHash, { status: 'running' });
      return { facts: factsOf(row.input) };
    },

    /**
     * The whole analysis when the chain starts with `local`: rules, the local summary and the
     * store write in one step, because the local summary cannot fail over and every extra step
     * is a round trip for the workflow. The result is what the three-step path would store.
     */
    async analyzeCommitLocally(input: {
      analysisId: string;
      inputHash: string;
    }): Promise<CommitOutcome> {
      const row = await storedInput(db, input.analysisId, input.inputHash);
      if (row.status === 'completed' && row.analysis) {
        return outcomeOf(row.analysis, input.analysisId);
      }
      const facts = factsOf(row.input);
      const started = performance.now();
      const res = await summarize(config, 'local', facts, () => '');
      const latencyMs = Math.round(performance.now() - started);
      modelCallMetrics.latency.observe(
        { provider: 'local', role: 'commit_summary', outcome: 'success' },
        latencyMs / 1000,
      );
      const provenance = callProvenance('local', { ...res, latencyMs }, []);
      return saveAnalysis(db, input, facts, res.summary, provenance);
    },

    /** One attempt at one provider; Temporal retries it by the error's class. */
    async summarizeCommit(input: {
      analysisId: string;
      inputHash: string;
      provider: ProviderName;
      facts: CommitFacts;
    }): Promise<SummaryCallResult> {
      const started = performance.now();
      const stop = modelCallMetrics.latency.startTimer({
        provider: input.provider,
        role: 'commit_summary',
      });
      try {
        let prompt: string | undefined;
        const row =
          input.provider === 'local'
            ? undefined
            : await storedInput(db, input.analysisId, input.inputHash);
        const res = await summarize(config, input.provider, input.facts, () => {
          prompt ??= row ? renderSummaryRequest(row.input, input.facts) : '';
          return prompt;
        });
        stop({ outcome: 'success' });
        modelCallMetrics.tokens.inc({ provider: input.provider, kind: 'input' }, res.inputTokens);
        modelCallMetrics.tokens.inc({ provider: input.provider, kind: 'output' }, res.outputTokens);
        return { ...res, latencyMs: Math.round(performance.now() - started) };
      } catch (err) {
        stop({ outcome: 'failure' });
        throw err;
      }
    },

    async saveCommitAnalysis(input: {
      analysisId: string;
      inputHash: string;
      facts: CommitFacts;
      summary: string;
      provenance: Omit<Provenance, 'role'>;
    }): Promise<CommitOutcome> {
      return saveAnalysis(db, input, input.facts, input.summary, input.provenance);
    },

    async failCommitAnalysis(input: {
      analysisId: string;
      inputHash: string;
      error: string;
    }): Promise<void> {
      await markCommitAnalysis(db, input.analysisId, input.inputHash, {
        status: 'failed',
        error: input.error,
      });
    },

    async markBatchStatus(input: {
      batchId: string;
      status: 'running' | 'cancelled' | 'failed';
      outcomes?: CommitOutcome[];
      error?: string;
    }): Promise<void> {
      await markBatch(db, input.batchId, input);
    },

    /** Aggregates the completed analyses (read from the store, not history) into a proposal. */
    async proposeBatchRelease(input: {
      batchId: string;
      outcomes: CommitOutcome[];
    }): Promise<{ nextVersion: string }> {
      const batch = await getBatch(db, input.batchId);
      if (!batch)
        throw ApplicationFailure.nonRetryable(`batch ${input.batchId} is not stored`, 'NotFound');
      const completed = new Set(
        input.outcomes.filter((o) => o.status === 'completed').map((o) => o.analysisId),
      );
      const analyses = await loadCommitAnalyses(
        db,
        batch.commits.map((c) => c.analysisId).filter((id) => completed.has(id)),
      );
      const failed = input.outcomes
        .filter((o) => o.status === 'failed')
        .map((o) => ({ sha: o.sha, error: o.error ?? 'failed' }));
      const proposal = proposeRelease(batch.currentVersion, analyses, failed);
      await markBatch(db, input.batchId, {
        status: 'completed',
        proposal,
        outcomes: input.outcomes,
      });
      return { nextVersion: proposal.nextVersion };
    },
  };
}
export type CommitActivities = ReturnType<typeof createCommitActivities>;
