import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import type { NativeConnection, Worker } from '@temporalio/worker';
import pino from 'pino';
import type pg from 'pg';
import { Registry } from 'prom-client';
import { createAnalysisService, type AnalysisService } from '../../../api/analysisService';
import { createApp } from '../../../api/app';
import { parseConfig, type Config } from '../../../domain/config';
import { createPool } from '../../../store/db';
import { migrateUp } from '../../../store/migrate';
import { connectWorkerConnection } from '../../../workers/connection';
import { createLogger } from '../../../workers/logger';
import { createWorkers, runWorkers } from '../../../workers/worker';

/**
 * Real workers (release + models queues) on a private task queue prefix, the real API on
 * 127.0.0.1 in front of them, and the analysis service for tests that drive workflows directly.
 */

function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run through jest globalSetup`);
  return value;
}

export interface CommitHarness {
  config: Config;
  db: pg.Pool;
  client: Client;
  service: AnalysisService;
  url: string;
  adminKey: string;
  stop(): Promise<void>;
}

export async function startCommitHarness(env: Record<string, string> = {}): Promise<CommitHarness> {
  const adminKey = randomBytes(24).toString('base64url');
  const config = parseConfig({
    PATH: process.env.PATH,
    NODE_ENV: 'test',
    TEMPORAL_ADDRESS: env.TEMPORAL_ADDRESS ?? requireEnv('QUORUM_TEST_TEMPORAL_ADDRESS'),
    DATABASE_URL: env.DATABASE_URL ?? requireEnv('QUORUM_TEST_DATABASE_URL'),
    QUORUM_TASK_QUEUE_PREFIX: `commits-${randomUUID().slice(0, 8)}`,
    QUORUM_WORKER_METRICS_PORT: '0',
    QUORUM_ADMIN_KEY: adminKey,
    QUORUM_PRIMARY_CHAIN: 'local',
    QUORUM_VERIFIER_CHAIN: 'local',
    QUORUM_RATE_LIMIT_PER_MINUTE: '100000',
    LOG_LEVEL: 'error',
    ...env,
  });
  const databaseUrl = config.database.url as string;
  await migrateUp(databaseUrl);
  const logger = createLogger(config, 'commit-harness');
  const db = createPool(databaseUrl, { max: 8, applicationName: 'quorum-commit-harness' });
  const workerConnection: NativeConnection = await connectWorkerConnection(config, logger);
  const connection = await Connection.connect({ address: config.temporal.address });
  const client = new Client({ connection, namespace: config.temporal.namespace });
  const workers: Worker[] = await createWorkers({
    config,
    connection: workerConnection,
    queues: ['release', 'models'],
    db,
    logger,
  });
  const abort = new AbortController();
  const running = runWorkers(workers, abort.signal);
  const app = createApp({
    config,
    db,
    temporal: { client, check: async () => ({ up: true }) },
    logger: pino({ level: 'silent' }),
    registry: new Registry(),
  });
  const server: Server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    config,
    db,
    client,
    service: createAnalysisService({ config, db, client }),
    url: `http://127.0.0.1:${port}`,
    adminKey,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      abort.abort();
      await running;
      await connection.close();
      await workerConnection.close();
      await db.end();
    },
  };
}

export async function post(
  h: CommitHarness,
  path: string,
  body: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${h.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${h.adminKey}`, 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

export async function get(
  h: CommitHarness,
  path: string,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${h.url}${path}`, {
    headers: { authorization: `Bearer ${h.adminKey}` },
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** A small realistic commit: a TypeScript change with its test, under a given subject. */
export function sampleCommit(i: number, subject = `fix(parser): handle case ${i}`) {
  const sha = (i + 1).toString(16).padStart(8, '0') + 'ab'.repeat(16);
  const diff = [
    `diff --git a/src/parser${i % 7}.ts b/src/parser${i % 7}.ts`,
    `--- a/src/parser${i % 7}.ts`,
    `+++ b/src/parser${i % 7}.ts`,
    '@@ -1,3 +1,4 @@',
    ' export function parse(input: string): Node {',
    `-  return read(input);`,
    `+  if (input.length === ${i}) return empty();`,
    `+  return read(input);`,
    ' }',
    `diff --git a/test/parser${i % 7}.test.ts b/test/parser${i % 7}.test.ts`,
    `--- a/test/parser${i % 7}.test.ts`,
    `+++ b/test/parser${i % 7}.test.ts`,
    '@@ -1,1 +1,2 @@',
    " it('parses', () => {});",
    `+it('parses case ${i}', () => {});`,
    '',
  ].join('\n');
  return { sha: sha.slice(0, 40), message: subject, author: 'Test Author', parents: [], diff };
}
