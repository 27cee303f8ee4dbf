import { chaosDiff } from './diffs';
import { sleep } from './procs';
import type { ChaosStack } from './stack';
import type { Tracker } from './tracker';
import type { Vendors } from './vendors';

export interface ChaosContext {
  stack: ChaosStack;
  vendors: Vendors;
  short: boolean;
  say: (msg: string) => void;
}

/**
 * The bound on waiting for a scenario's reviews. It must outlast the longest timeout a review can
 * be left waiting on: a model-call activity task lost with its worker, or lost by the Temporal
 * server (a restart, or dev-server SQLite writes timing out under a burst), is only retried after
 * callModel's 5-minute start-to-close timeout (it does not heartbeat), so one loss costs that much.
 */
export const DRAIN_MS = 7 * 60_000;

/** Submits `count` reviews in `cell`, one every `everyMs`, without waiting for each answer. */
export async function submitPaced(
  tracker: Tracker,
  cell: string,
  count: number,
  everyMs: number,
  stopEarly: () => boolean = () => false,
): Promise<void> {
  const pending: Promise<unknown>[] = [];
  for (let i = 0; i < count && !stopEarly(); i++) {
    pending.push(tracker.submit(chaosDiff(cell)));
    if (everyMs > 0) await sleep(everyMs);
  }
  await Promise.all(pending);
}

/** The API's /readyz status, or 0 when it does not answer at all. */
export async function readyz(apiUrl: string): Promise<number> {
  try {
    const res = await fetch(`${apiUrl}/readyz`, { signal: AbortSignal.timeout(5000) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}
