import type { Tool } from '@anthropic-ai/sdk/resources/messages';
import { z } from 'zod';
import type { CommitFacts, CommitInput } from '../../domain/commits/types';
import type { Config } from '../../domain/config';
import { anthropicClient, anthropicInputTokens, classified, openAIClient } from './clients';
import { schemaInvalid } from './errors';
import { OPENAI_SEED } from './openai';

/**
 * The one-paragraph commit summary from a vendor model. The model gets the rule-based analysis
 * and the redacted diff (cut to a budget: a summary needs the gist, not every line) and must
 * answer through a schema with a single `summary` field.
 */

export const COMMIT_SUMMARY_PROMPT_VERSION = 'commit-summary-v1';
const DIFF_CHAR_BUDGET = 24_000;
const MAX_OUTPUT_TOKENS = 1_000;
const TOOL_NAME = 'submit_commit_summary';

export const SUMMARY_SYSTEM_PROMPT = [
  'You summarise one git commit for engineers preparing a release.',
  'Write one paragraph (at most 120 words) saying what the change does, why it matters to users',
  'of the code, and what could break. Use the analysis you are given for the facts (type,',
  'semver impact, breaking changes, risk); do not contradict it and do not invent details the',
  'diff does not show. Markers such as [REDACTED:password] replace secrets; never guess them.',
].join(' ');

const SummaryOutput = z.object({ summary: z.string().trim().min(1).max(2000) });
const SUMMARY_JSON_SCHEMA = {
  type: 'object',
  properties: { summary: { type: 'string', description: 'one paragraph, at most 120 words' } },
  required: ['summary'],
  additionalProperties: false,
} as const;

export interface SummaryResult {
  summary: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
}

export function renderSummaryRequest(input: CommitInput, facts: CommitFacts): string {
  const diff =
    input.diff.length > DIFF_CHAR_BUDGET
      ? `${input.diff.slice(0, DIFF_CHAR_BUDGET)}\n[diff cut at ${DIFF_CHAR_BUDGET} of ${input.diff.length} characters]`
      : input.diff;
  const analysis = {
    type: facts.message.type,
    scope: facts.message.scope,
    subject: facts.message.subject,
    impact: facts.impact,
    breakingChanges: facts.breakingChanges.map((b) => b.description),
    risk: {
      score: facts.risk.score,
      level: facts.risk.level,
      factors: facts.risk.factors.map((f) => f.detail),
    },
    stats: facts.stats,
  };
  return [
    `Repository: ${input.repository}`,
    `Commit: ${input.sha}`,
    'Message:',
    input.message,
    '',
    `Analysis: ${JSON.stringify(analysis)}`,
    '',
    'Diff:',
    diff === '' ? '(no file changes)' : diff,
  ].join('\n');
}

function accept(provider: 'openai' | 'anthropic', raw: unknown): string {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      throw schemaInvalid(provider, 'summary is not valid JSON');
    }
  }
  const parsed = SummaryOutput.safeParse(value);
  if (!parsed.success)
    throw schemaInvalid(provider, `summary does not match its schema: ${parsed.error.message}`);
  return parsed.data.summary;
}

export async function summarizeWithOpenAI(
  cfg: Config['models'],
  prompt: string,
  signal: AbortSignal,
): Promise<SummaryResult> {
  const { client, model } = openAIClient(cfg);
  return classified('openai', async () => {
    const completion = await client.chat.completions.create(
      {
        model,
        temperature: cfg.temperature,
        seed: OPENAI_SEED,
        max_completion_tokens: MAX_OUTPUT_TOKENS,
        messages: [
          { role: 'system', content: SUMMARY_SYSTEM_PROMPT },
          { role: 'user', content: prompt },
        ],
        response_format: {
          type: 'json_schema',
          json_schema: { name: TOOL_NAME, strict: true, schema: { ...SUMMARY_JSON_SCHEMA } },
        },
      },
      { signal },
    );
    const message = completion.choices[0]?.message;
    return {
      summary: accept('openai', message?.refusal ? undefined : message?.content),
      model: completion.model || model,
      inputTokens: completion.usage?.prompt_tokens ?? 0,
      outputTokens: completion.usage?.completion_tokens ?? 0,
    };
  });
}

const SUMMARY_TOOL: Tool = {
  name: TOOL_NAME,
  description: 'Submit the one-paragraph summary of the commit.',
  input_schema: { ...SUMMARY_JSON_SCHEMA, required: ['summary'] } as Tool['input_schema'],
  strict: true,
};

export async function summarizeWithAnthropic(
  cfg: Config['models'],
  prompt: string,
  signal: AbortSignal,
): Promise<SummaryResult> {
  const { client, model } = anthropicClient(cfg);
  return classified('anthropic', async () => {
    const reply = await client.messages.create(
      {
        model,
        max_tokens: MAX_OUTPUT_TOKENS,
        system: [
          { type: 'text', text: SUMMARY_SYSTEM_PROMPT, cache_control: { type: 'ephemeral' } },
        ],
        tools: [SUMMARY_TOOL],
        tool_choice: { type: 'tool', name: TOOL_NAME },
        messages: [{ role: 'user', content: prompt }],
      },
      { signal },
    );
    const toolUse = reply.content.find((b) => b.type === 'tool_use' && b.name === TOOL_NAME);
    return {
      summary: accept('anthropic', toolUse?.type === 'tool_use' ? toolUse.input : undefined),
      model: reply.model || model,
      inputTokens: anthropicInputTokens(reply.usage),
      outputTokens: reply.usage.output_tokens,
    };
  });
}
