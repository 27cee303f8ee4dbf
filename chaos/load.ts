import { DRAIN_MS, type ChaosContext } from './context';
import { chaosDiff } from './diffs';
import { pacedLoad, type PacedResult } from './pacedLoad';
import { Tracker, type Outcome } from './tracker';

/**
 * Scenario 5: five times the nominal rate, held for a fixed duration, one paced open-loop
 * generator per endpoint class (chaos/pacedLoad.ts) so each gets its own latencies. Nominal on this 2-core machine (shared
 * with the whole stack and the load generator itself) is defined as NOMINAL below.
 */

const REVIEW_PATH = '/api/v2/cr-ai/review';

/** requests per second at nominal load */
export const NOMINAL = { submit: 1, status: 10, list: 4 } as const;
export const LOAD_FACTOR = 5;
/** the original SLA table, p99 in ms */
export const SLA_MS = { submit: 500, status: 100, list: 100 } as const;

export interface EndpointFigures {
  endpoint: keyof typeof NOMINAL;
  ratePerSecond: number;
  requests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
  /** the generator's own worst lag behind schedule: large values mean the figures are suspect */
  generatorLagMs: number;
  slaP99Ms: number;
  withinSla: boolean;
}

function figures(endpoint: keyof typeof NOMINAL, rate: number, r: PacedResult): EndpointFigures {
  return {
    endpoint,
    ratePerSecond: rate,
    requests: r.requests,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    p50: r.p50,
    p99: r.p99,
    p999: r.p999,
    max: r.max,
    generatorLagMs: r.maxLagMs,
    slaP99Ms: SLA_MS[endpoint],
    withinSla: r.p99 <= SLA_MS[endpoint] && r.errors === 0 && r.non2xx === 0 && r.timeouts === 0,
  };
}

export async function loadTest(
  ctx: ChaosContext,
  readIds: string[],
): Promise<{ outcome: Outcome; endpoints: EndpointFigures[] }> {
  const { stack, say } = ctx;
  const duration = ctx.short ? 15 : 60;
  const tracker = new Tracker(`5 load ${LOAD_FACTOR}x nominal`, stack);
  if (readIds.length === 0) {
    // Run on its own: give the readers something finished to read.
    for (let i = 0; i < 5; i++) await tracker.submit(chaosDiff('seed'));
    await tracker.drain(DRAIN_MS, say);
    readIds.push(...tracker.ids);
    tracker.ids.clear();
  }
  const rate = {
    submit: NOMINAL.submit * LOAD_FACTOR,
    status: NOMINAL.status * LOAD_FACTOR,
    list: NOMINAL.list * LOAD_FACTOR,
  };
  say(
    `5. load for ${duration}s at ${LOAD_FACTOR}x nominal: ${rate.submit} submits/s, ` +
      `${rate.status} status reads/s, ${rate.list} findings-list reads/s`,
  );
  const headers = {
    authorization: `Bearer ${stack.adminKey}`,
    'content-type': 'application/json',
  };
  let read = 0;
  const nextId = () => readIds[read++ % readIds.length] ?? '';
  const common = {
    url: stack.apiUrl,
    durationSeconds: duration,
    headers,
    timeoutMs: 10_000,
  };
  const runs = await Promise.all([
    pacedLoad({
      ...common,
      ratePerSecond: rate.submit,
      request: () => ({
        method: 'POST',
        path: REVIEW_PATH,
        body: JSON.stringify({ diff: chaosDiff('load'), title: 'chaos load' }),
      }),
      onResponse: (status, body) => {
        if (status !== 200 && status !== 202) return;
        const id = (JSON.parse(body) as { id?: string }).id;
        if (id) tracker.ids.add(id);
      },
    }),
    pacedLoad({
      ...common,
      ratePerSecond: rate.status,
      request: () => ({ method: 'GET', path: `${REVIEW_PATH}/${nextId()}` }),
    }),
    pacedLoad({
      ...common,
      ratePerSecond: rate.list,
      request: () => ({ method: 'GET', path: `${REVIEW_PATH}/${nextId()}/findings?limit=50` }),
    }),
  ]);
  const endpoints = [
    figures('submit', rate.submit, runs[0]),
    figures('status', rate.status, runs[1]),
    figures('list', rate.list, runs[2]),
  ];
  for (const e of endpoints) {
    say(
      `   ${e.endpoint.padEnd(7)} ${e.requests} requests (${e.non2xx} non-2xx, ${e.errors} errors): ` +
        `p50 ${e.p50} ms, p99 ${e.p99} ms, p99.9 ${e.p999} ms, max ${e.max} ms ` +
        `(generator lag ≤ ${e.generatorLagMs} ms); SLA p99 ≤ ${e.slaP99Ms} ms: ` +
        `${e.withinSla ? 'met' : 'missed'}`,
    );
  }
  say(`   draining the ${tracker.ids.size} reviews the load submitted`);
  await tracker.drain(DRAIN_MS, say);
  const outcome = await tracker.outcome();
  outcome.notes.push(
    `submit non-2xx ${endpoints[0]?.non2xx ?? 0} (not accepted, so not counted as submitted)`,
  );
  return { outcome, endpoints };
}
