import Anthropic from '@anthropic-ai/sdk';
import type {
  ContentBlockParam,
  Message,
  MessageParam,
  Tool,
} from '@anthropic-ai/sdk/resources/messages';
import type { Config } from '../../domain/config';
import { authFailed, classifyProviderError } from './errors';
import { acceptWithRepair, MODEL_OUTPUT_JSON_SCHEMA, repairInstruction } from './output';
import type { ModelAnswer, ProviderRequest, ProviderResult } from './output';
import { OUTPUT_TOOL_NAME, renderChunk, SYSTEM_PROMPT } from './prompt';

export const ANTHROPIC_DEFAULT_BASE_URL = 'https://api.anthropic.com';
const MAX_OUTPUT_TOKENS = 16_000;

/** The forced tool is the output format: the model can only answer by filling its input. */
export const REVIEW_TOOL: Tool = {
  name: OUTPUT_TOOL_NAME,
  description: 'Submit the review of the diff: every finding, and a one-paragraph summary.',
  input_schema: MODEL_OUTPUT_JSON_SCHEMA as Tool['input_schema'],
  strict: true,
};

interface AnthropicAnswer extends ModelAnswer {
  messages: MessageParam[];
  reply: Message;
}

/** The reply as it goes back into the conversation for the repair turn. */
function asParams(reply: Message): ContentBlockParam[] {
  return reply.content.flatMap((block): ContentBlockParam[] => {
    if (block.type === 'text') return [{ type: 'text', text: block.text }];
    if (block.type === 'tool_use')
      return [{ type: 'tool_use', id: block.id, name: block.name, input: block.input }];
    return [];
  });
}

function repairTurn(previous: AnthropicAnswer, error: string): MessageParam[] {
  const toolUse = previous.reply.content.find((b) => b.type === 'tool_use');
  const assistant: MessageParam = { role: 'assistant', content: asParams(previous.reply) };
  // A tool_use block must be answered by its tool_result; without one, a plain user turn.
  const user: MessageParam = toolUse
    ? {
        role: 'user',
        content: [
          {
            type: 'tool_result',
            tool_use_id: toolUse.id,
            is_error: true,
            content: repairInstruction(error),
          },
        ],
      }
    : { role: 'user', content: repairInstruction(error) };
  return [...previous.messages, assistant, user];
}

export async function callAnthropic(
  cfg: Config['models'],
  req: ProviderRequest,
): Promise<ProviderResult> {
  const { apiKey, model } = cfg.anthropic;
  if (!apiKey) throw authFailed('anthropic', 'ANTHROPIC_API_KEY is not configured');
  const client = new Anthropic({
    apiKey,
    // Explicit so the SDK never falls back to reading process.env itself.
    authToken: null,
    baseURL: cfg.anthropic.baseUrl ?? ANTHROPIC_DEFAULT_BASE_URL,
    timeout: cfg.timeoutMs,
    // Temporal's activity retry policy owns retries; SDK retries would hide failures from it.
    maxRetries: 0,
  });

  const ask = async (messages: MessageParam[]): Promise<AnthropicAnswer> => {
    const reply = await client.messages.create(
      {
        model,
        max_tokens: MAX_OUTPUT_TOKENS,
        // No temperature: API version 2026-10-21 (SDK 1.x) removed sampling parameters.
        // The system prompt is identical on every call: cache it (tools are cached with it).
        system: [{ type: 'text', text: SYSTEM_PROMPT, cache_control: { type: 'ephemeral' } }],
        tools: [REVIEW_TOOL],
        tool_choice: { type: 'tool', name: OUTPUT_TOOL_NAME },
        messages,
      },
      { signal: req.signal },
    );
    const toolUse = reply.content.find((b) => b.type === 'tool_use' && b.name === OUTPUT_TOOL_NAME);
    const usage = reply.usage;
    return {
      raw: toolUse?.type === 'tool_use' ? toolUse.input : undefined,
      model: reply.model || model,
      // Cached prompt tokens are still input the call consumed; vendors bill them separately.
      inputTokens:
        usage.input_tokens +
        (usage.cache_creation_input_tokens ?? 0) +
        (usage.cache_read_input_tokens ?? 0),
      outputTokens: usage.output_tokens,
      messages,
      reply,
    };
  };

  try {
    const first = await ask([{ role: 'user', content: renderChunk(req.chunk, req) }]);
    return await acceptWithRepair('anthropic', req.chunk, first, (previous, error) =>
      ask(repairTurn(previous, error)),
    );
  } catch (err) {
    throw classifyProviderError(err, 'anthropic');
  }
}
