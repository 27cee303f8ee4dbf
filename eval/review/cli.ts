import { parseArgs } from 'node:util';
import type { Config } from '../../domain/config';
import { modelConfigFrom, type ModelConfig } from '../../domain/modelConfig';
import { createPool, pgErrorCode, type Db } from '../../store/db';
import { saveEvalRun } from '../../store/evalRuns';
import { getVersion } from '../../store/versions';
import { loadCaseSet } from './cases';
import { evaluateVersion } from './evaluate';
import { defaultReportPath, formatReport, writeReportJson } from './report';

export const REVIEW_USAGE = `npm run eval -- [--suite review] [options]

  --version <id>       a stored model-config version (mc-…), or 'current' (default): the
                       model config this environment's settings describe
  --augment            the staging set: development cases plus synthetic ones (≥ 2000)
  --target <n>         size of the augmented set (default 2000); --seed <s> (default s1)
  --only <text>        only cases whose id contains text (repeatable)
  --out <file>         JSON report path (default .quorum/eval/<version>.json)
  --save               store the result in eval_runs (DATABASE_URL, or the embedded stack's)
  --concurrency <n>    cases reviewed at once (default 4)
  --determinism <n>    review the first n cases twice and compare the bytes (default 20)
  --json               print the JSON report instead of the table`;

/** Where `--save` and `--version` find the database: DATABASE_URL or a running `npm start`. */
function databaseUrl(config: Config): string {
  return (
    config.database.url ??
    `postgres://postgres@127.0.0.1:${config.database.pglitePort}/postgres?sslmode=disable`
  );
}

async function withDb<T>(config: Config, fn: (db: Db) => Promise<T>): Promise<T> {
  const db = createPool(databaseUrl(config), { max: 2, applicationName: 'quorum-eval' });
  try {
    return await fn(db);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ECONNREFUSED') {
      throw new Error(
        `no database at ${databaseUrl(config)}: set DATABASE_URL or start the stack with npm start`,
      );
    }
    throw err;
  } finally {
    await db.end();
  }
}

async function modelConfigFor(config: Config, version: string): Promise<ModelConfig> {
  if (version === 'current') return modelConfigFrom(config);
  const stored = await withDb(config, (db) => getVersion(db, version));
  if (!stored) throw new Error(`no model-config version ${version} is registered`);
  return stored.modelConfig;
}

/** Returns the exit code: 0 when the evaluated version meets every target, 1 when not. */
export async function runReviewSuite(argv: string[], config: Config): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      version: { type: 'string', default: 'current' },
      augment: { type: 'boolean', default: false },
      target: { type: 'string' },
      seed: { type: 'string', default: 's1' },
      only: { type: 'string', multiple: true },
      out: { type: 'string' },
      save: { type: 'boolean', default: false },
      concurrency: { type: 'string', default: '4' },
      determinism: { type: 'string', default: '20' },
      json: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const modelConfig = await modelConfigFor(config, values.version);
  const set = await loadCaseSet({
    augment: values.augment,
    seed: values.seed,
    ...(values.target ? { target: Number(values.target) } : {}),
  });
  const only = values.only ?? [];
  if (only.length > 0) {
    set.cases = set.cases.filter((c) => only.some((o) => c.id.includes(o)));
    set.id = `${set.id}[only:${only.join(',')}]`;
  }
  const report = await evaluateVersion({
    modelConfig,
    cases: set,
    concurrency: Number(values.concurrency),
    determinismSample: Number(values.determinism),
    models: config.models,
  });
  const out = values.out ?? defaultReportPath(report);
  await writeReportJson(report, out);
  process.stdout.write(
    values.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`,
  );
  process.stderr.write(`report written to ${out}\n`);
  if (values.save) {
    // The schema belongs to `npm run migrate` / `npm start`; an eval run never migrates a database.
    const saved = await withDb(config, async (db) => {
      try {
        return await saveEvalRun(db, report);
      } catch (err) {
        if (pgErrorCode(err) === '42P01') {
          throw new Error('the eval_runs table is missing: run `npm run migrate` first');
        }
        throw err;
      }
    });
    process.stderr.write(`saved as eval run ${saved.id}\n`);
  }
  return report.passed ? 0 : 1;
}
