import Anthropic from '@anthropic-ai/sdk';
import type { Usage } from '@anthropic-ai/sdk/resources/messages';
import OpenAI from 'openai';
import type { Config } from '../../domain/config';
import { authFailed, classifyProviderError } from './errors';

/** Vendor SDK clients built one way for every call site: reviews, repairs and commit summaries. */

export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';
export const ANTHROPIC_DEFAULT_BASE_URL = 'https://api.anthropic.com';

/** A missing key is an auth failure before any request, so it is non-retryable like a 401. */
export function openAIClient(cfg: Config['models']): { client: OpenAI; model: string } {
  const { apiKey, baseUrl, model } = cfg.openai;
  if (!apiKey) throw authFailed('openai', 'OPENAI_API_KEY is not configured');
  const client = new OpenAI({
    apiKey,
    // Explicit so the SDK never falls back to reading the environment itself.
    baseURL: baseUrl ?? OPENAI_DEFAULT_BASE_URL,
    organization: null,
    project: null,
    timeout: cfg.timeoutMs,
    // Temporal's activity retry policy owns retries; SDK retries would hide failures from it.
    maxRetries: 0,
  });
  return { client, model };
}

export function anthropicClient(cfg: Config['models']): { client: Anthropic; model: string } {
  const { apiKey, baseUrl, model } = cfg.anthropic;
  if (!apiKey) throw authFailed('anthropic', 'ANTHROPIC_API_KEY is not configured');
  const client = new Anthropic({
    apiKey,
    // Explicit so the SDK never falls back to reading the environment itself.
    authToken: null,
    baseURL: baseUrl ?? ANTHROPIC_DEFAULT_BASE_URL,
    timeout: cfg.timeoutMs,
    // Temporal's activity retry policy owns retries; SDK retries would hide failures from it.
    maxRetries: 0,
  });
  return { client, model };
}

/** Cached prompt tokens are still input the call consumed; vendors bill them separately. */
export function anthropicInputTokens(usage: Usage): number {
  return (
    usage.input_tokens +
    (usage.cache_creation_input_tokens ?? 0) +
    (usage.cache_read_input_tokens ?? 0)
  );
}

/** Runs vendor calls so that whatever they throw leaves as a classified provider error. */
export async function classified<T>(
  provider: 'openai' | 'anthropic',
  call: () => Promise<T>,
): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw classifyProviderError(err, provider);
  }
}
