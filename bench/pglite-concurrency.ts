import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../store/embedded';

/**
 * Many `pg` pools hammering one embedded PGlite with parameterised queries (extended protocol)
 * and transactions at once. Prints one JSON line: operations, wrong or failed replies, time.
 * Used by test/integration/store/pgliteServer.test.ts and runnable alone:
 *   npx tsx bench/pglite-concurrency.ts [pools] [connectionsPerPool] [opsPerWorker]
 */
async function main(): Promise<void> {
  const [pools = 4, perPool = 5, ops = 30] = process.argv.slice(2).map(Number);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'quorum-pglite-'));
  const e = await startEmbeddedPostgres({ dataDir: dir, port: 0 });
  try {
    const setup = new pg.Client({ connectionString: e.url });
    await setup.connect();
    // The second CREATE answers with a NOTICE after ReadyForQuery: replies must reach the
    // client intact even when PGlite streams them in several chunks.
    for (let i = 0; i < 2; i++) {
      await setup.query('CREATE TABLE IF NOT EXISTS t (id serial PRIMARY KEY, k int, v text)');
    }
    await setup.query('SELECT to_regclass($1) AS t', ['t']);
    await setup.end();
    const all = Array.from(
      { length: pools },
      () => new pg.Pool({ connectionString: e.url, max: perPool }),
    );
    const t0 = performance.now();
    let ok = 0;
    const errors: string[] = [];
    await Promise.all(
      all.flatMap((pool, p) =>
        Array.from({ length: perPool * 2 }, async (_, w) => {
          for (let i = 0; i < ops; i++) {
            try {
              if (i % 3 === 0) {
                const c = await pool.connect();
                try {
                  await c.query('BEGIN');
                  await c.query('INSERT INTO t (k, v) VALUES ($1, $2)', [p * 1000 + w, `v${i}`]);
                  const r = await c.query<{ n: number }>(
                    'SELECT count(*)::int AS n FROM t WHERE k = $1',
                    [p * 1000 + w],
                  );
                  await c.query('COMMIT');
                  if ((r.rows[0]?.n ?? 0) < 1)
                    throw new Error('transaction did not see its own insert');
                } finally {
                  c.release();
                }
              } else {
                const r = await pool.query<{ s: number; t: string }>(
                  'SELECT $1::int + $2::int AS s, $3::text AS t',
                  [i, w, `p${p}`],
                );
                if (r.rows[0]?.s !== i + w || r.rows[0]?.t !== `p${p}`)
                  throw new Error('reply belongs to another query');
              }
              ok++;
            } catch (err) {
              errors.push(String(err));
            }
          }
        }),
      ),
    );
    const ms = Math.round(performance.now() - t0);
    await Promise.all(all.map((p) => p.end()));
    process.stdout.write(
      `${JSON.stringify({ ok, failed: errors.length, ms, firstErrors: errors.slice(0, 3) })}\n`,
    );
  } finally {
    await e.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

void main();
