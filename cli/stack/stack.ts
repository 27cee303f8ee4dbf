import type { Server } from 'node:http';
import { register } from 'prom-client';
import type { Config } from '../../domain/config';
import { createApp } from '../../api/app';
import { reviewStarts, runReviewSweeper } from '../../api/reviewStarts';
import { createApiKey, listApiKeys, revokeApiKey } from '../../store/apiKeys';
import { appendAudit } from '../../store/audit';
import { createPool } from '../../store/db';
import { migrateUp } from '../../store/migrate';
import { connectClient, connectWorkerConnection } from '../../workers/connection';
import type { Logger } from '../../workers/logger';
import { createWorkers, runWorkers, type QueueName } from '../../workers/worker';

export interface Stack {
  apiUrl: string;
  /** the admin key created for this start, when no QUORUM_ADMIN_KEY was given */
  launcherKey: string | undefined;
  stop(): Promise<void>;
}

const LAUNCHER = 'launcher';

/**
 * Issues a fresh admin key for this start and revokes the one the previous start printed, so
 * exactly one launcher key is live at a time. Keys users create themselves are never touched.
 */
async function rotateLauncherKey(db: ReturnType<typeof createPool>): Promise<string> {
  for (const old of await listApiKeys(db)) {
    if (old.createdBy === LAUNCHER && !old.revokedAt) await revokeApiKey(db, old.id);
  }
  const { record, key } = await createApiKey(db, {
    name: 'npm start admin key',
    roles: ['admin'],
    createdBy: LAUNCHER,
  });
  await appendAudit(db, {
    actor: LAUNCHER,
    action: 'api_key.create',
    resource: `api-key/${record.id}`,
    outcome: 'success',
    details: { roles: record.roles, prefix: record.prefix },
  });
  return key;
}

/**
 * Migrations, pool, workers and API on an already-running Temporal and PostgreSQL. Used by
 * `npm start` (everything) and `npm run api` (API only).
 */
export async function startStack(opts: {
  config: Config;
  logger: Logger;
  say: (msg: string) => void;
  issueLauncherKey: boolean;
  queues?: QueueName[];
  api?: boolean;
}): Promise<Stack> {
  const { config, logger, say } = opts;
  const databaseUrl = config.database.url;
  if (!databaseUrl || !config.temporal.address) {
    throw new Error('startStack needs a Temporal address and a database URL');
  }
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) {
      try {
        await s();
      } catch (err) {
        logger.error({ err }, 'error while stopping');
      }
    }
  };
  try {
    say('applying database migrations');
    const { applied } = await migrateUp(databaseUrl, (m) => logger.debug(m));
    if (applied.length > 0) say(`applied ${applied.length} migration(s)`);
    const db = createPool(databaseUrl, { max: config.database.poolMax, applicationName: 'quorum' });
    stops.push(() => db.end());

    const queues = opts.queues ?? ['review', 'models', 'release'];
    if (queues.length > 0) {
      say(`starting workers (${queues.join(', ')})`);
      const connection = await connectWorkerConnection(config, logger);
      stops.push(() => connection.close());
      const workers = await createWorkers({
        config,
        connection,
        queues,
        db,
        logger,
        registry: register,
      });
      const controller = new AbortController();
      const running = runWorkers(workers, controller.signal).catch((err: unknown) => {
        // A worker that dies on its own is fatal for the embedded stack: say so and stop.
        logger.fatal({ err }, 'a worker stopped unexpectedly');
        process.kill(process.pid, 'SIGTERM');
      });
      stops.push(async () => {
        say('draining workers');
        controller.abort();
        await running;
      });
    }

    let apiUrl = '';
    let launcherKey: string | undefined;
    if (opts.api !== false) {
      const temporal = await connectClient(config);
      stops.push(() => temporal.close());
      // Hands stored reviews to Temporal; its sweeper starts any whose start did not happen
      // (api/reviewStarts.ts). Stopped, and drained, before the connection closes.
      const starts = reviewStarts({ config, db, client: temporal.client });
      const sweeper = runReviewSweeper(starts, logger.child({ component: 'review-sweeper' }));
      stops.push(async () => {
        await sweeper.stop();
        await starts.drain();
      });
      const app = createApp({ config, db, temporal, logger, registry: register, starts });
      const server = await new Promise<Server>((resolve, reject) => {
        const s = app.listen(config.api.port, config.api.host, () => resolve(s));
        s.once('error', (err: NodeJS.ErrnoException) =>
          reject(
            err.code === 'EADDRINUSE'
              ? new Error(`Port ${config.api.port} is in use; set QUORUM_API_PORT to a free port.`)
              : err,
          ),
        );
      });
      stops.push(
        () =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeIdleConnections();
          }),
      );
      const host = config.api.host === '0.0.0.0' ? '127.0.0.1' : config.api.host;
      apiUrl = config.api.publicUrl ?? `http://${host}:${config.api.port}`;
      if (opts.issueLauncherKey) launcherKey = await rotateLauncherKey(db);
    }
    return { apiUrl, launcherKey, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
