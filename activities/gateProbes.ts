import os from 'node:os';
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import type { Client } from '@temporalio/client';
import { ScheduleAlreadyRunning, ScheduleNotFoundError } from '@temporalio/client';
import type { Config } from '../domain/config';
import { prepareDiff } from '../domain/diff';
import type { ChaosRun, EvalSummary, LiveSample, LoadRun } from '../domain/gate/checks';
import type { GatePolicy } from '../domain/gate/policy';
import type { ModelConfig } from '../domain/modelConfig';
import { ProviderName, type ReviewChunk, type Role } from '../domain/review';
import { loadCases, loadCaseSet } from '../eval/review/cases';
import { evaluateVersion } from '../eval/review/evaluate';
import type { Db } from '../store/db';
import { liveReviews } from '../store/versions';
import { callAnthropic } from './providers/anthropic';
import { analyzeChunkLocally } from './providers/local';
import { callOpenAI } from './providers/openai';

/**
 * The measuring instruments of the gate's checks. The real ones run the eval harness, drive load
 * and faults through the candidate's provider chain, and read stored reviews; tests swap in
 * smaller or scripted ones.
 */
export interface GateProbes {
  evaluate(input: { modelConfig: ModelConfig; cases: number }): Promise<EvalSummary>;
  loadTest(input: { modelConfig: ModelConfig; policy: GatePolicy }): Promise<LoadRun>;
  chaos(input: { modelConfig: ModelConfig; policy: GatePolicy }): Promise<ChaosRun>;
  measureLive(input: {
    version: string;
    baseline: string | null;
    since: string;
  }): Promise<LiveSample>;
  ensureSchedule(input: RegressionScheduleInput): Promise<void>;
  /** ms since the epoch; the baseline-history check reads it */
  now(): number;
}

export interface RegressionScheduleInput {
  client: Client;
  scheduleId: string;
  retiredScheduleId?: string;
  version: string;
  cases: number;
  everyMs: number;
  taskQueue: string;
}

const LOCAL_ENGINE: Record<Role, 'rules' | 'ast'> = { primary: 'rules', verifier: 'ast' };

function modelsFor(config: Config, mc: ModelConfig): Config['models'] {
  return {
    ...config.models,
    temperature: mc.temperature,
    anthropic: { ...config.models.anthropic, model: mc.anthropicModel },
    openai: { ...config.models.openai, model: mc.openaiModel },
  };
}

/** One call to one provider, as the models activity makes it (keys and base URLs from config). */
async function callOnce(
  models: Config['models'],
  provider: ProviderName,
  role: Role,
  chunk: ReviewChunk,
): Promise<void> {
  if (provider === 'local') {
    await analyzeChunkLocally(LOCAL_ENGINE[role], chunk);
  } else if (provider === 'openai') {
    if (!models.openai.apiKey) throw new Error('openai: no key');
    await callOpenAI(models, { chunk, role });
  } else {
    if (!models.anthropic.apiKey) throw new Error('anthropic: no key');
    await callAnthropic(models, { chunk, role });
  }
}

/** A fixed workload: the eval set's diffs, chunked as reviews chunk them. */
async function workload(tokenBudget: number): Promise<ReviewChunk[]> {
  const cases = await loadCases();
  const chunks = cases.flatMap((c) => prepareDiff({ diff: c.diff }, { tokenBudget }).chunks);
  if (chunks.length === 0) throw new Error('no eval cases to build a load workload from');
  return chunks;
}

/** A deterministic coin: the same attempt always gets the same fault, so runs are repeatable. */
function coin(key: string): number {
  const h = sha256(utf8ToBytes(key));
  return (((h[0] ?? 0) << 16) | ((h[1] ?? 0) << 8) | (h[2] ?? 0)) / 0x1000000;
}

async function pool(count: number, limit: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await fn(next++);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, count)) }, worker));
}

/** Attempts per provider before failing over, as modelCallWorkflow's retry policy allows. */
const ATTEMPTS_PER_PROVIDER = 4;

