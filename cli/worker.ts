import { createServer, type Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import type { NativeConnection } from '@temporalio/worker';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { Config } from '../domain/config';
import { createPool } from '../store/db';
import { connectWorkerConnection } from '../workers/connection';
import { createLogger, type Logger } from '../workers/logger';
import { installRuntime, metricsBindAddress } from '../workers/runtime';
import {
  createWorkers,
  isQueueName,
  QUEUE_NAMES,
  runWorkers,
  type QueueName,
} from '../workers/worker';
import { loadConfig } from './config';

/**
 * `npm run worker -- --queues review,models,release`: workers for a real deployment, against an
 * existing Temporal service and PostgreSQL. `npm start` is the all-in-one embedded mode.
 */

const USAGE = `usage: npm run worker -- [--queues ${QUEUE_NAMES.join(',')}]`;

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

function parseQueues(argv: string[]): QueueName[] {
  let values;
  try {
    values = parseArgs({ args: argv, options: { queues: { type: 'string' } } }).values;
  } catch (err) {
    fail(`${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
  }
  if (values.queues === undefined) return [...QUEUE_NAMES];
  const names = values.queues
    .split(',')
    .map((q) => q.trim())
    .filter((q) => q.length > 0);
  const unknown = names.filter((q) => !isQueueName(q));
  if (names.length === 0 || unknown.length > 0) {
    fail(`unknown queue(s): ${unknown.join(', ') || '(none given)'}\n${USAGE}`);
  }
  return names.filter(isQueueName);
}

function requireDeploymentConfig(config: Config): { databaseUrl: string } {
  const missing = [
    config.temporal.address ? undefined : 'TEMPORAL_ADDRESS',
    config.database.url ? undefined : 'DATABASE_URL',
  ].filter((v): v is string => v !== undefined);
  if (missing.length > 0 || !config.database.url) {
    fail(
      `${missing.join(' and ')} must be set: \`npm run worker\` joins an existing Temporal ` +
        'service and PostgreSQL (a real deployment). To run everything on this machine with ' +
        'nothing configured, use `npm start`.',
    );
  }
  return { databaseUrl: config.database.url };
}

/** Keep trying while Temporal is briefly away (a rolling restart), until told to stop. */
async function connectWithRetry(
  config: Config,
  logger: Logger,
  signal: AbortSignal,
): Promise<NativeConnection | undefined> {
  for (let delayMs = 1_000; !signal.aborted; delayMs = Math.min(delayMs * 2, 15_000)) {
    try {
      return await connectWorkerConnection(config, logger);
    } catch (err) {
      logger.warn(
        { err, address: config.temporal.address, retryInMs: delayMs },
        'Temporal unreachable',
      );
      await sleep(delayMs, undefined, { signal }).catch(() => undefined);
    }
  }
  return undefined;
}

/**
 * prom-client metrics (activity outcomes, process) on the port after the SDK's own exporter, so
 * one scrape config with two ports covers a worker pod.
 */
async function serveAppMetrics(config: Config, registry: Registry, logger: Logger) {
  if (config.temporal.workerMetricsPort === 0) return undefined;
  const port = config.temporal.workerMetricsPort + 1;
  const server: Server = createServer((req, res) => {
    if (req.url !== '/metrics') return void res.writeHead(404).end();
    registry.metrics().then(
      (body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject).listen(port, config.api.host, () => resolve());
  });
  logger.info({ bindAddress: metricsBindAddress(config.api.host, port) }, 'worker app metrics');
  return server;
}

async function main(): Promise<void> {
  const queues = parseQueues(process.argv.slice(2));
  const config = loadConfig();
  const { databaseUrl } = requireDeploymentConfig(config);
  const logger = createLogger(config, 'quorum-worker');
  installRuntime(config, logger);

  const shutdown = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    if (shutdown.signal.aborted) {
      logger.warn({ signal: sig }, 'second signal: exiting without waiting for the drain');
      process.exit(130);
    }
    logger.info({ signal: sig }, 'draining workers');
    shutdown.abort();
  };
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);

  const connection = await connectWithRetry(config, logger, shutdown.signal);
  if (!connection) return;
  const db = createPool(databaseUrl, {
    max: config.database.poolMax,
    applicationName: 'quorum-worker',
  });
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const metricsServer = await serveAppMetrics(config, registry, logger);
  try {
    const workers = await createWorkers({ config, connection, queues, db, logger, registry });
    logger.info({ queues, namespace: config.temporal.namespace }, 'workers running');
    await runWorkers(workers, shutdown.signal);
    logger.info('workers drained');
  } finally {
    metricsServer?.close();
    await connection.close();
    await db.end();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(
    `worker failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
