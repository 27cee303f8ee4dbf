import { rm } from 'node:fs/promises';
import path from 'node:path';

/** Stops what globalSetup started, and only that. */
export default async function globalTeardown(): Promise<void> {
  const started = globalThis.__quorumTestStack;
  if (!started) return;
  await started.postgres?.stop();
  await started.devServer?.stop();
  if (started.devServer) {
    await rm(path.resolve(__dirname, '..', '..', '.quorum', 'test-temporal.pid'), { force: true });
  }
  globalThis.__quorumTestStack = undefined;
}
