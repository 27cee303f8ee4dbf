import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { ChaosContext } from './context';
import { loadTest, type EndpointFigures } from './load';
import { postgresRestart, temporalRestart, workerKills } from './processScenarios';
import { startChaosStack, type ChaosStack } from './stack';
import { loadTable, table, violations, writeSummary, type Summary } from './summary';
import type { Outcome } from './tracker';
import { bothDown, connectRefused, faultMatrix } from './vendorScenarios';
import { startVendors, type Vendors } from './vendors';

/**
 * `npm run chaos [-- --short] [--only kill,temporal,postgres,vendors,load] [--pglite] [--keep]`
 *
 * Starts a private stack on loopback (every part a process this runner owns), breaks it in the
 * ways issue 4 lists while reviews are in flight, and counts what became of every review.
 * Exits 1 when any review was lost, stuck or duplicated, or a scenario check failed.
 */

const SCENARIOS = ['kill', 'temporal', 'postgres', 'vendors', 'load'] as const;
type ScenarioName = (typeof SCENARIOS)[number];

const root = path.resolve(__dirname, '..');
const say = (msg: string) => process.stdout.write(`${msg}\n`);

function parse() {
  const { values } = parseArgs({
    options: {
      short: { type: 'boolean', default: false },
      only: { type: 'string' },
      pglite: { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      out: { type: 'string', default: path.join(root, '.quorum', 'chaos', 'summary.json') },
    },
  });
  const only = (values.only?.split(',') ?? [...SCENARIOS]).map((s) => s.trim());
  const unknown = only.filter((s) => !(SCENARIOS as readonly string[]).includes(s));
  if (unknown.length > 0) throw new Error(`unknown scenario(s): ${unknown.join(', ')}`);
  return { ...values, only: only as ScenarioName[] };
}

async function main(): Promise<number> {
  const args = parse();
  const t0 = Date.now();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'quorum-chaos-'));
  say(`chaos (${args.short ? 'short' : 'full'}): ${args.only.join(', ')}; working dir ${dir}`);
  let vendors: Vendors | undefined;
  let stack: ChaosStack | undefined;
  const outcomes: Outcome[] = [];
  let load: EndpointFigures[] = [];
  const stopAll = async () => {
    await stack?.stop();
    await vendors?.close();
    if (!args.keep) await rm(dir, { recursive: true, force: true });
  };
  let interrupted = false;
  process.once('SIGINT', () => {
    interrupted = true;
    say('interrupted: stopping the chaos stack');
    void stopAll().then(() => process.exit(130));
  });
  try {
    vendors = await startVendors();
    stack = await startChaosStack({
      root,
      dir,
      vendors,
      workerCount: 2,
      preferPglite: args.pglite,
      say: (m) => say(`  ${m}`),
    });
    const ctx: ChaosContext = { stack, vendors, short: args.short, say };
    const run = async (name: ScenarioName, fn: () => Promise<Outcome[]>) => {
      if (!args.only.includes(name) || interrupted) return;
      const s0 = Date.now();
      const before = stack?.crashes() ?? { api: 0, workers: 0 };
      try {
        const results = await fn();
        // A process of ours that dies on its own under the fault is a defect even if no review
        // was lost: the supervisor hid it, a real deployment would see a restart.
        const after = stack?.crashes() ?? before;
        const api = after.api - before.api;
        const workers = after.workers - before.workers;
        const last = results[results.length - 1];
        if (last && api > 0) last.failedChecks.push(`API process exited on its own ${api} time(s)`);
        if (last && workers > 0)
          last.failedChecks.push(`worker process exited on its own ${workers} time(s)`);
        outcomes.push(...results);
        for (const o of results) {
          say(
            `   → ${o.scenario}: submitted ${o.submitted}, completed ${o.completed}, ` +
              `failed-with-reason ${o.failedWithReason}, duplicates ${o.duplicates}, lost ${o.lost}, ` +
              `stuck ${o.stuck} (${((Date.now() - s0) / 1000).toFixed(0)}s)`,
          );
          for (const n of [...o.notes.slice(0, 5), ...o.failedChecks]) say(`     ${n}`);
        }
      } catch (err) {
        say(`   ✗ ${name} could not run: ${(err as Error).stack ?? String(err)}`);
        outcomes.push(crashed(name, err));
      }
    };
    await run('kill', async () => [await workerKills(ctx)]);
    await run('temporal', async () => [await temporalRestart(ctx)]);
    await run('postgres', async () => [await postgresRestart(ctx)]);
    await run('vendors', async () => [
      await faultMatrix(ctx),
      await connectRefused(ctx),
      await bothDown(ctx),
    ]);
    await run('load', async () => {
      const readIds = outcomes.length > 0 ? await completedIds(ctx, 200) : [];
      const res = await loadTest(ctx, readIds);
      load = res.endpoints;
      return [res.outcome];
    });
  } finally {
    await stopAll();
  }
  const bad = violations(outcomes);
  const summary: Summary = {
    mode: args.short ? 'short' : 'full',
    startedAt: new Date(t0).toISOString(),
    durationSeconds: Math.round((Date.now() - t0) / 1000),
    database: stack?.postgres.kind ?? 'not started',
    scenarios: outcomes,
    load,
    violations: bad,
  };
  await writeSummary(args.out, summary);
  say(`\n${table(outcomes)}\n`);
  if (load.length > 0) say(`${loadTable(load)}\n`);
  say(`${summary.durationSeconds}s; summary written to ${args.out}`);
  if (bad.length > 0) {
    say(`FAILED:\n  ${bad.join('\n  ')}`);
    return 1;
  }
  say(
    'every submitted review ended completed or failed with a reason; none lost, stuck or doubled',
  );
  return 0;
}

function crashed(name: string, err: unknown): Outcome {
  return {
    scenario: name,
    submitted: 0,
    notAccepted: 0,
    completed: 0,
    failedWithReason: 0,
    failedWithoutReason: 0,
    duplicates: 0,
    lost: 0,
    stuck: 0,
    p50s: 0,
    p99s: 0,
    over60s: 0,
    notes: [],
    failedChecks: [`scenario crashed: ${(err as Error).message}`],
  };
}

/** Finished reviews from the earlier scenarios, for the load's readers. */
async function completedIds(ctx: ChaosContext, limit: number): Promise<string[]> {
  const { default: pg } = await import('pg');
  const db = new pg.Client({ connectionString: ctx.stack.databaseUrl });
  await db.connect();
  try {
    const res = await db.query<{ id: string }>(
      `SELECT id FROM reviews WHERE status = 'completed' ORDER BY created_at DESC LIMIT $1`,
      [limit],
    );
    return res.rows.map((r) => r.id);
  } finally {
    await db.end();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    say(`chaos run failed: ${(err as Error).stack ?? String(err)}`);
    process.exit(1);
  },
);
