import http from 'node:http';
import { percentile } from './tracker';

/**
 * An open-loop, constant-arrival-rate load generator (the wrk2 model): request i is due at
 * start + i / rate whatever happened to the requests before it, and its latency is counted from
 * that due time, so a slow server cannot slow the generator down and hide its own queueing
 * (coordinated omission). Used instead of autocannon, whose `overallRate` sends each
 * connection's per-second quota back to back at the top of every second (bursts of
 * `connections` requests at once) and whose omission correction, given an interval of 1 ms for
 * any rate, adds a synthetic sample per millisecond of every response — both inflate the
 * percentiles well past what the server does at that rate.
 */

export interface PacedRequest {
  method: 'GET' | 'POST';
  path: string;
  body?: string;
}

export interface PacedResult {
  requests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
  /** how far behind its schedule the generator itself fell, worst case, ms */
  maxLagMs: number;
}

export interface PacedOptions {
  url: string;
  ratePerSecond: number;
  durationSeconds: number;
  headers: Record<string, string>;
  timeoutMs: number;
  request: (i: number) => PacedRequest;
  onResponse?: (status: number, body: string) => void;
}

export async function pacedLoad(opts: PacedOptions): Promise<PacedResult> {
  const base = new URL(opts.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const total = Math.max(0, Math.round(opts.ratePerSecond * opts.durationSeconds));
  const interval = 1000 / opts.ratePerSecond;
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  let timeouts = 0;
  let maxLagMs = 0;
  const inFlight: Promise<void>[] = [];

  const send = (i: number, due: number): Promise<void> =>
    new Promise<void>((resolve) => {
      const spec = opts.request(i);
      let timedOut = false;
      // a failed request counts too, at the time it failed: leaving it out would flatter p99
      const failed = () => {
        latencies.push(performance.now() - due);
        if (!timedOut) errors += 1;
        resolve();
      };
      const req = http.request(
        {
          protocol: base.protocol,
          hostname: base.hostname,
          port: base.port,
          path: spec.path,
          method: spec.method,
          agent,
          headers: {
            ...opts.headers,
            ...(spec.body === undefined ? {} : { 'content-length': Buffer.byteLength(spec.body) }),
          },
          timeout: opts.timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            latencies.push(performance.now() - due);
            const status = res.statusCode ?? 0;
            if (status < 200 || status >= 300) non2xx += 1;
            opts.onResponse?.(status, Buffer.concat(chunks).toString('utf8'));
            resolve();
          });
          res.on('error', failed);
        },
      );
      req.on('timeout', () => {
        timedOut = true;
        timeouts += 1;
        req.destroy(new Error('timeout'));
      });
      req.on('error', failed);
      req.end(spec.body);
    });

  const start = performance.now();
  for (let i = 0; i < total; i += 1) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    maxLagMs = Math.max(maxLagMs, performance.now() - due);
    inFlight.push(send(i, due));
  }
  await Promise.all(inFlight);
  agent.destroy();
  const sorted = latencies.sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 10) / 10;
  return {
    requests: total,
    non2xx,
    errors,
    timeouts,
    p50: round(percentile(sorted, 50)),
    p99: round(percentile(sorted, 99)),
    p999: round(percentile(sorted, 99.9)),
    max: round(sorted[sorted.length - 1] ?? NaN),
    maxLagMs: round(maxLagMs),
  };
}
