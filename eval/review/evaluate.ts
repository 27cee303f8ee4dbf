import { analyzeChunkLocally, LOCAL_MODELS } from '../../activities/providers/local';
import { callAnthropic } from '../../activities/providers/anthropic';
import { callOpenAI } from '../../activities/providers/openai';
import type { Config } from '../../domain/config';
import { runConsensus } from '../../domain/consensus';
import { prepareDiff } from '../../domain/diff';
import { modelConfigVersion, type ModelConfig } from '../../domain/modelConfig';
import type { Finding, ModelFinding, ProviderName, ReviewChunk, Role } from '../../domain/review';
import { ProviderName as ProviderNameSchema } from '../../domain/review';
import { caseSet as toCaseSet } from './cases';
import {
  SCORING_DEFINITIONS,
  scoreCase,
  scoreDimensions,
  scoreOverall,
  type CaseScore,
  type DimensionScore,
  type OverallScore,
} from './score';
import type { CaseSet, EvalCase } from './types';

export interface CaseResult extends CaseScore {
  language: EvalCase['language'];
  kind: string;
  variant: EvalCase['variant'];
  dimension: EvalCase['dimension'];
  durationMs: number;
  /** provider:model that answered each role (several when failover mixed them) */
  models: { primary: string; verifier: string };
  /** providers given up on before one answered, with why: vendor answers replaced by others */
  failovers: string[];
  error?: string;
}

export interface EvalReport {
  schemaVersion: 1;
  suite: 'review';
  /** `modelConfigVersion` of the evaluated model config */
  version: string;
  modelConfig: ModelConfig;
  caseSet: {
    id: string;
    hash: string;
    total: number;
    synthetic: number;
    critical: number;
    languages: Record<string, number>;
    dimensions: Record<string, number>;
  };
  dimensions: DimensionScore[];
  overall: OverallScore;
  /** macro F1: the single number the gate compares between candidate and baseline */
  score: number | null;
  /** every dimension meets its targets and both guarantees hold */
  passed: boolean;
  cases: CaseResult[];
  /** null when no case was reviewed twice */
  determinism: { checkedCases: number; identical: boolean; differing: string[] } | null;
  timings: { startedAt: string; durationMs: number; caseP50Ms: number; caseP95Ms: number };
  definitions: typeof SCORING_DEFINITIONS;
}

export interface EvaluateOptions {
  modelConfig: ModelConfig;
  cases: readonly EvalCase[] | CaseSet;
  /** cases in flight at once; the local engines are CPU-bound, vendors are not */
  concurrency?: number;
  /** vendor settings (keys, base URLs, timeouts); without them only `local` answers */
  models?: Config['models'];
  tokenBudget?: number;
  /** re-review this many cases and compare the findings byte for byte (0: skip the check) */
  determinismSample?: number;
}

/** Offline the two roles use the two independent local engines, as activities/models.ts does. */
const LOCAL_ENGINE_FOR: Record<Role, 'rules' | 'ast'> = { primary: 'rules', verifier: 'ast' };

interface RoleAnswer {
  findings: ModelFinding[];
  model: string;
  hops: string[];
}

function vendorModels(
  mc: ModelConfig,
  models: Config['models'] | undefined,
): Config['models'] | undefined {
  if (!models) return undefined;
  return {
    ...models,
    temperature: mc.temperature,
    anthropic: { ...models.anthropic, model: mc.anthropicModel },
    openai: { ...models.openai, model: mc.openaiModel },
  };
}

