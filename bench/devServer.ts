import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { hostPath, loadConfig } from '../cli/config';
import { freePort, startDevServer, type DevServer } from '../cli/stack/devServer';
import { findTemporalCli } from '../cli/stack/temporalBinary';
import type { Config } from '../domain/config';
import { createLogger, type Logger } from '../workers/logger';
import { installRuntime } from '../workers/runtime';

/** A private, headless Temporal dev server for one benchmark, in a temporary folder. */
export async function startBenchServer(): Promise<{
  base: Config;
  logger: Logger;
  server: DevServer;
  stop(): Promise<void>;
}> {
  const base = loadConfig({ LOG_LEVEL: 'error', QUORUM_WORKER_METRICS_PORT: '0' });
  const logger = createLogger(base, 'bench');
  installRuntime(base, logger);
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'quorum-bench-'));
  const cliPath = await findTemporalCli({
    cliPath: base.temporal.cliPath,
    toolsDir: path.resolve(base.toolsDir),
    pathVar: hostPath(),
  });
  const server = await startDevServer({
    cliPath,
    port: await freePort(),
    headless: true,
    namespace: 'default',
    logFile: path.join(tmp, 'temporal.log'),
  });
  return {
    base,
    logger,
    server,
    async stop() {
      await server.stop();
      await rm(tmp, { recursive: true, force: true });
    },
  };
}
