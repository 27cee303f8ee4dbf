import { randomUUID } from 'node:crypto';
import type { NativeConnection } from '@temporalio/worker';
import type pg from 'pg';
import { Registry } from 'prom-client';
import { freePort } from '../../../cli/stack/devServer';
import { parseConfig, type Config } from '../../../domain/config';
import { createPool } from '../../../store/db';
import { migrateUp } from '../../../store/migrate';
import { connectWorkerConnection } from '../../../workers/connection';
import { createLogger } from '../../../workers/logger';
import { newFileDiff as newFileDiffOfLines } from '../../helpers/diffs';
import { runReviewWorkers } from '../../helpers/reviewWorkers';
import { call, databaseUrl, startApi, temporalAddress, type RunningApi } from '../api/harness';

/**
 * A real API over HTTP and real review/models workers, on a task queue prefix of their own,
 * against the shared Temporal dev server and PostgreSQL. No model keys: the local engines
 * stand in for both roles.
 */
export interface ReviewStack {
  api: RunningApi;
  /** a key with only the reviewer role */
  reviewerKey: string;
  db: pg.Pool;
  config: Config;
  /** another API on the same workers and queues, with different settings */
  extraApi(env: Record<string, string>): Promise<RunningApi>;
  stop(): Promise<void>;
}

/** Makes every run's requests (and so review ids) new, even against a persistent database. */
export const RUN = randomUUID().slice(0, 8);

export async function startReviewStack(env: Record<string, string> = {}): Promise<ReviewStack> {
  await migrateUp(databaseUrl());
  const prefix = `rv-${randomUUID().slice(0, 8)}`;
  const shared = { QUORUM_TASK_QUEUE_PREFIX: prefix, LOG_LEVEL: 'warn' };
  const config = parseConfig({
    ...shared,
    TEMPORAL_ADDRESS: temporalAddress(),
    DATABASE_URL: databaseUrl(),
    QUORUM_WORKER_METRICS_PORT: String(await freePort()),
  });
  const logger = createLogger(config, 'review-test');
  const connection: NativeConnection = await connectWorkerConnection(config, logger);
  const db = createPool(databaseUrl(), { max: 6, applicationName: 'quorum-review-test' });
  const stopWorkers = await runReviewWorkers({
    config,
    connection,
    db,
    logger,
    registry: new Registry(),
  });
  const apis: RunningApi[] = [];
  const extraApi = async (more: Record<string, string>) => {
    const api = await startApi({ env: { ...shared, ...more } });
    apis.push(api);
    return api;
  };
  const api = await extraApi(env);
  const created = await call(api, 'POST', '/api/v2/admin/api-keys', {
    key: api.adminKey,
    body: { name: `review-test-${prefix}`, roles: ['reviewer'] },
  });
  const reviewerKey = (created.json as { key: string }).key;
  return {
    api,
    reviewerKey,
    db,
    config,
    extraApi,
    async stop() {
      for (const a of apis) await a.stop();
      await stopWorkers();
      await connection.close();
      await db.end();
    },
  };
}

/** A unified diff adding one new file with the given content. */
export function newFileDiff(path: string, content: string): string {
  return newFileDiffOfLines(path, content.replace(/\n$/, '').split('\n'));
}

/** A TypeScript file with an SQL injection (line 7) and a hard-coded Stripe key (line 3). */
export const VULNERABLE_TS = `import { pool } from './db';

const STRIPE_KEY = 'sk_live_51HcW8kLmN2pQ3rS4tU5vW6x';

export async function findUser(id: string) {
  // look the user up by id
  const sql = "SELECT * FROM users WHERE id = '" + id + "'";
  const { rows } = await pool.query(sql);
  return { rows, key: STRIPE_KEY };
}
`;

/** Ruby: only the rules engine reads it, so its SQL injection is a disputed critical finding. */
export const DISPUTED_RB = `def find_user(id)
  sql = "SELECT * FROM users WHERE id = " + id
  DB.execute(sql)
end
`;

export const REVIEW = '/api/v2/cr-ai/review';
