import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createPool, type Db } from '../../../store/db';
import {
  getEvalReport,
  latestEvalRun,
  listEvalRuns,
  saveEvalRun,
  type EvalRunInput,
} from '../../../store/evalRuns';
import { up as createEvalRuns } from '../../../store/migrations/0004_eval_runs';

const run = (version: string, fpr: number, over: Partial<EvalRunInput> = {}): EvalRunInput => ({
  suite: 'review',
  version,
  caseSet: { id: 'dev', hash: 'a'.repeat(64), total: 206, synthetic: 0 },
  overall: { falsePositiveRate: fpr, falseNegativeRate: 0.4 },
  score: 0.6,
  passed: false,
  determinism: { identical: true },
  timings: { durationMs: 812.4 },
  ...over,
});

const ROOT = path.resolve(__dirname, '../../..');

/**
 * PGlite loads its WASM through a dynamic import that jest's module sandbox refuses, so the
 * embedded PostgreSQL runs in a child process of its own, as `npm start` runs it.
 */
function startPostgres(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const script = `
    const { startEmbeddedPostgres } = require('./store/embedded');
    startEmbeddedPostgres({ dataDir: ${JSON.stringify(dataDir)}, port: 0 }).then((pg) => {
      process.stdout.write(pg.url + '\\n');
      process.on('SIGTERM', () => pg.stop().then(() => process.exit(0)));
    });`;
  const child = spawn(path.join(ROOT, 'node_modules/.bin/tsx'), ['-e', script], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (b: Buffer) => {
      out += b.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve({ child, url: line.trim() });
    });
    child.on('exit', (code) => reject(new Error(`embedded PostgreSQL exited with ${code}`)));
  });
}

describe('stored eval runs', () => {
  let dir: string;
  let child: ChildProcess | undefined;
  let db: Db;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'quorum-evalruns-'));
    const pg = await startPostgres(dir);
    child = pg.child;
    db = createPool(pg.url, { max: 2 });
    await db.query(createEvalRuns);
  }, 60_000);
  afterAll(async () => {
    await db?.end();
    if (child?.pid && child.exitCode === null) {
      const exited = new Promise((r) => child?.once('exit', r));
      process.kill(child.pid, 'SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  });

  it('reads back the newest run, per version when asked', async () => {
    const first = await saveEvalRun(db, run('mc-aaaaaaaaaaaa', 0.3));
    await saveEvalRun(db, run('mc-bbbbbbbbbbbb', 0.1, { determinism: null }));
    const latest = await latestEvalRun(db);
    expect(latest).toMatchObject({
      version: 'mc-bbbbbbbbbbbb',
      falsePositiveRate: 0.1,
      deterministic: null,
      durationMs: 812,
      caseCount: 206,
    });
    expect(await latestEvalRun(db, { version: 'mc-aaaaaaaaaaaa' })).toMatchObject({
      id: first.id,
      falsePositiveRate: 0.3,
      deterministic: true,
    });
    expect(await latestEvalRun(db, { version: 'mc-cccccccccccc' })).toBeUndefined();
    expect((await listEvalRuns(db)).map((r) => r.version)).toEqual([
      'mc-bbbbbbbbbbbb',
      'mc-aaaaaaaaaaaa',
    ]);
  });

  it('keeps the whole report for audits', async () => {
    const saved = await saveEvalRun(db, run('mc-dddddddddddd', 0.2));
    expect(await getEvalReport(db, saved.id)).toMatchObject({ version: 'mc-dddddddddddd' });
    expect(await getEvalReport(db, 'not-a-number')).toBeUndefined();
  });

  it('refuses rates outside 0..1', async () => {
    await expect(saveEvalRun(db, run('mc-eeeeeeeeeeee', 1.5))).rejects.toThrow(/check constraint/);
  });
});