export function defaultProbes(deps: { db: Db; config: Config }): GateProbes {
  const { db, config } = deps;
  return {
    async evaluate({ modelConfig, cases }) {
      // Beyond the development set (staging asks for ≥ 2000), add deterministic synthetic
      // variants; the report counts how many are synthetic.
      const dev = await loadCases();
      const all =
        cases > dev.length ? (await loadCaseSet({ augment: true, target: cases })).cases : dev;
      const picked = all.slice(0, cases);
      const report = await evaluateVersion({
        modelConfig,
        cases: picked,
        concurrency: Math.max(1, os.cpus().length),
        models: modelsFor(config, modelConfig),
      });
      return {
        score: report.score ?? 0,
        synthetic: report.caseSet.synthetic,
        cases: report.cases.map((c) => ({ caseId: c.id, right: c.right, critical: c.critical })),
      };
    },

    async loadTest({ modelConfig, policy }) {
      const { load } = policy.staging;
      const chunks = await workload(config.models.chunkTokenBudget);
      const models = modelsFor(config, modelConfig);
      const chain = modelConfig.primaryChain.map((p) => ProviderName.parse(p));
      const concurrency = load.baseConcurrency * load.multiplier;
      const latencies: number[] = [];
      let succeeded = 0;
      const t0 = performance.now();
      await pool(load.requests, concurrency, async (i) => {
        const chunk = chunks[i % chunks.length] as ReviewChunk;
        const started = performance.now();
        for (const provider of chain) {
          try {
            await callOnce(models, provider, i % 2 === 0 ? 'primary' : 'verifier', chunk);
            succeeded += 1;
            latencies.push(performance.now() - started);
            return;
          } catch {
            // next provider in the chain, as failover would
          }
        }
      });
      return {
        requests: load.requests,
        succeeded,
        concurrency,
        latenciesMs: latencies,
        durationMs: performance.now() - t0,
      };
    },

    async chaos({ modelConfig, policy }) {
      const { chaos } = policy.staging;
      const chunks = await workload(config.models.chunkTokenBudget);
      const models = modelsFor(config, modelConfig);
      const chain = modelConfig.primaryChain.map((p) => ProviderName.parse(p));
      // With a second provider to fail over to, the first one also suffers a full outage for
      // the middle half of the run; transient faults hit every provider throughout.
      const outage = (i: number) =>
        chain.length > 1 && i >= chaos.requests / 4 && i < (3 * chaos.requests) / 4;
      let completed = 0;
      let faultsInjected = 0;
      let failovers = 0;
      await pool(chaos.requests, 4, async (i) => {
        const chunk = chunks[i % chunks.length] as ReviewChunk;
        for (const [p, provider] of chain.entries()) {
          for (let attempt = 0; attempt < ATTEMPTS_PER_PROVIDER; attempt += 1) {
            const down = p === 0 && outage(i);
            if (down || coin(`${i}:${provider}:${attempt}`) < chaos.faultRate) {
              faultsInjected += 1;
              continue;
            }
            try {
              await callOnce(models, provider, 'primary', chunk);
              completed += 1;
              return;
            } catch {
              // a real failure counts like an injected one
            }
          }
          failovers += 1;
        }
      });
      return { reviews: chaos.requests, completed, faultsInjected, failovers };
    },

    async measureLive({ version, baseline, since }) {
      const live = await liveReviews(db, version, baseline, since);
      const compared = live.candidate.filter((r) => r.status === 'completed' && r.baselineVerdict);
      return {
        candidateReviews: live.candidate.length,
        candidateErrors: live.candidate.filter((r) => r.status === 'failed').length,
        compared: compared.length,
        agreed: compared.filter((r) => r.verdict === r.baselineVerdict).length,
        candidateLatenciesMs: live.candidate
          .map((r) => r.durationMs)
          .filter((v): v is number => v !== null),
        baselineLatenciesMs: live.baselineLatenciesMs,
      };
    },

    async ensureSchedule(input) {
      try {
        await input.client.schedule.create({
          scheduleId: input.scheduleId,
          spec: { intervals: [{ every: input.everyMs }] },
          action: {
            type: 'startWorkflow',
            workflowType: 'regressionEvalWorkflow',
            workflowId: `${input.scheduleId}-run`,
            taskQueue: input.taskQueue,
            args: [{ version: input.version, cases: input.cases }],
          },
        });
      } catch (err) {
        if (!(err instanceof ScheduleAlreadyRunning)) throw err;
      }
      if (input.retiredScheduleId) {
        try {
          await input.client.schedule.getHandle(input.retiredScheduleId).delete();
        } catch (err) {
          if (!(err instanceof ScheduleNotFoundError)) throw err;
        }
      }
    },

    now: () => Date.now(),
  };
}
