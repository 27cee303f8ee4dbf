import http from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * The machinery shared by the fake model vendors: a loopback HTTP server that records every
 * request and answers from a script, with faults a real vendor (or the network to it) shows.
 * Vendor files add the route, the protocol checks and reply builders in the vendor's shape.
 */

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
  /** the body parsed as JSON, or undefined when it is not JSON */
  body: unknown;
}

export type FakeReply =
  | {
      kind: 'json';
      status: number;
      body: unknown;
      headers?: Record<string, string>;
      delayMs?: number;
    }
  | {
      kind: 'raw';
      status: number;
      body: string;
      headers?: Record<string, string>;
      delayMs?: number;
    }
  /** accept the request and never answer (a client timeout must fire) */
  | { kind: 'hang' }
  /** destroy the socket before any response bytes, or after half of a 200 body */
  | { kind: 'drop'; when: 'before-response' | 'mid-body'; delayMs?: number };

/** A queue of replies used in order, or a function of each request (index counts from 0). */
export type FakeScript =
  readonly FakeReply[] | ((req: RecordedRequest, index: number) => FakeReply | Promise<FakeReply>);

export interface FakeVendorOptions {
  script?: FakeScript;
}

export interface FakeVendor {
  /** what to configure as the vendor base URL (OPENAI_BASE_URL / ANTHROPIC_BASE_URL) */
  baseUrl: string;
  /** every request received, in arrival order, including ones the fake rejected */
  requests: RecordedRequest[];
  setScript(script: FakeScript): void;
  /** replies still queued (0 for function scripts) */
  remaining(): number;
  /** stops listening and destroys every open socket, including hung requests */
  close(): Promise<void>;
}

/** Faults that look the same whatever the vendor. */
export const fault = {
  hang: (): FakeReply => ({ kind: 'hang' }),
  dropBeforeResponse: (): FakeReply => ({ kind: 'drop', when: 'before-response' }),
  dropMidBody: (): FakeReply => ({ kind: 'drop', when: 'mid-body' }),
  /** a 200 whose body is cut-off JSON, as from a broken proxy */
  malformedBody: (): FakeReply => ({
    kind: 'raw',
    status: 200,
    body: '{"id":"broken","choices":[{"message":{"content":"{\\"find',
  }),
  delayed: (ms: number, reply: FakeReply): FakeReply =>
    reply.kind === 'hang' ? reply : { ...reply, delayMs: ms },
};

export interface VendorSpec {
  /** path prefix the SDK appends routes to, e.g. '/v1' for OpenAI */
  basePath: string;
  route: string;
  /** a protocol violation in the request, answered like the vendor would, or undefined */
  check(req: RecordedRequest): FakeReply | undefined;
  error(status: number, message: string): FakeReply;
  /** fills what a scripted reply left to the request (model name, tool name) */
  complete(reply: FakeReply, req: RecordedRequest): FakeReply;
}

const MID_BODY = JSON.stringify({ id: 'cut', padding: 'x'.repeat(4096) });

export async function startFakeVendor(
  spec: VendorSpec,
  options: FakeVendorOptions = {},
): Promise<FakeVendor> {
  let script: FakeScript = options.script ?? [];
  let queue: FakeReply[] = Array.isArray(script) ? [...script] : [];
  let scriptedCount = 0;
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  const nextReply = async (req: RecordedRequest): Promise<FakeReply> => {
    const index = scriptedCount++;
    if (typeof script === 'function') return script(req, index);
    const reply = queue.shift();
    return reply ?? spec.error(500, `fake vendor: no scripted reply left for request ${index}`);
  };

  const send = (res: ServerResponse, socket: Socket, reply: FakeReply) => {
    if (reply.kind === 'hang' || socket.destroyed) return;
    if (reply.kind === 'drop') {
      if (reply.when === 'before-response') {
        socket.destroy();
        return;
      }
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': String(MID_BODY.length),
      });
      res.write(MID_BODY.slice(0, MID_BODY.length / 2), () => later(20, () => socket.destroy()));
      return;
    }
    const body = reply.kind === 'json' ? JSON.stringify(reply.body) : reply.body;
    res.writeHead(reply.status, {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      ...reply.headers,
    });
    res.end(body);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, rawBody: string) => {
    let body: unknown;
    try {
      body = JSON.parse(rawBody);
    } catch {
      body = undefined;
    }
    const recorded: RecordedRequest = {
      method: req.method ?? '',
      path: (req.url ?? '').split('?')[0] ?? '',
      headers: req.headers,
      rawBody,
      body,
    };
    requests.push(recorded);
    let reply: FakeReply;
    if (recorded.method !== 'POST' || recorded.path !== spec.route) {
      reply = spec.error(404, `fake vendor: no route ${recorded.method} ${recorded.path}`);
    } else {
      try {
        reply = spec.check(recorded) ?? spec.complete(await nextReply(recorded), recorded);
      } catch (e) {
        reply = spec.error(500, `fake vendor: script threw: ${(e as Error).message}`);
      }
    }
    const delay = reply.kind === 'hang' ? 0 : (reply.delayMs ?? 0);
    if (delay > 0) later(delay, () => send(res, req.socket, reply));
    else send(res, req.socket, reply);
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => void handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('fake vendor: no port');

  return {
    baseUrl: `http://127.0.0.1:${address.port}${spec.basePath}`,
    requests,
    setScript(next) {
      script = next;
      queue = Array.isArray(next) ? [...next] : [];
    },
    remaining: () => queue.length,
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
        server.closeAllConnections();
      }),
  };
}
