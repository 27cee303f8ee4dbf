import { z } from 'zod';
import { ConsensusPolicy } from '../consensus';
import { LOCAL_ENGINE_VERSION, PROMPT_VERSION, type ModelConfig } from '../modelConfig';
import { ProviderName } from '../review';
import { GatePolicy } from './policy';

/** A model-config version as a release engineer submits it. */
export const ModelConfigInput = z
  .object({
    primaryChain: z.array(ProviderName).min(1).max(5),
    verifierChain: z.array(ProviderName).min(1).max(5),
    anthropicModel: z.string().trim().min(1).max(200),
    openaiModel: z.string().trim().min(1).max(200),
    temperature: z.number().min(0).max(2).default(0),
    promptVersion: z.string().trim().min(1).max(100).default(PROMPT_VERSION),
    localEngineVersion: z.string().trim().min(1).max(100).default(LOCAL_ENGINE_VERSION),
    consensusPolicy: z
      .record(z.string(), z.number())
      .optional()
      .superRefine((v, ctx) => {
        if (v === undefined) return;
        const parsed = ConsensusPolicy.safeParse(v);
        if (!parsed.success) {
          for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, code: 'custom' });
        }
        const known = new Set(Object.keys(ConsensusPolicy.parse({})));
        for (const k of Object.keys(v)) {
          if (!known.has(k)) ctx.addIssue({ code: 'custom', message: `unknown key ${k}` });
        }
      }),
  })
  .strict();

export const ReleaseRequest = z
  .object({
    modelConfig: ModelConfigInput,
    /** overrides of the default gate policy (durations in ms) */
    policy: z.record(z.string(), z.unknown()).optional(),
    notes: z.string().max(2000).optional(),
  })
  .strict();
export type ReleaseRequest = z.infer<typeof ReleaseRequest>;

/** The policy a release runs under: defaults, with the request's overrides merged in depth. */
export function releasePolicy(overrides: Record<string, unknown> | undefined): GatePolicy {
  return GatePolicy.parse(overrides ?? {});
}

export function toModelConfig(input: z.output<typeof ModelConfigInput>): ModelConfig {
  return {
    primaryChain: input.primaryChain,
    verifierChain: input.verifierChain,
    anthropicModel: input.anthropicModel,
    openaiModel: input.openaiModel,
    temperature: input.temperature,
    promptVersion: input.promptVersion,
    localEngineVersion: input.localEngineVersion,
    ...(input.consensusPolicy ? { consensusPolicy: input.consensusPolicy } : {}),
  };
}
