import { startFakeVendor } from './vendorServer';
import type { FakeReply, FakeVendor, FakeVendorOptions, RecordedRequest } from './vendorServer';

/** A local server speaking the OpenAI Chat Completions API: POST /v1/chat/completions. */

const ERROR_TYPES: Record<number, { type: string; code: string | null }> = {
  400: { type: 'invalid_request_error', code: null },
  401: { type: 'invalid_request_error', code: 'invalid_api_key' },
  403: { type: 'invalid_request_error', code: null },
  404: { type: 'invalid_request_error', code: 'unknown_url' },
  429: { type: 'requests', code: 'rate_limit_exceeded' },
};

export interface OpenAIUsage {
  promptTokens?: number;
  completionTokens?: number;
}

function completion(
  message: { content: string | null; refusal: string | null },
  opts: { model?: string; usage?: OpenAIUsage; finishReason?: string } = {},
): FakeReply {
  const prompt = opts.usage?.promptTokens ?? 120;
  const completionTokens = opts.usage?.completionTokens ?? 40;
  return {
    kind: 'json',
    status: 200,
    body: {
      id: 'chatcmpl-fake',
      object: 'chat.completion',
      created: 1_700_000_000,
      model: opts.model,
      system_fingerprint: 'fp_fake',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', ...message },
          logprobs: null,
          finish_reason: opts.finishReason ?? 'stop',
        },
      ],
      usage: {
        prompt_tokens: prompt,
        completion_tokens: completionTokens,
        total_tokens: prompt + completionTokens,
      },
    },
  };
}

export const openaiReply = {
  /** a completion whose content is `output` as JSON (structured output) */
  review: (output: unknown, opts?: { model?: string; usage?: OpenAIUsage }): FakeReply =>
    completion({ content: JSON.stringify(output), refusal: null }, opts),
  /** a completion with arbitrary content text: malformed or schema-invalid JSON */
  content: (text: string, opts?: { model?: string; usage?: OpenAIUsage }): FakeReply =>
    completion({ content: text, refusal: null }, opts),
  refusal: (text: string): FakeReply => completion({ content: null, refusal: text }),
  /** an error in OpenAI's envelope; `retryAfter` (seconds or HTTP date) sets retry-after */
  error: (
    status: number,
    message = `fake error ${status}`,
    opts: { retryAfter?: number | string } = {},
  ): FakeReply => {
    const kind = ERROR_TYPES[status] ?? { type: 'server_error', code: null };
    return {
      kind: 'json',
      status,
      body: { error: { message, type: kind.type, param: null, code: kind.code } },
      headers:
        opts.retryAfter === undefined ? undefined : { 'retry-after': String(opts.retryAfter) },
    };
  },
};

function check(req: RecordedRequest): FakeReply | undefined {
  const auth = req.headers.authorization;
  if (typeof auth !== 'string' || !auth.startsWith('Bearer ') || auth.length <= 'Bearer '.length) {
    return openaiReply.error(401, 'You did not provide an API key.');
  }
  const body = req.body as Record<string, unknown> | undefined;
  if (typeof body !== 'object' || body === null) {
    return openaiReply.error(400, 'We could not parse the JSON body of your request.');
  }
  if (typeof body.model !== 'string')
    return openaiReply.error(400, "Missing required parameter: 'model'.");
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    return openaiReply.error(400, "Missing required parameter: 'messages'.");
  }
  const format = body.response_format as
    { type?: string; json_schema?: { name?: unknown; schema?: unknown } } | undefined;
  if (format?.type === 'json_schema') {
    if (
      typeof format.json_schema?.name !== 'string' ||
      typeof format.json_schema.schema !== 'object'
    ) {
      return openaiReply.error(400, "Invalid 'response_format.json_schema'.");
    }
  }
  return undefined;
}

/** A scripted reply without a model answers as the model the request asked for. */
function complete(reply: FakeReply, req: RecordedRequest): FakeReply {
  if (reply.kind !== 'json' || reply.status !== 200) return reply;
  const body = reply.body as { model?: string };
  if (body.model !== undefined) return reply;
  return { ...reply, body: { ...body, model: (req.body as { model: string }).model } };
}

export function startFakeOpenAI(options: FakeVendorOptions = {}): Promise<FakeVendor> {
  return startFakeVendor(
    {
      basePath: '/v1',
      route: '/v1/chat/completions',
      check,
      error: (status, message) => openaiReply.error(status, message),
      complete,
    },
    options,
  );
}
