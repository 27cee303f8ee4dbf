import { callAnthropic, REVIEW_TOOL } from '../../../activities/providers/anthropic';
import { MODEL_OUTPUT_JSON_SCHEMA } from '../../../activities/providers/output';
import { OUTPUT_TOOL_NAME, SYSTEM_PROMPT } from '../../../activities/providers/prompt';
import { anthropicReply, startFakeAnthropic } from '../../fakes';
import type { FakeVendor } from '../../fakes';
import { describeProviderContract } from './contract';
import { chunk, goodOutput, goodWireOutput, modelsConfig } from './fixtures';

type Block =
  | { type: 'text'; text: string; cache_control?: { type: string } }
  | { type: 'tool_use'; id: string; name: string; input: unknown }
  | { type: 'tool_result'; tool_use_id: string; is_error?: boolean; content: string };

interface MessagesBody {
  model: string;
  max_tokens: number;
  temperature?: number;
  system: Block[];
  tools: { name: string; input_schema: unknown; strict?: boolean }[];
  tool_choice: { type: string; name: string };
  messages: { role: string; content: string | Block[] }[];
}

function lastUserText(body: unknown): string {
  const user = [...(body as MessagesBody).messages].reverse().find((m) => m.role === 'user');
  if (!user) return '';
  if (typeof user.content === 'string') return user.content;
  return user.content
    .map((b) => (b.type === 'text' ? b.text : b.type === 'tool_result' ? b.content : ''))
    .join('\n');
}

describeProviderContract({
  provider: 'anthropic',
  start: startFakeAnthropic,
  call: callAnthropic,
  baseUrls: (anthropic) => ({ anthropic }),
  review: (output) => anthropicReply.review(output),
  // Cached prompt tokens count as input: 21 fresh + 200 written + 100 read = 321.
  reviewCosting321And45: (output) =>
    anthropicReply.review(output, {
      usage: {
        inputTokens: 21,
        cacheCreationInputTokens: 200,
        cacheReadInputTokens: 100,
        outputTokens: 45,
      },
    }),
  malformedContent: () => anthropicReply.review('{"findings": [{"file": "src/db.ts", '),
  error: anthropicReply.error,
  lastUserText,
});

describe('anthropic request shape', () => {
  let fake: FakeVendor;
  beforeAll(async () => {
    fake = await startFakeAnthropic();
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.requests.length = 0;
  });
  const request = { chunk, role: 'primary' as const };

  it('caches the system prompt and forces the review tool', async () => {
    fake.setScript([anthropicReply.review(goodWireOutput)]);
    await callAnthropic(modelsConfig({ anthropic: fake.baseUrl }), request);
    const body = fake.requests[0]?.body as MessagesBody;
    expect(body.system).toEqual([
      { type: 'text', text: SYSTEM_PROMPT, cache_control: { type: 'ephemeral' } },
    ]);
    expect(body.tool_choice).toEqual({ type: 'tool', name: OUTPUT_TOOL_NAME });
    expect(body.tools).toEqual([REVIEW_TOOL]);
    expect(body.tools[0]?.input_schema).toEqual(MODEL_OUTPUT_JSON_SCHEMA);
    expect(body.model).toBe('claude-test');
    // SDK 1.x sends the key as a bearer token; older ones used x-api-key. The fake takes both.
    const headers = fake.requests[0]?.headers;
    expect(headers?.authorization ?? `Bearer ${String(headers?.['x-api-key'])}`).toBe(
      'Bearer sk-ant-test',
    );
  });

  it('answers a bad tool call with an error tool_result in the repair turn', async () => {
    fake.setScript([
      anthropicReply.review({ findings: 'none', summary: 1 }),
      anthropicReply.review(goodWireOutput),
    ]);
    const result = await callAnthropic(modelsConfig({ anthropic: fake.baseUrl }), request);
    expect(result.output).toEqual(goodOutput);
    const repair = fake.requests[1]?.body as MessagesBody;
    expect(repair.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    const assistant = repair.messages[1]?.content as Block[];
    expect(assistant[0]).toMatchObject({
      type: 'tool_use',
      id: 'toolu_fake',
      name: OUTPUT_TOOL_NAME,
    });
    const reply = repair.messages[2]?.content as Block[];
    expect(reply[0]).toMatchObject({
      type: 'tool_result',
      tool_use_id: 'toolu_fake',
      is_error: true,
    });
    expect(repair.tool_choice).toEqual({ type: 'tool', name: OUTPUT_TOOL_NAME });
  });

  it('repairs a text-only answer with a plain user turn', async () => {
    fake.setScript([anthropicReply.text('LGTM'), anthropicReply.review(goodWireOutput)]);
    const result = await callAnthropic(modelsConfig({ anthropic: fake.baseUrl }), request);
    expect(result.repaired).toBe(true);
    const repair = fake.requests[1]?.body as MessagesBody;
    expect(repair.messages[1]?.content).toEqual([{ type: 'text', text: 'LGTM' }]);
    expect(typeof repair.messages[2]?.content).toBe('string');
  });
});
