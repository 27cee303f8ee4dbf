import { callOpenAI, OPENAI_SEED } from '../../../activities/providers/openai';
import { MODEL_OUTPUT_JSON_SCHEMA } from '../../../activities/providers/output';
import { SYSTEM_PROMPT } from '../../../activities/providers/prompt';
import { ProviderErrorType } from '../../../activities/providers/errors';
import { openaiReply, startFakeOpenAI } from '../../fakes';
import type { FakeVendor } from '../../fakes';
import { describeProviderContract, failureOf } from './contract';
import { chunk, goodWireOutput, modelsConfig } from './fixtures';

interface ChatBody {
  model: string;
  temperature?: number;
  seed?: number;
  messages: { role: string; content: string }[];
  response_format?: {
    type: string;
    json_schema: { name: string; strict: boolean; schema: unknown };
  };
}

const lastUserText = (body: unknown): string =>
  [...(body as ChatBody).messages].reverse().find((m) => m.role === 'user')?.content ?? '';

describeProviderContract({
  provider: 'openai',
  start: startFakeOpenAI,
  call: callOpenAI,
  baseUrls: (openai) => ({ openai }),
  review: (output) => openaiReply.review(output),
  reviewCosting321And45: (output) =>
    openaiReply.review(output, { usage: { promptTokens: 321, completionTokens: 45 } }),
  malformedContent: () => openaiReply.content('{"findings": [{"file": "src/db.ts", '),
  error: openaiReply.error,
  lastUserText,
});

describe('openai request shape', () => {
  let fake: FakeVendor;
  beforeAll(async () => {
    fake = await startFakeOpenAI();
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.requests.length = 0;
  });
  const request = { chunk, role: 'verifier' as const };

  it('samples at temperature 0 with a fixed seed and a strict JSON schema', async () => {
    fake.setScript([openaiReply.review(goodWireOutput)]);
    await callOpenAI(modelsConfig({ openai: fake.baseUrl }), request);
    const body = fake.requests[0]?.body as ChatBody;
    expect(body.model).toBe('gpt-test');
    expect(body.temperature).toBe(0);
    expect(body.seed).toBe(OPENAI_SEED);
    expect(body.response_format?.type).toBe('json_schema');
    expect(body.response_format?.json_schema.strict).toBe(true);
    expect(body.response_format?.json_schema.schema).toEqual(MODEL_OUTPUT_JSON_SCHEMA);
    expect(body.messages[0]).toEqual({ role: 'system', content: SYSTEM_PROMPT });
    expect(fake.requests[0]?.headers.authorization).toBe('Bearer sk-openai-test');
  });

  it('uses the configured temperature', async () => {
    fake.setScript([openaiReply.review(goodWireOutput)]);
    await callOpenAI(modelsConfig({ openai: fake.baseUrl }, { temperature: 0.4 }), request);
    expect((fake.requests[0]?.body as ChatBody).temperature).toBe(0.4);
  });

  it('repairs by replaying the conversation with the bad answer and the error', async () => {
    fake.setScript([openaiReply.content('not json at all'), openaiReply.review(goodWireOutput)]);
    await callOpenAI(modelsConfig({ openai: fake.baseUrl }), request);
    const repair = fake.requests[1]?.body as ChatBody;
    expect(repair.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(repair.messages[2]?.content).toBe('not json at all');
    expect(repair.messages[3]?.content).toContain('not valid JSON');
    expect(repair.response_format?.json_schema.strict).toBe(true);
  });

  it('treats a refusal as unusable output: one repair, then SchemaInvalid', async () => {
    fake.setScript([openaiReply.refusal('I cannot help'), openaiReply.refusal('I cannot help')]);
    const failure = await failureOf(callOpenAI(modelsConfig({ openai: fake.baseUrl }), request));
    expect(failure.type).toBe(ProviderErrorType.SchemaInvalid);
    expect(fake.requests).toHaveLength(2);
  });
});
