import { Worker } from '@temporalio/worker';
import { loadConfig } from '../cli/config';
import { connectWorkerConnection } from '../workers/connection';
import { startPrivatePostgres } from '../test/integration/workers/privatePostgres';
import { sampleCommit, startCommitHarness } from '../test/integration/commits/harness';
import type { floorBatch } from './floor/workflows';
import { startBenchServer } from './devServer';

/**
 * Batch analysis latency, from submission (the API service: prepare, redact, store, start) to the
 * stored proposal, on a private dev server and a private PostgreSQL (PGlite in its own process,
 * or DATABASE_URL). Beside it, in the same run, a baseline: a child workflow per commit (the
 * batch's first shape) with three local activities that do nothing — what Temporal alone costs
 * for that shape here, and why batches now run in slices (domain/commits/flow.ts sliceBatch).
 *   npx tsx bench/batch-analysis.ts [runs=7] [size=50] [--thousand]
 */

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const RUNS = Number(args[0] ?? 7);
const SIZE = Number(args[1] ?? 50);
const THOUSAND = process.argv.includes('--thousand');
const CONCURRENCY = 8;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}
function line(label: string, times: number[]): string {
  const s = [...times].sort((a, b) => a - b);
  const ms = (x: number) => `${Math.round(x)} ms`;
  return (
    `${label.padEnd(36)} n=${times.length}  p50 ${ms(percentile(s, 50))}  ` +
    `p99 ${ms(percentile(s, 99))}  min ${ms(s[0] ?? NaN)}\n`
  );
}

async function main(): Promise<void> {
  const bench = await startBenchServer();
  const { base, logger, server } = bench;
  const external =
    base.database.url && !base.database.url.startsWith('pglite') ? base.database.url : undefined;
  const postgres = external ? undefined : await startPrivatePostgres();
  const databaseUrl = external ?? (postgres as { url: string }).url;
  const h = await startCommitHarness({
    TEMPORAL_ADDRESS: server.address,
    DATABASE_URL: databaseUrl,
    QUORUM_ANALYSIS_CONCURRENCY: String(CONCURRENCY),
  });
  const floorConnection = await connectWorkerConnection(
    loadConfig({ TEMPORAL_ADDRESS: server.address, LOG_LEVEL: 'error' }),
    logger,
  );
  const floorWorker = await Worker.create({
    connection: floorConnection,
    taskQueue: 'bench-floor',
    workflowsPath: require.resolve('./floor/workflows'),
    activities: { noop: ({ i }: { i: number }) => Promise.resolve(i) },
    maxConcurrentWorkflowTaskExecutions: 40,
    maxConcurrentLocalActivityExecutions: 40,
  });
  const floorRun = floorWorker.run();
  const run = Date.now().toString(36);
  try {
    process.stdout.write(
      `database: ${external ? 'PostgreSQL (DATABASE_URL)' : 'PGlite (own process)'}; ` +
        `${SIZE} commits per batch, concurrency ${CONCURRENCY}, ${RUNS} runs each\n`,
    );
    const floor: number[] = [];
    const batches: number[] = [];
    const submits: number[] = [];
    // one warm-up of each, not counted: the first run pays for JIT and caches
    for (let r = -1; r < RUNS; r += 1) {
      const f0 = performance.now();
      await h.client.workflow.execute<typeof floorBatch>('floorBatch', {
        taskQueue: 'bench-floor',
        workflowId: `floor-${run}-${r}`,
        args: [SIZE, CONCURRENCY, `floor-${run}-${r}`],
      });
      if (r >= 0) floor.push(performance.now() - f0);

      const commits = Array.from({ length: SIZE }, (_, i) =>
        sampleCommit(1_000_000 * (r + 2) + i, i % 9 === 0 ? `feat: case ${i}` : `fix: case ${i}`),
      );
      const b0 = performance.now();
      const { id } = await h.service.submitBatch(
        { repository: `bench/batch-${run}`, currentVersion: '1.0.0', commits },
        0,
      );
      const submitted = performance.now();
      await h.client.workflow.getHandle(id).result();
      if (r >= 0) {
        batches.push(performance.now() - b0);
        submits.push(submitted - b0);
      }
    }
    process.stdout.write(line(`baseline: ${SIZE} no-op child-per-commit`, floor));
    process.stdout.write(line(`batch: ${SIZE} commits (submit→proposal)`, batches));
    process.stdout.write(line('  of which the submit call', submits));
    const med = (xs: number[]) =>
      percentile(
        [...xs].sort((a, b) => a - b),
        50,
      );
    process.stdout.write(
      `batch / baseline (medians): ${(med(batches) / med(floor)).toFixed(2)}x\n`,
    );
    if (THOUSAND) {
      const commits = Array.from({ length: 1000 }, (_, i) =>
        sampleCommit(900_000_000 + i, `fix: case ${i}`),
      );
      const t0 = performance.now();
      const { id } = await h.service.submitBatch(
        { repository: `bench/thousand-${run}`, currentVersion: '1.0.0', commits },
        0,
      );
      await h.client.workflow.getHandle(id).result();
      process.stdout.write(`batch: 1000 commits ${Math.round(performance.now() - t0)} ms\n`);
    }
  } finally {
    floorWorker.shutdown();
    await floorRun;
    await floorConnection.close();
    await h.stop();
    await postgres?.stop();
    await bench.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
