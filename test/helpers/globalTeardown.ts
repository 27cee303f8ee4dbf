/** Stops what globalSetup started, and only that. */
export default async function globalTeardown(): Promise<void> {
  const started = globalThis.__quorumTestStack;
  if (!started) return;
  await started.postgres?.stop();
  await started.devServer?.stop();
  globalThis.__quorumTestStack = undefined;
}