async function callRole(
  role: Role,
  chain: ProviderName[],
  chunk: ReviewChunk,
  models: Config['models'] | undefined,
): Promise<RoleAnswer> {
  const reasons: string[] = [];
  for (const provider of chain) {
    try {
      if (provider === 'local') {
        const engine = LOCAL_ENGINE_FOR[role];
        const out = await analyzeChunkLocally(engine, chunk);
        return { findings: out.findings, model: `local:${LOCAL_MODELS[engine]}`, hops: reasons };
      }
      const key = provider === 'openai' ? models?.openai.apiKey : models?.anthropic.apiKey;
      if (!models || !key) {
        reasons.push(`${role} ${provider}: no key`);
        continue;
      }
      const res =
        provider === 'openai'
          ? await callOpenAI(models, { chunk, role })
          : await callAnthropic(models, { chunk, role });
      return { findings: res.output.findings, model: `${provider}:${res.model}`, hops: reasons };
    } catch (err) {
      // The workflow would retry and fail over; here a failed provider simply yields to the next.
      reasons.push(`${role} ${provider}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  throw new Error(`${role} chain exhausted (${reasons.join('; ')})`);
}

function chainOf(names: readonly string[]): ProviderName[] {
  return names.map((n) => ProviderNameSchema.parse(n));
}

async function reviewCase(
  c: EvalCase,
  mc: ModelConfig,
  models: Config['models'] | undefined,
  tokenBudget: number,
): Promise<{ findings: Finding[]; models: CaseResult['models']; failovers: string[] }> {
  const prepared = prepareDiff({ diff: c.diff }, { tokenBudget });
  const primary: RoleAnswer[] = [];
  const verifier: RoleAnswer[] = [];
  for (const chunk of prepared.chunks) {
    const [p, v] = await Promise.all([
      callRole('primary', chainOf(mc.primaryChain), chunk, models),
      callRole('verifier', chainOf(mc.verifierChain), chunk, models),
    ]);
    primary.push(p);
    verifier.push(v);
  }
  const label = (answers: RoleAnswer[]): string =>
    [...new Set(answers.map((a) => a.model))].sort().join('+') || 'none';
  const voted = runConsensus(
    {
      primary: { model: label(primary), findings: primary.flatMap((a) => a.findings) },
      verifier: { model: label(verifier), findings: verifier.flatMap((a) => a.findings) },
    },
    mc.consensusPolicy,
  );
  return {
    findings: voted.findings,
    models: { primary: label(primary), verifier: label(verifier) },
    failovers: [...primary, ...verifier].flatMap((a) => a.hops),
  };
}

async function pool<T, R>(
  items: readonly T[],
  limit: number,
  fn: (t: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

const tally = (values: string[]): Record<string, number> =>
  values.reduce<Record<string, number>>((acc, v) => ({ ...acc, [v]: (acc[v] ?? 0) + 1 }), {});

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? 0;
}

/**
 * Reviews every case the way a review does (prepareDiff → both roles per chunk through their
 * provider chains → runConsensus), without Temporal, and scores the result. A case whose review
 * fails counts every expected finding as missed and is reported with its error.
 */
export async function evaluateVersion(opts: EvaluateOptions): Promise<EvalReport> {
  const set = Array.isArray(opts.cases) ? toCaseSet('adhoc', opts.cases) : (opts.cases as CaseSet);
  const mc = opts.modelConfig;
  const models = vendorModels(mc, opts.models);
  const tokenBudget = opts.tokenBudget ?? opts.models?.chunkTokenBudget ?? 6000;
  const startedAt = new Date();
  const t0 = performance.now();
  const sample = new Set(set.cases.slice(0, opts.determinismSample ?? 0).map((c) => c.id));
  const firstBytes = new Map<string, string>();
  const results = await pool(set.cases, opts.concurrency ?? 4, async (c): Promise<CaseResult> => {
    const started = performance.now();
    const base = { language: c.language, kind: c.kind, variant: c.variant, dimension: c.dimension };
    try {
      const review = await reviewCase(c, mc, models, tokenBudget);
      const durationMs = Math.round(performance.now() - started);
      if (sample.has(c.id)) firstBytes.set(c.id, JSON.stringify(review.findings));
      const { models: used, failovers } = review;
      return { ...scoreCase(c, review.findings), ...base, durationMs, models: used, failovers };
    } catch (err) {
      const durationMs = Math.round(performance.now() - started);
      const error = err instanceof Error ? err.message : String(err);
      const models = { primary: '', verifier: '' };
      return { ...scoreCase(c, []), ...base, durationMs, models, failovers: [], error };
    }
  });
  const differing: string[] = [];
  await pool([...firstBytes.keys()], opts.concurrency ?? 4, async (id) => {
    const c = set.cases.find((x) => x.id === id) as EvalCase;
    const again = await reviewCase(c, mc, models, tokenBudget).catch(() => undefined);
    if (!again || JSON.stringify(again.findings) !== firstBytes.get(id)) differing.push(id);
  });
  const dimensions = scoreDimensions(results);
  const overall = scoreOverall(results, dimensions);
  const durations = results.map((r) => r.durationMs).sort((a, b) => a - b);
  return {
    schemaVersion: 1,
    suite: 'review',
    version: modelConfigVersion(mc),
    modelConfig: mc,
    caseSet: {
      id: set.id,
      hash: set.hash,
      total: set.cases.length,
      synthetic: set.cases.filter((c) => c.synthetic).length,
      critical: set.cases.filter((c) => c.critical).length,
      languages: tally(set.cases.map((c) => c.language)),
      dimensions: tally(set.cases.map((c) => c.dimension)),
    },
    dimensions,
    overall,
    score: overall.macroF1,
    passed:
      dimensions.every((d) => d.pass.precision && d.pass.recall) &&
      overall.guarantees.falsePositiveRate.pass &&
      overall.guarantees.falseNegativeRate.pass,
    cases: results,
    determinism:
      firstBytes.size === 0
        ? null
        : {
            checkedCases: firstBytes.size,
            identical: differing.length === 0,
            differing: differing.sort(),
          },
    timings: {
      startedAt: startedAt.toISOString(),
      durationMs: Math.round(performance.now() - t0),
      caseP50Ms: percentile(durations, 0.5),
      caseP95Ms: percentile(durations, 0.95),
    },
    definitions: SCORING_DEFINITIONS,
  };
}
