import pg from 'pg';
import { DRAIN_MS, type ChaosContext } from './context';
import { chaosDiff } from './diffs';
import { sleep } from './procs';
import { BREAKER_COOLDOWN_MS } from './stack';
import { Tracker, type Outcome } from './tracker';
import { FAULTS, type Fault } from './vendors';

/**
 * Scenario 4: the primary vendor (OpenAI fake, chain openai → local) misbehaves in each way a
 * vendor can, at 10/50/100 %; the verifier (Anthropic fake, chain anthropic → local) stays
 * healthy except in the last part, where both vendors are down for a bounded window.
 */

const RATES = [0.1, 0.5, 1] as const;

const cellName = (f: Fault, rate: number) => `m-${f}-r${Math.round(rate * 100)}`;

/** Submissions 150 ms apart: the matrix is about vendor faults, not about an arrival burst. */
async function submitCell(tracker: Tracker, cell: string, count: number): Promise<string[]> {
  const pending: Promise<string | undefined>[] = [];
  for (let i = 0; i < count; i++) {
    pending.push(tracker.submit(chaosDiff(cell)));
    await sleep(150);
  }
  const ids = await Promise.all(pending);
  return ids.filter((id): id is string => id !== undefined);
}

/** How the primary role ended for these reviews: on the vendor, or failed over to local. */
async function primaryOutcome(databaseUrl: string, ids: string[]) {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const res = await db.query<{ vendor: string; local: string }>(
      `SELECT count(*) FILTER (WHERE provider <> 'local') AS vendor,
              count(*) FILTER (WHERE provider = 'local') AS local
       FROM model_calls WHERE review_id = ANY($1) AND role = 'primary'`,
      [ids],
    );
    return { vendor: Number(res.rows[0]?.vendor), local: Number(res.rows[0]?.local) };
  } finally {
    await db.end();
  }
}

function line(
  cell: string,
  ids: string[],
  requests: string,
  failover: { vendor: number; local: number },
) {
  return (
    `   ${cell.padEnd(16)} reviews ${String(ids.length).padStart(2)}  ${requests.padEnd(30)} ` +
    `primary answered by vendor ${failover.vendor}, failed over to local ${failover.local}`
  );
}

/** 4a. every fault the fake can put in a response, all cells side by side. */
export async function faultMatrix(ctx: ChaosContext): Promise<Outcome> {
  const { stack, vendors, say } = ctx;
  const perCell = ctx.short ? 2 : 5;
  const faults = FAULTS.filter((f): f is Exclude<Fault, 'refused'> => f !== 'refused');
  const tracker = new Tracker('4a vendor fault matrix', stack);
  say(`4a. primary faults ${faults.join(', ')} × rates 10/50/100% × ${perCell} reviews`);
  const cells: { cell: string; ids: string[] }[] = [];
  // Cells run side by side (their faults are keyed by path), each submitting in turn.
  const settings = faults.flatMap((f) =>
    RATES.map((rate) => ({ f, rate, cell: cellName(f, rate) })),
  );
  for (const s of settings) vendors.dial(s.cell, { fault: s.f, rate: s.rate });
  for (let i = 0; i < perCell; i++) {
    for (const s of settings) {
      const id = await tracker.submit(chaosDiff(s.cell));
      let entry = cells.find((c) => c.cell === s.cell);
      if (!entry) cells.push((entry = { cell: s.cell, ids: [] }));
      if (id) entry.ids.push(id);
      await sleep(150);
    }
  }
  await tracker.drain(DRAIN_MS, say);
  for (const { cell, ids } of cells.sort((a, b) => a.cell.localeCompare(b.cell))) {
    const c = vendors.counts(cell);
    vendors.dial(cell, undefined);
    const requests = `primary requests ${c.requests}, faulted ${c.faults}`;
    say(line(cell, ids, requests, await primaryOutcome(stack.databaseUrl, ids)));
  }
  return tracker.outcome();
}

/** 4b. connection refused: the primary's listener is down for `rate` of every 2 s. */
export async function connectRefused(ctx: ChaosContext): Promise<Outcome> {
  const { stack, vendors, say } = ctx;
  const perCell = ctx.short ? 2 : 5;
  const tracker = new Tracker('4b connect refused', stack);
  say(`4b. primary refuses connections 10/50/100% of the time, ${perCell} reviews per rate`);
  const proxy = vendors.primaryProxy;
  for (const rate of RATES) {
    const cell = cellName('refused', rate);
    let cycling = true;
    let downWindows = 0;
    const cycle = (async () => {
      while (cycling) {
        await proxy.setUp(false);
        downWindows += 1;
        await sleep(2000 * rate);
        if (rate < 1) await proxy.setUp(true);
        await sleep(2000 * (1 - rate));
      }
    })();
    const ids = await submitCell(tracker, cell, perCell);
    const cellTracker = new Tracker(cell, stack);
    for (const id of ids) cellTracker.ids.add(id);
    await cellTracker.drain(DRAIN_MS, say);
    cycling = false;
    await cycle;
    await proxy.setUp(true);
    const requests = `refusal windows ${downWindows}`;
    say(line(cell, ids, requests, await primaryOutcome(stack.databaseUrl, ids)));
  }
  return tracker.outcome();
}

/** 4c. both vendors refuse connections for a bounded window, then come back. */
export async function bothDown(ctx: ChaosContext): Promise<Outcome> {
  const { stack, vendors, say } = ctx;
  const downMs = ctx.short ? 8_000 : 20_000;
  const during = ctx.short ? 6 : 15;
  const tracker = new Tracker('4c both vendors down', stack);
  say(`4c. both vendors down for ${downMs / 1000}s; ${during} reviews during, ${during} after`);
  await vendors.primaryProxy.setUp(false);
  await vendors.verifierProxy.setUp(false);
  const before = vendors.received();
  const duringIds = await submitCell(tracker, 'down', during);
  await sleep(downMs);
  await vendors.primaryProxy.setUp(true);
  await vendors.verifierProxy.setUp(true);
  // The outage opened the vendors' breakers: traffic returns once they half-open.
  await sleep(BREAKER_COOLDOWN_MS + 1000);
  const afterIds = await submitCell(tracker, 'back', during);
  await tracker.drain(DRAIN_MS, say);
  const after = vendors.received();
  const dOut = await primaryOutcome(stack.databaseUrl, duringIds);
  const aOut = await primaryOutcome(stack.databaseUrl, afterIds);
  say(
    line(
      'during outage',
      duringIds,
      `vendor requests ${after.openai - before.openai}/${after.anthropic - before.anthropic}`,
      dOut,
    ),
  );
  say(line('after recovery', afterIds, '', aOut));
  const outcome = await tracker.outcome();
  if (aOut.vendor === 0 && afterIds.length > 0) {
    outcome.failedChecks.push('no review used the primary vendor again after it came back');
  }
  return outcome;
}
