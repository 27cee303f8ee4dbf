import net from 'node:net';
import type { ModelOutput } from '../domain/review';
import {
  anthropicReply,
  fault,
  openaiReply,
  startFakeAnthropic,
  startFakeOpenAI,
  type FakeReply,
  type FakeVendor,
  type RecordedRequest,
} from '../test/fakes';

/**
 * The two model vendors of the chaos stack: the fake OpenAI (primary) and Anthropic (verifier)
 * servers from test/fakes, each behind a loopback TCP proxy that can stop accepting connections
 * (connect refused) and cut open ones. Faults on the primary are dialled per *cell*: every
 * review's file path carries its cell tag (src/chaos/<cell>/...), so cells with different faults
 * and rates run side by side and each counts its own requests.
 */

export const FAULTS = [
  'http500',
  'http503',
  'http429',
  'refused',
  'timeout',
  'reset',
  'malformed',
  'schema',
] as const;
export type Fault = (typeof FAULTS)[number];

const CELL = /src\/chaos\/([a-z0-9-]+)\//;

/** What a healthy model answers: one medium finding on line 2, the same from both vendors. */
function healthyOutput(req: RecordedRequest): ModelOutput {
  const file = /src\/chaos\/[a-z0-9-]+\/[a-z0-9-]+\.ts/.exec(req.rawBody)?.[0];
  return {
    summary: 'Chaos fake: one maintainability note.',
    findings: file
      ? [
          {
            file,
            startLine: 2,
            endLine: 2,
            dimension: 'maintainability',
            severity: 'medium',
            title: 'Unexplained magic number in the computation',
            explanation: 'Name the constant so the next reader knows where it comes from.',
            confidence: 0.8,
          },
        ]
      : [],
  };
}

function faultReply(f: Exclude<Fault, 'refused'>): FakeReply {
  switch (f) {
    case 'http500':
      return openaiReply.error(500, 'chaos: internal error');
    case 'http503':
      return openaiReply.error(503, 'chaos: overloaded');
    case 'http429':
      return openaiReply.error(429, 'chaos: rate limited', { retryAfter: 1 });
    case 'timeout':
      return fault.hang();
    case 'reset':
      return fault.dropMidBody();
    case 'malformed':
      return fault.malformedBody();
    case 'schema':
      return openaiReply.content(JSON.stringify({ verdict: 'fine', issues: 'none' }));
  }
}

/**
 * The n-th request (from 0) of a cell at rate p fails when ceil((n+1)p) > ceil(np): exactly the
 * rate over the cell, and the first request always fails, so even a short cell sees its fault.
 */
export function failsAt(n: number, rate: number): boolean {
  return Math.ceil((n + 1) * rate - 1e-9) > Math.ceil(n * rate - 1e-9);
}

export interface Proxy {
  url(path: string): string;
  readonly port: number;
  /** false: refuse new connections and cut open ones */
  setUp(up: boolean): Promise<void>;
  close(): Promise<void>;
}

async function startProxy(targetPort: number): Promise<Proxy> {
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const s = net.createServer((client) => {
        const upstream = net.connect(targetPort, '127.0.0.1');
        for (const sock of [client, upstream]) {
          sockets.add(sock);
          sock.on('close', () => sockets.delete(sock));
          sock.on('error', () => {
            client.destroy();
            upstream.destroy();
          });
        }
        client.pipe(upstream).pipe(client);
      });
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        const a = s.address();
        port = typeof a === 'object' && a ? a.port : port;
        server = s;
        resolve();
      });
    });
  const down = () =>
    new Promise<void>((resolve) => {
      const s = server;
      server = undefined;
      for (const sock of sockets) sock.destroy();
      if (!s) return resolve();
      s.close(() => resolve());
    });
  await listen();
  return {
    url: (p) => `http://127.0.0.1:${port}${p}`,
    get port() {
      return port;
    },
    setUp: async (up) => (up ? (server ? undefined : listen()) : down()),
    close: down,
  };
}

export interface CellCount {
  requests: number;
  faults: number;
}

export interface Vendors {
  openaiBaseUrl: string;
  anthropicBaseUrl: string;
  /** set (or clear, with undefined) the primary's fault for one cell */
  dial(cell: string, setting: { fault: Exclude<Fault, 'refused'>; rate: number } | undefined): void;
  counts(cell: string): CellCount;
  primaryProxy: Proxy;
  verifierProxy: Proxy;
  /** requests each fake vendor received in total */
  received(): { openai: number; anthropic: number };
  close(): Promise<void>;
}

export async function startVendors(): Promise<Vendors> {
  const dials = new Map<string, { fault: Exclude<Fault, 'refused'>; rate: number }>();
  const counts = new Map<string, CellCount>();
  const countFor = (cell: string) => {
    let c = counts.get(cell);
    if (!c) counts.set(cell, (c = { requests: 0, faults: 0 }));
    return c;
  };
  // The fakes keep every request for tests to inspect; a long run only needs the totals.
  let seen = { openai: 0, anthropic: 0 };
  const openai: FakeVendor = await startFakeOpenAI({
    script: (req) => {
      seen.openai += 1;
      openai.requests.length = 0;
      const cell = CELL.exec(req.rawBody)?.[1] ?? 'unknown';
      const count = countFor(cell);
      const n = count.requests++;
      const dial = dials.get(cell);
      if (dial && failsAt(n, dial.rate)) {
        count.faults += 1;
        return faultReply(dial.fault);
      }
      return openaiReply.review(healthyOutput(req));
    },
  });
  const anthropic: FakeVendor = await startFakeAnthropic({
    script: (req) => {
      seen.anthropic += 1;
      anthropic.requests.length = 0;
      return anthropicReply.review(healthyOutput(req));
    },
  });
  const portOf = (v: FakeVendor) => Number(new URL(v.baseUrl).port);
  const primaryProxy = await startProxy(portOf(openai));
  const verifierProxy = await startProxy(portOf(anthropic));
  return {
    openaiBaseUrl: primaryProxy.url('/v1'),
    anthropicBaseUrl: verifierProxy.url(''),
    dial: (cell, setting) => (setting ? dials.set(cell, setting) : dials.delete(cell)),
    counts: (cell) => ({ ...countFor(cell) }),
    primaryProxy,
    verifierProxy,
    received: () => ({ ...seen }),
    async close() {
      await primaryProxy.close();
      await verifierProxy.close();
      await openai.close();
      await anthropic.close();
      seen = { openai: 0, anthropic: 0 };
    },
  };
}
