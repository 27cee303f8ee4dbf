import pc from 'picocolors';
import { loadConfig } from './config';
import { startStack } from './stack/stack';
import { createLogger } from '../workers/logger';

/** `npm run api`: the API alone, for deployments where workers run elsewhere. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config, 'quorum-api');
  if (!config.temporal.address || !config.database.url) {
    process.stderr.write(
      `${pc.red('npm run api needs TEMPORAL_ADDRESS and DATABASE_URL.')}\n` +
        '  It is the API alone, for real deployments. For everything on one machine use `npm start`.\n',
    );
    process.exit(2);
  }
  const stack = await startStack({
    config,
    logger,
    say: (m) => logger.info(m),
    issueLauncherKey: false,
    queues: [],
  });
  logger.info({ url: stack.apiUrl }, 'API listening');
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) process.exit(130);
      stopping = true;
      void stack.stop().then(() => process.exit(0));
    });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${pc.red('API could not start:')} ${(err as Error).message}\n`);
  process.exit(1);
});
