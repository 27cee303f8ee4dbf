import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import type { Config } from './config';
import type { ConsensusPolicy } from './consensus';

/** Bumped whenever the review prompt changes meaning, so cached reviews are not reused across it. */
export const PROMPT_VERSION = 'review-v1';
/** Bumped whenever a local engine's rules change what it reports. */
export const LOCAL_ENGINE_VERSION = 'local-v1';

/** Everything that decides what a review says, besides the diff itself. */
export interface ModelConfig {
  primaryChain: string[];
  verifierChain: string[];
  anthropicModel: string;
  openaiModel: string;
  temperature: number;
  promptVersion: string;
  localEngineVersion: string;
  consensusPolicy?: Partial<ConsensusPolicy>;
}

export function modelConfigFrom(config: Config): ModelConfig {
  return {
    primaryChain: config.models.primaryChain,
    verifierChain: config.models.verifierChain,
    anthropicModel: config.models.anthropic.model,
    openaiModel: config.models.openai.model,
    temperature: config.models.temperature,
    promptVersion: PROMPT_VERSION,
    localEngineVersion: LOCAL_ENGINE_VERSION,
  };
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * `mc-<12 hex>`: a content hash of the model configuration. It is part of every review id, so the
 * same diff under a different model setup is a different review rather than a stale cache hit.
 */
export function modelConfigVersion(mc: ModelConfig): string {
  return `mc-${bytesToHex(sha256(utf8ToBytes(canonical(mc)))).slice(0, 12)}`;
}
