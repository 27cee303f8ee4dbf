import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import pc from 'picocolors';
import { hostPath, loadConfig } from './config';
import { startDevServer, type DevServer } from './stack/devServer';
import { findTemporalCli } from './stack/temporalBinary';
import { startStack, type Stack } from './stack/stack';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../store/embedded';
import { createLogger } from '../workers/logger';

/**
 * `npm start`: the whole platform on one machine. Starts a Temporal dev server and an embedded
 * PostgreSQL unless TEMPORAL_ADDRESS / DATABASE_URL point elsewhere, then the workers of all
 * three task queues and the API. Ctrl-C stops everything it started, in reverse order.
 */
async function main(): Promise<void> {
  const t0 = Date.now();
  const config = loadConfig();
  const logger = createLogger(config, 'quorum', { pretty: process.stdout.isTTY === true });
  const say = (msg: string) => process.stdout.write(`${pc.dim('›')} ${msg}\n`);
  const dataDir = path.resolve(config.dataDir);
  await mkdir(dataDir, { recursive: true });

  const cleanups: (() => Promise<void>)[] = [];
  let stopping = false;
  const shutdown = async (reason: string, code: number) => {
    if (stopping) return;
    stopping = true;
    say(`${reason}: stopping…`);
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (err) {
        logger.error({ err }, 'error while stopping');
      }
    }
    say('stopped.');
    process.exit(code);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) {
        say('second signal: exiting now');
        process.exit(130);
      }
      void shutdown(signal, 0);
    });
  }

  try {
    let temporalAddress = config.temporal.address;
    let uiUrl: string | undefined;
    if (!temporalAddress) {
      const cliPath = await findTemporalCli({
        cliPath: config.temporal.cliPath,
        toolsDir: path.resolve(config.toolsDir),
        pathVar: hostPath(),
        log: say,
      });
      say(`starting Temporal dev server (${cliPath})`);
      const server: DevServer = await startDevServer({
        cliPath,
        port: config.temporal.devServerPort,
        uiPort: config.temporal.devServerUiPort,
        dbFile: path.join(dataDir, 'temporal.db'),
        namespace: config.temporal.namespace,
        logFile: path.join(dataDir, 'temporal.log'),
      });
      cleanups.push(() => server.stop());
      temporalAddress = server.address;
      uiUrl = server.uiUrl;
    }

    let databaseUrl = config.database.url;
    if (!databaseUrl) {
      say('starting embedded PostgreSQL (PGlite)');
      const pg: EmbeddedPostgres = await startEmbeddedPostgres({
        dataDir,
        port: config.database.pglitePort,
      });
      cleanups.push(() => pg.stop());
      databaseUrl = pg.url;
    }

    const stack: Stack = await startStack({
      config: {
        ...config,
        temporal: { ...config.temporal, address: temporalAddress },
        database: { ...config.database, url: databaseUrl },
      },
      logger,
      say,
      issueLauncherKey: !config.api.adminKey,
    });
    cleanups.push(() => stack.stop());

    const apiUrl = stack.apiUrl;
    const key = stack.launcherKey ?? '$QUORUM_ADMIN_KEY';
    const seconds = ((Date.now() - t0) / 1000).toFixed(1);
    process.stdout.write(
      [
        '',
        pc.bold(pc.green(`Quorum is ready (${seconds}s)`)),
        `  API          ${apiUrl}`,
        `  API docs     ${apiUrl}/docs   (OpenAPI: ${apiUrl}/openapi.json)`,
        `  Temporal UI  ${uiUrl ?? `(external Temporal at ${temporalAddress})`}`,
        `  Database     ${config.database.url ? 'DATABASE_URL' : `embedded PGlite in ${dataDir}/pglite`}`,
        stack.launcherKey
          ? `  Admin key    ${pc.yellow(stack.launcherKey)}\n               (shown once; stored hashed; replaces the key of the previous start)`
          : '  Admin key    QUORUM_ADMIN_KEY',
        '',
        '  Try it:',
        `    curl -s -H "Authorization: Bearer ${key}" ${apiUrl}/api/v2/cr-ai/review/dimensions`,
        '',
        '  Ctrl-C stops everything.',
        '',
      ].join('\n'),
    );
  } catch (err) {
    process.stderr.write(`${pc.red('Quorum could not start:')} ${(err as Error).message}\n`);
    await shutdown('startup failed', 1);
  }
}

void main();
