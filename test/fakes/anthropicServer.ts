import { startFakeVendor } from './vendorServer';
import type { FakeReply, FakeVendor, FakeVendorOptions, RecordedRequest } from './vendorServer';

/** A local server speaking the Anthropic Messages API: POST /v1/messages. */

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

export interface AnthropicUsage {
  inputTokens?: number;
  outputTokens?: number;
  cacheCreationInputTokens?: number;
  cacheReadInputTokens?: number;
}

type Block =
  { type: 'text'; text: string } | { type: 'tool_use'; id: string; name?: string; input: unknown };

function message(
  content: Block[],
  stopReason: string,
  opts: { model?: string; usage?: AnthropicUsage } = {},
): FakeReply {
  return {
    kind: 'json',
    status: 200,
    body: {
      id: 'msg_fake',
      type: 'message',
      role: 'assistant',
      model: opts.model,
      content,
      stop_reason: stopReason,
      stop_sequence: null,
      usage: {
        input_tokens: opts.usage?.inputTokens ?? 150,
        output_tokens: opts.usage?.outputTokens ?? 60,
        cache_creation_input_tokens: opts.usage?.cacheCreationInputTokens ?? 0,
        cache_read_input_tokens: opts.usage?.cacheReadInputTokens ?? 0,
      },
    },
  };
}

export const anthropicReply = {
  /**
   * A tool_use answer with `input` as the tool input. The tool name defaults to the one the
   * request forced with tool_choice. Pass a string to mimic a gateway that returns raw JSON.
   */
  review: (
    input: unknown,
    opts?: { model?: string; usage?: AnthropicUsage; toolName?: string },
  ): FakeReply =>
    message(
      [{ type: 'tool_use', id: 'toolu_fake', name: opts?.toolName, input }],
      'tool_use',
      opts,
    ),
  /** a plain text answer: what a model does when it ignores the tool */
  text: (text: string, opts?: { model?: string; usage?: AnthropicUsage }): FakeReply =>
    message([{ type: 'text', text }], 'end_turn', opts),
  /** an error in Anthropic's envelope; `retryAfter` (seconds or HTTP date) sets retry-after */
  error: (
    status: number,
    msg = `fake error ${status}`,
    opts: { retryAfter?: number | string } = {},
  ): FakeReply => ({
    kind: 'json',
    status,
    body: {
      type: 'error',
      error: { type: ERROR_TYPES[status] ?? 'api_error', message: msg },
      request_id: 'req_fake',
    },
    headers: opts.retryAfter === undefined ? undefined : { 'retry-after': String(opts.retryAfter) },
  }),
};

function checkCacheControl(blocks: unknown): boolean {
  if (!Array.isArray(blocks)) return true;
  return blocks.every((b) => {
    const cc = (b as { cache_control?: { type?: unknown } | null }).cache_control;
    return cc === undefined || cc === null || cc.type === 'ephemeral';
  });
}

function check(req: RecordedRequest): FakeReply | undefined {
  const key = req.headers['x-api-key'];
  const auth = req.headers.authorization;
  if (
    !(typeof key === 'string' && key.length > 0) &&
    !(typeof auth === 'string' && auth.startsWith('Bearer '))
  ) {
    return anthropicReply.error(401, 'x-api-key header is required');
  }
  if (typeof req.headers['anthropic-version'] !== 'string') {
    return anthropicReply.error(400, 'anthropic-version header is required');
  }
  const body = req.body as Record<string, unknown> | undefined;
  if (typeof body !== 'object' || body === null)
    return anthropicReply.error(400, 'invalid JSON body');
  if (typeof body.model !== 'string') return anthropicReply.error(400, 'model: Field required');
  if (typeof body.max_tokens !== 'number')
    return anthropicReply.error(400, 'max_tokens: Field required');
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    return anthropicReply.error(400, 'messages: at least one message is required');
  }
  if (!checkCacheControl(body.system)) {
    return anthropicReply.error(400, 'system: cache_control.type must be "ephemeral"');
  }
  const choice = body.tool_choice as { type?: string; name?: string } | undefined;
  if (choice?.type === 'tool') {
    const tools = Array.isArray(body.tools) ? (body.tools as { name?: string }[]) : [];
    if (!tools.some((t) => t.name === choice.name)) {
      return anthropicReply.error(400, `tool_choice: tool '${choice.name}' not found in tools`);
    }
  }
  return undefined;
}

/** Fills the model and tool name the scripted reply left to the request. */
function complete(reply: FakeReply, req: RecordedRequest): FakeReply {
  if (reply.kind !== 'json' || reply.status !== 200) return reply;
  const request = req.body as { model: string; tool_choice?: { name?: string } };
  const body = reply.body as { model?: string; content?: Block[] };
  return {
    ...reply,
    body: {
      ...body,
      model: body.model ?? request.model,
      content: body.content?.map((b) =>
        b.type === 'tool_use' && b.name === undefined
          ? { ...b, name: request.tool_choice?.name ?? 'tool' }
          : b,
      ),
    },
  };
}

export function startFakeAnthropic(options: FakeVendorOptions = {}): Promise<FakeVendor> {
  return startFakeVendor(
    {
      basePath: '',
      route: '/v1/messages',
      check,
      error: (status, msg) => anthropicReply.error(status, msg),
      complete,
    },
    options,
  );
}
