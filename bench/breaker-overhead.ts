import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createBreakers } from '../activities/breakers';
import { loadConfig } from '../cli/config';
import type { Config } from '../domain/config';
import { createPool } from '../store/db';
import { startEmbeddedPostgres } from '../store/embedded';
import { migrateUp } from '../store/migrate';

/**
 * What consulting the shared circuit breaker adds to one model call: `before` (admission) plus
 * `after` (counting the outcome), on a closed breaker as in normal operation, one call at a
 * time and 8 at once against the same breaker row. Runs on an embedded PGlite and, when
 * DATABASE_URL is set, on that PostgreSQL too. Prints one JSON line per database.
 *   npx tsx bench/breaker-overhead.ts [calls]
 */

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

function summary(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  const r = (v: number) => Math.round(v * 1000) / 1000;
  return { n: s.length, p50Ms: r(quantile(s, 0.5)), p99Ms: r(quantile(s, 0.99)) };
}

async function measure(config: Config, url: string, calls: number) {
  await migrateUp(url);
  const db = createPool(url, { max: 8, applicationName: 'quorum-bench-breaker' });
  // A fresh endpoint gives a breaker row of its own, so runs never see each other's state.
  const benchConfig: Config = {
    ...config,
    models: {
      ...config.models,
      openai: { ...config.models.openai, baseUrl: `http://bench-${randomUUID().slice(0, 8)}` },
    },
  };
  const breakers = createBreakers({ db, config: benchConfig });
  const once = async () => {
    const t0 = performance.now();
    const ticket = await breakers.before('openai');
    await breakers.after(ticket, null);
    return performance.now() - t0;
  };
  // The floor on this machine right now: one trivial round trip through the same pool.
  const roundTrip = async () => {
    const t0 = performance.now();
    await db.query('SELECT 1');
    return performance.now() - t0;
  };
  try {
    for (let i = 0; i < 50; i += 1) await once();
    const floor: number[] = [];
    for (let i = 0; i < calls; i += 1) floor.push(await roundTrip());
    const sequential: number[] = [];
    for (let i = 0; i < calls; i += 1) sequential.push(await once());
    const concurrent: number[] = [];
    for (let i = 0; i < calls / 8; i += 1) {
      concurrent.push(...(await Promise.all(Array.from({ length: 8 }, once))));
    }
    return {
      selectOne: summary(floor),
      sequential: summary(sequential),
      concurrent8: summary(concurrent),
    };
  } finally {
    await db.end();
  }
}

async function main(): Promise<void> {
  const calls = Number(process.argv[2] ?? 2000);
  const config = loadConfig({ LOG_LEVEL: 'silent' });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'quorum-breaker-bench-'));
  const embedded = await startEmbeddedPostgres({ dataDir: dir, port: 0 });
  try {
    const r = await measure(config, embedded.url, calls);
    process.stdout.write(JSON.stringify({ database: 'pglite', ...r }) + '\n');
  } finally {
    await embedded.stop();
    await rm(dir, { recursive: true, force: true });
  }
  if (config.database.url) {
    const r = await measure(config, config.database.url, calls);
    process.stdout.write(JSON.stringify({ database: 'postgresql', ...r }) + '\n');
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
