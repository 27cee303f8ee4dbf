import {
  anthropicReply,
  fault,
  openaiReply,
  startFakeAnthropic,
  startFakeOpenAI,
} from '../../fakes';
import type { FakeVendor } from '../../fakes';

const chat = { model: 'gpt-x', messages: [{ role: 'user', content: 'hi' }] };
const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
const openaiAuth = { authorization: 'Bearer k' };

describe('fake vendor servers', () => {
  let fake: FakeVendor | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  it('answers a queue in order, then says the script ran out', async () => {
    fake = await startFakeOpenAI({
      script: [openaiReply.review({ a: 1 }), openaiReply.error(503)],
    });
    const url = `${fake.baseUrl}/chat/completions`;
    const first = (await (await post(url, chat, openaiAuth)).json()) as {
      model: string;
      choices: { message: { content: string } }[];
    };
    expect(first.model).toBe('gpt-x');
    expect(first.choices[0]?.message.content).toBe('{"a":1}');
    expect(fake.remaining()).toBe(1);
    expect((await post(url, chat, openaiAuth)).status).toBe(503);
    const exhausted = await post(url, chat, openaiAuth);
    expect(exhausted.status).toBe(500);
    expect(JSON.stringify(await exhausted.json())).toContain('no scripted reply left');
  });

  it('answers from a function of the request and its index', async () => {
    fake = await startFakeOpenAI({
      script: (req, i) => openaiReply.content(`${(req.body as { model: string }).model}#${i}`),
    });
    const url = `${fake.baseUrl}/chat/completions`;
    await post(url, chat, openaiAuth);
    const second = (await (await post(url, chat, openaiAuth)).json()) as {
      choices: { message: { content: string } }[];
    };
    expect(second.choices[0]?.message.content).toBe('gpt-x#1');
  });

  it('records every request, including ones it rejects', async () => {
    fake = await startFakeOpenAI({ script: [openaiReply.review({})] });
    expect((await post(`${fake.baseUrl}/chat/completions`, chat)).status).toBe(401);
    expect((await post(`${fake.baseUrl}/embeddings`, chat, openaiAuth)).status).toBe(404);
    expect(fake.requests.map((r) => r.path)).toEqual(['/v1/chat/completions', '/v1/embeddings']);
    expect(fake.requests[0]?.body).toEqual(chat);
    // Rejections do not consume the script.
    expect(fake.remaining()).toBe(1);
  });

  it('rejects an OpenAI json_schema response_format without a schema', async () => {
    fake = await startFakeOpenAI({ script: [openaiReply.review({})] });
    const res = await post(
      `${fake.baseUrl}/chat/completions`,
      { ...chat, response_format: { type: 'json_schema', json_schema: { name: 'x' } } },
      openaiAuth,
    );
    expect(res.status).toBe(400);
  });

  it('checks the Anthropic protocol: version header, max_tokens, forced tool exists', async () => {
    fake = await startFakeAnthropic({ script: [anthropicReply.review({ ok: true })] });
    const url = `${fake.baseUrl}/v1/messages`;
    const base = { model: 'c', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] };
    const auth = { 'x-api-key': 'k' };
    const version = { ...auth, 'anthropic-version': '2023-06-01' };
    expect((await post(url, base, auth)).status).toBe(400);
    expect((await post(url, { ...base, max_tokens: undefined }, version)).status).toBe(400);
    const forced = { ...base, tool_choice: { type: 'tool', name: 'missing' }, tools: [] };
    expect((await post(url, forced, version)).status).toBe(400);
    const ok = {
      ...base,
      system: [{ type: 'text', text: 's', cache_control: { type: 'ephemeral' } }],
      tools: [{ name: 'submit', input_schema: { type: 'object' } }],
      tool_choice: { type: 'tool', name: 'submit' },
    };
    const res = await post(url, ok, version);
    expect(res.status).toBe(200);
    const message = (await res.json()) as { model: string; content: { name: string }[] };
    expect(message.model).toBe('c');
    expect(message.content[0]?.name).toBe('submit');
  });

  it('sends retry-after with a scripted 429', async () => {
    fake = await startFakeAnthropic({
      script: [anthropicReply.error(429, 'slow', { retryAfter: 9 })],
    });
    const res = await post(
      `${fake.baseUrl}/v1/messages`,
      { model: 'c', max_tokens: 1, messages: [{ role: 'user', content: 'x' }] },
      { 'x-api-key': 'k', 'anthropic-version': '2023-06-01' },
    );
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('9');
    expect(await res.json()).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
  });

  it('closes promptly while a request hangs, failing that request', async () => {
    fake = await startFakeOpenAI({ script: [fault.hang()] });
    const pending = post(`${fake.baseUrl}/chat/completions`, chat, openaiAuth).then(
      () => 'answered',
      () => 'failed',
    );
    while (fake.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    const started = Date.now();
    await fake.close();
    fake = undefined;
    expect(await pending).toBe('failed');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('drops the connection mid-body after sending a 200 status', async () => {
    fake = await startFakeOpenAI({ script: [fault.dropMidBody()] });
    const res = await post(`${fake.baseUrl}/chat/completions`, chat, openaiAuth);
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();
  });

  it('answers after the scripted delay', async () => {
    fake = await startFakeOpenAI({ script: [fault.delayed(150, openaiReply.review({}))] });
    const started = Date.now();
    expect((await post(`${fake.baseUrl}/chat/completions`, chat, openaiAuth)).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });
});
