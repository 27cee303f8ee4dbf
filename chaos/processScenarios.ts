import { DRAIN_MS, readyz, submitPaced, type ChaosContext } from './context';
import { sleep } from './procs';
import { Tracker, type Outcome } from './tracker';

/** Scenarios 1–3: our own processes fail under the reviews. */

/** 1. kill -9 a worker process again and again while reviews flow in. */
export async function workerKills(ctx: ChaosContext): Promise<Outcome> {
  const { stack, say } = ctx;
  const reviews = ctx.short ? 30 : 120;
  const kills = ctx.short ? 6 : 24;
  const windowMs = ctx.short ? 24_000 : 84_000;
  const tracker = new Tracker('1 worker kill -9', stack);
  say(
    `1. kill -9 a worker ${kills} times while ${reviews} reviews arrive over ${windowMs / 1000}s`,
  );
  const submitting = submitPaced(tracker, 'kill', reviews, windowMs / reviews);
  const killed: number[] = [];
  for (let k = 0; k < kills; k++) {
    await sleep(windowMs / kills);
    killed.push(await stack.killWorker(k % stack.workers().length));
  }
  await submitting;
  say(`   killed pids ${killed.join(' ')}; each was replaced by a fresh worker process`);
  await tracker.drain(DRAIN_MS, say);
  const outcome = await tracker.outcome();
  outcome.notes.push(`${killed.length} kill -9, each worker replaced by a fresh process`);
  return outcome;
}

/** 2. stop the Temporal dev server (persistent db) with reviews in flight, then start it again. */
export async function temporalRestart(ctx: ChaosContext): Promise<Outcome> {
  const { stack, say } = ctx;
  const cycles = ctx.short ? 1 : 3;
  const perCycle = ctx.short ? 12 : 20;
  const downMs = ctx.short ? 5_000 : 10_000;
  const tracker = new Tracker('2 Temporal restart', stack);
  say(`2. stop Temporal for ${downMs / 1000}s, ${cycles} time(s), ${perCycle} reviews per cycle`);
  for (let c = 0; c < cycles; c++) {
    // Half arrive before the stop, half while it is down (the API must refuse, we retry).
    const submitting = submitPaced(tracker, 'temporal', perCycle, 300);
    await sleep(perCycle * 150);
    const t0 = Date.now();
    await stack.stopTemporal();
    say(`   cycle ${c + 1}: Temporal stopped`);
    await sleep(downMs);
    await stack.startTemporal();
    say(
      `   cycle ${c + 1}: Temporal serving again after ${((Date.now() - t0) / 1000).toFixed(1)}s`,
    );
    await submitting;
  }
  await tracker.drain(DRAIN_MS, say);
  const outcome = await tracker.outcome();
  outcome.notes.push(`${cycles} restart(s) of the Temporal dev server`);
  return outcome;
}

/** 3. stop PostgreSQL with reviews in flight; /readyz must say 503 and then 200 again. */
export async function postgresRestart(ctx: ChaosContext): Promise<Outcome> {
  const { stack, say } = ctx;
  const cycles = ctx.short ? 1 : 3;
  const perCycle = ctx.short ? 12 : 20;
  const downMs = ctx.short ? 5_000 : 10_000;
  const tracker = new Tracker('3 PostgreSQL restart', stack);
  say(`3. stop ${stack.postgres.kind} for ${downMs / 1000}s, ${cycles} time(s)`);
  const seen = { down503: 0, backTo200: 0, recoverMs: [] as number[] };
  for (let c = 0; c < cycles; c++) {
    const submitting = submitPaced(tracker, 'postgres', perCycle, 300);
    await sleep(perCycle * 150);
    await stack.postgres.stop();
    say(`   cycle ${c + 1}: database stopped`);
    let saw503 = false;
    const downUntil = Date.now() + downMs;
    while (Date.now() < downUntil) {
      if ((await readyz(stack.apiUrl)) === 503) saw503 = true;
      await sleep(500);
    }
    if (saw503) seen.down503 += 1;
    const t0 = Date.now();
    await stack.postgres.start();
    let ok = false;
    while (!ok && Date.now() - t0 < 60_000) {
      ok = (await readyz(stack.apiUrl)) === 200;
      if (!ok) await sleep(250);
    }
    if (ok) {
      seen.backTo200 += 1;
      seen.recoverMs.push(Date.now() - t0);
    }
    say(
      `   cycle ${c + 1}: /readyz ${saw503 ? 'was 503 while down' : 'never said 503'}, ` +
        `${ok ? `200 again ${Date.now() - t0} ms after the restart` : 'not 200 within 60s'}`,
    );
    await submitting;
  }
  await tracker.drain(DRAIN_MS, say);
  const outcome = await tracker.outcome();
  outcome.notes.push(
    `${cycles} restart(s); /readyz 503 while down in ${seen.down503}/${cycles}, ` +
      `200 again in ${seen.backTo200}/${cycles}`,
  );
  if (seen.down503 < cycles) outcome.failedChecks.push('/readyz did not answer 503 while down');
  if (seen.backTo200 < cycles) outcome.failedChecks.push('/readyz did not return to 200');
  return outcome;
}
