import { Context } from '@temporalio/activity';
import type { Logger } from 'pino';
import type { Config } from '../domain/config';
import type { ProviderName, Role } from '../domain/review';
import type { ModelOverrides, ProviderCallResult } from '../domain/reviewFlow';
import type { Db } from '../store/db';
import { loadReviewChunk } from '../store/reviewInputs';
import { callAnthropic } from './providers/anthropic';
import { analyzeChunkLocally, LOCAL_MODELS } from './providers/local';
import { callOpenAI } from './providers/openai';
import type { ProviderRequest, ProviderResult } from './providers/output';
import { createBreakers } from './breakers';
import { modelCallMetrics } from './metrics';

export interface CallModelInput {
  reviewId: string;
  chunkIndex: number;
  role: Role;
  provider: ProviderName;
  /** a routed model-config version's model names and temperature */
  models?: ModelOverrides;
}

/** The worker's model settings with a routed version's names and temperature laid over them. */
export function withOverrides(config: Config, models: ModelOverrides | undefined): Config {
  if (!models) return config;
  return {
    ...config,
    models: {
      ...config.models,
      anthropic: {
        ...config.models.anthropic,
        model: models.anthropicModel ?? config.models.anthropic.model,
      },
      openai: { ...config.models.openai, model: models.openaiModel ?? config.models.openai.model },
      temperature: models.temperature ?? config.models.temperature,
    },
  };
}

/**
 * Offline, the two roles use the two independent local engines, so consensus is a real vote:
 * the primary reads patterns over the changed lines, the verifier parses the code.
 */
const LOCAL_ENGINE_FOR: Record<Role, 'rules' | 'ast'> = { primary: 'rules', verifier: 'ast' };

async function callProvider(
  config: Config,
  provider: ProviderName,
  req: ProviderRequest,
): Promise<ProviderResult> {
  switch (provider) {
    case 'openai':
      return callOpenAI(config.models, req);
    case 'anthropic':
      return callAnthropic(config.models, req);
    case 'local': {
      const engine = LOCAL_ENGINE_FOR[req.role];
      const output = await analyzeChunkLocally(engine, req.chunk);
      return {
        output,
        model: LOCAL_MODELS[engine],
        inputTokens: 0,
        outputTokens: 0,
        repaired: false,
      };
    }
  }
}

export function createModelActivities(deps: { db: Db; config: Config; logger?: Logger }) {
  const breakers = createBreakers(deps);
  return {
    /**
     * One attempt at one provider for one chunk; Temporal retries it by the error's class. The
     * provider's shared circuit breaker is asked first (an open one fails fast with CircuitOpen)
     * and told the outcome after.
     */
    async callModel(input: CallModelInput): Promise<ProviderCallResult> {
      const { chunk, context } = await loadReviewChunk(deps.db, input.reviewId, input.chunkIndex);
      const ticket = await breakers.before(input.provider);
      const activity = Context.current();
      const signal = activity.cancellationSignal;
      // Heartbeats tell Temporal the call is alive; without them a call lost with its worker
      // would wait out the whole start-to-close timeout before being retried elsewhere.
      const beat = setInterval(() => activity.heartbeat(), 5_000);
      const started = performance.now();
      const stop = modelCallMetrics.latency.startTimer({
        provider: input.provider,
        role: input.role,
      });
      try {
        const res = await callProvider(withOverrides(deps.config, input.models), input.provider, {
          chunk,
          role: input.role,
          title: context.title,
          description: context.description,
          dimensions: context.dimensions,
          signal,
        });
        stop({ outcome: 'success' });
        const latencyMs = Math.round(performance.now() - started);
        await breakers.after(ticket, null);
        modelCallMetrics.tokens.inc({ provider: input.provider, kind: 'input' }, res.inputTokens);
        modelCallMetrics.tokens.inc({ provider: input.provider, kind: 'output' }, res.outputTokens);
        return {
          output: res.output,
          model: res.model,
          inputTokens: res.inputTokens,
          outputTokens: res.outputTokens,
          latencyMs,
        };
      } catch (err) {
        stop({ outcome: 'failure' });
        await breakers.after(ticket, err, signal.aborted);
        throw err;
      } finally {
        clearInterval(beat);
      }
    },
  };
}
export type ModelActivities = ReturnType<typeof createModelActivities>;
