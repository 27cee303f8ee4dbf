import type {
  ContentBlockParam,
  Message,
  MessageParam,
  Tool,
} from '@anthropic-ai/sdk/resources/messages';
import type { Config } from '../../domain/config';
import { anthropicClient, anthropicInputTokens, classified } from './clients';
import { acceptWithRepair, MODEL_OUTPUT_JSON_SCHEMA, repairInstruction } from './output';
import type { ModelAnswer, ProviderRequest, ProviderResult } from './output';
import { OUTPUT_TOOL_NAME, renderChunk, SYSTEM_PROMPT } from './prompt';

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
  const { client, model } = anthropicClient(cfg);

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
    return {
      raw: toolUse?.type === 'tool_use' ? toolUse.input : undefined,
      model: reply.model || model,
      inputTokens: anthropicInputTokens(reply.usage),
      outputTokens: reply.usage.output_tokens,
      messages,
      reply,
    };
  };

  return classified('anthropic', async () => {
    const first = await ask([{ role: 'user', content: renderChunk(req.chunk, req) }]);
    return acceptWithRepair('anthropic', req.chunk, first, (previous, error) =>
      ask(repairTurn(previous, error)),
    );
  });
}
