import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type { Config } from '../../domain/config';
import { classified, openAIClient } from './clients';
import { acceptWithRepair, MODEL_OUTPUT_JSON_SCHEMA, repairInstruction } from './output';
import type { ModelAnswer, ProviderRequest, ProviderResult } from './output';
import { OUTPUT_TOOL_NAME, renderChunk, SYSTEM_PROMPT } from './prompt';

/** Fixed so the same request samples the same way (OpenAI's best-effort determinism). */
export const OPENAI_SEED = 20_240_601;
const MAX_OUTPUT_TOKENS = 16_000;

interface OpenAIAnswer extends ModelAnswer {
  messages: ChatCompletionMessageParam[];
  content: string;
}

export async function callOpenAI(
  cfg: Config['models'],
  req: ProviderRequest,
): Promise<ProviderResult> {
  const { client, model } = openAIClient(cfg);

  const ask = async (messages: ChatCompletionMessageParam[]): Promise<OpenAIAnswer> => {
    const completion = await client.chat.completions.create(
      {
        model,
        messages,
        temperature: cfg.temperature,
        seed: OPENAI_SEED,
        max_completion_tokens: MAX_OUTPUT_TOKENS,
        response_format: {
          type: 'json_schema',
          json_schema: { name: OUTPUT_TOOL_NAME, strict: true, schema: MODEL_OUTPUT_JSON_SCHEMA },
        },
      },
      { signal: req.signal },
    );
    const message = completion.choices[0]?.message;
    const content = message?.content ?? '';
    return {
      // A refusal or an empty answer is an output problem, repaired like malformed JSON.
      raw: message?.refusal ? undefined : content || undefined,
      content,
      model: completion.model || model,
      inputTokens: completion.usage?.prompt_tokens ?? 0,
      outputTokens: completion.usage?.completion_tokens ?? 0,
      messages,
    };
  };

  return classified('openai', async () => {
    const first = await ask([
      { role: 'system', content: SYSTEM_PROMPT },
      { role: 'user', content: renderChunk(req.chunk, req) },
    ]);
    return acceptWithRepair('openai', req.chunk, first, (previous, error) =>
      ask([
        ...previous.messages,
        { role: 'assistant', content: previous.content },
        { role: 'user', content: repairInstruction(error) },
      ]),
    );
  });
}
