import { loadConfig } from '../cli/config';
import type { ModelOutput } from '../domain/review';
import { connectClient, connectWorkerConnection } from '../workers/connection';
import { startPrivatePostgres } from '../test/integration/workers/privatePostgres';
import { anthropicReply, openaiReply, startFakeAnthropic, startFakeOpenAI } from '../test/fakes';
import { newFileDiff, startReviewHarness, type ReviewHarness } from '../test/helpers/reviewHarness';
import { startBenchServer } from './devServer';

/**
 * Review latency from workflow start to result, on a private dev server and PGlite:
 *   1. the local provider for both roles (what `npm start` does with no keys), and
 *   2. both chains on zero-latency fake vendors, i.e. the orchestration overhead alone
 *      (two child workflows, an activity each, consensus, the store writes).
 * Reviews run one after another, so each figure is a latency, not a queueing delay.
 *   npx tsx bench/review-latency.ts [reviews=20]
 */

const REVIEWS = Number(process.argv[2] ?? 20);

/** About 300 changed lines in three languages, with the usual mix of real issues and plain code. */
function benchDiff(): string {
  const ts = Array.from({ length: 20 }, (_, i) => [
    `export async function load${i}(db: Db, id: string) {`,
    i % 5 === 0
      ? `  return db.query(\`SELECT * FROM t${i} WHERE id = '\${id}'\`);`
      : `  return db.query('SELECT * FROM t${i} WHERE id = $1', [id]);`,
    '}',
    '',
    `export const limit${i} = ${i * 10};`,
  ]).flat();
  const py = Array.from({ length: 20 }, (_, i) => [
    `def handler_${i}(request):`,
    i % 4 === 0 ? '    return eval(request.body)' : `    return request.body.get("k${i}")`,
    '',
    '',
    `VALUE_${i} = ${i}`,
  ]).flat();
  const go = Array.from({ length: 20 }, (_, i) => [
    `func Step${i}(x int) int {`,
    i % 6 === 0 ? '\tpanic("not implemented")' : `\treturn x * ${i + 1}`,
    '}',
    '',
    `var Limit${i} = ${i}`,
  ]).flat();
  return [
    newFileDiff('src/load.ts', ts),
    newFileDiff('app/handlers.py', py),
    newFileDiff('pkg/steps/steps.go', ['package steps', '', ...go]),
  ].join('');
}

function percentile(sorted: number[], p: number): number {
  // nearest rank: with 20 samples p99 is the slowest one
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

async function measure(label: string, harness: ReviewHarness, diff: string): Promise<void> {
  const times: number[] = [];
  const findings: number[] = [];
  const run = Date.now().toString(36);
  for (let i = 0; i < REVIEWS; i += 1) {
    // Distinct titles give distinct review ids, so no run joins an earlier one.
    const started = performance.now();
    const { handle } = await harness.submit({ diff, title: `bench ${label} ${run} ${i}` });
    const outcome = await handle.result();
    times.push(performance.now() - started);
    if (outcome.status !== 'completed') throw new Error(`${label}: review ${i} ${outcome.status}`);
    findings.push(outcome.findingCount);
  }
  const sorted = [...times].sort((a, b) => a - b);
  const ms = (x: number) => `${Math.round(x)} ms`;
  process.stdout.write(
    `${label.padEnd(34)} n=${REVIEWS}  p50 ${ms(percentile(sorted, 50))}  ` +
      `p99 ${ms(percentile(sorted, 99))}  min ${ms(sorted[0] ?? NaN)}  ` +
      `findings/review ${findings[0]}\n`,
  );
}

async function main(): Promise<void> {
  const bench = await startBenchServer();
  const { logger, server } = bench;
  // PGlite in its own process: in this one its WASM work would share the event loop with the
  // workers it serves, and the figures would measure that contention.
  const postgres = await startPrivatePostgres();
  const anthropic = await startFakeAnthropic({
    script: () => anthropicReply.review({ findings: [], summary: 'ok' } satisfies ModelOutput),
  });
  const openai = await startFakeOpenAI({
    script: () => openaiReply.review({ findings: [], summary: 'ok' } satisfies ModelOutput),
  });
  const conn = loadConfig({ TEMPORAL_ADDRESS: server.address, LOG_LEVEL: 'error' });
  const connection = await connectWorkerConnection(conn, logger);
  const temporal = await connectClient(conn);
  const harnesses: ReviewHarness[] = [];
  try {
    const diff = benchDiff();
    process.stdout.write(`diff: ${diff.split('\n').length} lines; ${REVIEWS} reviews each\n`);
    const shared = { connection, client: temporal.client };
    const local = await startReviewHarness({ temporal: shared, databaseUrl: postgres.url });
    harnesses.push(local);
    await measure('local provider (both roles)', local, diff);
    const fake = await startReviewHarness({
      temporal: shared,
      databaseUrl: postgres.url,
      env: {
        ANTHROPIC_API_KEY: 'bench',
        ANTHROPIC_BASE_URL: anthropic.baseUrl,
        OPENAI_API_KEY: 'bench',
        OPENAI_BASE_URL: openai.baseUrl,
        QUORUM_PRIMARY_CHAIN: 'anthropic',
        QUORUM_VERIFIER_CHAIN: 'openai',
      },
    });
    harnesses.push(fake);
    await measure('zero-latency fake vendors', fake, diff);
  } finally {
    for (const h of harnesses) await h.stop();
    await temporal.close();
    await connection.close();
    await anthropic.close();
    await openai.close();
    await postgres.stop();
    await bench.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
